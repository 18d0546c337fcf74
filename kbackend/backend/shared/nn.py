"""Composite nn ops written once on K.* (bound per engine by shared.bind).

An engine module that has a faster or more stable kernel for a case defines the function itself and
calls back here (``<engine package>._shared_nn``) for the cases its kernel does not cover.

Numerics (docs/numerics.md): kinks take TensorFlow's gradients (relu'(0) = 0, the cap of
relu(max_value) has gradient 0, leaky relu's slope at 0 is alpha); infinite inputs give the limit
where one exists (softsign(+-inf) = +-1, softmax shares the probability among +inf entries, the
from-logits crossentropies are exact at +-inf logits with 0 * log(0) = 0); the from-logits losses
are written without a tie, so their gradients are exact everywhere (binary: sigmoid(x) - t).
"""
import numbers

import numpy as np

from kbackend.backend.common import epsilon, floatx, normalize_data_format
from kbackend.backend.shared import checks

__all__ = ['normalize_batch_in_training', 'batch_normalization', 'relu', 'elu', 'softmax',
           'softsign', 'categorical_crossentropy', 'sparse_categorical_crossentropy',
           'binary_crossentropy', 'hard_sigmoid', 'dropout', 'l2_normalize', 'in_top_k', 'bias_add',
           'classification_error']

# Squared-norm floor of l2_normalize (TensorFlow's), so an all-zero vector maps to zeros, not NaN.
L2_FLOOR = 1e-12


def _c(value, like):
    """A Python number as a NumPy scalar of `like`'s float dtype. The Theano-API engines type a
    Python float as floatx, which would turn float16 results into float32."""
    dtype = K.dtype(like)  # noqa: F821
    if value is None or not dtype.startswith('float') or K.is_tensor(value):  # noqa: F821
        return value  # (a tensor, e.g. a learned alpha, keeps its own dtype)
    return np.asarray(value, dtype)


# --- activations -----------------------------------------------------------------------------------

def _cap(y, max_value):
    """min(y, max_value) for y >= 0, with max_value below 0 taken as 0 (as clip(y, 0, max_value)).
    The cap comes first: at y == max_value K.minimum gives the gradient to it (TensorFlow's relu6)."""
    if isinstance(max_value, numbers.Real):
        max_value = max(max_value, 0.)
    return K.minimum(_c(max_value, y), y)  # noqa: F821


def _is_zero(value):
    """A number equal to 0 (a tensor, e.g. a learned alpha, is not known to be)."""
    return checks.is_number(value) and value == 0


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    # Gradients at the kinks are TensorFlow's kernels': 0 at x == 0 (and at the cap), alpha at the
    # threshold when leaking. K.maximum/K.minimum give a tie's gradient to their first argument, so
    # the constant comes first.
    zero = _c(0., x)
    if _is_zero(alpha) and _is_zero(threshold):
        y = K.maximum(zero, x)  # noqa: F821
        return y if max_value is None else _cap(y, max_value)
    # Keras 2.2.4's rule: x above the threshold (0 at or below it), clipped to [0, max_value] when
    # max_value is given, minus alpha * (threshold - x) below the threshold.
    threshold = _c(threshold, x)
    y = K.switch(K.greater(x, threshold), x, K.zeros_like(x))  # noqa: F821  (no inf * 0)
    if max_value is not None:
        y = _cap(K.maximum(zero, y), max_value)  # noqa: F821
    if not _is_zero(alpha):
        y = y - _c(alpha, x) * K.maximum(threshold - x, zero)  # noqa: F821
    return y


def elu(x, alpha=1.0):
    zero = _c(0., x)
    # exp of min(x, 0): the unused branch of the switch stays finite, so its gradient is not NaN.
    negative = _c(alpha, x) * (K.exp(K.minimum(x, zero)) - _c(1., x))  # noqa: F821
    return K.switch(K.greater(x, zero), x, negative)  # noqa: F821


