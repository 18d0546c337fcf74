"""Argument checks shared by every engine, so the same bad input gives the same error everywhere.

Plain functions of Python values (no engine, no ``K``): each returns the normalised value or raises
``ValueError`` saying what was expected and what was received.
"""
import numbers
import operator

from ..common import normalize_data_format  # noqa: F401  (re-exported for the adapters)
from .feeds import DTYPES, FLOATS, INTS, check_dtype, dtype_name  # noqa: F401  (dtypes: one list, one check)


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


def int_tuple(name, value, n, fn=None):
    """An int or a sequence of `n` ints as an n-tuple of positive ints (a float such as 2.0 or 1.5 is a
    ValueError: it used to be truncated silently)."""
    where = '%s: ' % fn if fn else ''
    if is_int(value):
        value = (value,) * n
    try:
        items = tuple(value)
    except TypeError:
        raise ValueError('%sBad %s: %r; expected %d positive ints (one int for all axes, or a tuple '
                         'of them).' % (where, name, value, n))
    if len(items) != n or not all(is_int(v) for v in items) or any(v < 1 for v in items):
        raise ValueError('%sBad %s: %r; expected %d positive ints (one int for all axes, or a tuple '
                         'of them).' % (where, name, value, n))
    return tuple(int(v) for v in items)


def merged_shape(first, second):
    """`first`'s known sizes, `second`'s where `first` has None (`first` when `second` is None or of
    another rank)."""
    if second is None or len(second) != len(first):
        return tuple(first)
    return tuple(a if a is not None else b for a, b in zip(first, second))


def is_int(value):
    """True for a Python or NumPy integer (not a bool, not a float such as 2.0)."""
    if isinstance(value, bool) or type(value).__name__ == 'bool_':
        return False
    try:
        operator.index(value)
    except TypeError:
        return False
    return not hasattr(value, 'op') and not hasattr(value, 'owner') and getattr(value, 'ndim', 0) == 0


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
    strides = int_tuple('strides', strides, rank, fn)
    dilation_rate = int_tuple('dilation_rate', dilation_rate, rank, fn)
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


def static_int(value):
    """`value` as an int when it is a Python/NumPy integer, else None (unknown or symbolic)."""
    try:
        return operator.index(value)
    except TypeError:
        return None


# The scalar ops (TensorFlow's and the Theano engines' names) a size computed from K.shape(x) is made
# of, e.g. by Keras 2.2.4's deconv_length for its transposed-conv layers; the engines fold them.
FOLDABLE_INT_OPS = {'Mul': operator.mul, 'Add': operator.add, 'AddV2': operator.add,
                    'Sub': operator.sub, 'Maximum': max, 'Minimum': min,
                    'FloorDiv': operator.floordiv, 'IntDiv': operator.floordiv}


def check_transpose(fn, rank, x_shape, kernel_shape, output_shape, strides, padding, data_format,
                    dilation_rate=1, static=static_int):
    """Checks a transposed conv; returns (output_shape, strides, padding, data_format, dilation_rate).

    The kernel is (spatial..., out_channels, in_channels); `output_shape` (batch included, None
    allowed for the batch) must be a shape whose conv by this kernel has x's spatial shape. `static`
    gives an entry's value when it is known now: the engine's, which also sees through sizes
    computed from K.shape(x) (Keras 2.2.4's Conv2DTranspose passes those).
    """
    strides, padding, data_format, dilation_rate = conv_args(
        fn, rank, x_shape, strides, padding, data_format, dilation_rate)
    check_ndim(fn, 'the kernel', kernel_shape, rank + 2, 'spatial..., out_channels, in_channels')
    # The batch may be None or a tensor (Keras layers pass K.shape(x)[0]): it is then taken from x.
    try:
        output_shape = tuple(output_shape)
    except TypeError:
        output_shape = ()
    output_shape = tuple(static(d) for d in output_shape)
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
    pool_size = int_tuple('pool_size', pool_size, rank, fn)
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
        pairs = tuple(tuple(int(v) if is_int(v) else None for v in pair) for pair in pairs)
    except TypeError:  # not sequences
        pairs = None
    if pairs is not None and any(None in p for p in pairs):  # a float (1.5 is not 1), a tensor, None...
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
    if any(static_int(f) is None or f < 1 for f in factors):
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
    """A single axis in [0, ndim), from a possibly negative int; ValueError naming the axis, the rank
    and the allowed range when it is out of range (or not an int)."""
    if not is_int(axis) or not -ndim <= axis < ndim:
        raise ValueError('%s: expected an axis in [%d, %d) for a tensor of rank %d; received %r.'
                         % (fn, -ndim, ndim, ndim, axis))
    return int(axis) % ndim


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


