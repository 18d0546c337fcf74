"""theano engine: the conv op family (see kbackend.backend.api.FAMILIES).

PyTensor has no conv or pooling ops, so one implementation serves PyTensor and legacy Theano alike,
built on the window Ops of `_conv_ops` (C kernels for the engines' C linker, NumPy for their Python
linker). Every op works channels-last and is a cross-correlation, like TensorFlow:

- conv is Corr: the patches (one row per output position, taps * in columns) times the kernel
  reshaped to (taps * in, out), computed a few images at a time (a bounded patch buffer, one BLAS
  gemm per chunk); its gradients are the Ops CorrGradInput and CorrGradKernel;
- a transposed conv is the adjoint, CorrGradInput: x times the kernel transposed gives each tap's
  share, added to the cell it came from;
- depthwise is its own Op (each channel's window times its kernel slice, summed), with its two
  gradient Ops;
- pooling is WindowMax (the first largest real cell; padding never wins) or WindowAvg (the mean of
  the real cells, as TensorFlow), each with its gradient Op.

Channels-first inputs are transposed views: the kernels read any strides. The local convs are shared
composites.
"""
import numpy as np

from ..shared import checks
from . import _conv_ops as _ops
from . import core as _core
from ._engine import T

__all__ = ['conv1d', 'conv2d', 'conv2d_transpose', 'separable_conv1d', 'separable_conv2d',
           'depthwise_conv2d', 'conv3d', 'conv3d_transpose', 'pool2d', 'pool3d']

_INTS = (int, np.integer)


# --- helpers -------------------------------------------------------------------------------------

def _tensor(x, dtype=None):
    if hasattr(x, 'type') and hasattr(x, 'ndim'):
        return x
    return T.as_tensor_variable(np.asarray(x, dtype=dtype))


def _tensors(x, *others):
    """x as a tensor, then the others (NumPy values take x's dtype)."""
    x = _tensor(x)
    return (x,) + tuple(_tensor(o, x.dtype) for o in others)


def _shape(x):
    return tuple(_core.int_shape(x))


def _to_last(x, data_format):
    if data_format == 'channels_first':
        return x.dimshuffle([0] + list(range(2, x.ndim)) + [1])
    return x


def _from_last(y, data_format):
    if data_format == 'channels_first':
        return y.dimshuffle([0, y.ndim - 1] + list(range(1, y.ndim - 1)))
    return y