def finite_top(x):
    """x with +inf replaced by the dtype's largest number: for softmax, +inf entries then share the
    probability (the limit), where inf - inf would give NaN. Their gradient is 0."""
    dtype = K.dtype(x)  # noqa: F821
    return K.minimum(x, _c(np.finfo(dtype).max, x)) if dtype.startswith('float') else x  # noqa: F821


def static_shape(x):
    """K.int_shape of a tensor or NumPy value (None when the rank is unknown)."""
    if isinstance(x, (list, tuple)):
        return np.shape(x)
    shape = K.int_shape(x)  # noqa: F821
    return None if shape is None else tuple(shape)


def check_axis(fn, x, axis):
    """A single axis of x (the shared contract): ValueError naming the axis, the rank and the range."""
    return checks.normalize_axis(fn, axis, K.ndim(x))  # noqa: F821


def check_loss(fn, target, output):
    """categorical/binary crossentropy: target and output of the same static shape."""
    checks.check_same_shape(fn, static_shape(target), static_shape(output))


def check_sparse_loss(target, output, axis):
    """sparse_categorical_crossentropy: the target's shape (the output's without the class axis) and,
    when they are known now (NumPy or Python values), its labels (in [0, classes))."""
    fn = 'sparse_categorical_crossentropy'
    output_shape = static_shape(output)
    checks.check_sparse_target(fn, static_shape(target), output_shape, axis)
    if output_shape is not None:
        checks.check_labels(fn, checks.static_indices(target), output_shape[axis])


def nan_where_out_of_range(loss, labels, classes):
    """The loss with NaN where a (flat, int64) label is outside [0, classes): never a silent 0 loss
    (docs/errors.md). A few elementwise ops over the labels, not over the classes."""
    if not isinstance(classes, numbers.Integral):
        classes = K.cast(classes, 'int64')  # noqa: F821
    dtype = K.dtype(loss)  # noqa: F821
    inside = K.cast(K.greater_equal(labels, 0), dtype) * K.cast(K.less(labels, classes), dtype)  # noqa: F821
    inside = K.reshape(inside, K.shape(loss))  # noqa: F821
    return K.switch(K.greater(inside, _c(0.5, loss)), loss, K.zeros_like(loss) + _c(np.nan, loss))  # noqa: F821


def softmax(x, axis=-1):
    check_axis('softmax', x, axis)
    # Shifting by the max is exact for softmax and keeps exp from overflowing; the shift needs no
    # gradient of its own. A row of only -inf has no softmax: NaN, as on every engine.
    x = finite_top(x)
    shifted = x - K.stop_gradient(K.max(x, axis=axis, keepdims=True))  # noqa: F821
    e = K.exp(shifted)  # noqa: F821
    return e / K.sum(e, axis=axis, keepdims=True)  # noqa: F821


