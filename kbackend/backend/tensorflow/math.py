"""tensorflow engine: the math op family (see kbackend.backend.api.FAMILIES).

TensorFlow's gradient conventions are kbackend's (docs/numerics.md); the one kernel gradient replaced
here is cumprod's, which TensorFlow computes by dividing by the input (wrong where it holds zeros).
"""
import string

import numpy as np

from .. import common
from ..shared import checks
from ._graph import graph_scope, tf, tf1

__all__ = [
    'dot', 'batch_dot', 'transpose', 'max', 'min', 'sum', 'prod', 'cumsum', 'cumprod', 'var',
    'mean', 'any', 'all', 'argmax', 'argmin', 'square', 'abs', 'sqrt', 'exp', 'log', 'logsumexp',
    'round', 'sign', 'pow', 'clip', 'equal', 'not_equal', 'greater', 'greater_equal', 'less',
    'less_equal', 'maximum', 'minimum', 'sin', 'cos',
]

_builtin_max = max


def _shape(x):
    """x's static shape as a tuple (None dims unknown), or None when its rank is unknown."""
    shape = x.shape
    return None if shape.rank is None else tuple(shape.as_list())


def _axes(fn, x, axis, keepdims):
    """x as a tensor and a reduction's axis checked (the shared contract): None or a list of axes."""
    checks.check_flag(fn, 'keepdims', keepdims)
    x = tf.convert_to_tensor(x)
    if x.shape.rank is None:
        return x, list(axis) if isinstance(axis, tuple) else axis
    return x, checks.check_axes(fn, axis, x.shape.rank)


def _one_axis(fn, x, axis):
    x = tf.convert_to_tensor(x)
    return x, axis if x.shape.rank is None else checks.normalize_axis(fn, axis, x.shape.rank)


def _static_shape(value):
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return _shape(value)
    try:
        return np.shape(value)
    except (TypeError, ValueError):
        return None


def _elementwise(fn, x, y):
    """The static shapes of elementwise operands must broadcast (the shared contract); x and y are
    returned as they are (TensorFlow converts a NumPy operand to the other's dtype)."""
    checks.check_broadcast(fn, _static_shape(x), _static_shape(y))
    return x, y


def _as_float(x):
    """x as a tensor, cast to floatx when it is bool or integer (mean/var of counts are fractions)."""
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating and not x.dtype.is_complex:
        x = tf.cast(x, common.floatx())
    return x


@graph_scope
def dot(x, y):
    if isinstance(x, tf.SparseTensor):
        return tf.sparse.sparse_dense_matmul(x, y)
    x, y = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
    x_ndim, y_ndim = x.shape.rank, y.shape.rank
    if x_ndim is not None and y_ndim is not None:
        checks.check_dot(_shape(x), _shape(y))
    if x_ndim == 2 and y_ndim == 2:
        return tf.matmul(x, y)
    if x_ndim == 0 or y_ndim == 0:
        return x * y
    # np.dot: last axis of x with the second-to-last (or only) axis of y.
    return tf.tensordot(x, y, [[x_ndim - 1], [_builtin_max(y_ndim - 2, 0)]])


@graph_scope
def batch_dot(x, y, axes=None):
    x, y = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
    x_ndim, y_ndim = x.shape.rank, y.shape.rank
    x_axis, y_axis = checks.batch_dot_axes(axes, x_ndim, y_ndim)
    checks.check_batch_dot(_shape(x), _shape(y), x_axis, y_axis)
    if x_ndim == 2 and y_ndim == 2:
        # crossed axes (Keras 2.2.4's TensorFlow rule): sum(transpose(x) * y) along y's axis
        out = tf.reduce_sum((x if x_axis == y_axis else tf.transpose(x)) * y, axis=y_axis)
    else:
        # einsum contracts any pair of axes (TF's matmul adjoint trick only reaches the last two).
        letters = string.ascii_letters[1:x_ndim + y_ndim]
        x_sub = 'a' + letters[:x_ndim - 1]
        y_sub = 'a' + letters[x_ndim - 1:x_ndim + y_ndim - 2]
        y_sub = y_sub[:y_axis] + x_sub[x_axis] + y_sub[y_axis + 1:]
        out_sub = x_sub[:x_axis] + x_sub[x_axis + 1:] + y_sub[1:y_axis] + y_sub[y_axis + 1:]
        out = tf.einsum('%s,%s->%s' % (x_sub, y_sub, out_sub), x, y)
    if out.shape.rank == 1:
        out = tf.expand_dims(out, 1)
    return out


@graph_scope
def transpose(x):
    return tf.transpose(x)


@graph_scope
def max(x, axis=None, keepdims=False):
    x, axis = _axes('max', x, axis, keepdims)
    return tf.reduce_max(x, axis, keepdims)


@graph_scope
def min(x, axis=None, keepdims=False):
    x, axis = _axes('min', x, axis, keepdims)
    return tf.reduce_min(x, axis, keepdims)


@graph_scope
def sum(x, axis=None, keepdims=False):
    x, axis = _axes('sum', x, axis, keepdims)
    return tf.reduce_sum(x, axis, keepdims)


@graph_scope
def prod(x, axis=None, keepdims=False):
    x, axis = _axes('prod', x, axis, keepdims)
    return tf.reduce_prod(x, axis, keepdims)


@graph_scope
def cumsum(x, axis=0):
    x, axis = _one_axis('cumsum', x, axis)
    return tf.cumsum(x, axis=axis)


_EXACT_CUMPROD = 'KbackendExactCumprod'


