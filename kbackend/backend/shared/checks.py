"""Argument checks shared by every engine, so the same bad input gives the same error everywhere.

Plain functions of Python values (no engine, no ``K``): each returns the normalised value or raises
``ValueError`` saying what was expected and what was received.
"""
import operator

from ..common import normalize_data_format  # noqa: F401  (re-exported for the adapters)


def check_choice(name, value, allowed):
    """`value` when it is one of `allowed`, else ValueError naming the argument."""
    if value not in allowed:
        raise ValueError('Bad %s: %r; expected one of %s.'
                         % (name, value, ', '.join(repr(a) for a in allowed)))
    return value


def check_padding(padding, allowed=('valid', 'same')):
    if not isinstance(padding, str):
        raise ValueError('Bad padding: %r; expected one of %s.'
                         % (padding, ', '.join(repr(a) for a in allowed)))
    return check_choice('padding', padding.lower(), allowed)


def check_pool_mode(pool_mode):
    return check_choice('pool_mode', pool_mode, ('max', 'avg'))


def int_tuple(name, value, n):
    """An int or a sequence of `n` ints as an n-tuple of positive ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * n
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError('Bad %s: %r; expected an int or a tuple of %d ints.' % (name, value, n))
    if len(value) != n or any(v < 1 for v in value):
        raise ValueError('Bad %s: %r; expected %d positive ints.' % (name, value, n))
    return value


# --- conv / pool -----------------------------------------------------------------------------------
# Shapes are tuples of ints and None (unknown); the checks use what is known and skip the rest.

_CONV_LAYOUT = {'channels_last': 'batch, spatial..., channels', 'channels_first': 'batch, channels, spatial...'}


def channel_axis(data_format):
    return 1 if data_format == 'channels_first' else -1


def spatial_of(shape, data_format):
    """The spatial dims of an input `shape` in `data_format`."""
    return tuple(shape[2:]) if data_format == 'channels_first' else tuple(shape[1:-1])


def check_ndim(fn, what, shape, ndim, layout=None):
    if len(shape) != ndim:
        raise ValueError('%s: expected %s to be %d-D%s; received a %d-D tensor of shape %s.'
                         % (fn, what, ndim, ' (%s)' % layout if layout else '', len(shape), tuple(shape)))


def check_float_dtypes(fn, **dtypes):
    """Every named dtype must be a float dtype, and all the same (engines would otherwise disagree)."""
    names = sorted(dtypes)
    for name in names:
        if not str(dtypes[name]).startswith(('float', 'bfloat')):
            raise ValueError('%s: expected %s to have a float dtype; received %s.' % (fn, name, dtypes[name]))
    if len(set(str(dtypes[n]) for n in names)) > 1:
        raise ValueError('%s: expected %s to have the same dtype; received %s.'
                         % (fn, ' and '.join(names), ', '.join('%s=%s' % (n, dtypes[n]) for n in names)))


def check_same_size(fn, what, expected, received):
    if expected is not None and received is not None and expected != received:
        raise ValueError('%s: %s: expected %d; received %d.' % (fn, what, expected, received))


def window_output_size(n, k, stride, dilation, padding):
    """Output length of a window op (TF's rule); None when `n` is unknown."""
    if n is None:
        return None
    if padding == 'valid':
        return (n - (k - 1) * dilation - 1) // stride + 1
    return (n + stride - 1) // stride  # 'same'; 'causal' pads the input first, so it is 'same'-sized


def check_window_fits(fn, spatial, window, strides, dilation, padding):
    """With 'valid' padding the (dilated) window must fit in the input."""
    for n, k, s, d in zip(spatial, window, strides, dilation):
        if padding == 'valid' and n is not None and n < (k - 1) * d + 1:
            raise ValueError("%s: with padding 'valid' each spatial size must be at least the (dilated) "
                             'window size %s; received spatial shape %s.'
                             % (fn, tuple((k_ - 1) * d_ + 1 for k_, d_ in zip(window, dilation)),
                                tuple(spatial)))


def conv_args(fn, rank, x_shape, strides, padding, data_format, dilation_rate=1,
              paddings=('valid', 'same')):
    """The normalised (strides, padding, data_format, dilation_rate) of a rank-`rank` conv/pool."""
    data_format = normalize_data_format(data_format)
    padding = check_padding(padding, paddings)
    strides = int_tuple('strides', strides, rank)
    dilation_rate = int_tuple('dilation_rate', dilation_rate, rank)
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError('%s: strides > 1 cannot be combined with dilation_rate > 1; received strides=%s '
                         'and dilation_rate=%s.' % (fn, strides, dilation_rate))
    check_ndim(fn, 'the input', x_shape, rank + 2, _CONV_LAYOUT[data_format])
    return strides, padding, data_format, dilation_rate


def check_conv_kernel(fn, rank, x_shape, kernel_shape, data_format, in_axis=-2, what='kernel',
                      layout='spatial..., in_channels, out_channels', in_size=None):
    """The kernel is (spatial..., ...) with x's channel count at `in_axis` (times 1 unless `in_size`)."""
    check_ndim(fn, 'the %s' % what, kernel_shape, rank + 2, layout)
    check_same_size(fn, "the %s's input channels (axis %d of %s) must equal the input's channels"
                    % (what, in_axis, tuple(kernel_shape)),
                    x_shape[channel_axis(data_format)] if in_size is None else in_size,
                    kernel_shape[in_axis])


def check_conv(fn, rank, x_shape, kernel_shape, strides, padding, data_format, dilation_rate=1,
               paddings=('valid', 'same')):
    """conv_args plus the kernel's rank, channel count and fit; the normalised arguments."""
    strides, padding, data_format, dilation_rate = conv_args(
        fn, rank, x_shape, strides, padding, data_format, dilation_rate, paddings)
    check_conv_kernel(fn, rank, x_shape, kernel_shape, data_format)
    check_window_fits(fn, spatial_of(x_shape, data_format), kernel_shape[:rank], strides,
                      dilation_rate, padding)
    return strides, padding, data_format, dilation_rate


def _static_int(value):
    """`value` as an int when it is a Python/NumPy integer, else None (unknown or symbolic)."""
    try:
        return operator.index(value)
    except TypeError:
        return None


def check_transpose(fn, rank, x_shape, kernel_shape, output_shape, strides, padding, data_format,
                    dilation_rate=1):
    """Checks a transposed conv; returns (output_shape, strides, padding, data_format, dilation_rate).

    The kernel is (spatial..., out_channels, in_channels); `output_shape` (batch included, None
    allowed for the batch) must be a shape whose conv by this kernel has x's spatial shape.
    """
    strides, padding, data_format, dilation_rate = conv_args(
        fn, rank, x_shape, strides, padding, data_format, dilation_rate)
    check_ndim(fn, 'the kernel', kernel_shape, rank + 2, 'spatial..., out_channels, in_channels')
    # The batch may be None or a tensor (Keras layers pass K.shape(x)[0]): it is then taken from x.
    try:
        output_shape = tuple(output_shape)
    except TypeError:
        output_shape = ()
    output_shape = tuple(_static_int(d) for d in output_shape)
    if len(output_shape) != rank + 2 or any(d is None or d < 1 for d in output_shape[1:]):
        raise ValueError('%s: expected output_shape to be a tuple of %d positive ints (batch first, None '
                         'allowed for the batch); received %r.' % (fn, rank + 2, output_shape))
    axis = channel_axis(data_format)
    check_same_size(fn, "the kernel's input channels (last axis of %s) must equal the input's channels"
                    % (tuple(kernel_shape),), x_shape[axis], kernel_shape[-1])
    check_same_size(fn, "the kernel's output channels (axis -2 of %s) must equal output_shape's channels"
                    % (tuple(kernel_shape),), output_shape[axis], kernel_shape[-2])
    check_same_size(fn, "output_shape's batch must equal the input's batch", x_shape[0], output_shape[0])
    out_spatial = spatial_of(output_shape, data_format)
    check_window_fits(fn, out_spatial, kernel_shape[:rank], strides, dilation_rate, padding)
    for n, k, s, d, m in zip(out_spatial, kernel_shape[:rank], strides, dilation_rate,
                             spatial_of(x_shape, data_format)):
        expected = window_output_size(n, k, s, d, padding)
        if m is not None and expected != m:
            raise ValueError('%s: output_shape %s does not match the input: a %s conv of output_shape '
                             'gives spatial shape %s, the input has %s.'
                             % (fn, output_shape, padding,
                                tuple(window_output_size(*a + (padding,)) for a in zip(
                                    out_spatial, kernel_shape[:rank], strides, dilation_rate)),
                                spatial_of(x_shape, data_format)))
    return output_shape, strides, padding, data_format, dilation_rate


def check_pool(fn, rank, x_shape, pool_size, strides, padding, data_format, pool_mode):
    """The normalised (pool_size, strides, padding, data_format, pool_mode) of a pooling op."""
    pool_mode = check_pool_mode(pool_mode)
    pool_size = int_tuple('pool_size', pool_size, rank)
    strides, padding, data_format, _ = conv_args(fn, rank, x_shape, strides, padding, data_format)
    check_window_fits(fn, spatial_of(x_shape, data_format), pool_size, strides, (1,) * rank, padding)
    return pool_size, strides, padding, data_format, pool_mode


# --- math / shape ----------------------------------------------------------------------------------

def batch_dot_axes(axes, x_ndim, y_ndim):
    """The (x_axis, y_axis) contracted by batch_dot, normalised to non-negative ints.

    None means (last of x, second-to-last of y); for a 2-D y that is its axis 1, as both 2.2.4 engines
    effectively computed. The batch axis 0 can be contracted only between two 2-D inputs (sum over
    the batch, as TensorFlow's 2.2.4 backend did). Two 2-D inputs with crossed axes, (0, 1) or (1, 0),
    follow TensorFlow's 2.2.4 backend too: sum(transpose(x) * y, axis=axes[1]).
    """
    if x_ndim is None or y_ndim is None or x_ndim < 2 or y_ndim < 2:
        raise ValueError('batch_dot: expected two tensors of rank >= 2 (batch first); received ranks %s '
                         'and %s.' % (x_ndim, y_ndim))
    if axes is None:
        axes = (x_ndim - 1, max(y_ndim - 2, 1))
    elif isinstance(axes, int) and not isinstance(axes, bool):
        axes = (axes, axes)
    if (not isinstance(axes, (list, tuple)) or len(axes) != 2
            or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes)):
        raise ValueError('batch_dot: multiple target dimensions are not supported; expected axes to be '
                         'None, an int or a pair of ints (x_axis, y_axis); received %r.' % (axes,))
    x_axis, y_axis = axes
    if not (-x_ndim <= x_axis < x_ndim and -y_ndim <= y_axis < y_ndim):
        raise ValueError('batch_dot: axes %r out of range for ranks %d and %d.' % (tuple(axes), x_ndim, y_ndim))
    x_axis, y_axis = x_axis % x_ndim, y_axis % y_ndim
    if (x_axis == 0 or y_axis == 0) and not x_ndim == y_ndim == 2:
        raise ValueError('batch_dot: axis 0 is the batch axis and can only be contracted between two '
                         '2-D inputs; received axes %r for ranks %d and %d.' % (tuple(axes), x_ndim, y_ndim))
    return x_axis, y_axis


