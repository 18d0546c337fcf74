"""tensorflow engine: the nn op family (see kbackend.backend.api.FAMILIES).

TensorFlow's own kernels where they are faster or more stable than the composite; the rest comes
from kbackend/backend/shared/nn.py, which these functions also call for the cases a kernel does not
cover. Where a kernel gives NaN at infinite inputs (docs/numerics.md): softmax and softsign get a
finite input; the sparse crossentropy kernel gets logits shifted with +inf - +inf taken as 0; the
dense one is an exact log-softmax with 0 * log(0) = 0 (softmax_cross_entropy_with_logits gives NaN
at infinite logits and where x - max(x) overflows); binary_crossentropy is
t * softplus(-x) + (1 - t) * softplus(x) with multiply_no_nan (sigmoid_cross_entropy_with_logits
gives NaN at infinite logits).
"""
import numbers
import sys

import numpy as np

from ..common import normalize_data_format
from ..shared.checks import check_flag, check_in_top_k, is_number as _is_number
from ._graph import graph_scope, tf, tf1

__all__ = ['relu', 'elu', 'softmax', 'softplus', 'softsign', 'sigmoid', 'tanh',
           'categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy',
           'in_top_k', 'bias_add']


def _composite():
    """The shared nn composites bound to this engine (installed by the package's __init__)."""
    return sys.modules[__package__ + '._shared_nn']


@graph_scope
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    if _is_number(threshold) and threshold == 0 and _is_number(alpha):  # (a tensor alpha: the composite)
        if max_value is None:
            return tf.nn.relu(x) if alpha == 0 else tf.nn.leaky_relu(x, alpha=alpha)
        if max_value == 6 and alpha == 0:
            return tf.nn.relu6(x)
    return _composite().relu(x, alpha, max_value, threshold)


@graph_scope
def elu(x, alpha=1.0):
    y = tf.nn.elu(x)
    if alpha == 1:
        return y
    return tf.where(x > 0, y, alpha * y)


def _largest(x):
    return tf.constant(np.finfo(x.dtype.as_numpy_dtype).max, x.dtype)


@graph_scope
def softmax(x, axis=-1):
    x = tf.convert_to_tensor(x)
    _composite().check_axis('softmax', x, axis)
    if x.dtype.is_floating:
        x = tf.minimum(x, _largest(x))  # +inf entries share the probability (the kernel: NaN)
    return tf.nn.softmax(x, axis=axis)


@graph_scope
def softplus(x):
    return tf.nn.softplus(x)


@graph_scope
def softsign(x):
    x = tf.convert_to_tensor(x)
    if x.dtype.is_floating:  # +-1 at +-inf (the kernel: NaN), as the composite
        bound = tf.constant(_composite().softsign_bound(x.dtype.as_numpy_dtype), x.dtype)
        x = tf.clip_by_value(x, -bound, bound)
    return tf.nn.softsign(x)


@graph_scope
def sigmoid(x):
    return tf.nn.sigmoid(x)


@graph_scope
def tanh(x):
    return tf.nn.tanh(x)


_MUL_NO_NAN = 'KbackendMulNoNan'


def _mul_no_nan_gradient(op, grad):
    """multiply_no_nan(x, y)'s gradients, with the shared composite's convention (times_no_nan):
    w.r.t. a zero weight y at an infinite x, 0 (TensorFlow's: x * grad, infinite)."""
    x, y = op.inputs[0], op.inputs[1]
    x_for_y = tf.where(tf.logical_and(tf.equal(y, tf.zeros_like(y)), tf.math.is_inf(x)), tf.zeros_like(x), x)
    gx, gy = tf.math.multiply_no_nan(grad, y), tf.math.multiply_no_nan(x_for_y, grad)
    sx, sy = tf.shape(x), tf.shape(y)
    rx, ry = tf.raw_ops.BroadcastGradientArgs(s0=sx, s1=sy)
    return [tf.reshape(tf.reduce_sum(gx, rx), sx), tf.reshape(tf.reduce_sum(gy, ry), sy)]


try:
    tf.RegisterGradient(_MUL_NO_NAN)(_mul_no_nan_gradient)
except KeyError:  # registered already (the module was imported again)
    pass


def _times_no_nan(weight, value):
    """weight * value, 0 where weight is 0 even if value is infinite (0 * log(0) = 0)."""
    with tf1.get_default_graph().gradient_override_map({'MulNoNan': _MUL_NO_NAN}):
        return tf.math.multiply_no_nan(value, weight)


