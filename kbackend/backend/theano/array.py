"""theano engine: the array op family (see kbackend.backend.api.FAMILIES)."""
from .. import common
from ..shared import checks, shapes
from ._engine import IS_PYTENSOR, T, sparse
from . import _check_ops
from .core import (dtype as _dtype, int_shape as _int_shape, is_sparse as _is_sparse, ndim as _ndim,
                   with_static_shape as _shaped)

__all__ = [
    'concatenate', 'reshape', 'permute_dimensions', 'repeat_elements', 'arange', 'tile',
    'expand_dims', 'squeeze', 'temporal_padding', 'spatial_2d_padding', 'spatial_3d_padding',
    'stack', 'one_hot', 'reverse', 'slice', 'gather', 'pattern_broadcast',
]

_builtin_slice = slice


def _is_symbolic(value):
    return hasattr(value, 'owner') and hasattr(value, 'type')  # a graph variable, shared ones too


def _mark_broadcastable(x, axes):
    """x with `axes` declared of size 1 (checked when the graph runs)."""
    if not axes:
        return x
    return T.specify_broadcastable(x, *axes) if IS_PYTENSOR else T.addbroadcast(x, *axes)


def concatenate(tensors, axis=-1):
    tensors = checks.check_nonempty('concatenate', tensors)
    flags = [_is_sparse(t) for t in tensors]
    if flags and all(flags):
        axis = checks.normalize_axis('concatenate', axis, 2)  # Theano's sparse matrices are 2-D
        return (sparse.vstack if axis == 0 else sparse.hstack)(list(tensors), format='csr')
    if any(flags):
        tensors = [sparse.dense_from_sparse(t) if s else t for t, s in zip(tensors, flags)]
    tensors = [T.as_tensor_variable(t) for t in tensors]
    axis = checks.normalize_axis('concatenate', axis, tensors[0].ndim)
    return _shaped(T.concatenate(tensors, axis=axis), shapes.concatenate([_int_shape(t) for t in tensors], axis))


def _static_entries(shape):
    """A shape argument's entries as ints, None for the symbolic ones (None when it is symbolic)."""
    if _is_symbolic(shape):
        return None
    return [int(d) if checks.is_number(d) else None for d in shape]


def reshape(x, shape):
    target = _static_entries([shape] if checks.is_int(shape) else shape)
    checks.check_reshape('reshape', _int_shape(x), target)
    out = T.reshape(x, shape)
    # Keras 2.2.4 runs a Network on reshaped tensors (TimeDistributed) and reads both attributes of
    # one that has _keras_shape: its Theano backend set them together here, and only here.
    out._uses_learning_phase = getattr(x, '_uses_learning_phase', False)
    return out if target is None else _shaped(out, shapes.reshape(_int_shape(x), target))


def permute_dimensions(x, pattern):
    x = T.as_tensor_variable(x)
    pattern = checks.check_permutation('permute_dimensions', pattern, x.ndim)
    return _shaped(x.dimshuffle(list(pattern)), shapes.permute(_int_shape(x), list(pattern)))


def repeat_elements(x, rep, axis):
    x = T.as_tensor_variable(x)
    checks.check_count('repeat_elements', 'rep', rep)
    axis = checks.normalize_axis('repeat_elements', axis, x.ndim)
    return _shaped(T.repeat(x, rep, axis=axis), shapes.repeat_elements(_int_shape(x), rep, axis))


def arange(start, stop=None, step=1, dtype='int32'):
    dtype = checks.check_dtype('arange', dtype)
    if stop is None:
        start, stop = 0, start
    checks.check_arange(start, stop, step, _ndim)
    return T.arange(start, stop, step, dtype=dtype)


def tile(x, n):
    x = T.as_tensor_variable(x)
    checks.check_count('tile', 'n', n)
    if _is_symbolic(n) and n.ndim == 1:
        length = _int_shape(n)[0]
        if length is None:
            raise ValueError('tile: expected reps of known length; received a symbolic vector of '
                             'unknown length.')
        n = [n[i] for i in range(length)]
    reps, leading = checks.tile_reps(n, x.ndim)
    static = shapes.tile(_int_shape(x), [r if checks.is_number(r) else None for r in reps])
    if leading:
        x = x.dimshuffle(['x'] * leading + list(range(x.ndim)))
    return _shaped(T.tile(x, reps), static)


def expand_dims(x, axis=-1):
    x = T.as_tensor_variable(x)
    axis = checks.check_new_axis('expand_dims', axis, x.ndim)
    pattern = list(range(x.ndim))
    pattern.insert(axis, 'x')
    return _shaped(x.dimshuffle(pattern), shapes.expand_dims(_int_shape(x), axis))


