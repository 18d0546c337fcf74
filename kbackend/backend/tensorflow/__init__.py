"""The TensorFlow adapter: the contract on TensorFlow 2.x, in graph mode (tf.compat.v1).

Each op family lives in a module of the same name in every engine package; shared composites fill in
what no module here defines natively.
"""
from ._import import quiet_startup as _quiet_startup

# TensorFlow's C++ start-up lines (absl, oneDNN, CPU features) would print on import; kbackend keeps
# them off stderr unless the user set TF_CPP_MIN_LOG_LEVEL (see _import.quiet_startup).
with _quiet_startup():
    from ._graph import tf as _tf  # fails first, and clearly, when TensorFlow is missing
from .core import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .array import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .control import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .. import shared as _shared
from . import _slicing

_slicing.install()  # unit-stride slices in kbackend's graphs: a Pad gradient (same values)

_shared.install(globals())

ENGINE = 'TensorFlow'
ENGINE_VERSION = _tf.__version__

# Names Keras 2.2.4's TensorFlow backend leaked into K and Keras-2 code uses (loader._add_legacy_names).
LEGACY_NAMES = {'tf': lambda: _tf}