LOCAL_KERNEL_LAYOUT = 'output positions, window * in_channels, filters'


def check_local(fn, rank, x_shape, kernel_shape, kernel_size, strides, out_sizes, data_format):
    """A locally connected op: kernel (positions, window * in_channels, filters); the normalised
    (kernel_size, strides, out_sizes, data_format)."""
    data_format = normalize_data_format(data_format)
    kernel_size = int_tuple('kernel_size', kernel_size, rank, fn)
    strides = int_tuple('strides', strides, rank, fn)
    out_sizes = int_tuple('output_shape', out_sizes, rank, fn)
    check_ndim(fn, 'the input', x_shape, rank + 2, _CONV_LAYOUT[data_format])
    check_ndim(fn, 'the kernel', kernel_shape, 3, LOCAL_KERNEL_LAYOUT)
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


def check_slice_args(ndim, start, size, ndim_of=None, dtype_of=None):
    """slice's start and size: sequences of one int (or int scalar tensor) per axis of x, or int vector
    tensors (checked when the engine's K.ndim and K.dtype are given as `ndim_of`, `dtype_of`)."""
    for name, value in (('start', start), ('size', size)):
        if isinstance(value, (list, tuple)):
            if ndim is not None and len(value) != ndim:
                raise ValueError('slice: expected %s to have one entry per axis (%d); received %r.'
                                 % (name, ndim, value))
            bad = [e for e in value if not is_int(e) and (e is None or isinstance(e, (bool, str, bytes, float))
                                                            or is_number(e))]
        elif is_int(value):
            bad = []
        elif value is None or isinstance(value, (bool, str, bytes, float)) or is_number(value):
            bad = [value]
        else:
            bad = [] if ndim_of is None or (ndim_of(value) in (1, None) and dtype_of(value) in INT_DTYPES) \
                else [value]
        if bad:
            raise ValueError('slice: expected %s to be a list of ints (one per axis) or an int vector '
                             'tensor; received %r.' % (name, value))


def check_gather_reference(ndim):
    if ndim == 0:
        raise ValueError('gather: expected a reference with at least 1 axis; received a scalar.')


def check_function_inputs(inputs, expected):
    """The values passed to a K.function: a list or tuple of `expected` values."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError('A backend function takes a list or tuple of input values; received %s.'
                        % type(inputs).__name__)
    if len(inputs) != expected:
        raise ValueError('This function expects %d input values; received %d.'
                         % (expected, len(inputs)))


# --- the error contract of the op families (docs/errors.md) -----------------------------------------
# Each check uses only what is known when the graph is built (static shapes, Python and NumPy values):
# it costs nothing when the graph runs. Unknown dims (None) and symbolic values pass unchecked.

# One dtype list and one dtype check for every family (core's: shared/feeds.py).
FLOAT_DTYPES, INT_DTYPES = FLOATS, INTS


def random_dtype(fn, dtype, floats_only=True):
    """A random_* dtype: None means floatx(); random_normal/uniform/truncated_normal draw floats only."""
    from ..common import floatx
    return check_dtype(fn, dtype, floatx(), allowed=FLOAT_DTYPES if floats_only else DTYPES)


def check_random_shape(fn, shape):
    """A random_* shape: a sequence of non-negative ints (symbolic entries and shape tensors pass)."""
    if is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (list, tuple)):
        if shape is None or isinstance(shape, (bool, numbers.Number, str, bytes)):
            raise ValueError('%s: expected a shape (a tuple of non-negative ints); received %r.' % (fn, shape))
        return  # a shape tensor: its values are known when the graph runs
    for d in shape:
        if is_int(d):
            if d < 0:
                raise ValueError('%s: expected a shape of non-negative ints; received %r.' % (fn, tuple(shape)))
        elif isinstance(d, (bool, float)) or d is None or type(d).__module__ == 'numpy':
            raise ValueError('%s: expected a shape of non-negative ints; received %r.' % (fn, tuple(shape)))


def check_random_args(fn, shape, dtype, floats_only=True, **params):
    """shape and dtype checked, plus the numeric parameters given: stddev >= 0, minval <= maxval,
    p in [0, 1]; returns the dtype's name."""
    check_random_shape(fn, shape)
    name = random_dtype(fn, dtype, floats_only)
    for param in sorted(params):
        value = params[param]
        if isinstance(value, (bool, str, bytes)) or not (is_number(value) or hasattr(value, 'dtype')):
            raise ValueError('%s: expected %s to be a number or a tensor; received %r.' % (fn, param, value))
    p = params.get('p')
    if is_number(p) and not 0 <= p <= 1:
        raise ValueError('%s: expected p (a probability) in [0, 1]; received %r.' % (fn, p))
    stddev = params.get('stddev')
    if is_number(stddev) and not stddev >= 0:
        raise ValueError('%s: expected stddev >= 0; received %r.' % (fn, stddev))
    low, high = params.get('minval'), params.get('maxval')
    if is_number(low) and is_number(high) and not low <= high:
        raise ValueError('%s: expected minval <= maxval; received minval=%r, maxval=%r.' % (fn, low, high))
    return name


