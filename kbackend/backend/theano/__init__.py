"""The Theano adapter: the contract on PyTensor or legacy Theano 1.0.5 (see _engine).

Each op family lives in a module of the same name in every engine package; shared composites fill in
what no module here defines natively.
"""
from ._engine import theano as _theano  # noqa: F401  (fails first when no engine is installed)
from .core import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .control import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .. import shared as _shared

_shared.install(globals())
