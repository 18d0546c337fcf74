"""Runs Keras 2.2.4's own backend tests (tests/keras/backend/backend_test.py of its source release)
against kbackend on one engine: an outside check of the API Keras-2 code relies on.

    .venv/bin/python scripts/keras224_backend_tests.py tensorflow
    .venv/bin/python scripts/keras224_backend_tests.py theano                       # PyTensor
    KBACKEND_THEANO=theano .venv-theano/bin/python scripts/keras224_backend_tests.py theano
    .venv-cntk/bin/python scripts/keras224_backend_tests.py cntk

The source release is fetched from PyPI (``pip download --no-binary :all: keras==2.2.4``) into
``.cache/keras224-src`` once; nothing of it is kept in this repository. Keras's tests compare each
backend with the others (``KTF``, ``KTH``, ``KC``) and with NumPy; here every backend name is the one
engine, so the cross-backend tests check that the engine runs them and agrees with itself, and the
NumPy comparisons check values. Three edits let the 2018 files run on today's libraries
(``np.alltrue`` and ``scipy.misc.logsumexp`` are gone; variables are no longer ``float32_ref``).

Keras marked some tests to skip on the engines that could not run them then (``skipif`` on
``K.backend()``); kbackend gives every engine the same API, so those run here too (``--keras-skips``
keeps Keras's marks). A few tests assert what kbackend decided otherwise (DESIGN.md), or use what only
TensorFlow has (its session's arguments, string tensors); they are deselected with the reason below.
Extra arguments go to pytest (e.g. ``-x``, ``-k conv``).
"""
import os
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, '.cache', 'keras224-src')
SOURCE = 'Keras-2.2.4/tests/keras/backend/'

# test id -> why kbackend differs from what the test asserts (every engine).
DESELECTED = {
    'test_ctc': "Theano's ctc_batch_cost gave (1, samples) and other values; kbackend gives "
                "TensorFlow's (samples, 1) on every engine",
    'test_ctc_decode_beam_search': 'its log probabilities come from TensorFlow <= 1.10, which did not '
                                   'normalise them (TensorFlow PR 21187); kbackend returns true ones',
    'test_resize_images_bilinear': "expects Theano's NotImplementedError at factor 4; kbackend "
                                   'resizes bilinearly at any factor on every engine',
}

# Tests Keras wrote for TensorFlow alone (it skipped them elsewhere): what they use is TensorFlow's.
_TENSORFLOW_ONLY = {
    'test_function_tf_fetches': "K.function's fetches= and K.get_session().run: TensorFlow session arguments",
    'test_function_tf_feed_dict': "K.function's feed_dict= and K.get_session().run: TensorFlow session arguments",
    'test_function_tf_run_options_with_run_metadata': "K.function's options= and run_metadata=: TensorFlow "
                                                      'session arguments',
    'test_function_tf_string_input': 'a placeholder of dtype string: only TensorFlow has string tensors',
}
# engine -> {test id: reason} for the tests Keras skipped on that engine and kbackend cannot run there.
ENGINE_DESELECTED = {
    'tensorflow': {},
    'theano': _TENSORFLOW_ONLY,
    'cntk': dict(_TENSORFLOW_ONLY, test_arange='K.arange(-20) and K.arange(0) are empty, which CNTK 2.7 '
                                               'cannot hold (gaps.LIMITS: arange)'),
}

# A pytest plugin (-p kbackend_unskip) that runs the tests Keras marked to skip on some engines.
UNSKIP_PLUGIN = '''import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        for node in item.listchain():
            node.own_markers = [m for m in getattr(node, 'own_markers', []) if m.name != 'skipif']
'''

CONFTEST = '''
import os, sys
sys.path.insert(0, os.path.dirname(__file__))
from kbackend.backend import loader
engine = os.environ['KBACKEND_ENGINE']
K = loader.load_engine(engine)
for name in ('tensorflow_backend', 'theano_backend', 'cntk_backend'):
    sys.modules['keras.backend.' + name] = K
if engine != 'theano':  # the sparse tests add a Theano pass when KTH.th_sparse_module is set
    K.th_sparse_module = None
from kbackend.compat import keras224
keras224.enable()
import keras.backend
for name in ('dev', 'tf', 'th_sparse_module', '_BACKEND'):  # the names Keras's K took from its backend
    if hasattr(K, name):
        setattr(keras.backend, name, getattr(K, name))
'''

# The conftest part that drops the tests named in KERAS224_DESELECTED (shared with
# keras224_model_tests.py).
DESELECT_HOOK = '''
DESELECTED = set(os.environ['KERAS224_DESELECTED'].split(','))


def pytest_collection_modifyitems(config, items):
    kept = [i for i in items if getattr(i, 'originalname', i.name) not in DESELECTED]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept
'''

EDITS = {
    'backend_test.py': [('np.alltrue', 'np.all'),
                        ("    if K._BACKEND == 'theano':\n        assert var.dtype == dtype\n"
                         "    else:\n        assert var.dtype.name == '%s_ref' % dtype",
                         '    assert K.dtype(var) == dtype')],
    'reference_operations.py': [('sp.misc.logsumexp', '__import__("scipy.special").special.logsumexp')],
}


def download():
    """Keras 2.2.4's source release (with its tests), fetched from PyPI into CACHE once."""
    archive = os.path.join(CACHE, 'Keras-2.2.4.tar.gz')
    if not os.path.exists(archive):
        subprocess.check_call([sys.executable, '-m', 'pip', 'download', '--no-deps', '--no-binary', ':all:',
                               'keras==2.2.4', '-d', CACHE])
    return archive


def fetch():
    """The two test files, edited, in CACHE/<python version> (edits are per copy, fetched once)."""
    work = os.path.join(CACHE, 'py%d%d' % sys.version_info[:2])
    if os.path.exists(os.path.join(work, 'kbackend_unskip.py')):
        return work
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, 'kbackend_unskip.py'), 'w') as f:
        f.write(UNSKIP_PLUGIN)
    with tarfile.open(download()) as tar:
        for name, edits in EDITS.items():
            text = tar.extractfile(SOURCE + name).read().decode('utf-8')
            for old, new in edits:
                if old not in text:
                    raise SystemExit('%s no longer holds %r: update EDITS' % (name, old))
                text = text.replace(old, new)
            with open(os.path.join(work, name), 'w') as f:
                f.write(text)
    with open(os.path.join(work, 'conftest.py'), 'w') as f:
        f.write(CONFTEST + DESELECT_HOOK)
    return work


def main(argv):
    if not argv or argv[0] not in ('tensorflow', 'theano', 'cntk'):
        raise SystemExit(__doc__)
    engine, extra = argv[0], argv[1:]
    keras_skips = '--keras-skips' in extra
    deselected = dict(DESELECTED)
    if keras_skips:
        extra.remove('--keras-skips')
    else:
        deselected.update(ENGINE_DESELECTED[engine])
        extra = ['-p', 'kbackend_unskip'] + extra
    work = fetch()
    env = dict(os.environ, KERAS_BACKEND='kbackend', KBACKEND_ENGINE=engine,
               KERAS224_DESELECTED=','.join(deselected),
               PYTHONPATH=os.pathsep.join([ROOT, work, os.environ.get('PYTHONPATH', '')]))
    for name, why in sorted(deselected.items()):
        print('deselected %s: %s' % (name, why))
    cmd = [sys.executable, '-m', 'pytest', os.path.join(work, 'backend_test.py'), '-q', '-p',
           'no:cacheprovider'] + extra
    return subprocess.call(cmd, cwd=work, env=env)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
