"""``from kbackend import backend as K``: the Keras 2.2.4 backend API on the configured engine.

The engine is chosen once, here: the defaults, then keras.json, then ``KERAS_BACKEND``
(see ``kbackend.backend.common``). Only the chosen engine is imported.
"""
from . import common as _common
from .common import (epsilon, set_epsilon, floatx, set_floatx, cast_to_floatx,  # noqa: F401
                     image_data_format, set_image_data_format, normalize_data_format,
                     image_dim_ordering, set_image_dim_ordering)
from .loader import load_engine as _load_engine

_BACKEND = _common.configure().values['backend']
_namespace = _load_engine(_BACKEND)
globals().update({k: v for k, v in vars(_namespace).items()
                  if not k.startswith('__') and k not in _common.CONFIG_FUNCTIONS})
del _namespace


def backend():
    """Returns the name of the engine in use ('tensorflow', 'theano', 'cntk' or an external module)."""
    return _BACKEND
