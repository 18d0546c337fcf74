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


def _forwarder(K, name):
    def forward(*args, **kwargs):
        return getattr(K, name)(*args, **kwargs)
    forward.__name__ = forward.__qualname__ = name
    forward.__doc__ = getattr(_api(), name).__doc__
    return forward


def _api():
    from .backend import api
    return api


def _serve_keras():
    """When Keras 2.2.4 is configured to use kbackend, fills this namespace with the backend functions
    Keras requires of an external backend (see the module docstring)."""
    from .backend import common
    if not common.configure().hosted:
        return
    from . import backend as K
    namespace = globals()
    for name in _api().NAMES + ('learning_phase',):
        namespace.setdefault(name, _forwarder(K, name))


_serve_keras()