def is_number(value):
    """True for a Python or NumPy scalar (not a symbolic tensor)."""
    return isinstance(value, (int, float)) or (hasattr(value, 'dtype') and getattr(value, 'ndim', 1) == 0
                                               and not hasattr(value, 'op') and not hasattr(value, 'owner'))


def clip_bounds(min_value, max_value, dtype):
    """clip's (min, max) for values of `dtype` (a NumPy dtype): None means unbounded, and a numeric max
    below the min becomes the min. Integer dtypes get their own limits instead of infinities."""
    import numpy as np
    dtype = np.dtype(dtype)
    low, high = (-np.inf, np.inf) if dtype.kind not in 'iub' else (np.iinfo(dtype).min, np.iinfo(dtype).max)
    min_value = low if min_value is None else min_value
    max_value = high if max_value is None else max_value
    if is_number(min_value) and is_number(max_value) and max_value < min_value:
        max_value = min_value
    return min_value, max_value


def pad_widths(fn, padding, ndim, spatial, data_format='channels_last'):
    """The per-axis (before, after) zero-padding of a `ndim`-D tensor whose `spatial` axes get `padding`.

    `padding` is one (before, after) pair of non-negative ints per spatial axis (a bare pair when there
    is one spatial axis); the batch and channel axes get (0, 0).
    """
    pairs = (padding,) if spatial == 1 else padding
    try:
        pairs = tuple(tuple(int(v) for v in pair) for pair in pairs)
    except TypeError:
        pairs = None
    if (pairs is None or len(pairs) != spatial or any(len(p) != 2 or min(p) < 0 for p in pairs)):
        raise ValueError('%s: expected padding to be %s of non-negative ints; received %r.'
                         % (fn, 'a (before, after) pair' if spatial == 1 else
                            '%d (before, after) pairs' % spatial, padding))
    if ndim != spatial + 2:
        raise ValueError('%s: expected a %d-D input; received a %d-D tensor.' % (fn, spatial + 2, ndim))
    data_format = normalize_data_format(data_format)
    if data_format == 'channels_first':
        return ((0, 0), (0, 0)) + pairs
    return ((0, 0),) + pairs + ((0, 0),)


