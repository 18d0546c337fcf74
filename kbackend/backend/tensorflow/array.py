"""tensorflow engine: the array op family (see kbackend.backend.api.FAMILIES)."""
import sys

from .. import common, shared
from ..shared import checks
from ._graph import graph_scope, tf
from .core import dtype as _dtype, ndim as _ndim

__all__ = [
    'concatenate', 'reshape', 'permute_dimensions', 'resize_images', 'repeat_elements', 'arange', 'tile',
    'expand_dims', 'squeeze', 'temporal_padding', 'spatial_2d_padding', 'spatial_3d_padding',
    'stack', 'one_hot', 'reverse', 'slice', 'gather', 'pattern_broadcast',
]


@graph_scope
def concatenate(tensors, axis=-1):
    tensors = checks.check_nonempty('concatenate', tensors)
    sparse = [isinstance(t, tf.SparseTensor) for t in tensors]
    if all(sparse):
        rank = tensors[0].shape.rank
        if rank is not None:
            axis = checks.normalize_axis('concatenate', axis, rank)
        return tf.sparse.concat(axis % rank if axis < 0 and rank else axis, list(tensors))
    tensors = [tf.sparse.to_dense(t) if s else tf.convert_to_tensor(t) for t, s in zip(tensors, sparse)]
    rank = next((t.shape.rank for t in tensors if t.shape.rank is not None), None)
    if rank is not None:
        axis = checks.normalize_axis('concatenate', axis, rank)
    return tf.concat(tensors, axis)


def _shape(x):
    return None if x.shape.rank is None else tuple(x.shape.as_list())


def _static_entries(shape):
    """A shape argument's entries as ints, None for the symbolic ones (None when it is symbolic)."""
    if isinstance(shape, (tf.Tensor, tf.Variable)):
        value = tf.get_static_value(shape)
        return None if value is None else [int(d) for d in value]
    if checks.is_int(shape):
        return [int(shape)]
    try:
        return [int(d) if checks.is_int(d) else None for d in shape]
    except TypeError:
        return None


@graph_scope
def reshape(x, shape):
    x = tf.convert_to_tensor(x)
    checks.check_reshape('reshape', _shape(x), _static_entries(shape))
    return tf.reshape(x, shape)


@graph_scope
def permute_dimensions(x, pattern):
    x = tf.convert_to_tensor(x)
    if x.shape.rank is not None:
        pattern = checks.check_permutation('permute_dimensions', pattern, x.shape.rank)
    return tf.transpose(x, perm=list(pattern))


_COMPOSITES = []


def _composites():
    """The shared array composites bound to this engine, built on first use (the package must exist)."""
    if not _COMPOSITES:
        _COMPOSITES.append(shared.bind('array', sys.modules[__package__]))
    return _COMPOSITES[0]


# TensorFlow's bilinear kernel computes in float32, so only these dtypes lose nothing by it.
_NATIVE_BILINEAR_DTYPES = (tf.float32, tf.float16, tf.bfloat16)


@graph_scope
def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    x = tf.convert_to_tensor(x)
    if interpolation != 'bilinear' or x.dtype not in _NATIVE_BILINEAR_DTYPES:
        # The exact composite: TF's nearest kernel picks the wrong source row at some factors
        # (e.g. 41 or 47, from its float32 scale), and its bilinear kernel would round float64.
        return _composites().resize_images(x, height_factor, width_factor, data_format, interpolation)
    factors, _ = checks.resize_args('resize_images', x.shape.rank, (height_factor, width_factor),
                                    data_format, interpolation)
    if data_format == 'channels_first':
        x = tf.transpose(x, [0, 2, 3, 1])
    # The legacy kernel (align_corners=False, half_pixel_centers=False), about 4x faster than the composite.
    out = tf.raw_ops.ResizeBilinear(images=x, size=tf.shape(x)[1:3] * factors, align_corners=False,
                                    half_pixel_centers=False)
    out = tf.cast(out, x.dtype) if out.dtype != x.dtype else out
    height, width = x.shape[1], x.shape[2]
    out.set_shape((x.shape[0], None if height is None else height * factors[0],
                   None if width is None else width * factors[1], x.shape[3]))
    return tf.transpose(out, [0, 3, 1, 2]) if data_format == 'channels_first' else out