def check_axes(fn, axis, ndim):
    """A reduction's axis: None stays None; an int or a list/tuple of ints becomes the sorted distinct
    non-negative axes. ValueError naming the axis, the rank and the range for a bad or repeated axis."""
    if axis is None:
        return None
    if type(axis).__name__ == 'ndarray' and getattr(axis, 'ndim', 0) == 1:
        axis = axis.tolist()
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    normalized = [normalize_axis(fn, a, ndim) for a in axes]
    if len(set(normalized)) != len(normalized):
        raise ValueError('%s: expected distinct axes in [%d, %d) for a tensor of rank %d; received %r '
                         '(an axis repeated).' % (fn, -ndim, ndim, ndim, axis))
    return sorted(normalized)


def check_new_axis(fn, axis, ndim):
    """The position of a new axis (expand_dims, stack) of a rank-`ndim` tensor: in [0, ndim]."""
    if not is_int(axis) or not -ndim - 1 <= axis <= ndim:
        raise ValueError('%s: expected an axis in [%d, %d] for a new axis of a tensor of rank %d; '
                         'received %r.' % (fn, -ndim - 1, ndim, ndim, axis))
    return int(axis) % (ndim + 1)


def check_permutation(fn, pattern, ndim):
    """`pattern` as a list: a permutation of range(ndim)."""
    try:
        items = list(pattern)
    except TypeError:
        items = None
    if (items is None or len(items) != ndim or not all(is_int(p) for p in items)
            or sorted(int(p) for p in items) != list(range(ndim))):
        raise ValueError('%s: expected a permutation of range(%d) (one entry per axis of the rank-%d '
                         'tensor); received %r.' % (fn, ndim, ndim, pattern))
    return [int(p) for p in items]


def check_nonempty(fn, tensors):
    """A list of tensors to join: a non-empty list or tuple."""
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise ValueError('%s: expected a non-empty list of tensors; received %r.' % (fn, tensors))
    return list(tensors)


def _size(shape):
    size = 1
    for d in shape:
        size *= d
    return size


def check_reshape(fn, shape, target):
    """A reshape of a tensor of static `shape` to `target` (ints, None for symbolic entries; None when
    the whole target is symbolic): at most one -1, no other negative entry, and, when the sizes are
    known, the same number of elements."""
    if target is None:
        return
    ints = [t for t in target if t is not None]
    if ints.count(-1) > 1 or any(t < -1 for t in ints):
        raise ValueError('%s: expected a target shape of non-negative ints with at most one -1 (the '
                         'inferred dim); received %s.' % (fn, tuple(target)))
    if shape is None or None in shape or None in target:
        return
    size, known = _size(shape), _size(t for t in target if t != -1)
    if -1 in target:
        if (known == 0 and size != 0) or (known and size % known):
            raise ValueError('%s: cannot reshape a tensor of shape %s (%d elements) into shape %s: %d is '
                             'not a multiple of %d.' % (fn, tuple(shape), size, tuple(target), size, known))
    elif size != known:
        raise ValueError('%s: cannot reshape a tensor of shape %s (%d elements) into shape %s (%d '
                         'elements).' % (fn, tuple(shape), size, tuple(target), known))


def check_dot(x_shape, y_shape):
    """dot contracts x's last axis with y's second-to-last (its only one when y is 1-D)."""
    if not x_shape or not y_shape:
        return
    y_axis = max(len(y_shape) - 2, 0)
    a, b = x_shape[-1], y_shape[y_axis]
    if a is not None and b is not None and a != b:
        raise ValueError('dot: expected the last axis of x to match axis %d of y; received shapes %s and '
                         '%s (sizes %d and %d).' % (y_axis, tuple(x_shape), tuple(y_shape), a, b))


