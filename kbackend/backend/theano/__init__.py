"""The Theano adapter: the contract on PyTensor or legacy Theano 1.0.5 (see _engine).

Each op family lives in a module of the same name in every engine package; shared composites fill in
what no module here defines natively.
"""
import importlib as _importlib

from . import _engine  # fails first, and clearly, when no Theano-API engine is installed
from .core import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .array import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .control import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .. import shared as _shared
from . import _scalar_ops

_shared.install(globals())
if _engine.IS_PYTENSOR:
    _engine.convert_errors_as_type_errors(globals())
_scalar_ops.install()  # float32 sigmoids in compiled graphs: an inline-exp C kernel

if not _engine.IS_PYTENSOR:  # Theano 1.0.5's Sum over all axes but the last: a faster C kernel
    from . import _reduce_ops
    _reduce_ops.install()

ENGINE = 'PyTensor' if _engine.IS_PYTENSOR else 'Theano'
ENGINE_VERSION = _engine.VERSION

# Names Keras 2.2.4's Theano backend leaked into K and Keras-2 code uses (loader._add_legacy_names):
# the engine's modules (`th_sparse_module` is what Keras's tests check before a sparse test).
LEGACY_NAMES = {
    'theano': lambda: _engine.theano,
    'T': lambda: _engine.T,
    'th_sparse_module': lambda: _importlib.import_module(_engine.theano.__name__ + '.sparse'),
}
