"""kbackend: the Keras 2.2.4 backend API on TensorFlow, Theano/PyTensor and CNTK.

Importing this package imports no engine; ``from kbackend import backend as K`` imports the chosen one.

Keras 2.2.4 itself can use kbackend: with ``KERAS_BACKEND=kbackend`` (or ``"backend": "kbackend"`` in
keras.json), Keras imports this package as its external backend and copies the backend functions
from its namespace. So in that configuration this package also holds one forwarding function per
backend function, which imports kbackend's engine (``KBACKEND_ENGINE``, keras.json's
``"kbackend_engine"``, or the default) on first use. Importing stays free either way, whichever of
kbackend and Keras is imported first.
"""
__version__ = '0.1.0'


def _forwarder(name, doc):
    def forward(*args, **kwargs):
        return getattr(_backend(), name)(*args, **kwargs)
    forward.__name__ = forward.__qualname__ = name
    forward.__doc__ = doc
    return forward


def _backend():
    import importlib
    return importlib.import_module(__name__ + '.backend')


def _keras_uses_kbackend():
    try:
        from .backend import common
        return common.configure().hosted
    except ValueError:
        # A configuration mistake (a bad engine name, a bad keras.json value) is reported where
        # kbackend is used: importing kbackend.backend, or Keras's first backend call.
        import os
        return os.environ.get('KERAS_BACKEND', '').strip().split('.')[0] == 'kbackend'


def _contract():
    """kbackend.backend.api (names and docstrings; it imports nothing). With a broken configuration
    the kbackend.backend package cannot be imported, so the file is then read directly."""
    try:
        from .backend import api
        return api
    except ValueError:
        import importlib.util
        import os
        path = os.path.join(os.path.dirname(__file__), 'backend', 'api.py')
        spec = importlib.util.spec_from_file_location(__name__ + '._contract', path)
        api = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(api)
        return api


class _LegacyName(object):
    """Stands for a name Keras 2.2.4's backend leaked into `keras.backend` (`K.tf`, `K.dev`, ...; see
    kbackend.backend.loader.LEGACY_NAMES): Keras copies this namespace when it is imported, before
    kbackend imports an engine, so the engine's object is looked up on first use."""

    def __init__(self, name):
        self._name = name

    def _target(self):
        return getattr(_backend(), self._name)

    def __getattr__(self, attr):
        return getattr(self._target(), attr)

    def __bool__(self):
        return bool(self._target())

    def __call__(self, *args, **kwargs):
        return self._target()(*args, **kwargs)

    def __repr__(self):
        return '<kbackend stand-in for K.%s: %r>' % (self._name, self._target())


def _serve_keras():
    """When Keras 2.2.4 is configured to use kbackend, fills this namespace with the backend functions
    Keras requires of an external backend (see the module docstring), and stand-ins for the engine's
    leaked names."""
    if not _keras_uses_kbackend():
        return
    api = _contract()
    namespace = globals()
    for name in api.NAMES:
        namespace.setdefault(name, _forwarder(name, getattr(api, name).__doc__))
    try:
        from .backend import common, loader
        engine = common.configure().values['backend']
    except ValueError:
        return  # reported where kbackend is used (see _keras_uses_kbackend)
    for name in loader.LEGACY_NAMES.get(engine, ()):
        namespace.setdefault(name, _LegacyName(name))


_serve_keras()