def check_batch_dot(x_shape, y_shape, x_axis, y_axis):
    """batch_dot's batch sizes (axis 0) and contracted sizes must match where they are known. Two 2-D
    inputs are multiplied elementwise (x transposed when the axes cross, see batch_dot_axes)."""
    if len(x_shape) == 2 and len(y_shape) == 2 and x_axis != y_axis:
        check_broadcast('batch_dot', tuple(x_shape)[::-1], y_shape)
        return
    for what, i, j in (('the batch sizes (axis 0)', 0, 0),
                       ('the contracted axes (%d of x, %d of y)' % (x_axis, y_axis), x_axis, y_axis)):
        a, b = x_shape[i], y_shape[j]
        if a is not None and b is not None and a != b:
            raise ValueError('batch_dot: expected %s to have the same size; received shapes %s and %s '
                             '(sizes %d and %d).' % (what, tuple(x_shape), tuple(y_shape), a, b))


def value_shape(value):
    """The shape of a value of numbers (a number, an array, or lists/tuples of them); None for
    anything else (a tensor, or a list holding one)."""
    import numpy as np
    if isinstance(value, (list, tuple)):
        if not all(isinstance(e, (numbers.Number, np.generic)) or value_shape(e) is not None for e in value):
            return None
    elif not isinstance(value, (numbers.Number, np.ndarray, np.generic)):
        return None
    try:
        return np.shape(value)
    except ValueError:  # a ragged list
        return None


def not_a_tensor_error(received, fn=None):
    """The TypeError for a value given where a tensor belongs that is neither a tensor nor numbers;
    `received` is its repr."""
    received = received if len(received) <= 80 else received[:77] + '...'
    return TypeError('%sexpected a tensor, a number or an array of numbers; received %s.'
                     % (fn + ': ' if fn else '', received))


def shape_of_value(value):
    """int_shape of something that is not a tensor: NumPy's shape for a number or an array of numbers
    (lists included); anything else is a TypeError (an AttributeError deep in an engine before)."""
    shape = value_shape(value)
    if shape is None:
        raise not_a_tensor_error(repr(value) if value is None else type(value).__name__ + ' ' + repr(value))
    return shape


class UnfedPlaceholders(ValueError):
    """`fn` ('K.function' or 'eval') was given outputs that read placeholders nothing feeds (`names`).
    An engine subclasses it to be its own error class too (TensorFlow's InvalidArgumentError, the
    Theano engines' MissingInputError), for code that catches that."""

    def __init__(self, fn, names):
        listed = ', '.join(repr(name) for name in names)
        if fn == 'eval':
            message = ('eval: expected a tensor that needs no fed value; received one that depends on the '
                       'placeholder(s) %s (a K.function with them as inputs computes it).' % listed)
        else:
            message = ('K.function: expected outputs that depend only on placeholders among its inputs; '
                       'received outputs that also depend on %s, which nothing feeds.' % listed)
        ValueError.__init__(self, message)
        self.names = names


def fed_initial_value_error(names):
    """The error for a variable whose initial value reads placeholders (it could never be set)."""
    return ValueError('variable: expected an initial value that needs no fed value; received a tensor that '
                      'depends on the placeholder(s) %s.' % ', '.join(repr(name) for name in names))


def initial_value(eval_fn, tensor):
    """The value of `tensor` a variable starts from (`eval_fn`: the engine's K.eval), or
    fed_initial_value_error when it reads placeholders."""
    try:
        return eval_fn(tensor)
    except UnfedPlaceholders as error:
        names = error.names
    raise fed_initial_value_error(names)


def check_flag(fn, name, value):
    """A bool argument (keepdims, from_logits): a tensor is refused on every engine (CNTK's tensors
    are always true, so it would pass there silently; the other engines raise their own TypeError)."""
    import numpy as np
    if not isinstance(value, (bool, numbers.Integral, np.bool_)):
        raise TypeError('%s: expected %s to be a bool; received %r.' % (fn, name, value))
    return bool(value)


def check_callable(fn, arg, value):
    """A function argument (map_fn's fn, rnn's step_function): TypeError, as calling it would be."""
    if not callable(value):
        raise TypeError('%s: expected %s to be a callable; received %r.' % (fn, arg, value))


