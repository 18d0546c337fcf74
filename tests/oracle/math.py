"""Oracle for the math family: plain NumPy/SciPy, written from the semantics, not from kbackend.

`GRADIENTS` holds analytic gradients (float64) for the functions whose gradient has a convention at
ties or at the edge of the domain, where finite differences cannot decide (docs/numerics.md):
``GRADIENTS[name](g, *inputs, **kwargs)`` is the list of gradients of sum(g * name(*inputs)) w.r.t.
the float inputs.
"""
import itertools

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


# --- analytic gradients (TensorFlow's conventions) ----------------------------------------------

def _f64(x):
    return np.asarray(x, dtype='float64')


def _extreme_grad(op, g, x, axis=None, keepdims=False):
    """max/min: the gradient is shared evenly among the entries tied at the extreme."""
    x = _f64(x)
    axes = tuple(range(x.ndim)) if axis is None else \
        tuple(a % x.ndim for a in (axis if isinstance(axis, (list, tuple)) else [axis]))
    m = op(x, axis=axes, keepdims=True)
    tied = (x == m).astype('float64')
    g = _f64(g)
    if not keepdims:
        g = np.expand_dims(g, axes) if axes else g
    return [tied * g / tied.sum(axis=axes, keepdims=True)]


def _unbroadcast(grad, shape):
    """grad summed over the axes along which an input of `shape` was broadcast."""
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for i, d in enumerate(shape):
        if d == 1 and grad.shape[i] != 1:
            grad = grad.sum(axis=i, keepdims=True)
    return grad


def _pair_grad(first_wins, g, x, y):
    """maximum/minimum: the first argument takes the gradient where it wins or ties."""
    x, y, g = _f64(x), _f64(y), _f64(g)
    to_x = first_wins(x, y)
    return [_unbroadcast(np.where(to_x, g, 0.), x.shape), _unbroadcast(np.where(to_x, 0., g), y.shape)]


def _sqrt_grad(g, x):
    """0.5 / sqrt(x) for x >= 0 (0 at +inf, inf at 0, -inf at -0.0 as IEEE's sqrt(-0.0) = -0.0), and
    0 where x < 0 (clipped)."""
    x, g = _f64(x), _f64(g)
    with np.errstate(divide='ignore', invalid='ignore'):
        return [np.where(x >= 0, g * (0.5 / np.sqrt(np.where(x >= 0, x, 1.))), 0.)]


def _cumprod_grad(g, x, axis=0):
    """sum over j >= i of g_j * prod(x_k for k <= j, k != i), term by term (exact with zeros)."""
    x, g = np.moveaxis(_f64(x), axis, -1), np.moveaxis(_f64(g), axis, -1)
    out = np.zeros_like(x)
    n = x.shape[-1]
    for idx in itertools.product(*[range(d) for d in x.shape[:-1]]):
        line, weights = x[idx], g[idx]
        for i in range(n):
            total = 0.
            for j in range(i, n):
                total += weights[j] * np.prod([line[k] for k in range(j + 1) if k != i])
            out[idx + (i,)] = total
    return [np.moveaxis(out, -1, axis)]


GRADIENTS = {
    'max': lambda g, x, axis=None, keepdims=False: _extreme_grad(np.max, g, x, axis, keepdims),
    'min': lambda g, x, axis=None, keepdims=False: _extreme_grad(np.min, g, x, axis, keepdims),
    'maximum': lambda g, x, y: _pair_grad(np.greater_equal, g, x, y),
    'minimum': lambda g, x, y: _pair_grad(np.less_equal, g, x, y),
    'sqrt': _sqrt_grad,
    'cumprod': _cumprod_grad,
}
