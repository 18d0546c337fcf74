"""theano engine: the math op family (see kbackend.backend.api.FAMILIES).

Gradients follow TensorFlow's conventions (docs/numerics.md): a max/min reduction shares its gradient
evenly among tied entries (Theano gives each the whole gradient); sqrt's gradient is 0 where the input
was clipped (Theano's mask product gives 0 * inf = NaN); cumprod's gradient is exact when the input
holds zeros (Theano divides by them); round, argmax/argmin and comparisons have no gradient, so
K.gradients gives None for a variable reached only through them, as on TensorFlow.
"""
import importlib

import numpy as np

from .. import common
from ..shared import checks, shapes
from ._engine import IS_PYTENSOR, T, sparse, theano
from .core import _Variable, int_shape, is_sparse as _is_sparse, with_static_shape

__all__ = [
    'dot', 'batch_dot', 'transpose', 'max', 'min', 'sum', 'prod', 'cumsum', 'cumprod', 'var',
    'mean', 'any', 'all', 'argmax', 'argmin', 'square', 'abs', 'sqrt', 'exp', 'log', 'logsumexp',
    'round', 'sign', 'pow', 'clip', 'equal', 'not_equal', 'greater', 'greater_equal', 'less',
    'less_equal', 'maximum', 'minimum', 'sin', 'cos',
]

_zero_grad = theano.gradient.zero_grad
_disconnected_grad = theano.gradient.disconnected_grad
_CumOp = importlib.import_module(theano.__name__ + '.tensor.extra_ops').CumOp
# PyTensor deprecates batched_dot in favour of matmul (rewritten to the same BatchedDot kernel);
# legacy Theano has no matmul.
_batched_matmul = T.matmul if IS_PYTENSOR else T.batched_dot
_abs = T.abs if IS_PYTENSOR else T.abs_
_sign = T.sign if IS_PYTENSOR else T.sgn  # PyTensor deprecates sgn; legacy Theano lacks sign


def _as_float(x):
    """x as a tensor, cast to floatx when it is bool or integer (mean/var of counts are fractions)."""
    x = T.as_tensor_variable(x)
    return x if x.dtype.startswith(('float', 'complex')) else T.cast(x, common.floatx())


def _axes(fn, x, axis, keepdims):
    """x as a tensor and a reduction's axis checked (the shared contract): None or a list of axes."""
    checks.check_flag(fn, 'keepdims', keepdims)
    x = T.as_tensor_variable(x)
    return x, checks.check_axes(fn, axis, x.ndim)


def _one_axis(fn, x, axis):
    x = T.as_tensor_variable(x)
    return x, checks.normalize_axis(fn, axis, x.ndim)


def _static_shape(value):
    return tuple(int_shape(value)) if hasattr(value, 'ndim') else checks.value_shape(value)


def _elementwise(fn, x, y):
    """The static shapes of elementwise operands must broadcast (the shared contract)."""
    checks.check_broadcast(fn, _static_shape(x), _static_shape(y))
    return x, y


def _reduction(op, x, axis, keepdims):
    x = T.as_tensor_variable(x)
    return with_static_shape(op(x, axis=axis, keepdims=keepdims), shapes.reduced(int_shape(x), axis, keepdims))


def dot(x, y):
    if _is_sparse(x):
        return sparse.structured_dot(x, y)
    x, y = T.as_tensor_variable(x), T.as_tensor_variable(y)
    checks.check_dot(int_shape(x), int_shape(y))
    return with_static_shape(T.dot(x, y), shapes.dot(int_shape(x), int_shape(y)))  # np.dot semantics


def _batch_contract(x, y, x_axis, y_axis):
    """Contracts x_axis with y_axis per batch row: (b, x free..., y free...) via one batched matmul."""
    x_free = [i for i in range(1, x.ndim) if i != x_axis]
    y_free = [i for i in range(1, y.ndim) if i != y_axis]
    batch, depth = x.shape[0], x.shape[x_axis]
    x3 = x.dimshuffle([0] + x_free + [x_axis]).reshape((batch, -1, depth), ndim=3)
    y3 = y.dimshuffle([0, y_axis] + y_free).reshape((batch, depth, -1), ndim=3)
    out_shape = [batch] + [x.shape[i] for i in x_free] + [y.shape[i] for i in y_free]
    return _batched_matmul(x3, y3).reshape(out_shape, ndim=len(out_shape))