def _last_shape(shape, data_format):
    if data_format == 'channels_first':
        return (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return tuple(shape)


def _first_shape(shape, data_format):
    if data_format == 'channels_first':
        return (shape[0], shape[-1]) + tuple(shape[1:-1])
    return tuple(shape)


def _finish(y, static_last, data_format):
    """y back in data_format, with its static shape recorded for K.int_shape (Keras's convention)."""
    y = _from_last(y, data_format)
    return _core.with_static_shape(y, tuple(d if isinstance(d, _INTS) else None
                                            for d in _first_shape(static_last, data_format)))


def _dims(x, static):
    """Each dim of x: the static int when known, else the symbolic size."""
    return [d if d is not None else x.shape[i] for i, d in enumerate(static)]


def _known(static, fn, what):
    if any(d is None for d in static):
        raise ValueError('%s: the Theano engine needs the %s shape to be known; received %s.'
                         % (fn, what, tuple(static)))
    return tuple(int(d) for d in static)


def _geometry(spatial, window, strides, dilation, padding):
    """Per spatial axis: (pad_before, pad_after) and the output size, TF's rule (n may be symbolic)."""
    pads, outs = [], []
    for n, k, s, d in zip(spatial, window, strides, dilation):
        span = (k - 1) * d + 1
        if padding == 'valid':
            pads.append((0, 0))
            outs.append((n - span) // s + 1)
        elif padding == 'causal':
            pads.append((span - 1, 0))
            outs.append((n - 1) // s + 1)
        else:
            out = (n + s - 1) // s
            total = (out - 1) * s + span - n
            total = max(total, 0) if isinstance(total, _INTS) else T.maximum(total, 0)
            pads.append((total // 2, total - total // 2))
            outs.append(out)
    return pads, outs


def _before(pads):
    return [b for b, _ in pads]


def _shape_arg(dims):
    """A reshape target from dims that are ints or symbolic scalars."""
    if all(isinstance(d, _INTS) for d in dims):
        return tuple(int(d) for d in dims)
    return T.stack([T.cast(d, 'int64') for d in dims])


# --- convolutions --------------------------------------------------------------------------------

def _correlate(x, kernel, x_static, k_static, strides, padding, dilation, fn):
    """Channels-last cross-correlation: the patches times the kernel reshaped to (taps * in, out);
    returns (y, static shape of y)."""
    rank = len(strides)
    k_static = _known(k_static, fn, 'kernel')
    window, channels_out = k_static[:rank], k_static[-1]
    dims = _dims(x, x_static)
    pads, outs = _geometry(dims[1:-1], window, strides, dilation, padding)
    w = kernel.reshape((int(np.prod(k_static[:-1])), channels_out))
    if all(k == 1 for k in window) and all(s == 1 for s in strides):  # 1x1: the patches are x
        y = T.dot(x.reshape(_shape_arg([-1, dims[-1]]), ndim=2), w)
        y = y.reshape(_shape_arg([-1] + outs + [channels_out]), ndim=rank + 2)
    else:
        g = _ops.geometry(window, strides, dilation, _before(pads), outs, dims[1:-1])
        y = _ops.corr(x, w, g)
    return y, [x_static[0]] + outs + [channels_out]


def _conv(fn, rank, x, kernel, strides, padding, data_format, dilation_rate, paddings=('valid', 'same')):
    x, kernel = _tensors(x, kernel)
    checks.check_float_dtypes(fn, x=x.dtype, kernel=kernel.dtype)
    x_static, k_static = _shape(x), _shape(kernel)
    strides, padding, data_format, dilation = checks.check_conv(
        fn, rank, x_static, k_static, strides, padding, data_format, dilation_rate, paddings)
    y, static = _correlate(_to_last(x, data_format), kernel, _last_shape(x_static, data_format),
                           k_static, strides, padding, dilation, fn)
    return _finish(y, static, data_format)


def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _conv('conv1d', 1, x, kernel, strides, padding, data_format, dilation_rate,
                 ('valid', 'same', 'causal'))


def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _conv('conv2d', 2, x, kernel, strides, padding, data_format, dilation_rate)


def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None, dilation_rate=(1, 1, 1)):
    return _conv('conv3d', 3, x, kernel, strides, padding, data_format, dilation_rate)


def _correlate_transpose(x, kernel, x_static, k_static, out_last, strides, padding, dilation, fn):
    """The adjoint of the channels-last correlation of an `out_last`-shaped input by `kernel`: x times
    the kernel transposed gives every tap's share, each added to the cell it came from."""
    rank = len(strides)
    k_static = _known(k_static, fn, 'kernel')
    window, channels_out, channels_in = k_static[:rank], k_static[-2], k_static[-1]
    out_spatial = list(out_last[1:-1])
    pads, _ = _geometry(out_spatial, window, strides, dilation, padding)
    x_dims = _dims(x, x_static)
    # The correlation this is the adjoint of: (taps * out, in), out being its input channels.
    w = kernel.reshape((int(np.prod(window)) * channels_out, channels_in))
    g = _ops.geometry(window, strides, dilation, _before(pads), x_dims[1:-1], out_spatial)
    static = (None,) + (1,) * (3 - rank) + tuple(out_spatial) + (channels_out,)
    return _ops.corr_grad_input(x, w, g, static)


_PASS_THROUGH = ('Cast', 'Identity', 'ScalarFromTensor', 'TensorFromScalar')


def _static_int(v, depth=0):
    """A scalar int variable's value when constants and static shapes (K.int_shape) determine it, else
    None: Keras 2.2.4's Conv2DTranspose/Conv3DTranspose pass output_shape computed from K.shape(x)."""
    known = checks.static_int(v)
    if known is not None or not hasattr(v, 'owner') or depth > 32:
        return known
    data = getattr(v, 'data', None)  # a constant
    if data is not None:
        data = np.asarray(data)
        return int(data) if data.ndim == 0 and data.dtype.kind in 'iu' else None
    node = v.owner
    if node is None:
        return None
    op = getattr(node.op, 'scalar_op', node.op)
    name = type(op).__name__
    if name in checks.FOLDABLE_INT_OPS and len(node.inputs) == 2:
        a, b = (_static_int(i, depth + 1) for i in node.inputs)
        return None if a is None or b is None else int(checks.FOLDABLE_INT_OPS[name](a, b))
    if name in _PASS_THROUGH:
        return _static_int(node.inputs[0], depth + 1)
    source = node.inputs[0].owner
    if name == 'Subtensor' and len(node.inputs) == 2 and source is not None and \
            type(source.op).__name__ == 'Shape':
        index, dims = _static_int(node.inputs[1], depth + 1), _shape(source.inputs[0])
        if index is not None and -len(dims) <= index < len(dims):
            return dims[index]  # None when that dim is unknown
    return None


def _conv_transpose(fn, rank, x, kernel, output_shape, strides, padding, data_format, dilation_rate):
    x, kernel = _tensors(x, kernel)
    checks.check_float_dtypes(fn, x=x.dtype, kernel=kernel.dtype)
    x_static, k_static = _shape(x), _shape(kernel)
    output_shape, strides, padding, data_format, dilation = checks.check_transpose(
        fn, rank, x_static, k_static, output_shape, strides, padding, data_format, dilation_rate,
        _static_int)
    out_last = _last_shape(output_shape, data_format)
    y = _correlate_transpose(_to_last(x, data_format), kernel, _last_shape(x_static, data_format),
                             k_static, out_last, strides, padding, dilation, fn)
    return _finish(y, (out_last[0] or x_static[0],) + out_last[1:], data_format)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _conv_transpose('conv2d_transpose', 2, x, kernel, output_shape, strides, padding,
                           data_format, dilation_rate)


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid', data_format=None):
    return _conv_transpose('conv3d_transpose', 3, x, kernel, output_shape, strides, padding,
                           data_format, 1)


# --- depthwise / separable -----------------------------------------------------------------------

def _depthwise_correlate(x, kernel, x_static, k_static, strides, padding, dilation, fn):
    """Channels-last depthwise correlation: output channel c * mult + m is x[..., c] * kernel[..., c, m]
    summed over the window."""
    rank = len(strides)
    k_static = _known(k_static, fn, 'depthwise kernel')
    window, channels, mult = k_static[:rank], k_static[-2], k_static[-1]
    dims = _dims(x, x_static)
    pads, outs = _geometry(dims[1:-1], window, strides, dilation, padding)
    g = _ops.geometry(window, strides, dilation, _before(pads), outs, dims[1:-1])
    y = _ops.depthwise(x, kernel.reshape((int(np.prod(window)), channels, mult)), g)
    return y, [x_static[0]] + outs + [channels * mult]


def _depthwise_args(fn, rank, x, depthwise_kernel, strides, padding, data_format, dilation_rate):
    x, depthwise_kernel = _tensors(x, depthwise_kernel)
    checks.check_float_dtypes(fn, x=x.dtype, depthwise_kernel=depthwise_kernel.dtype)
    args = checks.check_depthwise(fn, rank, _shape(x), _shape(depthwise_kernel), strides, padding,
                                  data_format, dilation_rate)
    return (x, depthwise_kernel) + args


def _depthwise(fn, rank, x, kernel, strides, padding, data_format, dilation):
    x_static = _last_shape(_shape(x), data_format)
    return _depthwise_correlate(_to_last(x, data_format), kernel, x_static, _shape(kernel),
                                strides, padding, dilation, fn)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    x, kernel, strides, padding, data_format, dilation = _depthwise_args(
        'depthwise_conv2d', 2, x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    y, static = _depthwise('depthwise_conv2d', 2, x, kernel, strides, padding, data_format, dilation)
    return _finish(y, static, data_format)


def _separable(fn, rank, x, depthwise_kernel, pointwise_kernel, strides, padding, data_format, dilation_rate):
    x, kernel, strides, padding, data_format, dilation = _depthwise_args(
        fn, rank, x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    pointwise_kernel = _tensor(pointwise_kernel, kernel.dtype)
    checks.check_float_dtypes(fn, depthwise_kernel=kernel.dtype, pointwise_kernel=pointwise_kernel.dtype)
    p_static = _shape(pointwise_kernel)
    checks.check_pointwise(fn, rank, _shape(kernel), p_static)
    y, static = _depthwise(fn, rank, x, kernel, strides, padding, data_format, dilation)
    p_static = _known(p_static, fn, 'pointwise kernel')
    y = T.dot(y, pointwise_kernel.reshape(p_static[-2:]))
    return _finish(y, static[:-1] + [p_static[-1]], data_format)


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _separable('separable_conv1d', 1, x, depthwise_kernel, pointwise_kernel, strides, padding,
                      data_format, dilation_rate)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _separable('separable_conv2d', 2, x, depthwise_kernel, pointwise_kernel, strides, padding,
                      data_format, dilation_rate)


# --- pooling -------------------------------------------------------------------------------------

def _pool(fn, rank, x, pool_size, strides, padding, data_format, pool_mode):
    x = _tensor(x)
    checks.check_float_dtypes(fn, x=x.dtype)
    x_static = _shape(x)
    pool_size, strides, padding, data_format, pool_mode = checks.check_pool(
        fn, rank, x_static, pool_size, strides, padding, data_format, pool_mode)
    x_static = _last_shape(x_static, data_format)
    x = _to_last(x, data_format)
    dims = _dims(x, x_static)
    pads, outs = _geometry(dims[1:-1], pool_size, strides, (1,) * rank, padding)
    g = _ops.geometry(pool_size, strides, (1,) * rank, _before(pads), outs, dims[1:-1])
    # max: the largest real cell (padding never wins); avg: the mean of the real cells, as TF.
    y = _ops.window_max(x, x, g) if pool_mode == 'max' else _ops.window_avg(x, g)
    return _finish(y, [x_static[0]] + outs + [x_static[-1]], data_format)


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    return _pool('pool2d', 2, x, pool_size, strides, padding, data_format, pool_mode)


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None, pool_mode='max'):
    return _pool('pool3d', 3, x, pool_size, strides, padding, data_format, pool_mode)
