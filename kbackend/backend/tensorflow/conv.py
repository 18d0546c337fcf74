"""tensorflow engine: the conv op family (see kbackend.backend.api.FAMILIES).

TensorFlow's convolutions are cross-correlations, the semantics every engine follows. Its CPU kernels
only take channels-last layouts, so channels_first inputs are transposed in and out. The local convs
are shared composites (shared/conv.py).
"""
import numpy as np

from ..shared import checks
from ._graph import graph_scope, tf

__all__ = ['conv1d', 'conv2d', 'conv2d_transpose', 'separable_conv1d', 'separable_conv2d',
           'depthwise_conv2d', 'conv3d', 'conv3d_transpose', 'pool2d', 'pool3d']


# --- helpers -------------------------------------------------------------------------------------

def _tensor(x, dtype=None):
    return x if tf.is_tensor(x) else tf.convert_to_tensor(x, dtype=dtype)


def _tensors(x, *others):
    """x as a tensor, then the others as tensors (NumPy values take x's dtype)."""
    x = _tensor(x)
    return (x,) + tuple(_tensor(o, x.dtype) for o in others)


def _shape(x):
    return tuple(x.shape.as_list()) if x.shape.rank is not None else ()


def _dtype(x):
    return x.dtype.base_dtype.name


def _to_last(x, data_format):
    if data_format == 'channels_first':
        n = x.shape.rank
        return tf.transpose(x, [0] + list(range(2, n)) + [1])
    return x


def _from_last(y, data_format):
    if data_format == 'channels_first':
        n = y.shape.rank
        return tf.transpose(y, [0, n - 1] + list(range(1, n - 1)))
    return y


