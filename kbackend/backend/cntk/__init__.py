"""The CNTK adapter: the contract on CNTK 2.7 (CPython 3.5/3.6).

Each op family lives in a module of the same name in every engine package; shared composites fill in
what no module here defines natively. `_engine` imports CNTK (quietly, with its Open MPI sonames
resolved), `_tensor` holds the CNTK-specific axis and dtype bookkeeping and the Python operators of
CNTK tensors, `_gradient_op` the symbolic gradient node.
"""
from ._engine import C as _C, VERSION as _VERSION  # fails first, and clearly, when CNTK is missing
from .core import *  # noqa: F401,F403
from .core import serialise_building as _serialise_building
from .math import *  # noqa: F401,F403
from .array import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .control import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .. import shared as _shared

_shared.install(globals())
_serialise_building(globals())  # graph building on CNTK is serialised (see core.py)

ENGINE = 'CNTK'
ENGINE_VERSION = _VERSION

# Names Keras 2.2.4's CNTK backend leaked into K and Keras-2 code uses (loader._add_legacy_names):
# `K.dev`, the device CNTK computes on (Keras's tests skip GPU-only cases with `K.dev.type() == 0`).
LEGACY_NAMES = {'C': lambda: _C, 'dev': lambda: _C.device.use_default_device()}