def resize_args(fn, ndim, factors, data_format, interpolation='nearest'):
    """(factors, spatial axes) of resize_images/resize_volumes, checked: data_format is required."""
    check_choice('data_format', data_format, ('channels_first', 'channels_last'))
    check_choice('interpolation', interpolation, ('nearest', 'bilinear'))
    if any(_static_int(f) is None or f < 1 for f in factors):
        raise ValueError('%s: expected positive int factors; received %r.' % (fn, tuple(factors)))
    factors = tuple(int(f) for f in factors)
    if ndim != len(factors) + 2:
        raise ValueError('%s: expected a %d-D input (%s); received a %s-D tensor.'
                         % (fn, len(factors) + 2, _CONV_LAYOUT[data_format], ndim))
    first = 2 if data_format == 'channels_first' else 1
    return factors, tuple(range(first, first + len(factors)))


def check_depthwise(fn, rank, x_shape, kernel_shape, strides, padding, data_format, dilation_rate=1):
    """A depthwise kernel is (spatial..., in_channels, multiplier); the normalised arguments."""
    strides, padding, data_format, dilation_rate = conv_args(
        fn, rank, x_shape, strides, padding, data_format, dilation_rate)
    check_conv_kernel(fn, rank, x_shape, kernel_shape, data_format, what='depthwise kernel',
                      layout='spatial..., in_channels, multiplier')
    check_window_fits(fn, spatial_of(x_shape, data_format), kernel_shape[:rank], strides,
                      dilation_rate, padding)
    return strides, padding, data_format, dilation_rate


