"""cntk engine: the math op family (see kbackend.backend.api.FAMILIES).

Axes go through `T.static_axis` (inside a symbolic rnn step Keras axis k is CNTK static axis k - 1 and
the batch axis cannot be reduced). Results carry TensorFlow's Keras dtypes: comparisons 'bool',
argmax/argmin 'int64', mean/var of integers floatx.

Where CNTK's kernels differ from NumPy they are corrected here (measured, CNTK 2.7 CPU): ``C.round``
is floor(x + 0.5); ``C.log`` returns -85.1 for every input below about 1.1e-37 (zero and negatives
included, float64 too); ``C.pow(0, negative)`` is 0; ``C.reduce_log_sum_exp`` of an all -inf row is
NaN; ``C.times`` cannot produce rank 0, and on CNTK's batch axis gives sum(x) * sum(y) for per-sample
shapes (k,) . (k, 1); there is no sign, cumsum or cumprod op.

Gradients follow TensorFlow's conventions (docs/numerics.md), where CNTK's differ: ``C.reduce_max``
gives each tied entry the whole gradient (TensorFlow shares it evenly); ``C.element_max(a, b)`` is
``a if a > b else b``, so a tie's gradient goes to b (TensorFlow's to x, the first argument) and a NaN
in a is lost; ``C.reduce_prod``'s gradient is 0 everywhere when the input holds a zero. round,
argmax/argmin and comparisons have no gradient: K.gradients (core) does not follow a path through
floor, a comparison or a stop_gradient (which ends argmax/argmin), so a variable reached only that
way gets None, as on TensorFlow.
"""
import numbers

import numpy as np

from ..common import floatx
from ..shared import checks
from . import _tensor as T
from ._engine import C
from .array import _span, _transpose, permute as _permute
from .core import cast as _cast

__all__ = [
    'dot', 'batch_dot', 'transpose', 'max', 'min', 'sum', 'prod', 'cumsum', 'cumprod', 'var',
    'mean', 'any', 'all', 'argmax', 'argmin', 'square', 'abs', 'sqrt', 'exp', 'log', 'logsumexp',
    'round', 'sign', 'pow', 'clip', 'equal', 'not_equal', 'greater', 'greater_equal', 'less',
    'less_equal', 'maximum', 'minimum', 'sin', 'cos',
]

_builtin_max = max
_builtin_all = all


def _like(x, value):
    """A scalar constant in x's storage dtype (no rounding through float32 for float64 x)."""
    return T.constant(value, T.cntk_dtype(x))


def _as_float(x):
    """x, cast to floatx when its Keras dtype is bool or integer (a mean of counts is a fraction)."""
    return x if T.is_float(T.keras_dtype(x)) else _cast(x, floatx())


# --- dot / batch_dot / transpose --------------------------------------------------------------------

def _is_sparse_input(x):
    return T.is_tensor(x) and bool(getattr(x, 'is_sparse', False))


def _contract_last(x, y):
    """Contracts the last static axis of x with the first of y, keeping y's other axes (C.times
    needs an output rank >= 1, so a 1-D y is given a trailing axis that is removed afterwards)."""
    if len(x.shape) == 1 and T.hidden_batch(x) and T.hidden_batch(y):
        # With both on CNTK's batch axis, C.times of (k,) and (k, 1) per sample is wrong (measured:
        # it gives sum(x) * sum(y)); (1, k) . (k, 1) is right.
        return T.drop_axis(_contract_last(T.insert_axis(x, 0), y), 0)
    if len(y.shape) == 1:
        out = C.times(x, T.insert_axis(y, 1))
        return T.drop_axis(out, len(out.shape) - 1)
    return C.times(x, y, output_rank=len(y.shape) - 1)


def dot(x, y):
    if _is_sparse_input(x):
        # CNTK's sparse inputs carry its batch axis; unpack_batch gives the usual (batch, ...) tensor.
        y = T.cast_storage(T.as_tensor(y, T.keras_dtype(x)), T.cntk_dtype(x))
        return T.tag(C.unpack_batch(C.times(x, y)), T.result_dtype(T.keras_dtype(x), T.keras_dtype(y)))
    x, y, dtype = T.unify(x, y)
    if T.ndim(x) == 0 or T.ndim(y) == 0:
        return T.tag(C.element_times(x, y), dtype)
    if T.hidden_batch(y):
        raise ValueError('dot: inside a symbolic rnn step on CNTK the second operand cannot be a '
                         'per-sample tensor; received %r.' % (y,))
    x_shape, y_shape = T.keras_shape(x), T.keras_shape(y)
    checks.check_dot(x_shape, y_shape)
    rank = len(y_shape)
    if rank > 2:
        # np.dot contracts y's second-to-last axis: move it first, C.times contracts leading axes.
        y = C.transpose(y, [rank - 2] + list(range(rank - 2)) + [rank - 1])
    return T.tag(_contract_last(x, y), dtype)


