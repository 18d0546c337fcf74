"""tensorflow engine: the shape op family (see kbackend.backend.api.FAMILIES)."""
from .. import common
from ..shared import checks
from ._graph import graph_scope, tf

__all__ = [
    'concatenate', 'reshape', 'permute_dimensions', 'repeat_elements', 'arange', 'tile',
    'expand_dims', 'squeeze', 'temporal_padding', 'spatial_2d_padding', 'spatial_3d_padding',
    'stack', 'one_hot', 'reverse', 'slice', 'gather', 'pattern_broadcast',
]


@graph_scope
def concatenate(tensors, axis=-1):
    sparse = [isinstance(t, tf.SparseTensor) for t in tensors]
    if sparse and all(sparse):
        rank = tensors[0].shape.rank
        return tf.sparse.concat(axis % rank if axis < 0 and rank else axis, list(tensors))
    if any(sparse):
        tensors = [tf.sparse.to_dense(t) if s else t for t, s in zip(tensors, sparse)]
    return tf.concat(list(tensors), axis)


@graph_scope
def reshape(x, shape):
    return tf.reshape(x, shape)


@graph_scope
def permute_dimensions(x, pattern):
    return tf.transpose(x, perm=list(pattern))


@graph_scope
def repeat_elements(x, rep, axis):
    return tf.repeat(x, rep, axis=axis)


@graph_scope
def arange(start, stop=None, step=1, dtype='int32'):
    if stop is None:
        start, stop = 0, start
    if checks.is_number(step):
        # NumPy gives an empty range where TensorFlow's Range refuses a limit on the wrong side.
        if checks.is_number(start) and checks.is_number(stop):
            stop = (max if step > 0 else min)(stop, start)
        else:
            stop = (tf.maximum if step > 0 else tf.minimum)(stop, start)
    out = tf.range(start, stop, step)
    return out if out.dtype == dtype else tf.cast(out, dtype)


@graph_scope
def tile(x, n):
    if isinstance(n, (tf.Tensor, tf.Variable)):
        return tf.tile(x, n)
    x = tf.convert_to_tensor(x)
    reps, leading = checks.tile_reps(n, x.shape.rank)
    for _ in range(leading):
        x = tf.expand_dims(x, 0)
    return tf.tile(x, reps)


@graph_scope
def expand_dims(x, axis=-1):
    return tf.expand_dims(x, axis)


@graph_scope
def squeeze(x, axis):
    x = tf.convert_to_tensor(x)
    if x.shape.rank is not None:
        axis = checks.check_squeezable(x.shape.as_list(), axis)
    return tf.squeeze(x, [axis])


def _pad(fn, x, padding, spatial, data_format='channels_last'):
    x = tf.convert_to_tensor(x)
    return tf.pad(x, checks.pad_widths(fn, padding, x.shape.rank, spatial, data_format))


@graph_scope
def temporal_padding(x, padding=(1, 1)):
    return _pad('temporal_padding', x, padding, 1)


@graph_scope
def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    return _pad('spatial_2d_padding', x, padding, 2, data_format)


@graph_scope
def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    return _pad('spatial_3d_padding', x, padding, 3, data_format)


@graph_scope
def stack(x, axis=0):
    return tf.stack(x, axis=axis)


@graph_scope
def one_hot(indices, num_classes):
    return tf.one_hot(indices, num_classes, dtype=common.floatx())


@graph_scope
def reverse(x, axes):
    return tf.reverse(x, [axes] if isinstance(axes, int) else list(axes))


@graph_scope
def slice(x, start, size):
    return tf.slice(x, start, size)


@graph_scope
def gather(reference, indices):
    return tf.gather(reference, indices)


@graph_scope
def pattern_broadcast(x, broadcastable):
    # TensorFlow broadcasts any size-1 dim: only check that the pattern fits what is known of x.
    shape = tf.convert_to_tensor(x).shape
    checks.check_broadcastable('pattern_broadcast', tuple(shape.as_list()) if shape.rank is not None
                               else None, broadcastable)
    return x