def batch_dot(x, y, axes=None):
    x, y = T.as_tensor_variable(x), T.as_tensor_variable(y)
    x_axis, y_axis = checks.batch_dot_axes(axes, x.ndim, y.ndim)
    checks.check_batch_dot(int_shape(x), int_shape(y), x_axis, y_axis)
    if x.ndim == 2 and y.ndim == 2:
        # crossed axes (Keras 2.2.4's TensorFlow rule): sum(transpose(x) * y) along y's axis
        out = T.sum((x if x_axis == y_axis else x.T) * y, axis=y_axis)
    else:
        out = _batch_contract(x, y, x_axis, y_axis)
    return out.dimshuffle(0, 'x') if out.ndim == 1 else out


def transpose(x):
    return T.transpose(T.as_tensor_variable(x))  # legacy Theano reads x.ndim before converting


def _shared_ties(op, x, axis):
    """x, with the gradient that reaches it through the max/min `op` along `axis` divided by the
    number of entries tied at the extreme (TensorFlow's rule); the forward value is x itself."""
    x = T.as_tensor_variable(x)
    if not x.dtype.startswith('float'):
        return x
    tied = T.eq(x, op(x, axis=axis, keepdims=True))
    count = T.sum(tied, axis=axis, keepdims=True, dtype=x.dtype)
    return theano.gradient.grad_scale(x, np.asarray(1, x.dtype) / count)


def max(x, axis=None, keepdims=False):
    x, axis = _axes('max', x, axis, keepdims)
    return _reduction(T.max, _shared_ties(T.max, x, axis), axis, keepdims)


def min(x, axis=None, keepdims=False):
    x, axis = _axes('min', x, axis, keepdims)
    return _reduction(T.min, _shared_ties(T.min, x, axis), axis, keepdims)


