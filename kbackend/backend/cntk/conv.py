"""cntk engine: the conv op family (see kbackend.backend.api.FAMILIES).

CNTK's convolution and pooling need its batch axis: each op moves the batch there (``to_batch``;
inside a symbolic rnn step it is there already), works on channels-first samples
(channels, spatial...) and moves the batch back. Convolutions are cross-correlations, as
TensorFlow's. Where CNTK's conventions differ from TensorFlow's, they are avoided:

- 'same' padding is explicit (TensorFlow's split, then a 'valid' op): CNTK's auto padding splits
  differently for strides > 1. When a spatial size is known only at run time and its stride is > 1,
  TensorFlow's split depends on the size modulo the stride, so the input is padded for every case
  and the right window phase is selected at run time (`_same_phase`);
- dilation is a kernel with zeros between its taps (CNTK has no dilated convolution on CPU);
- a transposed conv is CNTK's unpadded (full size) transpose cut to TensorFlow's window: CNTK's own
  padded transpose is wrong for stride 2 'same' with some output sizes;
- max pooling pads with a very low value, average pooling divides by the count of real cells;
- float16 is computed in float32 (CNTK's CPU conv and pooling kernels have no float16).

The local convs are shared composites (shared/conv.py).
"""
import numpy as np

from ..shared import checks
from . import _tensor as T
from . import array as _array
from ._engine import C

__all__ = ['conv1d', 'conv2d', 'conv2d_transpose', 'separable_conv1d', 'separable_conv2d',
           'depthwise_conv2d', 'conv3d', 'conv3d_transpose', 'pool2d', 'pool3d']

_LOWEST = -3.0e38  # max pooling's padding: below any value, so a padded cell never wins


# --- tensors, samples and layout -----------------------------------------------------------------

def _tensors(x, *others):
    """x as a tensor, then the others (NumPy values take x's dtype)."""
    x = T.as_tensor(x)
    return (x,) + tuple(T.as_tensor(o, T.keras_dtype(x)) for o in others)


def _known(shape, fn, what):
    if any(d is None for d in shape):
        raise ValueError('%s: the CNTK engine needs the %s shape to be known; received %s.'
                         % (fn, what, tuple(shape)))
    return tuple(int(d) for d in shape)


def _check_kernel(kernel, fn, what):
    if T.hidden_batch(kernel):
        raise ValueError('%s: the %s cannot depend on the batch (inside an rnn step on CNTK).'
                         % (fn, what))


def _compute_storage(x):
    return 'float32' if T.cntk_dtype(x) == 'float16' else T.cntk_dtype(x)


def _to_samples(x, data_format, channels=None):
    """x as CNTK samples (channels, spatial...) on CNTK's batch axis, in a dtype CNTK convolves."""
    s = x if T.hidden_batch(x) else C.to_batch(x)
    s = T.cast_storage(s, _compute_storage(x))
    if data_format == 'channels_last':
        rank = len(s.shape)
        s = C.transpose(s, [rank - 1] + list(range(rank - 1)))
    if channels is not None and s.shape[0] < 0:  # a free channel count: CNTK's kernels need it
        s = C.reshape(s, (channels,), begin_axis=0, end_axis=1)
    return s


def _from_samples(y, x, data_format, keras_shape):
    """Samples y back in x's layout, batch and dtype, with the static Keras shape recorded."""
    if data_format == 'channels_last':
        rank = len(y.shape)
        y = C.transpose(y, list(range(1, rank)) + [0])
    if not T.hidden_batch(x):
        y = C.unpack_batch(y)
    y = T.same(x, T.cast_storage(y, T.cntk_dtype(x)))
    y._keras_shape = tuple(keras_shape)
    return y


def _layout(batch, channels, spatial, data_format):
    if data_format == 'channels_first':
        return (batch, channels) + tuple(spatial)
    return (batch,) + tuple(spatial) + (channels,)


def _kernel(kernel, perm, storage):
    """A Keras kernel transposed to CNTK's layout, in the compute dtype."""
    return T.cast_storage(C.transpose(kernel, perm), storage)


def _dilate(kernel, first, dilation):
    """A CNTK kernel with dilation - 1 zeros between taps along its spatial axes (from `first` on)."""
    for i, rate in enumerate(dilation):
        if rate == 1:
            continue
        axis = first + i
        size = kernel.shape[axis]
        zero = C.zeros_like(kernel)
        spread = C.splice(*[T.insert_axis(part, axis + 1) for part in [kernel] + [zero] * (rate - 1)],
                          axis=axis + 1)
        merged = C.reshape(spread, (size * rate,), begin_axis=axis, end_axis=axis + 2)
        kernel = C.slice(merged, axis, 0, (size - 1) * rate + 1)
    return kernel


# --- padding -------------------------------------------------------------------------------------