def _last_shape(shape, data_format):
    """A channels_first shape tuple in channels_last order."""
    if data_format == 'channels_first':
        return (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return tuple(shape)


def _explicit_same_pad(x, window, strides, dilation):
    """x (channels_last) padded as TF's 'same' would, so a 'valid' op on it gives the 'same' result."""
    pads = [[0, 0]]
    for i, (k, s, d) in enumerate(zip(window, strides, dilation)):
        n = x.shape[i + 1] if x.shape[i + 1] is not None else tf.shape(x)[i + 1]
        total = tf.maximum(((n + s - 1) // s - 1) * s + (k - 1) * d + 1 - n, 0)
        pads.append([total // 2, total - total // 2])
    return tf.pad(x, pads + [[0, 0]])


def _dilate_kernel(kernel, dilation):
    """The kernel with dilation-1 zeros between taps (TF's CPU transposed convs reject dilations)."""
    for axis, d in enumerate(dilation):
        if d == 1:
            continue
        n = kernel.shape[axis]
        spread = tf.stack([kernel] + [tf.zeros_like(kernel)] * (d - 1), axis=axis + 1)
        shape = kernel.shape.as_list()
        shape[axis] = n * d
        kernel = tf.reshape(spread, shape)[(slice(None),) * axis + (slice(0, (n - 1) * d + 1),)]
    return kernel


# --- convolutions --------------------------------------------------------------------------------

def _conv(fn, rank, x, kernel, strides, padding, data_format, dilation_rate, paddings=('valid', 'same')):
    x, kernel = _tensors(x, kernel)
    checks.check_float_dtypes(fn, x=_dtype(x), kernel=_dtype(kernel))
    strides, padding, data_format, dilation = checks.check_conv(
        fn, rank, _shape(x), _shape(kernel), strides, padding, data_format, dilation_rate, paddings)
    x = _to_last(x, data_format)
    if padding == 'causal':
        x = tf.pad(x, [[0, 0], [dilation[0] * (kernel.shape[0] - 1), 0], [0, 0]])
        padding = 'valid'
    y = tf.nn.convolution(x, kernel, strides=strides, padding=padding.upper(), dilations=dilation)
    return _from_last(y, data_format)


@graph_scope
def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _conv('conv1d', 1, x, kernel, strides, padding, data_format, dilation_rate,
                 ('valid', 'same', 'causal'))


@graph_scope
def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _conv('conv2d', 2, x, kernel, strides, padding, data_format, dilation_rate)


@graph_scope
def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None, dilation_rate=(1, 1, 1)):
    return _conv('conv3d', 3, x, kernel, strides, padding, data_format, dilation_rate)


def _static_int(t, depth=0):
    """A scalar int tensor's value when constants and static shapes determine it, else None.

    Keras 2.2.4's Conv2DTranspose/Conv3DTranspose pass output_shape as tensors computed from
    K.shape(x) (`K.shape(x)[1] * stride + ...`), which TensorFlow's own constant folding
    (tf.get_static_value) does not see through while the batch size is unknown."""
    if not tf.is_tensor(t) or depth > 32:
        return checks.static_int(t)
    value = tf.get_static_value(t)
    if value is not None:
        return int(value) if np.ndim(value) == 0 else None
    op = t.op
    if op.type in checks.FOLDABLE_INT_OPS:
        a, b = (_static_int(i, depth + 1) for i in op.inputs)
        return None if a is None or b is None else int(checks.FOLDABLE_INT_OPS[op.type](a, b))
    if op.type in ('Identity', 'Cast'):
        return _static_int(op.inputs[0], depth + 1)
    if op.type == 'StridedSlice' and op.get_attr('shrink_axis_mask') == 1:  # shape[i]
        begin, source = tf.get_static_value(op.inputs[1]), op.inputs[0]
        if begin is None or len(begin) != 1:
            return None
        values = tf.get_static_value(source)  # tf.shape of a fully known shape is a constant
        if values is None and source.op.type == 'Shape' and source.op.inputs[0].shape.rank is not None:
            values = source.op.inputs[0].shape.as_list()  # None where a dim is unknown
        if values is not None and -len(values) <= int(begin[0]) < len(values):
            value = values[int(begin[0])]
            return None if value is None else int(value)
    return None


def _conv_transpose(fn, rank, x, kernel, output_shape, strides, padding, data_format, dilation_rate):
    x, kernel = _tensors(x, kernel)
    checks.check_float_dtypes(fn, x=_dtype(x), kernel=_dtype(kernel))
    output_shape, strides, padding, data_format, dilation = checks.check_transpose(
        fn, rank, _shape(x), _shape(kernel), output_shape, strides, padding, data_format, dilation_rate,
        _static_int)
    x = _to_last(x, data_format)
    output_shape = _last_shape(output_shape, data_format)
    if output_shape[0] is None:
        output_shape = tf.stack([tf.shape(x)[0]] + list(output_shape[1:]))
    if max(dilation) > 1:
        kernel = _dilate_kernel(kernel, dilation)
    op = tf.nn.conv2d_transpose if rank == 2 else tf.nn.conv3d_transpose
    y = op(x, kernel, output_shape, strides=(1,) + strides + (1,), padding=padding.upper())
    return _from_last(y, data_format)


@graph_scope
def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _conv_transpose('conv2d_transpose', 2, x, kernel, output_shape, strides, padding,
                           data_format, dilation_rate)


@graph_scope
def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid', data_format=None):
    return _conv_transpose('conv3d_transpose', 3, x, kernel, output_shape, strides, padding,
                           data_format, 1)


# --- depthwise / separable -----------------------------------------------------------------------

def _depthwise_args(fn, rank, x, depthwise_kernel, strides, padding, data_format, dilation_rate):
    x, depthwise_kernel = _tensors(x, depthwise_kernel)
    checks.check_float_dtypes(fn, x=_dtype(x), depthwise_kernel=_dtype(depthwise_kernel))
    strides, padding, data_format, dilation = checks.check_depthwise(
        fn, rank, _shape(x), _shape(depthwise_kernel), strides, padding, data_format, dilation_rate)
    return x, depthwise_kernel, strides, padding, data_format, dilation


def _check_pointwise(fn, rank, depthwise_kernel, pointwise_kernel):
    pointwise_kernel = _tensor(pointwise_kernel, depthwise_kernel.dtype)
    checks.check_float_dtypes(fn, depthwise_kernel=_dtype(depthwise_kernel),
                              pointwise_kernel=_dtype(pointwise_kernel))
    checks.check_pointwise(fn, rank, _shape(depthwise_kernel), _shape(pointwise_kernel))
    return pointwise_kernel


def _depthwise(x, kernel, strides, padding, dilation):
    """Channels-last depthwise conv; TF's CPU kernel needs equal strides, else stride 1 + subsample."""
    if strides[0] != strides[1]:
        if padding == 'same':
            x = _explicit_same_pad(x, _shape(kernel)[:2], strides, dilation)
        y = tf.nn.depthwise_conv2d(x, kernel, (1, 1, 1, 1), 'VALID', dilations=dilation)
        return y[:, ::strides[0], ::strides[1], :]
    return tf.nn.depthwise_conv2d(x, kernel, (1,) + strides + (1,), padding.upper(),
                                  dilations=dilation)


def _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, dilation):
    if strides[0] != strides[1]:
        y = _depthwise(x, depthwise_kernel, strides, padding, dilation)
        return tf.nn.conv2d(y, pointwise_kernel, 1, 'VALID')
    return tf.nn.separable_conv2d(x, depthwise_kernel, pointwise_kernel, (1,) + strides + (1,),
                                  padding.upper(), dilations=dilation)


@graph_scope
def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    x, kernel, strides, padding, data_format, dilation = _depthwise_args(
        'depthwise_conv2d', 2, x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return _from_last(_depthwise(_to_last(x, data_format), kernel, strides, padding, dilation),
                      data_format)


@graph_scope
def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    x, kernel, strides, padding, data_format, dilation = _depthwise_args(
        'separable_conv2d', 2, x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    pointwise_kernel = _check_pointwise('separable_conv2d', 2, kernel, pointwise_kernel)
    y = _separable(_to_last(x, data_format), kernel, pointwise_kernel, strides, padding, dilation)
    return _from_last(y, data_format)


@graph_scope
def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    x, kernel, strides, padding, data_format, dilation = _depthwise_args(
        'separable_conv1d', 1, x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    pointwise_kernel = _check_pointwise('separable_conv1d', 1, kernel, pointwise_kernel)
    # As a 2-D op on a height-1 image; equal strides/rates on the dummy axis keep TF's fast path.
    x = tf.expand_dims(_to_last(x, data_format), 1)
    y = _separable(x, tf.expand_dims(kernel, 0), tf.expand_dims(pointwise_kernel, 0),
                   strides * 2, padding, dilation * 2)
    return _from_last(tf.squeeze(y, [1]), data_format)


# --- pooling -------------------------------------------------------------------------------------

def _pool(fn, rank, x, pool_size, strides, padding, data_format, pool_mode):
    x = _tensor(x)
    checks.check_float_dtypes(fn, x=_dtype(x))
    pool_size, strides, padding, data_format, pool_mode = checks.check_pool(
        fn, rank, _shape(x), pool_size, strides, padding, data_format, pool_mode)
    x = _to_last(x, data_format)
    if rank == 3 and x.dtype == tf.float64:
        y = _pool3d_as_2d(x, pool_size, strides, padding, pool_mode)
    else:
        y = _pool_op(pool_mode)(x, pool_size, strides, padding.upper())
    return _from_last(y, data_format)


def _pool_op(pool_mode):
    return tf.nn.max_pool if pool_mode == 'max' else tf.nn.avg_pool


def _pool3d_as_2d(x, pool_size, strides, padding, pool_mode):
    """3-D pooling as two 2-D poolings (TF has no float64 3-D pooling kernel on CPU).

    Exact for max and for avg: the cells a window averages (padding excluded) form a box, so the
    mean over (h, w) then over d is the mean over the box.
    """
    op, pad = _pool_op(pool_mode), padding.upper()
    b, d, h, w, c = [x.shape[i] if x.shape[i] is not None else tf.shape(x)[i] for i in range(5)]
    y = op(tf.reshape(x, [-1, h, w, c]), pool_size[1:], strides[1:], pad)
    h2, w2 = y.shape[1] if y.shape[1] is not None else tf.shape(y)[1], \
        y.shape[2] if y.shape[2] is not None else tf.shape(y)[2]
    y = op(tf.reshape(y, [b, d, h2 * w2, c]), (pool_size[0], 1), (strides[0], 1), pad)
    return tf.reshape(y, [b, -1, h2, w2, c])


@graph_scope
def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    return _pool('pool2d', 2, x, pool_size, strides, padding, data_format, pool_mode)


@graph_scope
def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None, pool_mode='max'):
    return _pool('pool3d', 3, x, pool_size, strides, padding, data_format, pool_mode)