def _shifted_logits(logits, axis):
    """logits - max along axis, with +inf - +inf taken as 0 (the +inf entries share the probability):
    finite or -inf, so log_softmax and the sparse kernel give the exact limits instead of NaN."""
    top = tf.stop_gradient(tf.reduce_max(logits, axis=axis, keepdims=True))
    return tf.where(tf.equal(logits, np.inf), tf.zeros_like(logits), logits - top)


@graph_scope
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if not check_flag('categorical_crossentropy', 'from_logits', from_logits):
        return _composite().categorical_crossentropy(target, output, from_logits, axis)
    output = tf.convert_to_tensor(output)
    target = tf.convert_to_tensor(target, dtype=output.dtype)
    _composite().check_loss('categorical_crossentropy', target, output)
    _composite().check_axis('categorical_crossentropy', output, axis)
    # Not softmax_cross_entropy_with_logits: it gives NaN for a -inf logit with target 0 (0 * inf),
    # for +inf logits and where x - max(x) overflows. The log_softmax kernel of the shifted logits
    # is exact; 0 * log(0) is 0. (Running the fused kernel under a tf.cond where it is exact costs
    # more: a cond that may be differentiated after a session has run it needs all its
    # intermediates, measured 2.2x the kernel against 1.7x for this at (256, 1000).)
    log_probs = tf.nn.log_softmax(_shifted_logits(output, axis), axis=axis)
    return -tf.reduce_sum(_times_no_nan(target, log_probs), axis=axis)


@graph_scope
def binary_crossentropy(target, output, from_logits=False):
    if not check_flag('binary_crossentropy', 'from_logits', from_logits):
        return _composite().binary_crossentropy(target, output, from_logits)
    output = tf.convert_to_tensor(output)
    target = tf.convert_to_tensor(target, dtype=output.dtype)
    _composite().check_loss('binary_crossentropy', target, output)
    # t * softplus(-x) + (1 - t) * softplus(x) with multiply_no_nan (0 * inf = 0): exact at +-inf
    # logits, no tie (gradient sigmoid(x) - t), and fewer kernels here than the composite's switches.
    return (_times_no_nan(target, tf.nn.softplus(-output)) +
            _times_no_nan(1. - target, tf.nn.softplus(output)))


@graph_scope
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if not check_flag('sparse_categorical_crossentropy', 'from_logits', from_logits):
        return _composite().sparse_categorical_crossentropy(target, output, from_logits, axis)
    output = tf.convert_to_tensor(output)
    _composite().check_axis('sparse_categorical_crossentropy', output, axis)
    _composite().check_sparse_loss(target, output, axis)
    output = _composite().move_axis_last(output, axis)
    shape = tf.shape(output)
    labels = tf.cast(tf.reshape(target, [-1]), 'int64')
    # A fed label outside [0, classes) gives NaN (the kernel would raise on CPU, give NaN on GPU).
    valid = tf.logical_and(labels >= 0, labels < tf.cast(shape[-1], 'int64'))
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.where(valid, labels, tf.zeros_like(labels)),
        logits=tf.reshape(_shifted_logits(output, -1), tf.stack([-1, shape[-1]])))
    losses = tf.where(valid, losses, tf.fill(tf.shape(losses), tf.constant(np.nan, losses.dtype)))
    return tf.reshape(losses, shape[:-1])


@graph_scope
def in_top_k(predictions, targets, k):
    predictions = tf.convert_to_tensor(predictions)
    check_in_top_k(tuple(predictions.shape.as_list()) if predictions.shape.rank is not None else None, k)
    if predictions.dtype != tf.float32 or not isinstance(k, numbers.Integral):
        return _composite().in_top_k(predictions, targets, k)  # the kernel takes float32 and an int k
    targets = tf.reshape(targets, [-1])
    if not targets.dtype.is_integer:
        targets = tf.cast(targets, 'int32')
    return tf.math.in_top_k(targets=targets, predictions=predictions, k=k)


@graph_scope
def bias_add(x, bias, data_format=None):
    data_format = normalize_data_format(data_format)
    x, bias = tf.convert_to_tensor(x), tf.convert_to_tensor(bias)
    rank = x.shape.rank
    channels = x.shape[1 if data_format == 'channels_first' else -1] if rank else None
    if (bias.shape.rank == 1 and rank is not None and rank >= 2
            and (data_format == 'channels_last' or rank == 2)
            and None not in (channels, bias.shape[0]) and channels == bias.shape[0]):
        return tf.nn.bias_add(x, bias)  # the fused kernel, with a cheaper gradient than a broadcast add
    return _composite().bias_add(x, bias, data_format)  # other layouts, and the shared errors