def softsign_bound(dtype):
    """A power of two beyond which softsign is +-1 in `dtype` (x / (1 + |x|) rounds to it exactly,
    also when the engine divides through the reciprocal) and its gradient 1 / (1 + |x|)**2 is still
    representable at the bound: 2**12 for float16, 2**64 for float32, 2**512 for float64."""
    info = np.finfo(dtype)
    return 2.0 ** max(info.nmant + 2, info.maxexp // 2)


def softsign(x):
    # x / (1 + |x|) of x clipped to +-softsign_bound: exactly +-1 there and at +-inf (inf / inf is
    # NaN), with gradient 0 beyond the bound.
    dtype = K.dtype(x)  # noqa: F821
    if dtype.startswith('float'):
        bound = softsign_bound(dtype)
        x = K.clip(x, _c(-bound, x), _c(bound, x))  # noqa: F821
    return x / (_c(1., x) + K.abs(x))  # noqa: F821


def hard_sigmoid(x):
    # clip(0.2 * x + 0.5, 0, 1) written as (clip(x, -2.5, 2.5) + 2.5) / 5: exactly 0 and 1 at +-2.5
    # and the kinks exactly there (0.2 is not exact, and an engine that fuses 0.2 * x + 0.5 into a
    # multiply-add moved -2.5 outside the clip in float64); gradient 0.2 at the bounds (inclusive).
    return (K.clip(x, _c(-2.5, x), _c(2.5, x)) + _c(2.5, x)) / _c(5., x)  # noqa: F821


# --- losses ----------------------------------------------------------------------------------------

def _clip_probabilities(p):
    eps = epsilon()
    return K.clip(p, _c(eps, p), _c(1. - eps, p))  # noqa: F821


def times_no_nan(weight, value, infinity):
    """weight * value, 0 where weight is 0 and value is `infinity` (0 * log(0) = 0 in a
    crossentropy). The gradients are the product's, except w.r.t. a zero weight at an infinite value:
    0 there (instead of inf)."""
    zero = K.zeros_like(value)  # noqa: F821
    at_zero = K.switch(K.equal(value, _c(infinity, value)), zero, value)  # noqa: F821
    return weight * K.switch(K.equal(weight, _c(0., weight)), at_zero, value)  # noqa: F821


def log_softmax(x, axis=-1):
    """Stable and exact log-softmax: x - max - log(sum(exp(x - max))), not x - logsumexp(x), which
    rounds away the small terms at large |x| (1.1016 instead of 1.0986 at logits 1e5 in float32).
    +inf entries share the probability: log(1/k) there and -inf elsewhere in their row; a row of
    only -inf is NaN. The shift needs no gradient, so there is no tie."""
    m = K.stop_gradient(K.max(x, axis=axis, keepdims=True))  # noqa: F821
    shifted = K.switch(K.equal(x, _c(np.inf, x)), K.zeros_like(x), x - m)  # noqa: F821
    return shifted - K.log(K.sum(K.exp(shifted), axis=axis, keepdims=True))  # noqa: F821


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    check_loss('categorical_crossentropy', target, output)
    check_axis('categorical_crossentropy', output, axis)
    if checks.check_flag('categorical_crossentropy', 'from_logits', from_logits):
        return -K.sum(times_no_nan(target, log_softmax(output, axis), -np.inf), axis=axis)  # noqa: F821
    output = output / K.sum(output, axis=axis, keepdims=True)  # noqa: F821
    log_probs = K.log(_clip_probabilities(output))  # noqa: F821
    return -K.sum(target * log_probs, axis=axis)  # noqa: F821


def move_axis_last(x, axis):
    """`x` with its `axis` moved to the end (the others keep their order)."""
    rank = K.ndim(x)  # noqa: F821
    if not -rank <= axis < rank:
        raise ValueError('Bad axis %r for a tensor of rank %d; expected an int in [%d, %d).'
                         % (axis, rank, -rank, rank))
    axis %= rank
    if axis == rank - 1:
        return x
    return K.permute_dimensions(x, [i for i in range(rank) if i != axis] + [axis])  # noqa: F821


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    check_axis('sparse_categorical_crossentropy', output, axis)
    check_sparse_loss(target, output, axis)
    checks.check_flag('sparse_categorical_crossentropy', 'from_logits', from_logits)
    output = move_axis_last(output, axis)
    classes = K.int_shape(output)[-1]  # noqa: F821
    if classes is None:
        classes = K.shape(output)[-1]  # noqa: F821
    flat = K.cast(K.flatten(target), 'int64')  # noqa: F821
    labels = K.one_hot(flat, classes)  # noqa: F821
    if K.dtype(labels) != K.dtype(output):  # noqa: F821
        labels = K.cast(labels, K.dtype(output))  # noqa: F821
    labels = K.reshape(labels, K.shape(output))  # noqa: F821
    loss = K.categorical_crossentropy(labels, output, from_logits=from_logits, axis=-1)  # noqa: F821
    return nan_where_out_of_range(loss, flat, classes)


def binary_crossentropy(target, output, from_logits=False):
    check_loss('binary_crossentropy', target, output)
    if checks.check_flag('binary_crossentropy', 'from_logits', from_logits):
        # -t*log(sigmoid(x)) - (1-t)*log(1-sigmoid(x)) = t*softplus(-x) + (1-t)*softplus(x)
        # = softplus(-|x|) + (1-t)*|x| for x >= 0, + t*|x| below: one softplus, two non-negative
        # terms (no cancellation), exact at x = +-inf with 0 * inf = 0. No tie: both sides of x == 0
        # are taken from the x >= 0 branch, so the gradient is sigmoid(x) - t exactly (0.5 - t at 0).
        x, t = output, target
        right = K.greater_equal(x, _c(0., x))  # noqa: F821
        minus_abs = K.switch(right, -x, x)  # noqa: F821
        weight = K.switch(right, _c(1., t) - t, t)  # noqa: F821
        return K.softplus(minus_abs) + times_no_nan(weight, -minus_abs, np.inf)  # noqa: F821
    output = _clip_probabilities(output)
    one = _c(1., output)
    return -(target * K.log(output) + (one - target) * K.log(one - output))  # noqa: F821


# --- normalisation ---------------------------------------------------------------------------------

def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=0.001):
    # (x - mean) * scale + beta with scale = gamma / sqrt(var + eps): the per-channel terms are
    # computed on the small tensors, the full-size work is one multiply and one add.
    scale = _c(1., var) / K.sqrt(var + _c(epsilon, var))  # noqa: F821
    if gamma is not None:
        scale = scale * gamma
    offset = -mean * scale if beta is None else beta - mean * scale
    return x * scale + offset


