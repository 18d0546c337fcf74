"""Builds the K namespace of an engine: the config functions, then the contract functions.

`load_engine(name)` is what ``kbackend.backend`` uses for the configured engine; the tests call it for
every installed engine, so several engines can be driven side by side in one process.
"""
import importlib
import sys
import threading
import types

from . import api, common, gaps

ADAPTERS = {
    'tensorflow': 'kbackend.backend.tensorflow',
    'theano': 'kbackend.backend.theano',
    'cntk': 'kbackend.backend.cntk',
}

# The top-level modules whose absence means "engine not installed", and how to install each.
ENGINE_MODULES = {
    'tensorflow': ('tensorflow',),
    'theano': ('pytensor', 'theano'),
    'cntk': ('cntk',),
}
INSTALL_HINTS = {
    'tensorflow': "pip install 'kbackend[tensorflow]'",
    'theano': "pip install 'kbackend[theano]' (PyTensor) or, in its own environment, "
              "pip install 'kbackend[legacy-theano]' (Theano 1.0.5)",
    'cntk': "pip install 'kbackend[cntk]' on CPython 3.5 or 3.6",
}
REQUIRED_EXTERNAL = ('placeholder', 'variable', 'function')
# The module-level names of Keras 2.2.4's backends that Keras-2 code reads through K, per engine; each
# adapter's LEGACY_NAMES gives their values (see _add_legacy_names).
LEGACY_NAMES = {
    'tensorflow': ('tf',),
    'theano': ('theano', 'T', 'th_sparse_module'),
    'cntk': ('C', 'dev'),
}


class EngineNotInstalled(ImportError):
    """The chosen engine's own package cannot be imported."""


_CACHE = {}
_LOCK = threading.RLock()


def load_engine(name):
    """The K namespace (a module object) for engine `name`, built once per process."""
    with _LOCK:
        if name not in _CACHE:
            if name in ADAPTERS:
                _CACHE[name] = _build(name, _import_adapter(name))
            else:
                _CACHE[name] = _build_external(name)
        return _CACHE[name]


def _import_adapter(name):
    try:
        return importlib.import_module(ADAPTERS[name])
    except ImportError as e:
        missing = (getattr(e, 'name', None) or '').split('.')[0]
        if missing not in ENGINE_MODULES[name]:
            raise
        raise EngineNotInstalled(
            'kbackend cannot use the %r engine: %s is not installed (%s). Install it with: %s. '
            'Or choose another engine with the KERAS_BACKEND environment variable or the "backend" '
            'key of %s (tensorflow, theano or cntk).'
            % (name, ' or '.join(ENGINE_MODULES[name]), e, INSTALL_HINTS[name], common.config_path())
        ) from None  # the message says it all: no chained traceback of the engine's import


def _new_namespace(name):
    ns = types.ModuleType('kbackend.backend[%s]' % name)
    for fname in common.CONFIG_FUNCTIONS:
        setattr(ns, fname, getattr(common, fname))
    ns.backend = lambda: name
    ns.backend.__doc__ = 'Returns the name of the engine in use.'
    ns._BACKEND = name  # keras.backend's own record of the backend's name, which Keras-2 tests read
    return ns


def _gap_stub(engine, fname, reason):
    def gap(*args, **kwargs):
        raise NotImplementedError('%s is not available on the %s engine: %s.' % (fname, engine, reason))
    gap.__name__ = gap.__qualname__ = fname
    return gap


def _build(engine, adapter):
    ns = _new_namespace(engine)
    for fname in api.NAMES:
        contract = getattr(api, fname)
        fn = getattr(adapter, fname, None)
        if fn is None:
            reason = gaps.reason(engine, fname) or 'not implemented yet (and not listed in gaps.py)'
            fn = _gap_stub(engine, fname, reason)
        try:
            fn.__doc__ = contract.__doc__
        except (AttributeError, TypeError):
            pass
        setattr(ns, fname, fn)
    ns.Function = getattr(adapter, 'Function', None)
    ns.CAPABILITIES = getattr(adapter, 'CAPABILITIES', {})
    ns._adapter = adapter
    _add_legacy_names(ns, getattr(adapter, 'LEGACY_NAMES', {}))
    return ns


def _add_legacy_names(ns, legacy):
    """The module-level names Keras 2.2.4's backend modules leaked and Keras-2 code reads through K
    (`K.tf`, `K.dev` on CNTK, `th_sparse_module` on Theano; see KERAS224_BACKEND_API.md, item 10).
    `legacy` maps each name to a function giving its value, computed on first access (Theano's sparse
    module costs ~150 ms to import); on Python < 3.7, which has no module __getattr__, at once."""
    if sys.version_info < (3, 7):
        for name, make in legacy.items():
            setattr(ns, name, make())
        return

    def __getattr__(name):
        make = legacy.get(name)
        if make is None:
            raise AttributeError('module %r has no attribute %r' % (ns.__name__, name))
        value = make()
        setattr(ns, name, value)
        return value
    ns.__getattr__ = __getattr__


def _build_external(name):
    try:
        module = importlib.import_module(name)
    except ImportError as e:
        raise ValueError('Unable to import backend : %s (%s)' % (name, e)) from None
    for entry in REQUIRED_EXTERNAL:
        if not hasattr(module, entry):
            raise ValueError('Invalid backend %r. Missing required entry : %s' % (name, entry))
    ns = _new_namespace(name)
    for key, value in vars(module).items():
        if not key.startswith('_') and not hasattr(ns, key):
            setattr(ns, key, value)
    ns._adapter = module
    return ns