def _keep_static_batch(out, size):
    """unpack_batch gives a free first dim: restore the batch size when it was known."""
    return out if size is None else C.reshape(out, (size,), begin_axis=0, end_axis=1)


def batch_dot(x, y, axes=None):
    x, y, dtype = T.unify(x, y)
    x_ndim, y_ndim = T.ndim(x), T.ndim(y)
    x_axis, y_axis = checks.batch_dot_axes(axes, x_ndim, y_ndim)
    x_shape, y_shape = T.keras_shape(x), T.keras_shape(y)
    checks.check_batch_dot(x_shape, y_shape, x_axis, y_axis)
    if x_ndim == 2 and y_ndim == 2:
        if x_axis != y_axis:  # crossed axes (Keras 2.2.4's TensorFlow rule): sum(transpose(x) * y)
            if T.hidden_batch(x):
                raise ValueError('batch_dot: crossed axes transpose the batch axis, which is not '
                                 'available inside a symbolic rnn step on CNTK.')
            x = T.same(x, C.transpose(x, [1, 0]))
        axis = T.static_axis(y, y_axis, 'batch_dot')
        out = C.reduce_sum(C.element_times(x, y), axis=axis, keepdims=y_axis == 1)
        return T.tag(out if y_axis == 1 else T.insert_axis(out, 1), dtype)
    hidden = T.hidden_batch(x)
    if hidden != T.hidden_batch(y):
        raise ValueError('batch_dot: inside a symbolic rnn step on CNTK both operands must be '
                         'per-sample tensors; received %r and %r.' % (x, y))
    x_free = [i for i in range(1, x_ndim) if i != x_axis]
    y_free = [i for i in range(1, y_ndim) if i != y_axis]
    x_perm, y_perm = x_free + [x_axis], [y_axis] + y_free
    if hidden:
        # Per-sample tensors already: contract the static axes directly.
        xs = _transpose(x, [a - 1 for a in x_perm])
        ys = _transpose(y, [a - 1 for a in y_perm])
        return T.tag(_contract_last(xs, ys), dtype)
    # Each sample's product on CNTK's batch axis: one C.times for the whole batch.
    xs = C.to_batch(_transpose(x, [0] + x_perm))
    ys = C.to_batch(_transpose(y, [0] + y_perm))
    out = C.unpack_batch(_contract_last(xs, ys))
    batch = x_shape[0] if x_shape[0] is not None else y_shape[0]
    return T.tag(_keep_static_batch(out, batch), dtype)


def transpose(x):
    x = T.as_tensor(x)
    return _permute('transpose', x, list(range(T.ndim(x)))[::-1])


# --- reductions ------------------------------------------------------------------------------------

def _static_axes(fn, x, axis, keepdims=False):
    """The CNTK static axes for a Keras `axis` argument (None: every Keras axis); `keepdims` checked."""
    checks.check_flag(fn, 'keepdims', keepdims)
    rank = T.ndim(x)
    if axis is None and T.hidden_batch(x):
        raise ValueError('%s: axis=None reduces over the batch axis too, which inside a symbolic rnn '
                         'step on CNTK is not a tensor axis; pass the axes (>= 1) explicitly.' % fn)
    axes = list(range(rank)) if axis is None else checks.check_axes(fn, axis, rank)
    return [T.static_axis(x, a, fn) for a in axes]


def _reduce(op, fn, x, axis, keepdims):
    x = T.as_tensor(x)
    axes = _static_axes(fn, x, axis, keepdims)
    if not axes:  # a scalar, or an empty list of axes: nothing to reduce
        return x
    return _kept(op(x, axis=tuple(axes), keepdims=True), axes, keepdims)


def _kept(reduced, axes, keepdims):
    """A reduction made with keepdims=True, with the reduced axes dropped unless keepdims."""
    return reduced if keepdims else T.drop_axes(reduced, axes)