@graph_scope
def repeat_elements(x, rep, axis):
    x = tf.convert_to_tensor(x)
    checks.check_count('repeat_elements', 'rep', rep)
    if x.shape.rank is not None:
        axis = checks.normalize_axis('repeat_elements', axis, x.shape.rank)
    out = tf.repeat(x, rep, axis=axis)
    if x.shape.rank is not None:  # Keras 2.2.4 recorded it here (its tests read it when a dim is None)
        out._keras_shape = tuple(out.shape.as_list())
    return out


@graph_scope
def arange(start, stop=None, step=1, dtype='int32'):
    dtype = checks.check_dtype('arange', dtype)
    if stop is None:
        start, stop = 0, start
    checks.check_arange(start, stop, step, _ndim)
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
    x = tf.convert_to_tensor(x)
    checks.check_count('tile', 'n', n)
    if isinstance(n, (tf.Tensor, tf.Variable)) or x.shape.rank is None:
        return tf.tile(x, n)
    reps, leading = checks.tile_reps(n, x.shape.rank)
    for _ in range(leading):
        x = tf.expand_dims(x, 0)
    return tf.tile(x, reps)


@graph_scope
def expand_dims(x, axis=-1):
    x = tf.convert_to_tensor(x)
    if x.shape.rank is not None:
        axis = checks.check_new_axis('expand_dims', axis, x.shape.rank)
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
    tensors = [tf.convert_to_tensor(t) for t in checks.check_nonempty('stack', x)]
    rank = next((t.shape.rank for t in tensors if t.shape.rank is not None), None)
    if rank is not None:
        axis = checks.check_new_axis('stack', axis, rank)
    return tf.stack(tensors, axis=axis)


@graph_scope
def one_hot(indices, num_classes):
    indices = tf.convert_to_tensor(indices)
    checks.check_one_hot(num_classes, indices.dtype)
    return tf.one_hot(indices, num_classes, dtype=common.floatx())


@graph_scope
def reverse(x, axes):
    x = tf.convert_to_tensor(x)
    if x.shape.rank is not None:
        axes = checks.check_axes('reverse', axes, x.shape.rank)
    return tf.reverse(x, [axes] if checks.is_int(axes) else list(axes))


@graph_scope
def slice(x, start, size):
    x = tf.convert_to_tensor(x)
    checks.check_slice_args(x.shape.rank, start, size, _ndim, _dtype)
    checks.check_slice_bounds(_shape(x), start, size)
    return tf.slice(x, start, size)


@graph_scope
def gather(reference, indices):
    reference = tf.convert_to_tensor(reference)
    values = checks.static_indices(indices)
    if values is None and not isinstance(indices, tf.Variable):
        indices = tf.convert_to_tensor(indices)
        values = tf.get_static_value(indices) if indices.op.type == 'Const' else None
    checks.check_int_dtype('gather', 'indices', values.dtype if values is not None else indices.dtype)
    checks.check_gather_reference(reference.shape.rank)
    size = reference.shape[0] if reference.shape.rank else None
    checks.check_indices('gather', values, size)
    return tf.gather(reference, indices)


@graph_scope
def pattern_broadcast(x, broadcastable):
    # TensorFlow broadcasts any size-1 dim: only check that the pattern fits what is known of x.
    shape = tf.convert_to_tensor(x).shape
    checks.check_broadcastable('pattern_broadcast', tuple(shape.as_list()) if shape.rank is not None
                               else None, broadcastable)
    return x