def check_pointwise(fn, rank, depthwise_shape, pointwise_shape):
    """A pointwise kernel is (1..., in_channels * multiplier, filters)."""
    in_c, mult = depthwise_shape[-2], depthwise_shape[-1]
    check_conv_kernel(fn, rank, (None,), pointwise_shape, 'channels_last', what='pointwise kernel',
                      layout='1..., in_channels * multiplier, filters',
                      in_size=None if in_c is None or mult is None else in_c * mult)
    if any(k not in (1, None) for k in pointwise_shape[:rank]):
        raise ValueError('%s: expected the pointwise kernel to have spatial size 1; received shape %s.'
                         % (fn, tuple(pointwise_shape)))


# --- control ---------------------------------------------------------------------------------------

def check_switch_ranks(cond_ndim, then_ndim, else_ndim):
    """The rank a switch condition is expanded to (the branches'); ValueError if the condition's is higher."""
    rank = max(then_ndim, else_ndim)
    if cond_ndim > rank:
        raise ValueError('switch: expected the rank of condition to be at most the rank of the branches '
                         '(%d); received a condition of rank %d (branch ranks %d and %d).'
                         % (rank, cond_ndim, then_ndim, else_ndim))
    return rank


def tile_reps(n, ndim):
    """np.tile's reps for a `ndim`-D tensor: (reps of length max(len, ndim), leading axes to add to x)."""
    reps = list(n) if isinstance(n, (list, tuple)) or getattr(n, 'ndim', 0) == 1 else [n]
    reps = [int(r) if is_number(r) else r for r in reps]  # NumPy ints as Python ints (legacy Theano)
    if len(reps) < ndim:
        reps = [1] * (ndim - len(reps)) + reps
    return reps, len(reps) - ndim


def normalize_axis(fn, axis, ndim):
    """A single axis in [0, ndim), from a possibly negative int; ValueError when out of range."""
    if not isinstance(axis, int) or isinstance(axis, bool) or not -ndim <= axis < ndim:
        raise ValueError('%s: expected an axis in [%d, %d); received %r.' % (fn, -ndim, ndim, axis))
    return axis % ndim


def check_broadcastable(fn, shape, broadcastable):
    """`broadcastable` as a tuple of bools, one per axis of `shape` (None dims and shape unknown pass);
    an axis marked broadcastable must have size 1."""
    try:
        pattern = tuple(bool(b) for b in broadcastable)
    except TypeError:
        raise ValueError('%s: expected broadcastable to be a sequence of bools; received %r.'
                         % (fn, broadcastable))
    if shape is not None:
        if len(pattern) != len(shape):
            raise ValueError('%s: expected one broadcastable flag per axis (%d); received %r.'
                             % (fn, len(shape), broadcastable))
        wrong = [i for i, (d, b) in enumerate(zip(shape, pattern)) if b and d is not None and d != 1]
        if wrong:
            raise ValueError('%s: axes %s are marked broadcastable, so they must have size 1; received '
                             'shape %s.' % (fn, wrong, tuple(shape)))
    return pattern


