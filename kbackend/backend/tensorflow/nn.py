"""tensorflow engine: the nn op family (see kbackend.backend.api.FAMILIES).

TensorFlow's own kernels where they are faster or more stable than the composite; the rest comes
from kbackend/backend/shared/nn.py, which these functions also call for the cases a kernel does not
cover.
"""
import numbers
import sys

from ..common import normalize_data_format
from ._graph import graph_scope, tf

__all__ = ['relu', 'elu', 'softmax', 'softplus', 'softsign', 'sigmoid', 'tanh',
           'categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy',
           'in_top_k', 'bias_add']


def _composite():
    """The shared nn composites bound to this engine (installed by the package's __init__)."""
    return sys.modules[__package__ + '._shared_nn']


@graph_scope
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    if threshold == 0:
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


@graph_scope
def softmax(x, axis=-1):
    return tf.nn.softmax(x, axis=axis)


@graph_scope
def softplus(x):
    return tf.nn.softplus(x)


@graph_scope
def softsign(x):
    return tf.nn.softsign(x)


@graph_scope
def sigmoid(x):
    return tf.nn.sigmoid(x)


@graph_scope
def tanh(x):
    return tf.nn.tanh(x)


@graph_scope
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if not from_logits:
        return _composite().categorical_crossentropy(target, output, from_logits, axis)
    output = tf.convert_to_tensor(output)
    target = tf.convert_to_tensor(target, dtype=output.dtype)
    return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)


@graph_scope
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if not from_logits:
        return _composite().sparse_categorical_crossentropy(target, output, from_logits, axis)
    output = _composite().move_axis_last(tf.convert_to_tensor(output), axis)
    shape = tf.shape(output)
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(tf.reshape(target, [-1]), 'int64'),
        logits=tf.reshape(output, tf.stack([-1, shape[-1]])))
    return tf.reshape(losses, shape[:-1])


@graph_scope
def binary_crossentropy(target, output, from_logits=False):
    if not from_logits:
        return _composite().binary_crossentropy(target, output, from_logits)
    output = tf.convert_to_tensor(output)
    target = tf.convert_to_tensor(target, dtype=output.dtype)
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


@graph_scope
def in_top_k(predictions, targets, k):
    predictions = tf.convert_to_tensor(predictions)
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
