"""Composite nn ops written once on K.* (bound per engine by shared.bind).

An engine module that has a faster or more stable kernel for a case defines the function itself and
calls back here (``<engine package>._shared_nn``) for the cases its kernel does not cover.
"""
import numbers

import numpy as np

from kbackend.backend.common import epsilon, floatx, normalize_data_format

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
    return np.asarray(value, dtype) if value is not None and dtype.startswith('float') else value


# --- activations -----------------------------------------------------------------------------------

def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    if alpha == 0 and threshold == 0:
        y = K.maximum(x, _c(0., x))  # noqa: F821
        return y if max_value is None else K.minimum(y, _c(max_value, x))  # noqa: F821
    # Keras 2.2.4's rule: x above the threshold (0 at or below it), clipped to [0, max_value] when
    # max_value is given, minus alpha * (threshold - x) below the threshold.
    threshold = _c(threshold, x)
    zero = _c(0., x)
    y = K.switch(K.greater(x, threshold), x, K.zeros_like(x))  # noqa: F821  (no inf * 0)
    if max_value is not None:
        y = K.clip(y, zero, _c(max_value, x))  # noqa: F821
    if alpha != 0:
        y = y - _c(alpha, x) * K.maximum(threshold - x, zero)  # noqa: F821
    return y


def elu(x, alpha=1.0):
    zero = _c(0., x)
    # exp of min(x, 0): the unused branch of the switch stays finite, so its gradient is not NaN.
    negative = _c(alpha, x) * (K.exp(K.minimum(x, zero)) - _c(1., x))  # noqa: F821
    return K.switch(K.greater(x, zero), x, negative)  # noqa: F821


def softmax(x, axis=-1):
    # Shifting by the max is exact for softmax and keeps exp from overflowing; the shift needs no
    # gradient of its own.
    shifted = x - K.stop_gradient(K.max(x, axis=axis, keepdims=True))  # noqa: F821
    e = K.exp(shifted)  # noqa: F821
    return e / K.sum(e, axis=axis, keepdims=True)  # noqa: F821


def softsign(x):
    return x / (_c(1., x) + K.abs(x))  # noqa: F821


def hard_sigmoid(x):
    return K.clip(_c(0.2, x) * x + _c(0.5, x), _c(0., x), _c(1., x))  # noqa: F821


# --- losses ----------------------------------------------------------------------------------------

def _clip_probabilities(p):
    eps = epsilon()
    return K.clip(p, _c(eps, p), _c(1. - eps, p))  # noqa: F821


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if from_logits:
        log_probs = output - K.logsumexp(output, axis=axis, keepdims=True)  # noqa: F821
    else:
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
    output = move_axis_last(output, axis)
    classes = K.int_shape(output)[-1]  # noqa: F821
    if classes is None:
        classes = K.shape(output)[-1]  # noqa: F821
    labels = K.one_hot(K.cast(K.flatten(target), 'int64'), classes)  # noqa: F821
    if K.dtype(labels) != K.dtype(output):  # noqa: F821
        labels = K.cast(labels, K.dtype(output))  # noqa: F821
    labels = K.reshape(labels, K.shape(output))  # noqa: F821
    return K.categorical_crossentropy(labels, output, from_logits=from_logits, axis=-1)  # noqa: F821


def binary_crossentropy(target, output, from_logits=False):
    if from_logits:
        # -t*log(sigmoid(x)) - (1-t)*log(1-sigmoid(x)) = max(x, 0) - x*t + log(1 + exp(-|x|)),
        # which neither overflows nor loses precision for large |x|.
        return K.relu(output) - output * target + K.softplus(-K.abs(output))  # noqa: F821
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


def _reduction_axes(axes, rank):
    """`axes` as sorted non-negative ints, or ValueError (not, e.g., Theano's string modes)."""
    ints = [a for a in axes if isinstance(a, numbers.Integral) and not isinstance(a, bool)
            and -rank <= a < rank] if isinstance(axes, (list, tuple)) else []
    normalized = sorted(set(int(a) % rank for a in ints))
    if not normalized or len(normalized) != len(axes):
        raise ValueError('normalize_batch_in_training: expected reduction_axes to be a list of distinct '
                         'ints in [%d, %d); received %r.' % (-rank, rank, axes))
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
    # The floor is at least the dtype's smallest normal number: 1e-12 is 0 in float16.
    floor = max(L2_FLOOR, float(np.finfo(K.dtype(x)).tiny))  # noqa: F821
    square_sum = K.sum(K.square(x), axis=axis, keepdims=True)  # noqa: F821
    return x / K.sqrt(K.maximum(square_sum, _c(floor, x)))  # noqa: F821


# --- other -----------------------------------------------------------------------------------------

def _check_dropout_level(level):
    """`level` when it is a number in [0, 1) (a tensor passes unchecked), else ValueError."""
    if isinstance(level, numbers.Real) and not 0. <= level < 1.:
        raise ValueError('dropout: expected level (the fraction of units dropped) in [0, 1); '
                         'received %r.' % (level,))
    return level


def dropout(x, level, noise_shape=None, seed=None):
    _check_dropout_level(level)
    if isinstance(level, numbers.Real) and level == 0:
        return x
    dtype = K.dtype(x)  # noqa: F821
    if noise_shape is None:
        noise_shape = K.shape(x)  # noqa: F821
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
    classes = K.int_shape(predictions)[-1]  # noqa: F821
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
    if len(bias_shape) not in (1, rank - 1):
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
