"""The loader: contract docstrings, gap stubs, the K module's namespace and engine loading."""
import threading

import pytest

from kbackend.backend import api, common, gaps, loader


def test_k_namespace_has_config_contract_and_backend(K):
    for name in common.CONFIG_FUNCTIONS:
        assert getattr(K, name) is getattr(common, name)
    for name in api.NAMES:
        assert callable(getattr(K, name)), name
    assert K.backend() in loader.ADAPTERS
    assert K.Function is not None


def test_exported_functions_carry_the_contract_docstrings(K):
    for name in api.NAMES:
        assert getattr(K, name).__doc__ == getattr(api, name).__doc__, name


def test_gap_stub_raises_not_implemented_with_the_reason():
    stub = loader._gap_stub('cntk', 'conv2d', 'a stated reason')
    with pytest.raises(NotImplementedError) as info:
        stub(1, 2, padding='same')
    assert str(info.value) == 'conv2d is not available on the cntk engine: a stated reason.'
    assert stub.__name__ == 'conv2d'


def test_registry_reason_lookup(monkeypatch):
    monkeypatch.setitem(gaps.GAPS, 'example', {gaps.ALL: 'not built', 'conv2d': 'no kernel'})
    assert gaps.reason('example', 'dot') == 'not built'
    assert gaps.reason('example', 'conv2d') == 'no kernel'
    assert gaps.reason('tensorflow', 'dot') is None
    assert gaps.reason('no-such-engine', 'dot') is None
    assert gaps.limit('cntk', 'gradients') and gaps.limit('cntk', 'dot') is None


def test_load_engine_is_cached_and_thread_safe(K):
    results = []
    threads = [threading.Thread(target=lambda: results.append(loader.load_engine(K.backend())))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is K for r in results)


def test_the_k_module_loads_its_engine_on_first_use():
    from kbackend import backend as K
    assert K.backend() == common.configure().values['backend']
    try:
        K.variable
    except ImportError as e:
        assert isinstance(e, loader.EngineNotInstalled)
        pytest.skip('the configured engine is not installed here')
    assert 'variable' in dir(K) and K.floatx is common.floatx
    with pytest.raises(AttributeError, match='no_such_function'):
        K.no_such_function


@pytest.mark.parametrize('user_flags, expected', [('', ['cvm', 'False']), ('linker=py', ['py', 'False']),
                                                  ('allow_gc=True', ['cvm', 'True'])])
def test_pytensor_imported_before_kbackend_gets_the_defaults_the_user_did_not_set(
        user_flags, expected, tmp_path):
    """kbackend's PyTensor defaults are added to PYTENSOR_FLAGS before PyTensor is imported; when the
    user imported PyTensor first they are set on its config instead (a user's flag is kept)."""
    pytest.importorskip('pytensor')
    import os
    import subprocess
    import sys
    code = ('import pytensor\n'
            'from kbackend import backend as K\n'
            'K.placeholder(shape=(2,))\n'
            'print(pytensor.config.linker, pytensor.config.allow_gc)\n')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTENSOR_FLAGS', 'KBACKEND_ENGINE')}
    env.update(KERAS_BACKEND='theano', KBACKEND_THEANO='pytensor', KERAS_HOME=str(tmp_path),
               PYTENSOR_FLAGS=user_flags, HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, '-c', code], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == expected