def _same_pads(n, span, stride):
    """TensorFlow's 'same' (before, after) padding of an axis of size n."""
    total = max((-(-n // stride) - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def _pad(s, pattern, value):
    if all(p == (0, 0) for p in pattern):
        return s
    return C.pad(s, pattern=[tuple(p) for p in pattern], mode=C.CONSTANT_PAD, constant_value=value)


def _runtime_size(s, axis):
    """The run-time size of sample axis `axis` as a (1, ..., 1) tensor."""
    others = [a for a in range(len(s.shape)) if a != axis]
    first = C.slice(C.stop_gradient(s), others, [0] * len(others), [1] * len(others))
    return C.reduce_sum(C.ones_like(first), axis=axis)


def _same_phase(s, axis, window, stride, value):
    """s cut so that a 'valid' op with `stride` along `axis` gives TensorFlow's 'same' windows, for an
    axis whose size n is known only at run time (no dilation: it is not combined with strides).

    TensorFlow pads before by max(window - r, 0) // 2, r = n mod stride (stride when 0): the largest
    pad is padded, and the slice starting at the phase of the actual r (length n + window - 1, so
    every phase gives ceil(n / stride) windows) is selected at run time."""
    before = (window - 1) // 2
    phases = {}
    for r in range(1, stride + 1):
        phases.setdefault(before - max(window - r, 0) // 2, []).append(r % stride)
    after = max(phases) + window - 1 - before
    pattern = [(0, 0)] * len(s.shape)
    pattern[axis] = (before, after)
    padded = _pad(s, pattern, value)
    n = _runtime_size(s, axis)
    remainder = n - C.floor(n / stride) * stride
    out = None
    for phase in sorted(phases):
        # end <= 0 counts from the end (0 is the end): the slice holds n + window - 1 cells
        part = C.slice(padded, axis, phase, phase + window - 1 - before - after)
        if out is None:
            out = part
            continue
        hit = C.equal(remainder, phases[phase][0])
        for r in phases[phase][1:]:
            hit = hit + C.equal(remainder, r)
        out = C.element_select(hit, part, out)
    return out


def _pad_for(s, spatial, window, strides, dilation, padding, value=0.0):
    """Samples s padded so that a 'valid' op with `strides` gives the `padding` result."""
    pattern, late = [(0, 0)], []
    for i, (n, k, stride, rate) in enumerate(zip(spatial, window, strides, dilation)):
        span = (k - 1) * rate + 1
        if padding == 'valid':
            pattern.append((0, 0))
        elif padding == 'causal':
            pattern.append((span - 1, 0))
        elif n is not None:
            pattern.append(_same_pads(n, span, stride))
        elif stride == 1:  # the split does not depend on n
            pattern.append(((span - 1) // 2, span - 1 - (span - 1) // 2))
        else:
            pattern.append((0, 0))
            late.append(i)
    s = _pad(s, pattern, value)
    for i in late:
        s = _same_phase(s, i + 1, window[i], strides[i], value)
    return s


def _out_spatial(spatial, window, strides, dilation, padding):
    return tuple(checks.window_output_size(n, k, s, d, padding)
                 for n, k, s, d in zip(spatial, window, strides, dilation))


# --- convolutions --------------------------------------------------------------------------------

def _correlate(s, kernel, spatial, window, strides, dilation, padding, groups=1):
    """Samples s cross-correlated with a CNTK kernel (out, in / groups, window...), not yet dilated."""
    kernel = _dilate(kernel, 2, dilation)
    padded = _pad_for(s, spatial, window, strides, dilation, padding)
    return C.convolution(kernel, padded, strides=(1,) + tuple(strides), auto_padding=[False],
                         groups=groups)


def _conv(fn, rank, x, kernel, strides, padding, data_format, dilation_rate, paddings=('valid', 'same')):
    x, kernel = _tensors(x, kernel)
    checks.check_float_dtypes(fn, x=T.keras_dtype(x), kernel=T.keras_dtype(kernel))
    x_shape, k_shape = T.keras_shape(x), T.keras_shape(kernel)
    strides, padding, data_format, dilation = checks.check_conv(
        fn, rank, x_shape, k_shape, strides, padding, data_format, dilation_rate, paddings)
    _check_kernel(kernel, fn, 'kernel')
    k_shape = _known(k_shape, fn, 'kernel')
    window, channels_in, channels_out = k_shape[:rank], k_shape[-2], k_shape[-1]
    spatial = checks.spatial_of(x_shape, data_format)
    s = _to_samples(x, data_format, channels_in)
    cntk_kernel = _kernel(kernel, [rank + 1, rank] + list(range(rank)), T.cntk_dtype(s))
    y = _correlate(s, cntk_kernel, spatial, window, strides, dilation, padding)
    out = _out_spatial(spatial, window, strides, dilation, padding)
    return _from_samples(y, x, data_format, _layout(x_shape[0], channels_out, out, data_format))


def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _conv('conv1d', 1, x, kernel, strides, padding, data_format, dilation_rate,
                 ('valid', 'same', 'causal'))


def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _conv('conv2d', 2, x, kernel, strides, padding, data_format, dilation_rate)


def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None, dilation_rate=(1, 1, 1)):
    return _conv('conv3d', 3, x, kernel, strides, padding, data_format, dilation_rate)


def _cut_to_output(y, in_spatial, out_spatial, window, strides, dilation, padding):
    """The full-size transpose y (channels, (in - 1) * stride + span ...) cut to TensorFlow's output:
    cells [pad_before, pad_before + out) of each axis, zeros past the full size."""
    pattern = [(0, 0)]
    for i, (m, n, k, stride, rate) in enumerate(zip(in_spatial, out_spatial, window, strides,
                                                   dilation)):
        span = (k - 1) * rate + 1
        full = (m - 1) * stride + span
        before = _same_pads(n, span, stride)[0] if padding == 'same' else 0
        end = min(before + n, full)
        if (before, end) != (0, full):
            y = C.slice(y, i + 1, before, end)
        pattern.append((0, before + n - end))
    return _pad(y, pattern, 0.0)


def _conv_transpose(fn, rank, x, kernel, output_shape, strides, padding, data_format, dilation_rate):
    x, kernel = _tensors(x, kernel)
    checks.check_float_dtypes(fn, x=T.keras_dtype(x), kernel=T.keras_dtype(kernel))
    x_shape, k_shape = T.keras_shape(x), T.keras_shape(kernel)
    output_shape, strides, padding, data_format, dilation = checks.check_transpose(
        fn, rank, x_shape, k_shape, output_shape, strides, padding, data_format, dilation_rate,
        _array._static_int)
    _check_kernel(kernel, fn, 'kernel')
    k_shape = _known(k_shape, fn, 'kernel')
    window, channels_out, channels_in = k_shape[:rank], k_shape[-2], k_shape[-1]
    out_spatial = checks.spatial_of(output_shape, data_format)
    # the input's spatial size is the one the output's conv gives (checked when it is known)
    in_spatial = _out_spatial(out_spatial, window, strides, dilation, padding)
    s = _to_samples(x, data_format, channels_in)
    # CNTK's transpose kernel is (in, out, window...): the Keras kernel (window..., out, in) reversed
    cntk_kernel = _dilate(_kernel(kernel, [rank + 1, rank] + list(range(rank)), T.cntk_dtype(s)), 2,
                          dilation)
    full = C.convolution_transpose(cntk_kernel, s, strides=(1,) + tuple(strides), auto_padding=[False])
    y = _cut_to_output(full, in_spatial, out_spatial, window, strides, dilation, padding)
    if any(d < 0 for d in y.shape):  # free spatial input: the output's size is known
        y = C.reshape(y, (channels_out,) + tuple(out_spatial))
    batch = x_shape[0] if output_shape[0] is None else output_shape[0]
    return _from_samples(y, x, data_format, _layout(batch, channels_out, out_spatial, data_format))


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _conv_transpose('conv2d_transpose', 2, x, kernel, output_shape, strides, padding,
                           data_format, dilation_rate)


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid', data_format=None):
    return _conv_transpose('conv3d_transpose', 3, x, kernel, output_shape, strides, padding,
                           data_format, 1)


# --- depthwise / separable -----------------------------------------------------------------------

def _depthwise(fn, rank, x, depthwise_kernel, strides, padding, data_format, dilation_rate):
    """(samples of the depthwise conv, x, its kernel, x's Keras shape, output spatial, channels,
    data_format)."""
    x, kernel = _tensors(x, depthwise_kernel)
    checks.check_float_dtypes(fn, x=T.keras_dtype(x), depthwise_kernel=T.keras_dtype(kernel))
    x_shape, k_shape = T.keras_shape(x), T.keras_shape(kernel)
    strides, padding, data_format, dilation = checks.check_depthwise(
        fn, rank, x_shape, k_shape, strides, padding, data_format, dilation_rate)
    _check_kernel(kernel, fn, 'depthwise kernel')
    k_shape = _known(k_shape, fn, 'depthwise kernel')
    window, channels, multiplier = k_shape[:rank], k_shape[-2], k_shape[-1]
    spatial = checks.spatial_of(x_shape, data_format)
    s = _to_samples(x, data_format, channels)
    # one group per input channel; output channel c * multiplier + m (channel-major, as TensorFlow)
    cntk_kernel = _kernel(kernel, [rank, rank + 1] + list(range(rank)), T.cntk_dtype(s))
    cntk_kernel = C.reshape(cntk_kernel, (channels * multiplier, 1) + tuple(window))
    out = _out_spatial(spatial, window, strides, dilation, padding)
    if rank == 1:  # CNTK's grouped 1-D convolution fails on CPU ("mkl err"): run it on 1 x steps
        s, cntk_kernel = T.insert_axis(s, 1), T.insert_axis(cntk_kernel, 2)
        spatial, window, strides, dilation = [(1,) + tuple(a) for a in (spatial, window, strides,
                                                                        dilation)]
    y = _correlate(s, cntk_kernel, spatial, window, strides, dilation, padding, groups=channels)
    if rank == 1:
        y = T.drop_axis(y, 1)
    return y, x, kernel, x_shape, out, channels * multiplier, data_format


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    y, x, _, x_shape, out, channels, data_format = _depthwise(
        'depthwise_conv2d', 2, x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return _from_samples(y, x, data_format, _layout(x_shape[0], channels, out, data_format))


def _separable(fn, rank, x, depthwise_kernel, pointwise_kernel, strides, padding, data_format, dilation_rate):
    y, x, depthwise_kernel, x_shape, out, channels, data_format = _depthwise(
        fn, rank, x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    pointwise_kernel = T.as_tensor(pointwise_kernel, T.keras_dtype(x))
    checks.check_float_dtypes(fn, depthwise_kernel=T.keras_dtype(depthwise_kernel),
                              pointwise_kernel=T.keras_dtype(pointwise_kernel))
    p_shape = T.keras_shape(pointwise_kernel)
    checks.check_pointwise(fn, rank, T.keras_shape(depthwise_kernel), p_shape)
    _check_kernel(pointwise_kernel, fn, 'pointwise kernel')
    filters = _known(p_shape, fn, 'pointwise kernel')[-1]
    cntk_kernel = _kernel(pointwise_kernel, [rank + 1, rank] + list(range(rank)), T.cntk_dtype(y))
    y = C.convolution(cntk_kernel, y, strides=(1,) * (rank + 1), auto_padding=[False])
    return _from_samples(y, x, data_format, _layout(x_shape[0], filters, out, data_format))


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    return _separable('separable_conv1d', 1, x, depthwise_kernel, pointwise_kernel, strides, padding,
                      data_format, dilation_rate)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    return _separable('separable_conv2d', 2, x, depthwise_kernel, pointwise_kernel, strides, padding,
                      data_format, dilation_rate)


# --- pooling -------------------------------------------------------------------------------------

def _real_counts(spatial, pool_size, strides):
    """The number of real (unpadded) cells in each 'same' window, as an array (1, out spatial...)."""
    counts = np.ones((1,))
    for n, k, stride in zip(spatial, pool_size, strides):
        before = _same_pads(n, k, stride)[0]
        starts = np.arange(-(-n // stride)) * stride - before
        axis = np.minimum(starts + k, n) - np.maximum(starts, 0)
        counts = np.multiply.outer(counts, axis)
    return counts


def _pool(fn, rank, x, pool_size, strides, padding, data_format, pool_mode):
    x = T.as_tensor(x)
    checks.check_float_dtypes(fn, x=T.keras_dtype(x))
    x_shape = T.keras_shape(x)
    pool_size, strides, padding, data_format, pool_mode = checks.check_pool(
        fn, rank, x_shape, pool_size, strides, padding, data_format, pool_mode)
    spatial = checks.spatial_of(x_shape, data_format)
    s = _to_samples(x, data_format)
    ones = (1,) * rank
    kind = C.MAX_POOLING if pool_mode == 'max' else C.AVG_POOLING
    fill = _LOWEST if pool_mode == 'max' else 0.0
    padded = _pad_for(s, spatial, pool_size, strides, ones, padding, fill)
    y = C.pooling(padded, kind, pool_size, strides=strides, auto_padding=[False])
    if pool_mode == 'avg' and padding == 'same':
        # CNTK divides by the window size; TensorFlow by the count of real cells
        if None in spatial:
            real = _pad_for(C.ones_like(C.stop_gradient(s)), spatial, pool_size, strides, ones, padding)
            y = y / C.pooling(real, kind, pool_size, strides=strides, auto_padding=[False])
        else:
            scale = np.prod(pool_size) / _real_counts(spatial, pool_size, strides)
            if np.any(scale != 1):
                y = y * C.constant(scale.astype(T.cntk_dtype(y)))
    out = _out_spatial(spatial, pool_size, strides, ones, padding)
    channels = x_shape[checks.channel_axis(data_format)]
    return _from_samples(y, x, data_format, _layout(x_shape[0], channels, out, data_format))


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    return _pool('pool2d', 2, x, pool_size, strides, padding, data_format, pool_mode)


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None, pool_mode='max'):
    return _pool('pool3d', 3, x, pool_size, strides, padding, data_format, pool_mode)