def check_in_top_k(predictions_shape, k):
    """Predictions of rank 2 (batch, classes) and an int k (an unknown rank or a tensor k is not checked)."""
    if predictions_shape is not None and len(predictions_shape) != 2:
        raise ValueError('in_top_k: expected predictions of rank 2 (batch, classes); received shape %s.'
                         % (predictions_shape,))
    if is_number(k) and not is_int(k):
        raise ValueError('in_top_k: expected k to be an int; received %r.' % (k,))


def check_broadcast(fn, x_shape, y_shape):
    """Elementwise operands must broadcast (NumPy's rule) where their dims are known."""
    if x_shape is None or y_shape is None:
        return
    for k in range(1, min(len(x_shape), len(y_shape)) + 1):
        a, b = x_shape[-k], y_shape[-k]
        if a is not None and b is not None and a != b and a != 1 and b != 1:
            raise ValueError('%s: expected shapes that broadcast together; received %s and %s (axis -%d: '
                             '%d vs %d).' % (fn, tuple(x_shape), tuple(y_shape), k, a, b))


def check_same_shape(fn, target_shape, output_shape):
    """A loss's target and output: the same rank and the same known dims."""
    if target_shape is None or output_shape is None:
        return
    same = len(target_shape) == len(output_shape) and all(
        a is None or b is None or a == b for a, b in zip(target_shape, output_shape))
    if not same:
        raise ValueError('%s: expected target and output of the same shape; received target shape %s and '
                         'output shape %s.' % (fn, tuple(target_shape), tuple(output_shape)))


def check_sparse_target(fn, target_shape, output_shape, axis):
    """sparse_categorical_crossentropy: the target holds one label per output row, so its shape is the
    output's without the class axis (a trailing axis of size 1 allowed, as Keras's (batch, 1))."""
    if target_shape is None or output_shape is None:
        return
    axis = normalize_axis(fn, axis, len(output_shape))
    rows = tuple(d for i, d in enumerate(output_shape) if i != axis)
    target = tuple(target_shape)
    if len(target) == len(rows) + 1 and target[-1] in (1, None):
        target = target[:-1]
    if len(target) != len(rows) or any(a is not None and b is not None and a != b
                                       for a, b in zip(target, rows)):
        raise ValueError('%s: expected a target of shape %s (the output shape %s without its class axis '
                         '%d, or with a trailing 1); received target shape %s.'
                         % (fn, rows, tuple(output_shape), axis, tuple(target_shape)))


def check_labels(fn, values, classes):
    """Labels known when the graph is built (a NumPy array, a list, a constant) must be ints in
    [0, classes); `values` None (fed labels) passes: those give a NaN loss (docs/errors.md)."""
    import numpy as np
    if values is None:
        return
    values = np.asarray(values)
    if values.size == 0:
        return
    if values.dtype.kind == 'f' and not np.all(np.floor(values) == values):
        raise ValueError('%s: expected integer labels; received %r.' % (fn, values))
    low, high = values.min(), values.max()
    if classes is not None and (low < 0 or high >= classes):
        raise ValueError('%s: expected labels in [0, %d) (the number of classes); received labels from '
                         '%s to %s.' % (fn, classes, low, high))


def check_count(fn, name, value):
    """A repeat count (tile reps, repeat_elements rep, repeat n): a non-negative int; symbolic passes."""
    if type(value).__name__ == 'ndarray':
        value = value.tolist()
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    for v in values:
        if is_int(v):
            if v < 0:
                raise ValueError('%s: expected %s to be non-negative ints; received %r.' % (fn, name, value))
        elif is_number(v) or isinstance(v, (bool, str)) or v is None:
            raise ValueError('%s: expected %s to be non-negative ints; received %r.' % (fn, name, value))


def _is_arange_bound(value, tensor_ndim):
    """A finite number (a 0-d array too), or a scalar tensor (its value is known at run time)."""
    import numpy as np
    if isinstance(value, (bool, str, bytes)):
        return False
    if is_number(value) or isinstance(value, np.ndarray):
        try:
            return np.ndim(value) == 0 and bool(np.isfinite(value))
        except TypeError:  # not numbers
            return False
    return hasattr(value, 'dtype') and (tensor_ndim is None or tensor_ndim(value) in (0, None))


def check_arange(start, stop, step, tensor_ndim=None):
    """`tensor_ndim`: the engine's K.ndim (a tensor bound must be a scalar), when given."""
    for name, value in (('start', start), ('stop', stop), ('step', step)):
        if not _is_arange_bound(value, tensor_ndim):
            raise ValueError('arange: expected %s to be a finite number or a scalar tensor; received %r.'
                             % (name, value))
    if is_number(step) and step == 0:
        raise ValueError('arange: expected a non-zero step; received step=%r (start=%r, stop=%r).'
                         % (step, start, stop))