def sum(x, axis=None, keepdims=False):
    x, axis = _axes('sum', x, axis, keepdims)
    return _reduction(T.sum, x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    x, axis = _axes('prod', x, axis, keepdims)
    return _reduction(T.prod, x, axis, keepdims)


def cumsum(x, axis=0):
    x, axis = _one_axis('cumsum', x, axis)
    return T.cumsum(x, axis=axis)


def _reverse_cumsum(x, axis):
    flip = tuple(slice(None, None, -1) if i == axis else slice(None) for i in range(x.ndim))
    return T.cumsum(x[flip], axis=axis)[flip]


def _cumprod_gradient(x, g, axis):
    """The exact gradient of sum(g * cumprod(x)) w.r.t. x, zeros included, without dividing by 0.

    d/dx_i = sum over j >= i of g_j * prod(x_k, k <= j, k != i). With zeros replaced by 1 (xs) and
    c = cumprod(xs), that product is c_j / xs_i when x_0..x_j hold no zero other than x_i, else 0:
    before the first zero it is the usual reversed cumsum divided by x_i; at the first zero it is the
    reversed cumsum of g * c over the steps whose only zero is that one; after it, 0."""
    is_zero = T.eq(x, 0)
    xs = T.switch(is_zero, np.asarray(1, x.dtype), x)
    weighted = g * T.cumprod(xs, axis=axis)
    zeros_so_far = T.cumsum(T.cast(is_zero, 'int32'), axis=axis)
    none = T.switch(T.eq(zeros_so_far, 0), weighted, np.asarray(0, x.dtype))
    one = T.switch(T.eq(zeros_so_far, 1), weighted, np.asarray(0, x.dtype))
    return T.switch(is_zero, _reverse_cumsum(one, axis), _reverse_cumsum(none, axis) / xs)


class _ExactCumprod(_CumOp):
    """The engine's cumprod kernel with an exact gradient when the input holds zeros."""

    def __init__(self, axis):
        super(_ExactCumprod, self).__init__(axis=axis, mode='mul')

    def pullback(self, inputs, outputs, output_gradients):  # PyTensor 3
        return [_cumprod_gradient(inputs[0], output_gradients[0], self.axis)]

    def grad(self, inputs, output_gradients):  # Theano 1.0.5 (and older PyTensor)
        return [_cumprod_gradient(inputs[0], output_gradients[0], self.axis)]


def cumprod(x, axis=0):
    x, axis = _one_axis('cumprod', x, axis)
    if not x.dtype.startswith('float'):
        return T.cumprod(x, axis=axis)
    return _ExactCumprod(axis)(x)


def var(x, axis=None, keepdims=False):
    x, axis = _axes('var', x, axis, keepdims)
    return _reduction(T.var, _as_float(x), axis, keepdims)


def mean(x, axis=None, keepdims=False):
    x, axis = _axes('mean', x, axis, keepdims)
    return _reduction(T.mean, _as_float(x), axis, keepdims)


def any(x, axis=None, keepdims=False):
    x, axis = _axes('any', x, axis, keepdims)
    return _reduction(T.any, x, axis, keepdims)


def all(x, axis=None, keepdims=False):
    x, axis = _axes('all', x, axis, keepdims)
    return _reduction(T.all, x, axis, keepdims)


def _no_gradient(x):
    """x, seen by gradients as disconnected: K.gradients gives None for a variable reached only
    through it, as TensorFlow does for its ops without a gradient (round, argmax, comparisons)."""
    return _disconnected_grad(x) if isinstance(x, _Variable) else x


def argmax(x, axis=-1):
    x, axis = _one_axis('argmax', x, axis)
    return T.argmax(_no_gradient(x), axis=axis, keepdims=False)


def argmin(x, axis=-1):
    x, axis = _one_axis('argmin', x, axis)
    return T.argmin(_no_gradient(x), axis=axis, keepdims=False)


def square(x):
    return T.sqr(x)


def abs(x):
    return _abs(x)


def sqrt(x):
    # Negative inputs give 0, not NaN (the design's rule on every engine), and gradient 0: a switch
    # selects (Theano's maximum would multiply sqrt's infinite gradient at 0 by a 0 mask: NaN).
    # NaN stays NaN; sqrt's gradient at 0 is inf, as TensorFlow's.
    x = T.as_tensor_variable(x)
    return T.sqrt(T.switch(T.lt(x, 0), np.asarray(0, x.dtype), x))


def exp(x):
    return T.exp(x)


def log(x):
    return T.log(x)


def logsumexp(x, axis=None, keepdims=False):
    # Shift by the (gradient-free) max so exp cannot overflow; an infinite max shifts by 0 instead.
    x, axis = _axes('logsumexp', x, axis, keepdims)
    shift = _zero_grad(T.max(x, axis=axis, keepdims=True))
    shift = T.switch(T.isinf(shift), 0, shift)
    out = T.log(T.sum(T.exp(x - shift), axis=axis, keepdims=keepdims))
    return out + T.sum(shift, axis=axis, keepdims=keepdims)  # the shift reduced to out's shape


def round(x):
    return _no_gradient(T.round(x, mode='half_to_even'))


def sign(x):
    return _sign(x)


def pow(x, a):
    x = T.as_tensor_variable(x)
    if isinstance(a, float) and x.dtype.startswith('float'):
        a = np.asarray(a, x.dtype)  # not Theano's float32 rounding of a Python float
    return T.pow(x, a)


def clip(x, min_value, max_value):
    x = T.as_tensor_variable(x)
    min_value, max_value = checks.clip_bounds(min_value, max_value, x.dtype)
    if checks.is_number(min_value) and checks.is_number(max_value):
        # In x's dtype: Theano would round a Python float bound to float32 even for float64 x.
        min_value, max_value = np.asarray(min_value, x.dtype), np.asarray(max_value, x.dtype)
    else:
        max_value = T.maximum(max_value, min_value)  # Theano's clip would return max below min
    return T.clip(x, min_value, max_value)


def equal(x, y):
    _elementwise('equal', x, y)
    return T.eq(_no_gradient(x), _no_gradient(y))


def not_equal(x, y):
    _elementwise('not_equal', x, y)
    return T.neq(_no_gradient(x), _no_gradient(y))


def greater(x, y):
    _elementwise('greater', x, y)
    return T.gt(_no_gradient(x), _no_gradient(y))


def greater_equal(x, y):
    _elementwise('greater_equal', x, y)
    return T.ge(_no_gradient(x), _no_gradient(y))


def less(x, y):
    _elementwise('less', x, y)
    return T.lt(_no_gradient(x), _no_gradient(y))


def less_equal(x, y):
    _elementwise('less_equal', x, y)
    return T.le(_no_gradient(x), _no_gradient(y))


def maximum(x, y):
    _elementwise('maximum', x, y)
    return T.maximum(x, y)


def minimum(x, y):
    _elementwise('minimum', x, y)
    return T.minimum(x, y)


def sin(x):
    return T.sin(x)


def cos(x):
    return T.cos(x)
