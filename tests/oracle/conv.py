"""Oracle for the conv family: plain NumPy, one output position at a time.

Convolutions are cross-correlations (TensorFlow's semantics). 'same' padding follows TensorFlow: the
output has ceil(n / stride) cells and the padding, split with the smaller half first, is what makes
the last window fit. Transposed convs are computed as the adjoint (matrix transpose) of the forward
conv, found by applying the forward conv to every basis vector.
"""
import numpy as np

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv2d_transpose', 'conv3d_transpose', 'depthwise_conv2d',
           'separable_conv1d', 'separable_conv2d', 'pool2d', 'pool3d', 'local_conv1d', 'local_conv2d']


def _tuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _channels_first(data_format):
    return data_format == 'channels_first'


def _to_last(x, data_format):
    return np.moveaxis(x, 1, -1) if _channels_first(data_format) else x


def _from_last(y, data_format):
    return np.moveaxis(y, -1, 1) if _channels_first(data_format) else y


def _pads(n, k, stride, dilation, padding):
    """(before, after) padding of one spatial axis."""
    span = (k - 1) * dilation + 1
    if padding == 'valid':
        return 0, 0
    if padding == 'causal':
        return span - 1, 0
    out = -(-n // stride)
    total = max((out - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def _correlate(x, w, strides, dilation, padding):
    """x (batch, spatial..., in), w (window..., in, out) -> (batch, out_spatial..., out)."""
    rank = x.ndim - 2
    window = w.shape[:rank]
    pads = [_pads(x.shape[i + 1], window[i], strides[i], dilation[i], padding) for i in range(rank)]
    xp = np.pad(x.astype('float64'), [(0, 0)] + pads + [(0, 0)])
    out_sizes = [(xp.shape[i + 1] - (window[i] - 1) * dilation[i] - 1) // strides[i] + 1
                 for i in range(rank)]
    out = np.zeros((x.shape[0],) + tuple(out_sizes) + (w.shape[-1],))
    for pos in np.ndindex(*out_sizes):
        taps = tuple(slice(p * s, p * s + (k - 1) * d + 1, d)
                     for p, s, k, d in zip(pos, strides, window, dilation))
        patch = xp[(slice(None),) + taps]  # (batch, window..., in)
        out[(slice(None),) + pos] = np.tensordot(patch, w.astype('float64'), axes=rank + 1)
    return out


def _conv(rank, x, kernel, strides, padding, data_format, dilation_rate):
    y = _correlate(_to_last(x, data_format), kernel, _tuple(strides, rank), _tuple(dilation_rate, rank),
                   padding)
    return _from_last(y, data_format).astype(x.dtype)


def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _conv(1, x, kernel, strides, padding, data_format, dilation_rate)


def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _conv(2, x, kernel, strides, padding, data_format, dilation_rate)


def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None, dilation_rate=(1, 1, 1)):
    return _conv(3, x, kernel, strides, padding, data_format, dilation_rate)


def _transpose(rank, x, kernel, output_shape, strides, padding, data_format, dilation_rate):
    """The adjoint of y -> conv(y, kernel), y of output_shape: x -> M^T x, per batch element."""
    x_last = _to_last(x, data_format)
    out_shape = list(output_shape)
    out_shape[0] = x.shape[0]
    out_last = tuple(_to_last(np.zeros(out_shape, dtype='int8'), data_format).shape[1:])
    n = int(np.prod(out_last))
    basis = np.eye(n).reshape((n,) + out_last)
    images = _correlate(basis, kernel, _tuple(strides, rank), _tuple(dilation_rate, rank), padding)
    assert images.shape[1:] == x_last.shape[1:], 'output_shape does not match x'
    y = x_last.reshape(x.shape[0], -1).astype('float64').dot(images.reshape(n, -1).T)
    return _from_last(y.reshape((x.shape[0],) + out_last), data_format).astype(x.dtype)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _transpose(2, x, kernel, output_shape, strides, padding, data_format, dilation_rate)


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid', data_format=None):
    return _transpose(3, x, kernel, output_shape, strides, padding, data_format, 1)


def _depthwise(x_last, kernel, strides, padding, dilation):
    """Each input channel c correlated with each kernel[..., c, m], output channel c * mult + m."""
    channels, mult = kernel.shape[-2:]
    outs = []
    for c in range(channels):
        for m in range(mult):
            outs.append(_correlate(x_last[..., c:c + 1], kernel[..., c:c + 1, m:m + 1], strides,
                                   dilation, padding))
    return np.concatenate(outs, axis=-1)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    y = _depthwise(_to_last(x, data_format), depthwise_kernel, _tuple(strides, 2),
                   padding, _tuple(dilation_rate, 2))
    return _from_last(y, data_format).astype(x.dtype)


def _separable(rank, x, depthwise_kernel, pointwise_kernel, strides, padding, data_format, dilation_rate):
    y = _depthwise(_to_last(x, data_format), depthwise_kernel, _tuple(strides, rank), padding,
                   _tuple(dilation_rate, rank))
    y = np.tensordot(y, pointwise_kernel.reshape(-1, pointwise_kernel.shape[-1]), axes=1)
    return _from_last(y, data_format).astype(x.dtype)


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _separable(1, x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _separable(2, x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate)


def _pool(rank, x, pool_size, strides, padding, data_format, pool_mode):
    """Each output cell reduces the input cells its window covers; padding cells are never counted."""
    x_last = _to_last(x, data_format).astype('float64')
    pool_size, strides = _tuple(pool_size, rank), _tuple(strides, rank)
    spatial = x_last.shape[1:-1]
    pads = [_pads(n, k, s, 1, padding)[0] for n, k, s in zip(spatial, pool_size, strides)]
    if padding == 'valid':
        out_sizes = [(n - k) // s + 1 for n, k, s in zip(spatial, pool_size, strides)]
    else:
        out_sizes = [-(-n // s) for n, s in zip(spatial, strides)]
    reduce = np.max if pool_mode == 'max' else np.mean
    out = np.zeros((x.shape[0],) + tuple(out_sizes) + (x_last.shape[-1],))
    for pos in np.ndindex(*out_sizes):
        cells = tuple(slice(max(p * s - b, 0), min(p * s - b + k, n))
                      for p, s, b, k, n in zip(pos, strides, pads, pool_size, spatial))
        window = x_last[(slice(None),) + cells]
        out[(slice(None),) + pos] = reduce(window.reshape(x.shape[0], -1, x_last.shape[-1]), axis=1)
    return _from_last(out, data_format).astype(x.dtype)


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    return _pool(2, x, pool_size, strides, padding, data_format, pool_mode)


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None, pool_mode='max'):
    return _pool(3, x, pool_size, strides, padding, data_format, pool_mode)


def _local(x, kernel, kernel_size, strides, out_sizes, data_format):
    """Unshared weights: output cell i (row-major) applies kernel[i] to its flattened input patch,
    flattened in the input's own layout (channels last or first)."""
    rank = len(out_sizes)
    kernel_size, strides = _tuple(kernel_size, rank), _tuple(strides, rank)
    first = _channels_first(data_format)
    out = np.zeros((x.shape[0],) + tuple(out_sizes) + (kernel.shape[-1],))
    for i, pos in enumerate(np.ndindex(*out_sizes)):
        cells = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, kernel_size))
        patch = x[(slice(None), slice(None)) + cells] if first else x[(slice(None),) + cells]
        out[(slice(None),) + pos] = patch.reshape(x.shape[0], -1).astype('float64').dot(kernel[i])
    return _from_last(out, data_format).astype(x.dtype)


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    return _local(inputs, kernel, kernel_size, strides, (kernel.shape[0],), data_format)


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    return _local(inputs, kernel, kernel_size, strides, tuple(output_shape), data_format)
