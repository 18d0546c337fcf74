"""Imports TensorFlow without letting it import Keras.

TensorFlow 2.x's ``__init__`` eagerly imports ``keras.src.optimizers`` (``tf_keras.src.optimizers``
with ``TF_USE_LEGACY_KERAS``) and ignores only an ImportError. That import runs whichever Keras is
installed, configured by settings the user wrote for kbackend:

- Keras 2.2.4 (a kbackend user running Keras 2 code): its whole package runs; it prints "Using ...
  backend", loads a Keras backend (possibly kbackend itself, half imported) and can fail with a
  ValueError TensorFlow does not catch;
- Keras 3 reads the same ``KERAS_BACKEND`` and keras.json: ``KERAS_BACKEND=theano`` (a kbackend engine),
  ``" tensorflow "`` or ``kbackend`` make it raise ``Unable to import backend : theano``; a keras.json
  that is a directory or unreadable makes it raise OSError, and one that is a FIFO blocks its ``open``.

So while kbackend imports TensorFlow, a Keras that is not imported yet is not importable: TensorFlow
skips its eager Keras registration, as it does when no Keras is installed. ``os.environ`` is not
touched for this, and a later ``import keras`` (or ``tf.keras``) by the user runs with the user's own
settings. A Keras that is already imported (Keras 2.2.4 hosting kbackend, or the user's Keras 3) is
left alone, and so is a TensorFlow that is already imported.

TensorFlow also bundles a legacy Keras (``tensorflow.python.keras.backend``) that reads
``$KERAS_HOME/keras.json`` (else ``~/.keras/keras.json``) while TensorFlow imports, with a plain
``open``: a FIFO blocks it, a directory or an unreadable file raises, a dangling link is written
through, and an integer epsilon fails an ``assert``. When kbackend did not use that file (see
``common.load_config_file``), or the file is one kbackend did not read, or its epsilon is not a float,
``KERAS_HOME`` names an empty private directory for the duration of the import only and is then
restored exactly (unset if it was unset); the directory is removed.
"""
import contextlib
import importlib
import importlib.abc
import importlib.util
import os
import re
import shutil
import sys
import tempfile

from .. import common

# The Keras packages TensorFlow's __init__ imports (Keras 3 or Keras 2.2.4 as `keras`; tf_keras).
KERAS_PACKAGES = ('keras', 'tf_keras')


class _NoKeras(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds a Keras package where it is (TensorFlow reads its location) but refuses to load it."""

    def __init__(self, names):
        self.names = frozenset(names)

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, 'find_spec'):
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    spec.loader = self
                    return spec
        return None

    def create_module(self, spec):
        raise ModuleNotFoundError('kbackend keeps TensorFlow from importing %s while TensorFlow loads'
                                  % spec.name, name=spec.name)

    def exec_module(self, module):  # never reached: create_module refuses
        raise ModuleNotFoundError('%s is not loaded while TensorFlow loads' % module.__name__,
                                  name=module.__name__)


def _installed(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def keras_to_block():
    """The installed Keras packages that are not imported yet (TensorFlow would import them)."""
    return [name for name in KERAS_PACKAGES if name not in sys.modules and _installed(name)]


def _legacy_keras_config_path(environ):
    """The keras.json that TensorFlow's bundled legacy Keras reads while TensorFlow imports."""
    if 'KERAS_HOME' in environ:
        directory = environ['KERAS_HOME']
    else:
        directory = os.path.join(os.path.expanduser('~'), '.keras')
    return os.path.expanduser(os.path.join(directory, 'keras.json'))


def legacy_keras_would_fail(resolved, environ=None):
    """Whether TensorFlow's bundled legacy Keras could block, fail or write through a link on the
    keras.json it reads: when it is not the file kbackend read without a problem, or when its epsilon
    is not a float (an assert there)."""
    environ = os.environ if environ is None else environ
    if resolved is None or resolved.file_problem is not None:
        return True
    if os.path.abspath(_legacy_keras_config_path(environ)) != os.path.abspath(resolved.path):
        return True
    return not isinstance(resolved.file_data.get('epsilon', 1e-07), float)


@contextlib.contextmanager
def _private_keras_home():
    """KERAS_HOME names an empty private directory inside the block, and is restored exactly after."""
    saved = os.environ.get('KERAS_HOME')
    try:
        directory = tempfile.mkdtemp(prefix='kbackend-tf-import-')
    except OSError:  # no writable temporary directory: a path that cannot exist (nothing is created)
        directory = None
    os.environ['KERAS_HOME'] = directory or os.path.join(os.devnull, 'kbackend')
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop('KERAS_HOME', None)
        else:
            os.environ['KERAS_HOME'] = saved
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


def import_tensorflow():
    if 'tensorflow' in sys.modules:
        return importlib.import_module('tensorflow')
    names = keras_to_block()
    with contextlib.ExitStack() as stack:
        try:
            resolved = common.configure()
        except ValueError:  # a configuration mistake, reported where kbackend.backend is imported
            resolved = None
        if legacy_keras_would_fail(resolved):
            stack.enter_context(_private_keras_home())
        if names:
            blocker = _NoKeras(names)
            sys.meta_path.insert(0, blocker)
            stack.callback(sys.meta_path.remove, blocker)
        return importlib.import_module('tensorflow')


# --- TensorFlow's start-up lines ----------------------------------------------------------------------
# TensorFlow 2.21's C++ libraries log through absl before absl is initialised, so while TensorFlow
# imports they print "WARNING: All log messages before absl::InitializeLog() is called are written to
# STDERR" and INFO lines ("oneDNN custom operations are on...", "This TensorFlow binary is optimized...")
# whatever TF_CPP_MIN_LOG_LEVEL says (measured: 0, 1, 2 and 3 all print them; so do GLOG_minloglevel
# and ABSL_MIN_LOG_LEVEL). The only switch is to catch them on file descriptor 2.
_STARTUP_LINE = re.compile(r'WARNING: All log messages before absl::InitializeLog\(\) is called'
                           r'|I\d{4} \d\d:\d\d:[\d.]+ +\d+ [\w.-]+:\d+\] '  # an absl INFO line
                           r'|To enable the following instructions: ')  # cpu_feature_guard's 2nd line


@contextlib.contextmanager
def quiet_startup():
    """Around TensorFlow's first import, when the user has not set ``TF_CPP_MIN_LOG_LEVEL``: sets it to
    1 (TensorFlow's INFO lines off, warnings and errors on) and captures file descriptor 2, then writes
    back everything except TensorFlow's start-up INFO lines (all of it if the import fails). A user who
    set ``TF_CPP_MIN_LOG_LEVEL`` gets TensorFlow's own behaviour."""
    if 'TF_CPP_MIN_LOG_LEVEL' in os.environ or 'tensorflow' in sys.modules:
        yield
        return
    os.environ['TF_CPP_MIN_LOG_LEVEL'] = '1'
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):  # no stderr to capture
        yield
        return
    capture = tempfile.TemporaryFile()
    failed = True
    try:
        os.dup2(capture.fileno(), 2)
        yield
        failed = False
    finally:
        try:
            sys.stderr.flush()
        except (AttributeError, OSError, ValueError):
            pass
        os.dup2(saved, 2)
        os.close(saved)
        capture.seek(0)
        lines = capture.read().splitlines(True)
        capture.close()
        kept = [line for line in lines if failed or not _STARTUP_LINE.match(line.decode('utf-8', 'replace'))]
        if kept:
            os.write(2, b''.join(kept))