def check_local(fn, rank, x_shape, kernel_shape, kernel_size, strides, out_sizes, data_format):
    """A locally connected op: kernel (positions, window * in_channels, filters); the normalised
    (kernel_size, strides, out_sizes, data_format)."""
    data_format = normalize_data_format(data_format)
    kernel_size = int_tuple('kernel_size', kernel_size, rank)
    strides = int_tuple('strides', strides, rank)
    out_sizes = int_tuple('output_shape', out_sizes, rank)
    check_ndim(fn, 'the input', x_shape, rank + 2, _CONV_LAYOUT[data_format])
    check_ndim(fn, 'the kernel', kernel_shape, 3, 'output positions, window * in_channels, filters')
    positions = 1
    for n in out_sizes:
        positions *= n
    check_same_size(fn, "the kernel's first axis (shape %s) must equal the number of output positions %s"
                    % (tuple(kernel_shape), out_sizes), positions, kernel_shape[0])
    channels = x_shape[channel_axis(data_format)]
    window = 1
    for k in kernel_size:
        window *= k
    check_same_size(fn, "the kernel's second axis (shape %s) must equal prod(kernel_size) * in_channels"
                    % (tuple(kernel_shape),), None if channels is None else window * channels,
                    kernel_shape[1])
    for n, k, s, m in zip(spatial_of(x_shape, data_format), kernel_size, strides, out_sizes):
        if n is not None and (m - 1) * s + k > n:
            raise ValueError('%s: %s outputs of window %s and strides %s do not fit in the input of '
                             'spatial shape %s.' % (fn, out_sizes, kernel_size, strides,
                                                    spatial_of(x_shape, data_format)))
    return kernel_size, strides, out_sizes, data_format


def constant_array(value, dtype, shape):
    """K.constant's value as a NumPy array of `shape` (None: as it is): a single value fills the shape,
    a value of the same size is reshaped (tf.constant's rule); anything else is a ValueError."""
    import numpy as np
    array = np.asarray(value, dtype=dtype)
    if shape is None:
        return array
    shape = tuple(int(d) for d in shape)
    size = int(np.prod(shape, dtype='int64'))
    if array.size == 1:
        return np.full(shape, array.reshape(()), dtype=dtype)
    if array.size != size:
        raise ValueError('constant: a value of shape %s (%d elements) cannot fill shape %s (%d '
                         'elements); expected a single value or %d elements.'
                         % (array.shape, array.size, shape, size, size))
    return array.reshape(shape)


# --- ctc -------------------------------------------------------------------------------------------

def check_ctc_ranks(fn, **ranks_and_expected):
    """Each keyword is name=(rank, expected rank); ValueError for the first that differs."""
    for name in sorted(ranks_and_expected):
        rank, expected = ranks_and_expected[name]
        if rank is not None and rank != expected:
            raise ValueError('%s: expected %s to be %d-D; received a %d-D tensor.' % (fn, name, expected, rank))


def check_beam_search(beam_width, top_paths):
    """Positive ints with top_paths <= beam_width (a beam cannot hold more paths than its width)."""
    for name, value in (('beam_width', beam_width), ('top_paths', top_paths)):
        if isinstance(value, bool) or not hasattr(value, '__index__') or value < 1:
            raise ValueError('ctc_decode: expected %s to be a positive int; received %r.' % (name, value))
    if top_paths > beam_width:
        raise ValueError('ctc_decode: expected top_paths <= beam_width; received top_paths=%d, '
                         'beam_width=%d.' % (top_paths, beam_width))


def check_squeezable(shape, axis):
    """The axis (normalised) that squeeze removes; it must have size 1 where the size is known."""
    axis = normalize_axis('squeeze', axis, len(shape))
    if shape[axis] is not None and shape[axis] != 1:
        raise ValueError('squeeze: expected axis %d to have size 1; received shape %s.' % (axis, tuple(shape)))
    return axis


def check_slice_args(ndim, start, size):
    """slice's start and size, when given as sequences, need one entry per axis of x."""
    for name, value in (('start', start), ('size', size)):
        if isinstance(value, (list, tuple)) and ndim is not None and len(value) != ndim:
            raise ValueError('slice: expected %s to have one entry per axis (%d); received %r.'
                             % (name, ndim, value))


def check_function_inputs(inputs, expected):
    """The values passed to a K.function: a list or tuple of `expected` values."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError('A backend function takes a list or tuple of input values; received %s.'
                        % type(inputs).__name__)
    if len(inputs) != expected:
        raise ValueError('This function expects %d input values; received %d.'
                         % (expected, len(inputs)))