def _exact_cumprod_gradient(op, grad):
    """The exact gradient of cumprod (TensorFlow's divides by x: wrong where x holds zeros).

    d/dx_i = sum over j >= i of g_j * prod(x_k, k <= j, k != i). With zeros replaced by 1 (xs) and
    c = cumprod(xs), that product is c_j / xs_i when x_0..x_j hold no zero other than x_i, else 0:
    before the first zero it is the usual reversed cumsum divided by x_i; at the first zero it is the
    reversed cumsum of g * c over the steps whose only zero is that one; after it, 0."""
    x, axis = op.inputs[0], op.inputs[1]
    zero = tf.zeros_like(x)
    is_zero = tf.equal(x, zero)
    xs = tf.where(is_zero, tf.ones_like(x), x)
    weighted = grad * tf.math.cumprod(xs, axis=axis)
    zeros_so_far = tf.cumsum(tf.cast(is_zero, tf.int32), axis=axis)
    none = tf.where(tf.equal(zeros_so_far, 0), weighted, zero)
    one = tf.where(tf.equal(zeros_so_far, 1), weighted, zero)
    dx = tf.where(is_zero, tf.cumsum(one, axis=axis, reverse=True),
                  tf.cumsum(none, axis=axis, reverse=True) / xs)
    return [dx, None]


try:
    tf.RegisterGradient(_EXACT_CUMPROD)(_exact_cumprod_gradient)
except KeyError:  # registered already (the module was imported again)
    pass


@graph_scope
def cumprod(x, axis=0):
    x, axis = _one_axis('cumprod', x, axis)
    if not x.dtype.is_floating:
        return tf.math.cumprod(x, axis=axis)
    with tf1.get_default_graph().gradient_override_map({'Cumprod': _EXACT_CUMPROD}):
        return tf.math.cumprod(x, axis=axis)


@graph_scope
def var(x, axis=None, keepdims=False):
    x, axis = _axes('var', x, axis, keepdims)
    return tf.math.reduce_variance(_as_float(x), axis, keepdims)


@graph_scope
def mean(x, axis=None, keepdims=False):
    x, axis = _axes('mean', x, axis, keepdims)
    return tf.reduce_mean(_as_float(x), axis, keepdims)


@graph_scope
def any(x, axis=None, keepdims=False):
    x, axis = _axes('any', x, axis, keepdims)
    return tf.reduce_any(tf.cast(x, tf.bool), axis, keepdims)


@graph_scope
def all(x, axis=None, keepdims=False):
    x, axis = _axes('all', x, axis, keepdims)
    return tf.reduce_all(tf.cast(x, tf.bool), axis, keepdims)


@graph_scope
def argmax(x, axis=-1):
    x, axis = _one_axis('argmax', x, axis)
    return tf.argmax(x, axis)


@graph_scope
def argmin(x, axis=-1):
    x, axis = _one_axis('argmin', x, axis)
    return tf.argmin(x, axis)


@graph_scope
def square(x):
    return tf.square(x)


@graph_scope
def abs(x):
    return tf.abs(x)


@graph_scope
def sqrt(x):
    # Negative inputs give 0, not NaN (the design's rule on every engine).
    x = tf.convert_to_tensor(x)
    return tf.sqrt(tf.maximum(x, tf.zeros((), x.dtype)))


@graph_scope
def exp(x):
    return tf.exp(x)


@graph_scope
def log(x):
    return tf.math.log(x)


@graph_scope
def logsumexp(x, axis=None, keepdims=False):
    x, axis = _axes('logsumexp', x, axis, keepdims)
    return tf.reduce_logsumexp(x, axis, keepdims)


@graph_scope
def round(x):
    return tf.round(x)  # half to even


@graph_scope
def sign(x):
    return tf.sign(x)


@graph_scope
def pow(x, a):
    return tf.pow(x, a)


@graph_scope
def clip(x, min_value, max_value):
    x = tf.convert_to_tensor(x)
    min_value, max_value = checks.clip_bounds(min_value, max_value, x.dtype.as_numpy_dtype)
    # clip_by_value takes the minimum first, so a tensor max below min also yields min.
    return tf.clip_by_value(x, _in_dtype(min_value, x.dtype), _in_dtype(max_value, x.dtype))


def _in_dtype(value, dtype):
    """A bound in `dtype`: tf.cast of a Python float would round it through float32 first."""
    return tf.cast(value, dtype) if tf.is_tensor(value) else tf.constant(value, dtype=dtype)


@graph_scope
def equal(x, y):
    x, y = _elementwise('equal', x, y)
    return tf.equal(x, y)


@graph_scope
def not_equal(x, y):
    x, y = _elementwise('not_equal', x, y)
    return tf.not_equal(x, y)


@graph_scope
def greater(x, y):
    x, y = _elementwise('greater', x, y)
    return tf.greater(x, y)


@graph_scope
def greater_equal(x, y):
    x, y = _elementwise('greater_equal', x, y)
    return tf.greater_equal(x, y)


@graph_scope
def less(x, y):
    x, y = _elementwise('less', x, y)
    return tf.less(x, y)


@graph_scope
def less_equal(x, y):
    x, y = _elementwise('less_equal', x, y)
    return tf.less_equal(x, y)


@graph_scope
def maximum(x, y):
    x, y = _elementwise('maximum', x, y)
    return tf.maximum(x, y)


@graph_scope
def minimum(x, y):
    x, y = _elementwise('minimum', x, y)
    return tf.minimum(x, y)


@graph_scope
def sin(x):
    return tf.sin(x)


@graph_scope
def cos(x):
    return tf.cos(x)