# Theano's batch-normalisation modes, which Keras 2.2.4's Theano backend passed on to Theano.
_THEANO_MODES = {'per-activation': lambda rank: [0], 'spatial': lambda rank: [0] + list(range(2, rank))}


def _reduction_axes(axes, rank):
    """`axes` (ints or one of Theano's modes) as sorted non-negative ints, or ValueError."""
    if isinstance(axes, str) and axes in _THEANO_MODES:
        return _THEANO_MODES[axes](rank)
    ints = [a for a in axes if isinstance(a, numbers.Integral) and not isinstance(a, bool)
            and -rank <= a < rank] if isinstance(axes, (list, tuple)) else []
    normalized = sorted(set(int(a) % rank for a in ints))
    if not normalized or len(normalized) != len(axes):
        raise ValueError('normalize_batch_in_training: expected reduction_axes to be a list of distinct '
                         'ints in [%d, %d) (or \'per-activation\' or \'spatial\'); received %r.'
                         % (-rank, rank, axes))
    return normalized


def _expand(t, axes, rank):
    """A per-kept-axis tensor (gamma, beta) expanded to broadcast against x; full-rank ones as they are."""
    if t is None or K.ndim(t) == rank:  # noqa: F821
        return t
    for a in axes:
        t = K.expand_dims(t, a)  # noqa: F821
    return t


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=0.001):
    rank = K.ndim(x)  # noqa: F821
    axes = _reduction_axes(reduction_axes, rank)
    mean = K.mean(x, axis=axes, keepdims=True)  # noqa: F821
    var = K.mean(K.square(x - mean), axis=axes, keepdims=True)  # noqa: F821  (biased, like moments)
    normed = K.batch_normalization(x, mean, var, _expand(beta, axes, rank),  # noqa: F821
                                   _expand(gamma, axes, rank), epsilon=epsilon)
    for a in reversed(axes):  # the statistics come back with the reduced axes dropped
        mean, var = K.squeeze(mean, a), K.squeeze(var, a)  # noqa: F821
    return normed, mean, var


def l2_normalize(x, axis=None):
    axis = checks.check_axes('l2_normalize', axis, K.ndim(x))  # noqa: F821
    # The floor is at least the dtype's smallest normal number: 1e-12 is 0 in float16.
    floor = max(L2_FLOOR, float(np.finfo(K.dtype(x)).tiny))  # noqa: F821
    square_sum = K.sum(K.square(x), axis=axis, keepdims=True)  # noqa: F821
    return x / K.sqrt(K.maximum(square_sum, _c(floor, x)))  # noqa: F821


# --- other -----------------------------------------------------------------------------------------