def check_int_dtype(fn, what, dtype):
    """An index or label tensor must have an integer dtype."""
    name = dtype_name(dtype) or str(dtype)
    if name not in INT_DTYPES:
        raise ValueError('%s: expected %s with an integer dtype; received %s of dtype %s.'
                         % (fn, what, what, name))


def check_one_hot(num_classes, indices_dtype):
    if is_int(num_classes):
        if num_classes < 1:
            raise ValueError('one_hot: expected num_classes to be a positive int; received %r.' % (num_classes,))
    elif is_number(num_classes) or num_classes is None or not hasattr(num_classes, 'dtype'):
        raise ValueError('one_hot: expected num_classes to be a positive int; received %r.' % (num_classes,))
    check_int_dtype('one_hot', 'indices', indices_dtype)


def check_indices(fn, values, size):
    """Indices known when the graph is built must be in [0, size): no wrap-around of negative ones
    (fed indices are the caller's responsibility, docs/errors.md)."""
    import numpy as np
    if values is None or size is None:
        return
    values = np.asarray(values)
    if values.size and (values.min() < 0 or values.max() >= size):
        raise ValueError('%s: expected indices in [0, %d) (the size of axis 0 of the reference); '
                         'received indices from %d to %d.' % (fn, size, values.min(), values.max()))


def static_indices(indices):
    """The values of indices given as a NumPy array, a list or a Python int; None otherwise."""
    import numpy as np
    if is_int(indices) or isinstance(indices, (list, tuple, np.ndarray)):
        try:
            return np.asarray(indices)
        except (TypeError, ValueError):
            return None
    return None


def check_slice_bounds(shape, start, size):
    """slice's static start/size entries: start >= 0, size >= -1 (-1: to the end), and start + size
    within the axis where its size is known (no silent clipping past the end)."""
    if not isinstance(start, (list, tuple)) or not isinstance(size, (list, tuple)) or shape is None:
        return
    for axis, (b, n, d) in enumerate(zip(start, size, shape)):
        b = b if is_int(b) else None
        n = n if is_int(n) else None
        if (b is not None and b < 0) or (n is not None and n < -1):
            raise ValueError('slice: expected start >= 0 and size >= 0 (or -1, to the end) on every axis; '
                             'received start %r and size %r.' % (tuple(start), tuple(size)))
        if d is None or b is None:
            continue
        end = b if n == -1 or n is None else b + n
        if end > d or b > d:
            raise ValueError('slice: start %r and size %r go past the end of axis %d (size %d) of a tensor '
                             'of shape %s; expected start + size <= %d.'
                             % (tuple(start), tuple(size), axis, d, tuple(shape), d))


def _static_lengths(values):
    """CTC lengths given as a NumPy array or a list, as a flat int array; None when symbolic."""
    import numpy as np
    values = static_indices(values)
    return None if values is None else np.rint(values.astype('float64')).astype('int64').reshape(-1)


def check_ctc_lengths(fn, steps, input_length, label_length=None, label_width=None):
    """CTC lengths known when the graph is built: input_length in [0, steps] (the time steps of
    y_pred), label_length in [0, label_width] and <= input_length per sample. Fed lengths are checked
    by the op (docs/errors.md): a cost of NaN for an input_length beyond the time steps, +inf for a
    label that no alignment fits."""
    inputs, labels = _static_lengths(input_length), _static_lengths(label_length)
    if inputs is not None and inputs.size and (inputs.min() < 0 or (steps is not None and inputs.max() > steps)):
        raise ValueError('%s: expected input_length values in [0, %s] (at most %s, the time steps of '
                         'y_pred); received %s.' % (fn, steps, steps, inputs.max() if inputs.min() >= 0
                                                    else inputs.min()))
    if labels is None or not labels.size:
        return
    if labels.min() < 0 or (label_width is not None and labels.max() > label_width):
        raise ValueError('%s: expected label_length values in [0, %s] (the width of y_true); received %s.'
                         % (fn, label_width, labels.max() if labels.min() >= 0 else labels.min()))
    if inputs is not None and inputs.shape == labels.shape:
        longer = [i for i in range(labels.size) if labels[i] > inputs[i]]
        if longer:
            i = longer[0]
            raise ValueError('%s: expected label_length <= input_length for every sample (a label cannot '
                             'be longer than its input); received label_length %d and input_length %d '
                             'for sample %d.' % (fn, labels[i], inputs[i], i))