def _extreme(op, fn, x, axis, keepdims):
    """The max/min `op` of x whose gradient is shared evenly among tied entries (TensorFlow's rule).

    m = op(x) gives each of its k tied entries the whole gradient; m + (1/k - 1) * (m - m'), with m'
    a stop_gradient copy of m, is exactly m (m - m' is 0) with 1/k of that gradient. Only the
    comparison x == m and its count touch the full tensor. At an infinite m (m - m' is NaN), m / k
    is m itself."""
    x = T.as_tensor(x)
    axes = _static_axes(fn, x, axis, keepdims)
    if not axes:
        return T.same(x, C.alias(x))
    if not T.is_float(T.keras_dtype(x)):
        return T.same(x, _kept(op(x, axis=tuple(axes), keepdims=True), axes, keepdims))
    axes = tuple(axes)
    one = _like(x, 1)
    m = op(x, axis=axes, keepdims=True)
    share = C.element_divide(one, C.reduce_sum(C.equal(x, m), axis=axes, keepdims=True))
    finite = C.plus(m, C.element_times(C.minus(share, one), C.minus(m, C.stop_gradient(m))))
    out = C.element_select(C.equal(C.abs(m), _like(x, np.inf)), C.element_times(share, m), finite)
    return T.same(x, _kept(out, axes, keepdims))


