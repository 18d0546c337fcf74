"""Oracle for the math family: plain NumPy/SciPy, written from the semantics, not from kbackend."""
import numpy as np
from scipy import special

__all__ = ['dot', 'batch_dot', 'transpose', 'max', 'min', 'sum', 'prod', 'cumsum', 'cumprod', 'var',
           'std', 'mean', 'any', 'all', 'argmax', 'argmin', 'square', 'abs', 'sqrt', 'exp', 'log',
           'logsumexp', 'round', 'sign', 'pow', 'clip', 'equal', 'not_equal', 'greater',
           'greater_equal', 'less', 'less_equal', 'maximum', 'minimum', 'sin', 'cos']

FLOATX = 'float32'
_builtin_max = max


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _dense(x):
    return x.toarray() if hasattr(x, 'toarray') else np.asarray(x)


def dot(x, y):
    return np.dot(_dense(x), y)


def batch_dot(x, y, axes=None):
    """Row by row: out[b] = tensordot(x[b], y[b], (x_axis - 1, y_axis - 1)), rank-1 results as (batch, 1)."""
    x, y = np.asarray(x), np.asarray(y)
    if axes is None:
        axes = (x.ndim - 1, _builtin_max(y.ndim - 2, 1))
    elif isinstance(axes, int):
        axes = (axes, axes)
    x_axis, y_axis = axes[0] % x.ndim, axes[1] % y.ndim
    if x.ndim == y.ndim == 2 and x_axis != y_axis:  # Keras 2.2.4 (TensorFlow): transposed x times y
        out = (x.T * y).sum(axis=y_axis)
    elif x_axis == 0:  # only two 2-D inputs: the sum over the batch axis
        out = (x * y).sum(axis=0)
    else:
        out = np.stack([np.tensordot(x[b], y[b], axes=(x_axis - 1, y_axis - 1)) for b in range(len(x))])
    return out.reshape(-1, 1) if out.ndim == 1 else out


def transpose(x):
    return np.transpose(x)


def max(x, axis=None, keepdims=False):
    return np.max(x, axis=_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    return np.min(x, axis=_axis(axis), keepdims=keepdims)


def sum(x, axis=None, keepdims=False):
    return np.sum(x, axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    return np.prod(x, axis=_axis(axis), keepdims=keepdims)


def cumsum(x, axis=0):
    return np.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return np.cumprod(x, axis=axis)


def _float(x):
    x = np.asarray(x)
    return x if x.dtype.kind in 'fc' else x.astype(FLOATX)


def var(x, axis=None, keepdims=False):
    return np.var(_float(x), axis=_axis(axis), keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return np.std(_float(x), axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return np.mean(_float(x), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return np.any(x, axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return np.all(x, axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=-1):
    return np.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return np.argmin(x, axis=axis)


def square(x):
    return np.square(x)


def abs(x):
    return np.abs(x)


def sqrt(x):
    with np.errstate(invalid='ignore'):
        out = np.sqrt(x)
    return np.where(np.asarray(x) < 0, 0, out).astype(out.dtype)


def exp(x):
    return np.exp(x)


def log(x):
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.log(x)


def logsumexp(x, axis=None, keepdims=False):
    return special.logsumexp(x, axis=_axis(axis), keepdims=keepdims)


def round(x):
    return np.round(x)  # half to even


def sign(x):
    return np.sign(x)


def pow(x, a):
    return np.power(x, a)


def clip(x, min_value, max_value):
    low = -np.inf if min_value is None else min_value
    high = np.inf if max_value is None else max_value
    high = np.maximum(high, low)
    return np.minimum(np.maximum(x, low), high).astype(np.asarray(x).dtype)


def equal(x, y):
    return np.equal(x, y)


def not_equal(x, y):
    return np.not_equal(x, y)


def greater(x, y):
    return np.greater(x, y)


def greater_equal(x, y):
    return np.greater_equal(x, y)


def less(x, y):
    return np.less(x, y)


def less_equal(x, y):
    return np.less_equal(x, y)


def maximum(x, y):
    return np.maximum(x, y)


def minimum(x, y):
    return np.minimum(x, y)


def sin(x):
    return np.sin(x)


def cos(x):
    return np.cos(x)