def squeeze(x, axis):
    axis = checks.check_squeezable(_int_shape(x), axis)
    x = T.as_tensor_variable(x)
    out = _mark_broadcastable(x, [axis]).dimshuffle([i for i in range(x.ndim) if i != axis])
    return _shaped(out, shapes.squeeze(_int_shape(x), axis))


def _pad(fn, x, padding, spatial, data_format='channels_last'):
    x = T.as_tensor_variable(x)
    widths = checks.pad_widths(fn, padding, x.ndim, spatial, data_format)
    # Constant slice bounds: symbolic ones (x.shape[i] + 0) send legacy Theano's optimizer into a loop.
    shape = [x.shape[i] + (before + after) if before + after else x.shape[i]
             for i, (before, after) in enumerate(widths)]
    inner = tuple(_builtin_slice(before, -after if after else None) for before, after in widths)
    return _shaped(T.set_subtensor(T.zeros(shape, dtype=x.dtype)[inner], x),
                   shapes.padded(_int_shape(x), widths))


def temporal_padding(x, padding=(1, 1)):
    return _pad('temporal_padding', x, padding, 1)


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    return _pad('spatial_2d_padding', x, padding, 2, data_format)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    return _pad('spatial_3d_padding', x, padding, 3, data_format)


def stack(x, axis=0):
    tensors = [T.as_tensor_variable(t) for t in checks.check_nonempty('stack', x)]
    axis = checks.check_new_axis('stack', axis, tensors[0].ndim)
    return _shaped(T.stack(tensors, axis=axis), shapes.stack([_int_shape(t) for t in tensors], axis))


def one_hot(indices, num_classes):
    indices = T.as_tensor_variable(indices)
    checks.check_one_hot(num_classes, indices.dtype)
    out = T.cast(T.eq(indices.dimshuffle(list(range(indices.ndim)) + ['x']), T.arange(num_classes)),
                 common.floatx())
    return _shaped(out, shapes.one_hot(_int_shape(indices), num_classes))


def reverse(x, axes):
    x = T.as_tensor_variable(x)
    axes = set(checks.check_axes('reverse', axes, x.ndim))
    return x[tuple(_builtin_slice(None, None, -1 if i in axes else None) for i in range(x.ndim))]


def _per_axis(value, ndim):
    """`value` (a sequence or a symbolic vector) as a list of one entry per axis."""
    return [value[i] for i in range(ndim)] if _is_symbolic(value) else list(value)


def _slice_end(x, axis, begin, size):
    # A size of -1 (TensorFlow's convention) takes everything from begin to the end of the axis.
    if checks.is_number(size):
        return None if size == -1 else begin + size
    return T.switch(T.eq(size, -1), x.shape[axis], begin + size)


def slice(x, start, size):
    x = T.as_tensor_variable(x)
    checks.check_slice_args(x.ndim, start, size, _ndim, _dtype)
    checks.check_slice_bounds(_int_shape(x), start, size)
    start, size = _per_axis(start, x.ndim), _per_axis(size, x.ndim)
    return x[tuple(_builtin_slice(b, _slice_end(x, i, b, n)) for i, (b, n) in enumerate(zip(start, size)))]


def gather(reference, indices):
    values = checks.static_indices(indices)
    reference, indices = T.as_tensor_variable(reference), T.as_tensor_variable(indices)
    if values is None and hasattr(indices, 'data') and not hasattr(indices, 'get_value'):
        values = indices.data  # a constant
    checks.check_int_dtype('gather', 'indices', values.dtype if values is not None else indices.dtype)
    shape = _int_shape(reference)
    checks.check_gather_reference(len(shape))
    checks.check_indices('gather', values, shape[0] if shape else None)
    out_shape = shapes.gather(shape, _int_shape(indices))
    if values is None:  # known at run time: the engines would count a negative index from the end
        indices = _check_ops.non_negative_indices(indices, 'gather', shape[0] if shape else None)
    return _shaped(reference[indices], out_shape)


def pattern_broadcast(x, broadcastable):
    pattern = checks.check_broadcastable('pattern_broadcast', _int_shape(x), broadcastable)
    if not IS_PYTENSOR:
        return T.patternbroadcast(x, pattern)
    # PyTensor: broadcastable means "static size 1", which cannot be unset; mark the True axes.
    x = T.as_tensor_variable(x)
    return _mark_broadcastable(x, [i for i, b in enumerate(pattern) if b and not x.broadcastable[i]])
