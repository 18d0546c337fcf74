"""cntk engine: the array op family (see kbackend.backend.api.FAMILIES).

CNTK shapes are fixed when the graph is built, and a reshape target may hold one inferred (-1) dim
and no free one; so shape arguments are resolved to ints here. Shape tensors (``K.shape(x)``, its
slices and elements, their ``K.prod``, ``K.stack`` and ``K.concatenate``) carry ``_kb_dims``: one
(source tensor, axis or (first, end) run of axes, size or None) per entry, with source None for a
plain number (see `T.dim_refs`). reshape keeps the target entries that are the reshaped tensor's own
axes (in order) out of the reshape (``begin_axis`` / ``end_axis``), so several unknown dims can be kept.

Results whose size is known only at run time (``arange`` with tensor bounds, ``slice`` with tensor
sizes, ``tile`` with tensor reps) are computed by NumPy inside a CNTK user function with free output
dims. CNTK cannot hold an empty tensor: a zero-size value aborts the process (SIGFPE, measured), so
empty results raise ValueError instead.
"""
import numbers

import numpy as np

from ..common import floatx
from ..shared import checks
from . import _tensor as T
from ._engine import C
from .core import _dim as _dim_size, dtype as _dtype, is_sparse as _is_sparse, ndim as _ndim, to_dense as _to_dense

__all__ = [
    'concatenate', 'reshape', 'permute_dimensions', 'resize_images', 'repeat_elements', 'arange', 'tile',
    'batch_flatten', 'expand_dims', 'squeeze', 'temporal_padding', 'spatial_2d_padding',
    'spatial_3d_padding', 'stack', 'one_hot', 'reverse', 'slice', 'gather', 'pattern_broadcast',
]

_builtin_slice = slice


# --- static values of arguments --------------------------------------------------------------------

def _is_int(value):
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)


def _constant_value(x):
    """The value of a CNTK constant (known when the graph is built), else None."""
    if isinstance(x, C.Constant):
        return np.asarray(x.value)
    return None