def max(x, axis=None, keepdims=False):
    return _extreme(C.reduce_max, 'max', x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    return _extreme(C.reduce_min, 'min', x, axis, keepdims)


def sum(x, axis=None, keepdims=False):
    x = T.as_tensor(x)
    return T.same(x, _reduce(C.reduce_sum, 'sum', x, axis, keepdims))


def prod(x, axis=None, keepdims=False):
    x = T.as_tensor(x)
    out = T.same(x, _reduce(C.reduce_prod, 'prod', x, axis, keepdims))
    if out is not x:
        _product_dims(x, axis, out)
    return out


def _product_dims(x, axis, out):
    """The product of a shape vector (e.g. K.prod(K.shape(t)[1:])) remembers what it is, so that
    reshape can use it: the product of a run of t's axes, or a number when every size is known."""
    refs = T.dim_refs(x)
    if refs is None or len(T.static_shape(x)) != 1 or axis not in (None, 0, -1, [0], (0,), [-1], (-1,)):
        return
    sizes = [size for _, _, size in refs]
    size = None if None in sizes else int(np.prod(sizes, dtype='int64'))
    spans = [_span(axis_) for _, axis_, _ in refs]
    sources = [source for source, _, _ in refs]
    contiguous = (sources and sources[0] is not None and _builtin_all(s is sources[0] for s in sources)
                  and _builtin_all(a[1] == b[0] for a, b in zip(spans, spans[1:])))
    if contiguous:
        out._kb_dims = [(sources[0], (spans[0][0], spans[-1][1]), size)]
    elif size is not None:
        out._kb_dims = [(None, None, size)]


def _scan(x, axis, size, combine, neutral):
    """Inclusive scan along a static axis of known size, in ceil(log2(size)) steps (Hillis-Steele):
    exact for inf and negative values, unlike a product with a triangular matrix."""
    step = 1
    while step < size:
        head = C.slice(x, axis, 0, step)
        fill = C.zeros_like(head) if neutral == 0 else C.ones_like(head)
        shifted = C.splice(fill, C.slice(x, axis, 0, size - step), axis=axis)
        x = combine(x, shifted)
        step *= 2
    return x


def _scan_free_axis(x, axis, combine, neutral, fn):
    """Inclusive scan along an axis of unknown size: a recurrence over a CNTK sequence (one sample)."""
    if T.hidden_batch(x):
        raise NotImplementedError('%s along an axis of unknown size is not available inside a symbolic '
                                  'rnn step on CNTK (it needs a CNTK sequence recurrence of its own).' % fn)
    rank = len(x.shape)
    rest = [d for i, d in enumerate(T.static_shape(x)) if i != axis]
    if None in rest:
        raise NotImplementedError('%s on CNTK needs every axis except the accumulated one to have a known '
                                  'size; received shape %s.' % (fn, T.keras_shape(x)))
    perm = [axis] + [i for i in range(rank) if i != axis]
    # (1, size, rest..., 1): a batch of one sequence of `size` steps (each step needs rank >= 1).
    front = T.insert_axis(T.insert_axis(_transpose(x, perm), rank), 0)
    seq = C.to_sequence(C.to_batch(front))
    state = C.placeholder(shape=seq.shape, dynamic_axes=seq.dynamic_axes)
    acc = combine(C.sequence.past_value(state, initial_state=_like(x, neutral)), seq)
    acc.replace_placeholders({state: acc.output})
    out = C.unpack_batch(C.sequence.unpack(acc, padding_value=0, no_mask_output=True))
    out = T.drop_axis(T.drop_axis(out, rank + 1), 0)
    return _transpose(out, [perm.index(i) for i in range(rank)])


def _cumulative(fn, x, axis, combine, neutral):
    x = T.as_tensor(x)
    static = T.static_axis(x, checks.normalize_axis(fn, axis, T.ndim(x)), fn)
    size = T.static_shape(x)[static]
    if size is None:
        out = _scan_free_axis(x, static, combine, neutral, fn)
    else:
        out = _scan(x, static, size, combine, neutral)
    return T.same(x, C.alias(out) if out is x else out)


def cumsum(x, axis=0):
    return _cumulative('cumsum', x, axis, C.plus, 0)


def cumprod(x, axis=0):
    return _cumulative('cumprod', x, axis, C.element_times, 1)


def mean(x, axis=None, keepdims=False):
    x = _as_float(T.as_tensor(x))
    return T.same(x, _reduce(C.reduce_mean, 'mean', x, axis, keepdims))


def var(x, axis=None, keepdims=False):
    x = _as_float(T.as_tensor(x))
    axes = _static_axes('var', x, axis, keepdims)
    if not axes:
        return T.same(x, C.zeros_like(x))
    centered = C.minus(x, C.reduce_mean(x, axis=tuple(axes), keepdims=True))
    return T.same(x, _kept(C.reduce_mean(C.square(centered), axis=tuple(axes)), axes, keepdims))


def _truth(x):
    x = T.as_tensor(x)
    return x if T.keras_dtype(x) == 'bool' else C.not_equal(x, _like(x, 0))


def any(x, axis=None, keepdims=False):
    return T.tag(_reduce(C.reduce_max, 'any', _truth(x), axis, keepdims), 'bool')


def all(x, axis=None, keepdims=False):
    return T.tag(_reduce(C.reduce_min, 'all', _truth(x), axis, keepdims), 'bool')


def _arg(op, fn, x, axis):
    x = T.as_tensor(x)
    static = T.static_axis(x, axis, fn)
    # C.argmax keeps the reduced axis (ties give the first index, as NumPy's). The stop_gradient
    # marks the indices as having no gradient for K.gradients (core), as on TensorFlow.
    return T.tag(T.drop_axis(C.stop_gradient(op(x, axis=static)), static), 'int64')


def argmax(x, axis=-1):
    return _arg(C.argmax, 'argmax', x, axis)


def argmin(x, axis=-1):
    return _arg(C.argmin, 'argmin', x, axis)


# --- elementwise -----------------------------------------------------------------------------------

def _unary(op, x, to_float=False):
    x = T.as_tensor(x)
    if to_float:
        x = _as_float(x)
    return T.same(x, op(x))


def square(x):
    return _unary(C.square, x)


def abs(x):
    return _unary(C.abs, x)


def sqrt(x):
    # Negative inputs give 0, not NaN (the design's rule), with gradient 0 (element_max selects);
    # 0 first, so at x == 0 the tie goes to x: gradient inf, as TensorFlow's.
    return _unary(lambda t: C.sqrt(C.element_max(_like(t, 0), t)), x, True)


def exp(x):
    return _unary(C.exp, x, True)


# Below this CNTK's log returns -85.1; such inputs are scaled by 2**k first (exact: a power of two).
_LOG_TINY = 2.0 ** -100
_LOG_SCALE = {'float32': 64, 'float64': 1000}


def _log(x):
    """IEEE log: log(0) = -inf, log(negative) = NaN, and exact for tiny positive numbers."""
    dtype = T.cntk_dtype(x)
    if dtype in _LOG_SCALE:
        k = _LOG_SCALE[dtype]
        tiny = C.less(x, _like(x, _LOG_TINY))
        scaled = C.element_select(tiny, C.element_times(x, _like(x, 2.0 ** k)), x)
        out = C.minus(C.log(scaled), C.element_times(tiny, _like(x, k * np.log(2.0))))
    else:  # float16 has no numbers that small
        out = C.log(x)
    special = C.element_select(C.equal(x, _like(x, 0)), _like(x, -np.inf), _like(x, np.nan))
    return C.element_select(C.greater(x, _like(x, 0)), out, special)


def log(x):
    return _unary(_log, x, True)


def logsumexp(x, axis=None, keepdims=False):
    x = _as_float(T.as_tensor(x))
    axes = _static_axes('logsumexp', x, axis, keepdims)
    if not axes:
        return x
    axes = tuple(axes)
    # Shift by the (gradient-free) max so exp cannot overflow; an infinite max shifts by 0 instead.
    shift = C.stop_gradient(C.reduce_max(x, axis=axes, keepdims=True))
    shift = C.element_select(C.less(C.abs(shift), _like(x, np.inf)), shift, _like(x, 0))
    total = C.reduce_sum(C.exp(C.minus(x, shift)), axis=axes)
    return T.same(x, _kept(C.plus(_log(total), shift), axes, keepdims))


def _round_half_to_even(x):
    # C.round is floor(x + 0.5), and x + 0.5 itself rounds (0.49999997 + 0.5 == 1 in float32):
    # work from floor(x) and the exact fraction x - floor(x) instead.
    low = C.floor(x)
    fraction = C.minus(x, low)
    half = _like(x, 0.5)
    odd = C.minus(low, C.element_times(_like(x, 2), C.floor(C.element_times(low, half))))
    up = C.element_select(C.greater(fraction, half), _like(x, 1),
                          C.element_select(C.equal(fraction, half), odd, _like(x, 0)))
    return C.plus(low, up)


def round(x):
    x = T.as_tensor(x)
    if not T.is_float(T.keras_dtype(x)):
        return x
    return T.same(x, _round_half_to_even(x))


def sign(x):
    x = T.as_tensor(x)
    zero = _like(x, 0)
    out = C.minus(C.greater(x, zero), C.less(x, zero))
    return T.same(x, C.element_select(C.equal(x, x), out, x))  # NaN stays NaN, as in NumPy


def pow(x, a):
    non_negative = not T.is_tensor(a) and np.all(np.asarray(a) >= 0)
    x, a, dtype = T.unify(x, a)
    out = C.pow(x, a)
    if not non_negative:
        # CNTK gives 0 ** negative = 0; IEEE (NumPy, TensorFlow) gives inf.
        pole = C.element_times(C.equal(x, _like(x, 0)), C.less(a, _like(a, 0)))
        out = C.element_select(pole, _like(x, np.inf), out)
    return T.tag(out, dtype)


def _bound(value, x):
    """A clip bound as a tensor of x's storage dtype (a Python float is not rounded to float32)."""
    if T.is_tensor(value):
        return T.cast_storage(value, T.cntk_dtype(x))
    return _like(x, value)


def clip(x, min_value, max_value):
    x = T.as_tensor(x)
    dtype = T.keras_dtype(x)
    lower, upper = min_value is not None, max_value is not None
    low, high = checks.clip_bounds(min_value, max_value, dtype)
    low, high = _bound(low, x), _bound(high, x)
    if T.is_tensor(min_value) or T.is_tensor(max_value):
        high = C.element_max(high, low)  # a max below the min becomes the min
        upper = True
    if lower and upper:
        out = C.clip(x, low, high)
    elif lower:
        out = C.element_max(x, low)
    elif upper:
        out = C.element_min(x, high)
    else:
        out = C.alias(x)
    return T.tag(out, dtype)


def equal(x, y):
    _elementwise('equal', x, y)
    return T.equal(x, y)


def not_equal(x, y):
    _elementwise('not_equal', x, y)
    return T.not_equal(x, y)


def greater(x, y):
    _elementwise('greater', x, y)
    return T.greater(x, y)


def greater_equal(x, y):
    _elementwise('greater_equal', x, y)
    return T.greater_equal(x, y)


def less(x, y):
    _elementwise('less', x, y)
    return T.less(x, y)


def less_equal(x, y):
    _elementwise('less_equal', x, y)
    return T.less_equal(x, y)


def _static_shape(value):
    if T.is_tensor(value):
        return tuple(T.keras_shape(value))
    return checks.value_shape(value)


def _elementwise(fn, x, y):
    """The static shapes of elementwise operands must broadcast (the shared contract)."""
    checks.check_broadcast(fn, _static_shape(x), _static_shape(y))


def _could_be_nan(v):
    return T.is_tensor(v) or bool(np.any(np.isnan(np.asarray(v, dtype='float64'))))


def _extremum(op, x, y):
    """op(y, x): CNTK's element_max/min(a, b) is `a if a > b else b` (resp. <), so y first gives a
    tie's gradient to x, as TensorFlow does; a NaN in y is kept (a NaN in x already is)."""
    nan_y = _could_be_nan(y)
    x, y, dtype = T.unify(x, y)
    out = op(y, x)
    if T.is_float(dtype) and nan_y:
        out = C.element_select(C.equal(y, y), out, y)
    return T.tag(out, dtype)


def maximum(x, y):
    _elementwise('maximum', x, y)
    return _extremum(C.element_max, x, y)


def minimum(x, y):
    _elementwise('minimum', x, y)
    return _extremum(C.element_min, x, y)


def sin(x):
    return _unary(C.sin, x, True)


def cos(x):
    return _unary(C.cos, x, True)
