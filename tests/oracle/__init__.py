"""The NumPy/SciPy oracle: an independent implementation of every numeric contract function.

Each op family has a module of the same name; each function takes NumPy arrays (and the contract's
Python arguments) and returns NumPy arrays. `NOT_NUMERIC` lists the contract functions that have no
numeric result to compare (graph plumbing), each tested by behaviour instead.
"""
from .core import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .array import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .control import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403

NOT_NUMERIC = (
    'get_uid', 'reset_uids', 'clear_session', 'manual_variable_initialization', 'learning_phase',
    'set_learning_phase', 'get_session', 'set_session', 'name_scope', 'is_keras_tensor', 'is_tensor',
    'is_placeholder', 'is_sparse', 'placeholder', 'function', 'gradients', 'print_tensor',
)
