"""``from kbackend import backend as K``: the Keras 2.2.4 backend API on the configured engine.

The configuration is resolved when this package is imported (defaults, then keras.json, then
``KERAS_BACKEND``; see ``common``). The engine itself is imported on the first use of an engine
function, so importing the config layer (``kbackend.backend.common``) stays free. After that first
use the engine's functions are plain attributes of this module: no indirection on the hot path.
"""
import pkgutil as _pkgutil
import sys as _sys
import threading as _threading
import types as _types

from . import common as _common
from .common import (epsilon, set_epsilon, floatx, set_floatx, cast_to_floatx,  # noqa: F401
                     image_data_format, set_image_data_format, normalize_data_format,
                     image_dim_ordering, set_image_dim_ordering)

_BACKEND = _common.configure().values['backend']
_LOAD_LOCK = _threading.RLock()
_loaded = False
_namespace = None  # the engine's K namespace, once loaded
_loading = None  # the ident of the thread importing the engine (its own lookups must not recurse)
# `from . import api` asks the package for its submodules: those lookups must not load an engine.
_SUBMODULES = frozenset(m.name for m in _pkgutil.iter_modules(__path__))


def backend():
    """Returns the name of the engine in use ('tensorflow', 'theano', 'cntk' or an external module)."""
    return _BACKEND


def _load_engine():
    """Imports the configured engine once and copies its K namespace into this module."""
    global _loaded, _loading, _namespace
    with _LOAD_LOCK:  # another thread's first use waits here until the engine is loaded
        if _loaded or _loading is not None:
            return
        _loading = _threading.get_ident()
        try:
            from .loader import load_engine
            namespace = load_engine(_BACKEND)
            globals().update({k: v for k, v in vars(namespace).items()
                              if not k.startswith('__') and k not in _common.CONFIG_FUNCTIONS
                              and k != 'backend'})
            _namespace = namespace
            _loaded = True
        finally:
            _loading = None


class _BackendModule(_types.ModuleType):
    """Loads the engine when a name that is not yet defined is looked up (Python 3.5+)."""

    def __getattr__(self, name):
        if name.startswith('__') or name in _SUBMODULES or _loading == _threading.get_ident():
            raise AttributeError(name)
        _load_engine()
        try:
            return self.__dict__[name]
        except KeyError:
            pass
        try:  # the names the engine makes on first access (K.tf, K.th_sparse_module; see loader)
            return getattr(_namespace, name)
        except AttributeError:
            raise AttributeError("module 'kbackend.backend' has no attribute %r" % name) from None

    def __dir__(self):
        _load_engine()
        return sorted(self.__dict__)


_sys.modules[__name__].__class__ = _BackendModule
