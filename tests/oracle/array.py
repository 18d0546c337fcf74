"""Oracle for the array family (reshaping, joining, padding, indexing): plain NumPy, written from the semantics, not from kbackend."""
import numpy as np

__all__ = ['concatenate', 'reshape', 'permute_dimensions', 'resize_images', 'resize_volumes',
           'repeat_elements', 'repeat', 'arange', 'tile', 'flatten', 'batch_flatten', 'expand_dims',
           'squeeze', 'temporal_padding', 'spatial_2d_padding', 'spatial_3d_padding', 'stack',
           'one_hot', 'reverse', 'slice', 'gather', 'pattern_broadcast']

FLOATX = 'float32'
IMAGE_DATA_FORMAT = 'channels_last'
_builtin_slice = slice


def _dense(x):
    return x.toarray() if hasattr(x, 'toarray') else np.asarray(x)


def concatenate(tensors, axis=-1):
    return np.concatenate([_dense(t) for t in tensors], axis=axis)


def reshape(x, shape):
    return np.reshape(x, shape)


def permute_dimensions(x, pattern):
    return np.transpose(x, pattern)


def _spatial_axes(ndim, data_format):
    return range(2, ndim) if data_format == 'channels_first' else range(1, ndim - 1)


def _nearest_axis(x, axis, factor):
    """TensorFlow's legacy nearest rule, in exact integer arithmetic: source = floor(out * in / out_size)."""
    n = x.shape[axis]
    source = (np.arange(n * factor) * n) // (n * factor)
    return np.take(x, source, axis=axis)


def _bilinear_axis(x, axis, factor):
    """TensorFlow's legacy resize_bilinear rule (align_corners=False, half_pixel_centers=False) along one
    axis: source position out * in / out_size, linear between floor and floor + 1 (clamped)."""
    n = x.shape[axis]
    position = np.arange(n * factor) * (n / float(n * factor))
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, n - 1)
    weight_shape = [1] * x.ndim
    weight_shape[axis] = -1
    frac = (position - low).reshape(weight_shape)
    x64 = x.astype('float64')
    out = np.take(x64, low, axis=axis) * (1 - frac) + np.take(x64, high, axis=axis) * frac
    return out.astype(x.dtype)


def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    upsample = _bilinear_axis if interpolation == 'bilinear' else _nearest_axis
    for axis, factor in zip(_spatial_axes(x.ndim, data_format), (height_factor, width_factor)):
        x = upsample(x, axis, factor)
    return x


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    for axis, factor in zip(_spatial_axes(x.ndim, data_format), (depth_factor, height_factor, width_factor)):
        x = _nearest_axis(x, axis, factor)
    return x


def repeat_elements(x, rep, axis):
    return np.repeat(x, rep, axis=axis)


def repeat(x, n):
    return np.repeat(x[:, np.newaxis, :], n, axis=1)


def arange(start, stop=None, step=1, dtype='int32'):
    return np.arange(start, stop, step, dtype=dtype)  # stop None: from 0 to start, by step


def tile(x, n):
    return np.tile(x, n)


def flatten(x):
    return np.ravel(x)


def batch_flatten(x):
    return np.reshape(x, (x.shape[0], -1))


def expand_dims(x, axis=-1):
    return np.expand_dims(x, axis)


def squeeze(x, axis):
    return np.squeeze(x, axis)


def _pad(x, pairs, data_format):
    if data_format == 'channels_first':
        widths = [(0, 0), (0, 0)] + [tuple(p) for p in pairs]
    else:
        widths = [(0, 0)] + [tuple(p) for p in pairs] + [(0, 0)]
    return np.pad(x, widths, mode='constant')


def temporal_padding(x, padding=(1, 1)):
    return _pad(x, [padding], 'channels_last')


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    return _pad(x, padding, data_format or IMAGE_DATA_FORMAT)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    return _pad(x, padding, data_format or IMAGE_DATA_FORMAT)


def stack(x, axis=0):
    return np.stack(x, axis=axis)


def one_hot(indices, num_classes):
    indices = np.asarray(indices)
    return (indices[..., np.newaxis] == np.arange(num_classes)).astype(FLOATX)


def reverse(x, axes):
    return np.flip(x, axes if isinstance(axes, int) else tuple(axes))


def slice(x, start, size):
    return x[tuple(_builtin_slice(b, None if n == -1 else b + n) for b, n in zip(start, size))]


def gather(reference, indices):
    return np.take(reference, np.asarray(indices), axis=0)


def pattern_broadcast(x, broadcastable):
    return np.asarray(x)
