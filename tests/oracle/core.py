"""Oracle for the core family: what each numeric core function gives, in plain NumPy/SciPy.

Variables are represented by their NumPy value, so update functions return the variable's value after
the update has run.
"""
import numpy as np

__all__ = ['variable', 'constant', 'to_dense', 'shape', 'int_shape', 'ndim', 'dtype', 'eval',
           'zeros', 'ones', 'eye', 'zeros_like', 'ones_like', 'identity', 'count_params', 'cast',
           'update', 'update_add', 'update_sub', 'moving_average_update', 'get_value',
           'batch_get_value', 'set_value', 'batch_set_value', 'get_variable_shape', 'stop_gradient']

FLOATX = 'float32'


def _dense(x):
    return x.toarray() if hasattr(x, 'toarray') else np.asarray(x)


def variable(value, dtype=None, name=None, constraint=None):
    return np.array(_dense(value), dtype=dtype or FLOATX)


def constant(value, dtype=None, shape=None, name=None):
    value = np.array(value, dtype=dtype or FLOATX)
    if shape is None:
        return value
    if value.size == 1:
        return np.full(shape, value.reshape(()), dtype=value.dtype)
    return value.reshape(shape)


def to_dense(tensor):
    return _dense(tensor)


def shape(x):
    return np.array(np.shape(x), dtype='int64')


def int_shape(x):
    return tuple(np.shape(x))


def ndim(x):
    return len(np.shape(x))


def dtype(x):
    return np.asarray(x).dtype.name


def eval(x):
    return _dense(x)


def zeros(shape, dtype=None, name=None):
    return np.zeros(shape, dtype=dtype or FLOATX)


def ones(shape, dtype=None, name=None):
    return np.ones(shape, dtype=dtype or FLOATX)


def eye(size, dtype=None, name=None):
    rows, cols = (size, size) if np.ndim(size) == 0 else size
    return np.eye(rows, cols, dtype=dtype or FLOATX)


def zeros_like(x, dtype=None, name=None):
    return np.zeros(np.shape(x), dtype=dtype or np.asarray(x).dtype)


def ones_like(x, dtype=None, name=None):
    return np.ones(np.shape(x), dtype=dtype or np.asarray(x).dtype)


def identity(x, name=None):
    return np.array(x)


def count_params(x):
    return int(np.prod(np.shape(x), dtype='int64'))


def cast(x, dtype):
    """Float to int truncates toward zero; to bool, nonzero is True."""
    x = np.asarray(x)
    if np.dtype(dtype).kind in 'iu' and x.dtype.kind == 'f':
        x = np.trunc(x)
    return x.astype(dtype)


def update(x, new_x):
    return np.asarray(new_x, dtype=np.asarray(x).dtype)


def update_add(x, increment):
    x = np.asarray(x)
    return (x + increment).astype(x.dtype)


def update_sub(x, decrement):
    x = np.asarray(x)
    return (x - decrement).astype(x.dtype)


def moving_average_update(x, value, momentum):
    """DESIGN: x * momentum + value * (1 - momentum), no zero-debiasing."""
    x = np.asarray(x)
    return (x * momentum + np.asarray(value) * (1.0 - momentum)).astype(x.dtype)


def get_value(x):
    return np.array(x)


def batch_get_value(ops):
    return [np.array(x) for x in ops]


def set_value(x, value):
    return np.asarray(value, dtype=np.asarray(x).dtype)


def batch_set_value(tuples):
    return [set_value(x, value) for x, value in tuples]


def get_variable_shape(x):
    return int_shape(x)


def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [np.array(v) for v in variables]
    return np.array(variables)