def _static_int(value):
    """`value` as an int when it is known now: an int, or a tensor holding a known size or constant."""
    if _is_int(value):
        return int(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in 'iu':
        return int(value.reshape(()))
    if T.is_tensor(value):
        refs = T.dim_refs(value)
        if refs is not None and len(refs) == 1 and refs[0][2] is not None:
            return int(refs[0][2])
        constant = _constant_value(value)
        if constant is not None and constant.size == 1 and float(constant.reshape(())).is_integer():
            return int(constant.reshape(()))
    return None


def _int_entries(value, count, fn, name):
    """A per-axis argument (a sequence, an int, or a 1-D tensor) as a list of ints (known now) and
    scalar tensors (known at run time)."""
    if T.is_tensor(value) and not T.static_shape(value) and not T.hidden_batch(value):
        entries = [value]
    elif T.is_tensor(value):
        static = T.static_shape(value)
        if len(static) != 1 or static[0] is None or T.hidden_batch(value):
            raise ValueError('%s: expected %s to be a 1-D tensor of known length; received shape %s.'
                             % (fn, name, T.keras_shape(value)))
        refs = T.dim_refs(value)
        constant = _constant_value(value)
        entries = []
        for i in range(static[0]):
            if refs is not None and refs[i][2] is not None:
                entries.append(int(refs[i][2]))
            elif constant is not None:
                entries.append(int(np.rint(constant[i])))
            else:
                entries.append(value[i])
    elif _is_int(value):
        entries = [value]
    else:
        entries = list(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else list(value)
    out = []
    for entry in entries:
        known = _static_int(entry)
        if known is None and not T.is_tensor(entry):
            raise ValueError('%s: expected %s to hold ints; received %r.' % (fn, name, value))
        out.append(entry if known is None else known)
    if count is not None and len(out) != count:
        raise ValueError('%s: expected %s to have one entry per axis (%d); received %r.'
                         % (fn, name, count, value))
    return out


# --- dtype of several operands ---------------------------------------------------------------------

def _common_dtype(tensors):
    dtype = None
    for t in tensors:
        dtype = T.keras_dtype(t) if dtype is None else T.result_dtype(dtype, T.keras_dtype(t))
    return dtype


def _unify_all(values):
    """The values as tensors of one storage dtype, and their common Keras dtype (as T.unify does for
    two); numbers take the tensors' dtype."""
    dtype = _common_dtype([v for v in values if T.is_tensor(v)])
    values = [v if T.is_tensor(v) else T.as_tensor(v, None if dtype is None else T._value_dtype(v, dtype))
              for v in values]
    dtype = _common_dtype(values)
    if T.is_float(dtype):
        storage = T.storage_of(dtype)
    else:
        storage = max((T.cntk_dtype(v) for v in values), key=lambda d: np.dtype(d).itemsize)
    return [T.cast_storage(v, storage) for v in values], dtype


def _dims_of(value):
    """The `_kb_dims` entries a stacked or concatenated value contributes, or None when unknown."""
    if _is_int(value):
        return [(None, None, int(value))]
    if not T.is_tensor(value):
        array = np.asarray(value)
        if array.dtype.kind in 'iu' and array.ndim <= 1:
            return [(None, None, int(v)) for v in array.reshape(-1)]
        return None
    refs = T.dim_refs(value)
    if refs is not None:
        return list(refs)
    constant = _constant_value(value)
    if constant is not None and constant.ndim <= 1 and np.all(np.mod(constant, 1) == 0):
        return [(None, None, int(v)) for v in constant.reshape(-1)]
    return None


def _joined_dims(values):
    dims = []
    for value in values:
        part = _dims_of(value)
        if part is None:
            return None
        dims.extend(part)
    return dims


# --- concatenate / stack ---------------------------------------------------------------------------

def _check_joinable(fn, parts, axis):
    shapes = [T.keras_shape(p) for p in parts]
    if len(set(len(s) for s in shapes)) != 1:
        raise ValueError('%s: expected tensors of the same rank; received shapes %s.' % (fn, shapes))
    for i in range(len(shapes[0])):
        if i == axis:
            continue
        sizes = set(s[i] for s in shapes if s[i] is not None)
        if len(sizes) > 1:
            raise ValueError('%s: expected the same size on every axis except %d; received shapes %s.'
                             % (fn, axis, shapes))


def concatenate(tensors, axis=-1):
    tensors = checks.check_nonempty('concatenate', tensors)
    sparse = [_is_sparse(t) for t in tensors]
    dims = _joined_dims(tensors)
    parts = [_to_dense(t) if s else t for t, s in zip(tensors, sparse)]
    parts, dtype = _unify_all(parts)
    rank = T.ndim(parts[0])
    keras_axis = checks.normalize_axis('concatenate', axis, rank)
    if len(parts) == 1:
        return parts[0]
    _check_joinable('concatenate', parts, keras_axis)
    out = T.tag(C.splice(*parts, axis=T.static_axis(parts[0], keras_axis, 'concatenate')), dtype)
    if all(sparse):
        out._kb_sparse = True  # CNTK has no sparse results: the "sparse" value is stored dense
    if dims is not None and rank == 1:
        out._kb_dims = dims
    return out


def stack(x, axis=0):
    values = checks.check_nonempty('stack', x)
    dims = _joined_dims(values)
    parts, dtype = _unify_all(values)
    rank = T.ndim(parts[0])
    _check_joinable('stack', parts, None)
    position = checks.check_new_axis('stack', axis, rank)
    hidden = T.hidden_batch(parts[0])
    if position < hidden:
        raise ValueError('stack: inside a symbolic rnn step on CNTK the new axis cannot go before the '
                         'batch axis; received axis=%r.' % (axis,))
    expanded = [T.insert_axis(p, position - hidden) for p in parts]
    out = expanded[0] if len(expanded) == 1 else C.splice(*expanded, axis=position - hidden)
    out = T.tag(out, dtype)
    if dims is not None and rank == 0 and position == 0:
        out._kb_dims = dims
    return out


# --- reshape ---------------------------------------------------------------------------------------

def _uid(x):
    outputs = getattr(x, 'outputs', None) if isinstance(x, T.FUNCTION) else None
    return outputs[0].uid if outputs is not None and len(outputs) == 1 else x.uid


def _span(axis):
    if isinstance(axis, tuple):
        return axis
    return None if axis is None else (axis, axis + 1)


def _entry(value, fn):
    """One reshape target entry as (source tensor or None, (first, end) axes of it or None, size or None)."""
    if _is_int(value):
        return (None, None, int(value))
    if T.is_tensor(value):
        refs = T.dim_refs(value)
        if refs is not None and len(refs) == 1:
            source, axis, size = refs[0]
            return (source, _span(axis), size)
        known = _static_int(value)
        if known is not None:
            return (None, None, known)
        if T.static_shape(value) not in ((), (1,)):
            raise ValueError('%s: expected each entry of the shape to be an int or a scalar tensor; '
                             'received a tensor of shape %s.' % (fn, T.keras_shape(value)))
        return (value, None, None)
    raise ValueError('%s: expected a shape of ints (or scalar tensors); received the entry %r.' % (fn, value))


def _target_entries(shape, fn):
    if T.is_tensor(shape):
        static = T.static_shape(shape)
        if len(static) != 1 or static[0] is None:
            raise ValueError('%s: expected the shape as a 1-D tensor of known length; received shape %s.'
                             % (fn, T.keras_shape(shape)))
        refs = T.dim_refs(shape)
        if refs is not None:
            return [(source, _span(axis), size) for source, axis, size in refs]
        constant = _constant_value(shape)
        if constant is not None:
            return [(None, None, int(np.rint(v))) for v in constant]
        return [(shape, None, None)] * static[0]
    if _is_int(shape):
        return [_entry(shape, fn)]
    return [_entry(v, fn) for v in shape]


def _describe(entries):
    return '(%s)' % ', '.join('?' if size is None else str(size) for _, _, size in entries)


def _check_sizes(fn, source, sizes):
    """Python checks of what is known (the shared contract), so CNTK never throws on a bad target."""
    checks.check_reshape(fn, tuple(source), list(sizes))
    if 0 in sizes:
        raise T.empty_error('%s: the target shape %s' % (fn, tuple(sizes)))


def _reshape_static(x, entries, fn):
    static = T.static_shape(x)
    sizes = [size for _, _, size in entries]
    _check_sizes(fn, static, sizes)
    unknown = [s for s in sizes if s is None or s == -1]
    if len(unknown) <= 1:
        return C.reshape(x, tuple(-1 if s is None else s for s in sizes))
    # More than one dim unknown now: the entries that are x's own axes, in order, stay out of the
    # reshape (anchors); each run of entries between them reshapes the axes between them on its own,
    # and at most one entry outside the anchors may be unknown.
    me = _uid(x)
    anchors, end = [], 0
    for i, (source, span, _) in enumerate(entries):
        if source is not None and span is not None and span[0] is not None and _uid(source) == me \
                and span[0] >= end:
            anchors.append(i)
            end = span[1]
    free = [i for i, s in enumerate(sizes) if (s is None or s == -1) and i not in anchors]
    expressible = len(free) <= 1
    steps, first_entry, first_axis = [], 0, 0
    for i in anchors + [len(entries)]:
        axes_end = entries[i][1][0] if i < len(entries) else len(static)
        run, axes = sizes[first_entry:i], static[first_axis:axes_end]
        if run != list(axes) or None in run:  # a run equal to x's axes needs no reshape
            # An empty run (or an empty range of axes) only drops (or adds) axes of size 1.
            if (not run and any(d != 1 for d in axes)) or (not axes and any(d != 1 for d in run)):
                expressible = False
            steps.append((first_axis, axes_end, tuple(-1 if d is None else d for d in run)))
        if i < len(entries):
            span = entries[i][1]
            if span[1] - span[0] > 1:
                steps.append((span[0], span[1], (-1,)))
            first_entry, first_axis = i + 1, span[1]
    if not expressible:
        raise NotImplementedError('%s: CNTK 2.7 can infer only one unknown dimension of a reshape '
                                  'target, and this one cannot be split into parts that keep x\'s own '
                                  'axes: target %s for a tensor of shape %s (? = known only at run time).'
                                  % (fn, _describe(entries), T.keras_shape(x)))
    # Right to left, so each step's axis numbers are still those of x.
    for first, end, target in sorted(steps, key=lambda step: step[0], reverse=True):
        x = C.reshape(x, target, begin_axis=first, end_axis=end)
    return x


def reshape(x, shape):
    x = T.as_tensor(x)
    entries = _target_entries(shape, 'reshape')
    if T.hidden_batch(x):
        # Inside a symbolic rnn step the batch is CNTK's: the target must keep it as its first dim.
        if not entries or entries[0][0] is not None or entries[0][2] != -1 or \
                any(size is None for _, _, size in entries[1:]):
            raise ValueError('reshape: inside a symbolic rnn step on CNTK the target must be (-1, known '
                             'dims...) (the batch axis cannot be reshaped); received %s.'
                             % _describe(entries))
        per_sample = [size for _, _, size in entries[1:]]
        if -1 in per_sample:
            raise ValueError('reshape: can only infer one dimension (-1); received %s.' % _describe(entries))
        _check_sizes('reshape', T.static_shape(x), per_sample or [1])
        return T.same(x, C.reshape(x, tuple(per_sample)))
    return T.same(x, _reshape_static(x, entries, 'reshape'))


def batch_flatten(x):
    x = T.as_tensor(x)
    rank = T.ndim(x)
    if rank == 0:
        raise ValueError('batch_flatten: expected a tensor with at least 1 axis; received a scalar.')
    static = T.static_shape(x)
    first = 1 - T.hidden_batch(x)  # the first CNTK axis after the batch
    if len(static) == first:
        return T.same(x, T.insert_axis(x, first))
    rest = static[first:]
    size = -1 if None in rest else int(np.prod(rest, dtype='int64'))
    return T.same(x, C.reshape(x, (size,), begin_axis=first))


def _transpose(x, perm):
    perm = [int(p) for p in perm]  # C.transpose rejects NumPy ints
    return x if perm == list(range(len(perm))) else C.transpose(x, perm)


def permute(fn, x, pattern):
    """permute_dimensions, with errors naming `fn` (math.transpose uses it too)."""
    x = T.as_tensor(x)
    rank = T.ndim(x)
    pattern = checks.check_permutation(fn, pattern, rank)
    if T.hidden_batch(x):
        if pattern[0] != 0:
            raise ValueError('%s: inside a symbolic rnn step on CNTK the batch axis 0 cannot move; '
                             'received pattern %r.' % (fn, pattern))
        pattern = [p - 1 for p in pattern[1:]]
    return T.same(x, _transpose(x, pattern))


def permute_dimensions(x, pattern):
    return permute('permute_dimensions', x, pattern)


def expand_dims(x, axis=-1):
    x = T.as_tensor(x)
    position = checks.check_new_axis('expand_dims', axis, T.ndim(x))
    hidden = T.hidden_batch(x)
    if position < hidden:
        raise ValueError('expand_dims: inside a symbolic rnn step on CNTK no axis can go before the '
                         'batch axis; received axis=%r.' % (axis,))
    return T.same(x, T.insert_axis(x, position - hidden))


def squeeze(x, axis):
    x = T.as_tensor(x)
    axis = checks.check_squeezable(T.keras_shape(x), int(axis) if _is_int(axis) else axis)
    return T.same(x, T.drop_axis(x, T.static_axis(x, axis, 'squeeze')))


# --- repeat / tile ---------------------------------------------------------------------------------

def _positive_int(fn, name, value):
    known = _static_int(value)
    if known is None or known < 1:
        raise ValueError('%s: expected %s to be a positive int; received %r.' % (fn, name, value))
    return known


def repeat_elements(x, rep, axis):
    x = T.as_tensor(x)
    checks.check_count('repeat_elements', 'rep', rep)
    static = T.static_axis(x, axis, 'repeat_elements')
    if _static_int(rep) == 0:
        raise T.empty_error('repeat_elements with rep=0')
    rep = _positive_int('repeat_elements', 'rep', rep)
    if rep == 1:
        return x
    # A new axis after `axis` holding rep copies, merged into `axis`:
    # [a, b] -> [[a, a], [b, b]] -> [a, a, b, b].
    expanded = T.insert_axis(x, static + 1)
    copies = C.splice(*([expanded] * rep), axis=static + 1)
    size = T.static_shape(x)[static]
    return T.same(x, C.reshape(copies, (-1 if size is None else size * rep,),
                               begin_axis=static, end_axis=static + 2))


def tile(x, n):
    x = T.as_tensor(x)
    checks.check_count('tile', 'n', n)
    reps = _int_entries(n, None, 'tile', 'n')
    reps, leading = checks.tile_reps(reps, T.ndim(x))
    hidden = T.hidden_batch(x)
    if hidden and (leading or reps[0] != 1):
        raise ValueError('tile: inside a symbolic rnn step on CNTK the batch axis cannot be tiled and no '
                         'axis can go before it; received n=%r.' % (n,))
    for r in reps:
        if not T.is_tensor(r) and r < 0:
            raise ValueError('tile: expected non-negative reps; received %r.' % (n,))
        if not T.is_tensor(r) and r == 0:
            raise T.empty_error('tile with reps %r' % (n,))
    for _ in range(leading):
        x = T.same(x, T.insert_axis(x, 0))
    reps = reps[hidden:]
    if any(T.is_tensor(r) for r in reps):
        return _numpy_tile(x, reps)
    out = x
    for axis, r in enumerate(reps):
        if r > 1:
            out = C.splice(*([out] * r), axis=axis)
    return T.same(x, out) if out is not x else x


# --- resize ----------------------------------------------------------------------------------------

def _upsample_bilinear(x, axis, factor):
    """TensorFlow's legacy resize_bilinear (align_corners=False, half_pixel_centers=False) along one
    static axis at an integer factor: output i*f + r is x[i] + (x[i+1] - x[i]) * r/f, x[i+1] clamped
    at the edge. The shared composite's rule, with CNTK-friendly steps: the next row comes from a
    symmetric pad (no empty slice for a size-1 axis of unknown size), and the phases are merged into
    the axis by a reshape of those two axes only (the other dims may be unknown)."""
    rank = len(x.shape)
    pattern = [(0, 1) if i == axis else (0, 0) for i in range(rank)]
    following = C.slice(C.pad(x, pattern=pattern, mode=C.ops.SYMMETRIC_PAD), axis, 1, 0)
    weights = np.arange(factor).reshape([factor if i == axis + 1 else 1 for i in range(rank + 1)])
    weights = weights / float(factor)
    phases = C.plus(T.insert_axis(x, axis + 1),
                    C.element_times(T.insert_axis(C.minus(following, x), axis + 1),
                                    T.constant(weights, T.cntk_dtype(x))))
    size = T.static_shape(x)[axis]
    return C.reshape(phases, (-1 if size is None else size * factor,), begin_axis=axis, end_axis=axis + 2)


def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    x = T.as_tensor(x)
    factors, axes = checks.resize_args('resize_images', T.ndim(x), (height_factor, width_factor),
                                       data_format, interpolation)
    out = x
    for axis, factor in zip(axes, factors):
        if factor == 1:
            continue
        if interpolation == 'bilinear':
            out = T.same(x, _upsample_bilinear(out, T.static_axis(x, axis, 'resize_images'), factor))
        else:
            out = repeat_elements(out, factor, axis)
    return out


# --- padding ---------------------------------------------------------------------------------------

def _pad(fn, x, padding, spatial, data_format='channels_last'):
    x = T.as_tensor(x)
    widths = checks.pad_widths(fn, padding, T.ndim(x), spatial, data_format)
    widths = [tuple(int(v) for v in w) for w in widths[T.hidden_batch(x):]]
    if not any(before or after for before, after in widths):
        return x
    return T.same(x, C.pad(x, pattern=widths))


def temporal_padding(x, padding=(1, 1)):
    return _pad('temporal_padding', x, padding, 1)


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    return _pad('spatial_2d_padding', x, padding, 2, data_format)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    return _pad('spatial_3d_padding', x, padding, 3, data_format)


# --- one_hot / reverse / slice / gather ------------------------------------------------------------

def one_hot(indices, num_classes):
    indices = T.as_tensor(indices)
    checks.check_one_hot(num_classes, T.keras_dtype(indices))
    num_classes = _positive_int('one_hot', 'num_classes', num_classes)
    classes = T.constant(np.arange(num_classes), T.cntk_dtype(indices))
    # Comparing with every class: an index outside [0, num_classes) gives a row of zeros (TF's rule).
    hits = C.equal(T.insert_axis(indices, len(indices.shape)), classes)
    return T.tag(T.cast_storage(hits, T.storage_of(floatx())), floatx())


def reverse(x, axes):
    x = T.as_tensor(x)
    out = x
    for axis in checks.check_axes('reverse', axes, T.ndim(x)):
        out = C.slice(out, T.static_axis(x, axis, 'reverse'), 0, 0, -1)
    return T.same(x, out) if out is not x else x


def _axis_size(x, axis):
    """The size of static axis `axis` of x: an int, or a scalar tensor of x's storage when free."""
    size = T.static_shape(x)[axis]
    if size is not None:
        return size
    return T.cast_storage(_dim_size(x, axis), T.cntk_dtype(x))


def _gather(reference, indices, axis, checked):
    """C.gather along static `axis`; indices (a float tensor of int values) outside [0, size) give
    NaN instead of whatever memory CNTK would read, unless `checked` says they were checked already."""
    storage = T.cntk_dtype(reference)
    size = T.static_shape(reference)[axis]
    # float16 holds integers exactly only up to 2048: gather larger float16 tables in float32.
    wide = storage == 'float16' and (size is None or size > 2048)
    table = T.cast_storage(reference, 'float32') if wide else reference
    indices = T.cast_storage(indices, T.cntk_dtype(table))
    zero = T.constant(0, T.cntk_dtype(table))
    if checked:
        # `+ 0`: a gather whose output gradient comes from some ops (an element_times, an alias)
        # fails in backprop ("incorrect Value() matrix shape ... memory sharing", measured).
        out = C.plus(C.gather(table, indices, axis=axis or None), zero)
    else:
        limit = _axis_size(table, axis)
        limit = T.constant(limit, T.cntk_dtype(table)) if _is_int(limit) else limit
        valid = C.element_times(C.greater_equal(indices, zero), C.less(indices, limit))
        out = C.gather(table, C.element_select(valid, indices, zero), axis=axis or None)
        trailing = len(table.shape) - axis - 1
        if trailing:
            rank = len(valid.shape)
            valid = C.reshape(valid, (1,) * trailing, begin_axis=rank, end_axis=rank)
        out = C.element_select(valid, out, T.constant(np.nan, T.cntk_dtype(table)))
    return T.cast_storage(out, storage) if wide else out


def _check_indices(fn, values, size):
    if values.size == 0:
        raise T.empty_error('%s with no indices' % fn)
    checks.check_indices(fn, values, size)


def gather(reference, indices):
    reference = T.as_tensor(reference)
    if T.hidden_batch(reference):
        raise ValueError('gather: inside a symbolic rnn step on CNTK the reference cannot be a '
                         'per-sample tensor (its axis 0 is the batch).')
    checks.check_gather_reference(T.ndim(reference))
    size = T.static_shape(reference)[0]
    if T.is_tensor(indices):
        checks.check_int_dtype('gather', 'indices', T.keras_dtype(indices))
        values = _constant_value(indices)
        if values is not None:
            _check_indices('gather', values, size)
        out = _gather(reference, indices, 0, values is not None and size is not None)
    else:
        values = np.asarray(indices)
        checks.check_int_dtype('gather', 'indices', values.dtype)
        _check_indices('gather', values, size)
        out = _gather(reference, T.constant(values, 'int32'), 0, size is not None)
    return T.same(reference, out)


def slice(x, start, size):
    x = T.as_tensor(x)
    rank = T.ndim(x)
    checks.check_slice_args(rank, start, size, _ndim, _dtype)
    checks.check_slice_bounds(T.keras_shape(x), start, size)
    starts = _int_entries(start, rank, 'slice', 'start')
    sizes = _int_entries(size, rank, 'slice', 'size')
    hidden = T.hidden_batch(x)
    if hidden and (T.is_tensor(starts[0]) or T.is_tensor(sizes[0]) or starts[0] != 0 or sizes[0] != -1):
        raise ValueError('slice: inside a symbolic rnn step on CNTK the batch axis cannot be sliced; '
                         'received start=%r, size=%r.' % (start, size))
    starts, sizes = starts[hidden:], sizes[hidden:]
    static = T.static_shape(x)
    for n, b, s in zip(static, starts, sizes):
        if not T.is_tensor(s) and s == 0:
            raise T.empty_error('slice with size %r' % (size,))
        if not T.is_tensor(s) and s < -1:
            raise ValueError('slice: expected sizes >= 0 or -1; received %r.' % (size,))
        if not T.is_tensor(b) and (b < 0 or (n is not None and (b >= n or (s != -1 and not T.is_tensor(s)
                                                                          and b + s > n)))):
            raise ValueError('slice: start %r and size %r do not fit in a tensor of shape %s.'
                             % (start, size, T.keras_shape(x)))
    dynamic = any(T.is_tensor(s) or (T.is_tensor(b) and s == -1) for b, s in zip(starts, sizes))
    if dynamic:
        if hidden:
            raise NotImplementedError('slice: sizes known only at run time are not available inside a '
                                      'symbolic rnn step on CNTK.')
        return _numpy_slice(x, starts, sizes)
    out = x
    for axis, (n, b, s) in enumerate(zip(static, starts, sizes)):
        if T.is_tensor(b):
            # A start known only at run time: gather start + arange(size) (out of range gives NaN).
            b = T.cast_storage(b, T.cntk_dtype(x))
            positions = C.plus(C.reshape(b, ()) if b.shape != () else b,
                               T.constant(np.arange(s), T.cntk_dtype(x)))
            out = _gather(out, positions, axis, False)
        elif not (b == 0 and (s == -1 or s == n)):
            out = C.slice(out, axis, b, b + s if s != -1 else (n if n is not None else 0))
    return T.same(x, out) if out is not x else x


def pattern_broadcast(x, broadcastable):
    x = T.as_tensor(x)
    # CNTK broadcasts any size-1 dim: only check that the pattern fits what is known of x.
    checks.check_broadcastable('pattern_broadcast', T.keras_shape(x), broadcastable)
    return x


# --- arange ----------------------------------------------------------------------------------------

def _static_number(value):
    """A bound known now (a number, or a tensor holding a known size or a constant), else None."""
    if isinstance(value, (numbers.Number, np.number)) and not isinstance(value, bool):
        return value
    if isinstance(value, np.ndarray) and value.size == 1:
        return value.reshape(()).item()
    if T.is_tensor(value):
        known = _static_int(value)
        if known is not None:
            return known
        constant = _constant_value(value)
        if constant is not None and constant.size == 1:
            return constant.reshape(()).item()
        return None
    raise ValueError('arange: expected numbers or scalar tensors as bounds; received %r.' % (value,))


def arange(start, stop=None, step=1, dtype='int32'):
    dtype = checks.check_dtype('arange', dtype)
    if stop is None:
        start, stop = 0, start
    checks.check_arange(start, stop, step, _ndim)
    bounds = [start, stop, step]
    known = [_static_number(b) for b in bounds]
    if None not in known:
        if known[2] == 0:
            raise ValueError('arange: step must not be 0.')
        values = np.arange(known[0], known[1], known[2], dtype=dtype)
        if values.size == 0:
            raise T.empty_error('arange(%r, %r, %r)' % tuple(known))
        return T.constant(values, dtype)
    return _numpy_arange(bounds, known, dtype)


# --- results whose size is known only at run time: NumPy in a CNTK user function --------------------

class _NumpyOp(T.UserOp):
    """A CNTK node computed by NumPy: `compute(*inputs)` gives the value, `gradient(inputs,
    output_gradient)` one gradient (or None for zeros) per input; the output may have free dims."""

    def __init__(self, inputs, compute, gradient, shape, dtype, name='numpy_op'):
        super(_NumpyOp, self).__init__(inputs, name=name)
        self.compute, self.gradient = compute, gradient
        self.out_shape, self.out_dtype = shape, dtype

    def forward(self, arguments, device=None, outputs_to_retain=None):
        arrays = list(arguments) if len(self.inputs) > 1 else [arguments]
        out = np.ascontiguousarray(self.compute(*arrays), dtype=self.out_dtype)
        if out.size == 0:
            raise T.empty_error('the result of %s' % self.name)
        return arrays, out

    def backward(self, state, root_gradients, variables=None):
        grads = self.gradient(state, root_gradients) if self.gradient else [None] * len(state)
        grads = [np.zeros_like(a) if g is None else np.asarray(g, dtype=a.dtype)
                 for a, g in zip(state, grads)]
        if variables is None:
            return grads[0]
        for var in variables:
            for i, inp in enumerate(self.inputs):
                if inp.uid == var.uid:
                    variables[var] = grads[i]

    def infer_outputs(self):
        return [C.output_variable(self.out_shape, self.out_dtype, [])]

    def clone(self, cloned_inputs):
        return _NumpyOp(list(cloned_inputs), self.compute, self.gradient, self.out_shape, self.out_dtype,
                        self.name)


def _numpy_op(inputs, compute, gradient, shape, dtype, name):
    # A user function cannot take an input variable without dynamic axes directly (measured), and
    # K.gradients w.r.t. an intermediate tensor substitutes one for it: every input gets a `+ 0`.
    inputs = [C.plus(t, T.constant(0, T.cntk_dtype(t))) for t in inputs]
    storage = T.np_storage(dtype)
    shape = tuple(T.FREE if d is None else int(d) for d in shape)
    return T.tag(C.user_function(_NumpyOp(inputs, compute, gradient, shape, storage, name)), dtype)


def _ints(array):
    return [int(v) for v in np.rint(np.asarray(array)).reshape(-1)]


def _numpy_arange(bounds, known, dtype):
    tensors = [b for b, k in zip(bounds, known) if k is None]
    if any(T.static_shape(t) not in ((), (1,)) or T.hidden_batch(t) for t in tensors):
        raise ValueError('arange: expected scalar tensors as bounds; received %r.' % (tensors,))

    def compute(*values):
        given = iter(values)
        args = [np.asarray(next(given)).reshape(()).item() if k is None else k for k in known]
        if args[2] == 0:
            raise ValueError('arange: step must not be 0.')
        return np.arange(args[0], args[1], args[2], dtype=dtype)
    return _numpy_op(tensors, compute, None, (None,), dtype, 'arange')


def _stacked(entries, storage):
    """Per-axis ints and scalar tensors as one 1-D tensor of `storage` (a user function input)."""
    parts = [T.constant([e], storage) if not T.is_tensor(e)
             else C.reshape(T.cast_storage(e, storage), (1,)) for e in entries]
    return parts[0] if len(parts) == 1 else C.splice(*parts, axis=0)


def _numpy_slice(x, starts, sizes):
    storage = T.cntk_dtype(x)
    static = T.static_shape(x)
    shape = []
    for n, b, s in zip(static, starts, sizes):
        if not T.is_tensor(s) and s != -1:
            shape.append(s)
        elif s == -1 and not T.is_tensor(b) and n is not None:
            shape.append(n - b)
        else:
            shape.append(None)

    def index(begin, length, source):
        begin, length = _ints(begin), _ints(length)
        for b, s, n in zip(begin, length, source):
            if b < 0 or b >= n or s == 0 or s < -1 or (s != -1 and b + s > n):
                raise ValueError('slice: start %s and size %s do not fit in a tensor of shape %s.'
                                 % (begin, length, source))
        return tuple(_builtin_slice(b, None if s == -1 else b + s) for b, s in zip(begin, length))

    def compute(value, begin, length):
        return value[index(begin, length, value.shape)]

    def gradient(values, grad):
        value, begin, length = values
        out = np.zeros_like(value)
        out[index(begin, length, value.shape)] = grad
        return [out, None, None]
    inputs = [x, _stacked(starts, storage), _stacked(sizes, storage)]
    return T.same(x, _numpy_op(inputs, compute, gradient, shape, T.keras_dtype(x), 'slice'))


def _numpy_tile(x, reps):
    storage = T.cntk_dtype(x)
    static = T.static_shape(x)
    shape = [None if T.is_tensor(r) or n is None else n * r for n, r in zip(static, reps)]

    def counts(value):
        out = _ints(value)
        if min(out) < 0:
            raise ValueError('tile: expected non-negative reps; received %s.' % out)
        if 0 in out:
            raise T.empty_error('tile with reps %s' % out)
        return out

    def compute(value, r):
        return np.tile(value, counts(r))

    def gradient(values, grad):
        value, r = values
        r = counts(r)
        split = [d for pair in zip(r, value.shape) for d in pair]
        return [grad.reshape(split).sum(axis=tuple(range(0, 2 * len(r), 2))), None]
    inputs = [x, _stacked(reps, storage)]
    return T.same(x, _numpy_op(inputs, compute, gradient, shape, T.keras_dtype(x), 'tile'))