def _check_dropout_level(level):
    """`level` when it is a number in [0, 1) (a tensor passes unchecked), else ValueError."""
    number = isinstance(level, numbers.Real)
    if (number and not 0. <= level < 1.) or not (number or hasattr(level, 'dtype')):
        raise ValueError('dropout: expected level (the fraction of units dropped) in [0, 1); '
                         'received %r.' % (level,))
    return level


def dropout(x, level, noise_shape=None, seed=None):
    _check_dropout_level(level)
    if isinstance(level, numbers.Real) and level == 0:
        return x
    dtype = K.dtype(x)  # noqa: F821
    if dtype not in checks.FLOAT_DTYPES:
        raise ValueError('dropout: expected x with a float dtype; received x of dtype %s.' % dtype)
    if noise_shape is None:
        noise_shape = K.shape(x) if K.ndim(x) else ()  # noqa: F821  (a scalar's shape: CNTK has no empty tensor)
    # Inverted dropout: units kept with probability 1 - level and scaled by 1 / (1 - level), so the
    # expected value is unchanged. The (maybe smaller) mask is scaled before it broadcasts against x.
    scale = 1. / (1. - level)
    if isinstance(level, numbers.Real):
        scale = np.asarray(scale, dtype=dtype)  # a Python float would upcast float16 on Theano
    uniform = K.random_uniform(noise_shape, dtype=dtype, seed=seed)  # noqa: F821
    return x * (K.cast(K.greater_equal(uniform, level), dtype) * scale)  # noqa: F821


def in_top_k(predictions, targets, k):
    # The target is in the top k when fewer than k classes score strictly higher: ties count as in,
    # k < 1 gives all False and k >= classes all True (TensorFlow's kernel does the same).
    shape = K.int_shape(predictions)  # noqa: F821
    checks.check_in_top_k(shape, k)
    classes = shape[-1]
    if classes is None:
        classes = K.shape(predictions)[-1]  # noqa: F821
    is_target = K.greater(K.one_hot(K.cast(K.flatten(targets), 'int32'), classes), 0.5)  # noqa: F821
    # A switch, not a product with the one-hot: an infinite score times 0 would be NaN.
    target_score = K.sum(K.switch(is_target, predictions, K.zeros_like(predictions)),  # noqa: F821
                         axis=-1, keepdims=True)
    higher = K.sum(K.cast(K.greater(predictions, target_score), 'int32'), axis=-1)  # noqa: F821
    return K.less(higher, k)  # noqa: F821


def bias_add(x, bias, data_format=None):
    data_format = normalize_data_format(data_format)
    rank, bias_shape = K.ndim(x), K.int_shape(bias)  # noqa: F821
    if not rank:
        raise ValueError('bias_add: expected x with at least one axis (its channels); received a scalar.')
    if len(bias_shape) not in (1, rank - 1) or not bias_shape:
        raise ValueError('bias_add: expected a bias of rank 1 or %d (the rank of x minus 1); received a '
                         'bias of shape %s for x of rank %d.' % (rank - 1, bias_shape, rank))
    channels = K.int_shape(x)[1 if data_format == 'channels_first' else -1]  # noqa: F821
    if None not in (channels, bias_shape[-1]) and channels != bias_shape[-1]:
        raise ValueError('bias_add: expected the bias to have %d channels (its last axis), as x in %s; '
                         'received a bias of shape %s.' % (channels, data_format, bias_shape))
    if data_format == 'channels_first' and rank > 2:
        # The bias is in channels-last layout; it is reshaped (not transposed) to put channels second.
        dims = tuple(-1 if d is None else d for d in bias_shape)
        spatial = dims[:-1] if len(dims) > 1 else (1,) * (rank - 2)
        bias = K.reshape(bias, (1, dims[-1]) + spatial)  # noqa: F821
    return x + bias


def classification_error(target, output, axis=-1):
    wrong = K.not_equal(K.argmax(output, axis=axis), K.argmax(target, axis=axis))  # noqa: F821
    return K.mean(K.cast(wrong, floatx()))  # noqa: F821
