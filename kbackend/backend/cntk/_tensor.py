"""CNTK's model of a tensor mapped to Keras's: the one place for axis and dtype bookkeeping.

Shapes. Placeholders have no CNTK dynamic axes: the batch is an ordinary static axis of free size
(``C.FreeDimension``), so every Keras axis number is CNTK's. The exception is the inside of a
symbolic ``rnn`` step, where CNTK runs the step on tensors carrying a batch (and sequence) dynamic
axis: there the Keras batch axis 0 is not a static axis, and Keras axis k is CNTK static axis k - 1
(`static_axis`, `keras_shape`).

Dtypes. CNTK has only float16/32/64. Integer and boolean tensors are floats (exact to 2**24 in
float32) carrying their Keras dtype in the attribute ``_kb_dtype``; `keras_dtype` reads it, else the
storage dtype. Binary ops bring both operands to one storage dtype (`unify`), as NumPy promotion would.

Operators. kbackend gives CNTK's tensor classes NumPy semantics for Python operators (`install_operators`):
operands of any float dtype mix, dtypes are tracked, ``**``, ``//``, ``%`` and the ordering
comparisons exist, and indexing drops an axis indexed by an int (CNTK's own keeps it).
"""
import numbers
import operator
import sys
import threading

import numpy as np

from ..shared.checks import not_a_tensor_error
from ..shared.feeds import exact_int_bound
from ._engine import C

FREE = C.FreeDimension
INFERRED = C.InferredDimension
FLOATS = ('float16', 'float32', 'float64')
INTS = ('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64')
DTYPES = FLOATS + INTS + ('bool',)
FUNCTION = C.cntk_py.Function
VARIABLE = C.cntk_py.Variable  # the base of inputs, parameters and constants
TENSOR_TYPES = (FUNCTION, VARIABLE)
_NP_FLOAT = {'float16': np.float16, 'float32': np.float32, 'float64': np.float64}


# --- dtypes ----------------------------------------------------------------------------------------

def check_dtype(dtype, fn='dtype'):
    """A Keras dtype name from a name or NumPy dtype; ValueError listing the allowed ones."""
    try:
        name = np.dtype(dtype).name if dtype is not None else None
    except TypeError:
        name = None
    if name not in DTYPES:
        raise ValueError('%s: unknown dtype %r; expected one of %s.' % (fn, dtype, ', '.join(DTYPES)))
    return name


def storage_of(dtype):
    """The CNTK (float) dtype that holds values of a Keras dtype. Ints and bools live in float32, or in
    float64 when floatx is float64: CNTK runs a function only when all its inputs share one dtype,
    and a float64 model's integer inputs (token ids, labels) must not be the odd one out."""
    if dtype in FLOATS:
        return dtype
    from ..common import floatx
    return 'float64' if floatx() == 'float64' else 'float32'


def stored_exactly(fn, value, dtype):
    """value (an array) checked to be held exactly by the float storage of Keras dtype `dtype`: an int
    beyond 2**24 (float32; 2**53 in float64) would be rounded, so it is a ValueError instead."""
    if dtype in FLOATS or value.dtype.kind not in 'iuf' or not value.size:
        return value
    storage = np.dtype(storage_of(dtype))
    exact = exact_int_bound(storage)
    if value.dtype.kind != 'f' and np.iinfo(value.dtype).max <= exact and np.iinfo(value.dtype).min >= -exact:
        return value
    low, high = value.min().item(), value.max().item()
    if low < -exact or high > exact:
        raise ValueError('%s: CNTK stores %s values as %s, exact only within [-%d, %d]; received values '
                         'from %r to %r.' % (fn, dtype, storage.name, exact, exact, low, high))
    return value


def np_storage(dtype):
    return _NP_FLOAT[storage_of(dtype)]


def cntk_dtype(x):
    """The storage dtype name of a CNTK tensor."""
    return np.dtype(x.dtype).name


def keras_dtype(x):
    tag = getattr(x, '_kb_dtype', None) if is_tensor(x) else None
    return tag or cntk_dtype(x)


def tag(x, dtype):
    """x with its Keras dtype recorded (only when it differs from the storage)."""
    if dtype is not None and dtype != cntk_dtype(x):
        x._kb_dtype = dtype
    elif dtype is not None and getattr(x, '_kb_dtype', None) is not None:
        x._kb_dtype = None  # a stale tag (e.g. from cast_storage of an int) would hide the float dtype
    return x


def is_tensor(x):
    return isinstance(x, TENSOR_TYPES)


def is_float(dtype):
    return dtype in FLOATS


def result_dtype(a, b):
    """The Keras dtype of an arithmetic result: the float if one is a float, else the wider type."""
    if a == b:
        return a
    fa, fb = is_float(a), is_float(b)
    if fa != fb:
        return a if fa else b
    return a if np.dtype(a).itemsize >= np.dtype(b).itemsize else b


# --- converting values -----------------------------------------------------------------------------

def empty_error(what):
    """The error for an empty tensor: an engine limit (gaps.LIMITS), not a bad argument."""
    return NotImplementedError('%s is empty, and CNTK 2.7 cannot hold an empty tensor (a zero-size '
                               'value aborts the process with SIGFPE, measured).' % what)


def check_not_empty(shape, what):
    """Raise empty_error before a zero-size value reaches CNTK, which would abort the process. `what`
    names the value, with %s for its shape."""
    if 0 in shape:
        raise empty_error(what % (tuple(shape),))


# --- user functions: their Python errors reach the caller as themselves ------------------------------

_RAISED = threading.local()  # .error: the first exception a user function raised in this thread's run


def _keeping_errors(method):
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:
            _keep(error)
            raise
    call.__name__ = method.__name__
    return call


class UserOp(C.ops.functions.UserFunction):
    """CNTK's UserFunction, keeping the exception its forward or backward raises: CNTK turns it into
    RuntimeError('SWIG director method error.'), and `user_errors_raised` raises the original instead.
    The first one is kept: a user function that evaluates another (a gradient) re-raises CNTK's
    RuntimeError, which must not hide the cause."""

    _forward = _keeping_errors(C.ops.functions.UserFunction._forward)
    _backward = _keeping_errors(C.ops.functions.UserFunction._backward)


def _keep(error):
    if getattr(_RAISED, 'error', None) is None:
        _RAISED.error = error


class user_errors_raised(object):
    """Around an evaluation: a RuntimeError('SWIG director method error.') from CNTK becomes the
    exception a user function (NumPy code, a gradient) raised. CNTK also prints that exception through
    sys.excepthook (PyErr_Print) before it raises its own; while evaluations run, a hook that stays
    silent for the thread whose user function failed stands in for the installed one (restored when
    the last evaluation ends), so the caller sees the error once, raised."""

    _lock = threading.Lock()
    _running = 0
    _outer_hook = None

    def __enter__(self):
        _RAISED.error = None  # a kept error from an evaluation nobody checked is stale
        cls = user_errors_raised
        with cls._lock:
            if cls._running == 0:
                cls._outer_hook = sys.excepthook
                sys.excepthook = _silent_for_kept_errors
            cls._running += 1

    def __exit__(self, kind, error, traceback):
        cls = user_errors_raised
        with cls._lock:
            cls._running -= 1
            if cls._running == 0:
                if sys.excepthook is _silent_for_kept_errors:  # unless the program set its own meanwhile
                    sys.excepthook = cls._outer_hook
                cls._outer_hook = None
        kept, _RAISED.error = getattr(_RAISED, 'error', None), None
        if kept is not None and isinstance(error, RuntimeError) and 'director method error' in str(error):
            raise kept from None
        return False


def _silent_for_kept_errors(kind, error, traceback):
    if getattr(_RAISED, 'error', None) is not None:
        return  # printed by CNTK in this thread; user_errors_raised raises it to the caller
    (user_errors_raised._outer_hook or sys.__excepthook__)(kind, error, traceback)


def constant(value, dtype):
    """A CNTK constant of a NumPy-convertible value, stored for Keras dtype `dtype`."""
    array = np.asarray(value)
    if array.dtype.kind not in 'biuf':
        raise not_a_tensor_error(repr(value))
    check_not_empty(array.shape, 'A value of shape %s')
    const = C.constant(np.asarray(array, dtype=np_storage(dtype), order="C"), dtype=np_storage(dtype))
    return tag(const, dtype)


def _holds_tensor(x):
    return isinstance(x, (list, tuple)) and any(is_tensor(e) or _holds_tensor(e) for e in x)


def as_tensor(x, dtype=None):
    """x as a CNTK tensor (NumPy values and numbers become constants, of `dtype` when given). A list
    holding tensors is stacked, as TensorFlow's convert_to_tensor packs it (Keras writes
    ``K.prod([K.shape(x)[i] for i in axes])``)."""
    if is_tensor(x):
        return x
    if _holds_tensor(x):
        from .array import stack
        return stack([as_tensor(e, dtype) for e in x], 0)
    if dtype is None:
        array = np.asarray(x)
        dtype = array.dtype.name if array.dtype.kind == 'f' else None
        if dtype is None:
            from ..common import floatx
            dtype = 'bool' if array.dtype.kind == 'b' else (array.dtype.name if array.dtype.kind in 'iu'
                                                             else floatx())
    return constant(x, dtype)


def cast_storage(x, storage):
    """x with CNTK storage dtype `storage` (its Keras dtype unchanged unless it is a float)."""
    if cntk_dtype(x) == storage:
        return x
    dtype = keras_dtype(x)
    out = C.cast(x, _NP_FLOAT[storage])
    return tag(out, dtype if not is_float(dtype) else storage)


def unify(x, y):
    """(x, y, result Keras dtype) as CNTK tensors of one storage dtype; a number or array takes the
    tensor's dtype, as TensorFlow converts it."""
    if not is_tensor(x) and not is_tensor(y):
        x = as_tensor(x)
    if not is_tensor(x):
        x = as_tensor(x, _value_dtype(x, keras_dtype(y)))
    if not is_tensor(y):
        y = as_tensor(y, _value_dtype(y, keras_dtype(x)))
    dx, dy = keras_dtype(x), keras_dtype(y)
    dtype = result_dtype(dx, dy)
    sx, sy = cntk_dtype(x), cntk_dtype(y)
    if sx != sy:
        storage = storage_of(dtype) if is_float(dtype) else max(sx, sy, key=lambda d: np.dtype(d).itemsize)
        x, y = cast_storage(x, storage), cast_storage(y, storage)
    return x, y, dtype


def _value_dtype(value, other):
    """The dtype a Python/NumPy value takes next to a tensor of dtype `other`: the tensor's, unless the
    value is a non-integral number next to an integer tensor (then floatx, as NumPy would upcast)."""
    array = np.asarray(value)
    if not is_float(other) and array.dtype.kind == 'f' and not np.all(np.mod(array, 1) == 0):
        from ..common import floatx
        return floatx()
    return other


# --- shapes and axes -------------------------------------------------------------------------------

def hidden_batch(x):
    """1 when x carries CNTK dynamic axes (inside an rnn step: the Keras batch axis is dynamic), else 0."""
    return 1 if getattr(x, 'dynamic_axes', ()) else 0


def static_shape(x):
    """CNTK's static shape with free/inferred dims as None."""
    return tuple(None if d < 0 else int(d) for d in x.shape)


def keras_shape(x):
    """The Keras shape: static shape plus a leading None for a dynamic batch axis."""
    shape = (None,) * hidden_batch(x) + static_shape(x)
    hint = getattr(x, '_keras_shape', None)
    if hint is not None and len(hint) == len(shape):
        shape = tuple(h if d is None and isinstance(h, numbers.Integral) else d
                      for d, h in zip(shape, hint))
    return shape


def ndim(x):
    return len(x.shape) + hidden_batch(x)


def normalize_axis(fn, axis, rank):
    if isinstance(axis, bool) or not isinstance(axis, (numbers.Integral, np.integer)) \
            or not -rank <= axis < rank:
        raise ValueError('%s: expected an axis in [%d, %d) for a tensor of rank %d; received %r.'
                         % (fn, -rank, rank, rank, axis))
    return int(axis) % rank


def static_axis(x, axis, fn='op'):
    """The CNTK static axis of Keras axis `axis` of x (ValueError for the dynamic batch axis)."""
    axis = normalize_axis(fn, axis, ndim(x))
    offset = hidden_batch(x)
    if axis < offset:
        raise ValueError('%s: inside a symbolic rnn step on CNTK the batch axis (0) is not a tensor '
                         'axis; use axes >= 1 or negative axes.' % fn)
    return axis - offset


def normalize_axes(fn, axis, rank):
    """None -> None; an int or a sequence of ints -> sorted distinct non-negative axes (ValueError on
    an out-of-range or repeated axis)."""
    if axis is None:
        return None
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    normalized = [normalize_axis(fn, a, rank) for a in axes]
    if len(set(normalized)) != len(normalized):
        raise ValueError('%s: expected distinct axes; received %r.' % (fn, axis))
    return sorted(normalized)


def drop_axis(x, axis):
    """x without static axis `axis` (which must have size 1); works with free dims."""
    return C.reshape(x, (), begin_axis=axis, end_axis=axis + 1)


def drop_axes(x, axes):
    """x without its size-1 static `axes`, one reshape per run of adjacent axes; works with any number
    of free dims (CNTK's own `keepdims=False` fails once two dims are free)."""
    for first, last in reversed(_runs(sorted(axes))):
        x = C.reshape(x, (), begin_axis=first, end_axis=last + 1)
    return x


def _runs(axes):
    runs = []
    for a in axes:
        if runs and runs[-1][1] == a - 1:
            runs[-1][1] = a
        else:
            runs.append([a, a])
    return runs


def insert_axis(x, axis):
    """x with a new size-1 static axis before static axis `axis` (axis == rank appends)."""
    return C.reshape(x, (1,), begin_axis=axis, end_axis=axis)


def same(x, result):
    """`result` tagged with x's Keras dtype (for ops that keep the dtype)."""
    return tag(result, keras_dtype(x))


# --- NumPy-style indexing ------------------------------------------------------------------------

def dim_refs(x):
    """For a 1-D shape tensor (K.shape(t) or a slice or element of it): one (t, axis, size or None)
    per element, so reshape and friends know which entries are known; None for other tensors.
    array/math also make entries (t, (first, end), size or None) for the product of a run of t's
    axes (K.prod of a shape slice) and (None, None, size) for a plain number (K.stack([-1, ...]))."""
    return getattr(x, '_kb_dims', None)


def _index(x, key):
    refs = dim_refs(x)
    if refs is not None and isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, bool) \
            and -len(refs) <= key < len(refs) and refs[key][2] is not None:
        # a known size (K.shape(x)[1]) is a constant: no slice ops in the graph, which CNTK makes
        # slower to extend the larger it grows (Keras's BatchNormalization reads K.shape per axis)
        out = constant(refs[key][2], keras_dtype(x))
        out._kb_dims = [refs[key]]
        return out
    out = _index_tensor(x, key)
    if refs is not None and out is not x:
        k = key[0] if isinstance(key, tuple) and len(key) == 1 else key
        if isinstance(k, slice):
            out._kb_dims = refs[k]
        elif isinstance(k, (numbers.Integral, np.integer)) and not isinstance(k, bool):
            out._kb_dims = [refs[int(k)]]
    return out


def _index_tensor(x, key):
    if not isinstance(key, tuple):
        key = (key,)
    if any(not isinstance(k, (numbers.Integral, np.integer, slice, type(None), type(Ellipsis)))
           and not _scalar_int_tensor(k) or isinstance(k, bool) for k in key):
        raise TypeError('Indexing a CNTK tensor takes ints, scalar int tensors, slices, None and '
                        'Ellipsis; received %r. Use K.gather for tensor indices of other ranks.' % (key,))
    rank = ndim(x)
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError('an index can only have a single ellipsis (...)')
    if used > rank:
        raise IndexError('too many indices for a tensor of rank %d: %r' % (rank, key))
    ellipses = [j for j, k in enumerate(key) if k is Ellipsis]
    if ellipses:  # the ellipsis stands for every axis the key does not name
        i = ellipses[0]
        key = key[:i] + (slice(None),) * (rank - used) + key[i + 1:]
    else:
        key = key + (slice(None),) * (rank - used)
    offset = hidden_batch(x)
    x, key = _take_tensor_indices(x, key, offset)
    shape = keras_shape(x)
    dtype = keras_dtype(x)
    out, axis, drops, inserts = x, 0, [], []
    position = 0
    for k in key:
        if k is None:
            inserts.append(position)
            position += 1
            continue
        if axis < offset:
            if k != slice(None):
                raise ValueError('Inside a symbolic rnn step on CNTK the batch axis cannot be indexed; '
                                 'received %r.' % (key,))
            axis += 1
            position += 1
            continue
        size = shape[axis]
        cntk_axis = axis - offset
        if isinstance(k, slice):
            out = _slice_axis(out, cntk_axis, size, k)
            position += 1
        else:
            i = int(k)
            if size is not None and not -size <= i < size:
                raise IndexError('index %d is out of bounds for axis %d with size %d' % (i, axis, size))
            if size is not None:
                i %= size
            out = C.slice(out, cntk_axis, i, i + 1 if i != -1 else 0)
            drops.append(cntk_axis)
        axis += 1
    for a in reversed(drops):
        out = drop_axis(out, a)
    for p in inserts:
        out = insert_axis(out, p - offset)
    return tag(out, dtype) if out is not x else x


def _scalar_int_tensor(k):
    return is_tensor(k) and ndim(k) == 0 and np.dtype(keras_dtype(k)).kind in 'iu'


def _take_tensor_indices(x, key, offset):
    """x with each scalar-tensor entry of `key` (x[i] inside K.map_fn over K.arange) gathered to a
    size-1 axis, and the key with 0 in its place, so the plain indexing below drops that axis.
    An index outside the axis gives NaN (CNTK cannot raise at run time; see array._gather)."""
    if not any(is_tensor(k) for k in key):
        return x, key
    from .array import _gather
    from .core import _dim
    entries, axis = list(key), 0
    for n, k in enumerate(key):
        if k is None:
            continue
        if is_tensor(k):
            if axis < offset:
                raise ValueError('Inside a symbolic rnn step on CNTK the batch axis cannot be indexed; '
                                 'received %r.' % (key,))
            size = keras_shape(x)[axis]
            exact = 'float64' if cntk_dtype(x) == 'float64' else 'float32'  # float16 counts only to 2048
            index = cast_storage(C.reshape(k, (1,)), exact)
            if size is None:
                size = cast_storage(_dim(x, axis - offset), exact)
            # a negative index counts from the end, as in NumPy
            index = C.element_select(C.less(index, 0), C.plus(index, size), index)
            dtype = keras_dtype(x)
            x = tag(_gather(x, index, axis - offset, False), dtype)
            entries[n] = 0
        axis += 1
    return x, tuple(entries)


def _empty_slice(what):
    # An engine limit (the registry's 'slice' entry), not a bad argument: other engines return it.
    return NotImplementedError('Empty slices are not supported on CNTK: %s; CNTK 2.7 cannot hold a '
                               'tensor with zero elements.' % what)


def _slice_axis(x, axis, size, s):
    step = 1 if s.step is None else int(s.step)
    if step == 0:
        raise ValueError('slice step cannot be zero')
    if size is not None:
        begin, end, step = s.indices(size)
        if step > 0:
            if begin >= end:
                raise _empty_slice('%r of an axis of size %d' % (s, size))
            if begin == 0 and end == size and step == 1:
                return x
            return C.slice(x, axis, begin, end, step)
        # negative steps: reverse the axis, then take the forward slice of the reversed axis
        count = len(range(begin, end, step))
        if count == 0:
            raise _empty_slice('%r of an axis of size %d' % (s, size))
        reversed_x = C.slice(x, axis, 0, 0, -1)
        first = size - 1 - begin
        return C.slice(reversed_x, axis, first, first + (count - 1) * -step + 1, -step)
    # free dim: CNTK's begin/end follow Python's rules for negative values, 0 as end means "to the end"
    begin = 0 if s.start is None else int(s.start)
    end = 0 if s.stop is None else int(s.stop)
    if step < 0:
        if s.start is None and s.stop is None:
            return C.slice(x, axis, 0, 0, step)
        raise ValueError('A negative-step slice with bounds on an axis of unknown size is not '
                         'supported on CNTK; received %r.' % (s,))
    if s.stop is not None and end == 0:
        raise _empty_slice(repr(s))
    if begin == 0 and end == 0 and step == 1:
        return x
    return C.slice(x, axis, begin, end, step)


# --- Python operators ------------------------------------------------------------------------------

def _known_int(v):
    """An operand's int value when it is known now: an int, or a shape entry (dim_refs) of known size."""
    if isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool):
        return int(v)
    refs = dim_refs(v)
    if refs is not None and len(refs) == 1 and refs[0][2] is not None:
        return int(refs[0][2])
    return None


def _binary(op, dtype_rule=None, fold=None):
    """A Python operator. With `fold`, arithmetic on known sizes keeps its value as a dim_refs entry
    (None, None, value): Keras 2.2.4 computes Conv2DTranspose's output size from K.shape(x)."""
    def apply(x, y):
        a, b, dtype = unify(x, y)
        if dtype_rule is not None:
            a, b, dtype = dtype_rule(a, b, dtype)
        out = tag(op(a, b), dtype)
        if fold is not None:
            p, q = _known_int(x), _known_int(y)
            if p is not None and q is not None:
                out._kb_dims = [(None, None, fold(p, q))]
        return out
    return apply


def _true_divide_rule(a, b, dtype):
    if is_float(dtype):
        return a, b, dtype
    # int / int is a float64 division (TensorFlow's truediv and Theano's true_div)
    return cast_storage(a, 'float64'), cast_storage(b, 'float64'), 'float64'


def _comparison_rule(a, b, dtype):
    return a, b, 'bool'


def _floor_divide(a, b):
    return C.floor(C.element_divide(a, b))


def _mod(a, b):
    return C.minus(a, C.element_times(C.floor(C.element_divide(a, b)), b))


def _pow(a, b):
    return C.pow(a, b)


add = _binary(C.plus, fold=operator.add)
subtract = _binary(C.minus, fold=operator.sub)
multiply = _binary(C.element_times, fold=operator.mul)
def _divide(a, b):
    # CNTK's division by zero gives 0; NumPy and TensorFlow give +-inf (nan for 0/0). The inf branch
    # carries no gradient (its 0 * inf would poison the gradient of the chosen branch).
    by_zero = C.element_times(C.stop_gradient(a), C.constant(np.inf, dtype=a.dtype))
    return C.element_select(C.equal(b, 0), by_zero, C.element_divide(a, b))


_divide_by_tensor = _binary(_divide, _true_divide_rule)
_divide_by_constant = _binary(C.element_divide, _true_divide_rule)


def true_divide(x, y):
    if not is_tensor(y) and np.all(np.asarray(y) != 0):
        return _divide_by_constant(x, y)  # a non-zero number or array: no zero to guard against
    return _divide_by_tensor(x, y)
floor_divide = _binary(_floor_divide, fold=operator.floordiv)
mod = _binary(_mod)
power = _binary(_pow)
less = _binary(C.less, _comparison_rule)
less_equal = _binary(C.less_equal, _comparison_rule)
greater = _binary(C.greater, _comparison_rule)
greater_equal = _binary(C.greater_equal, _comparison_rule)
equal = _binary(C.equal, _comparison_rule)
not_equal = _binary(C.not_equal, _comparison_rule)


def _swap(fn):
    return lambda x, y: fn(y, x)


def _negative(x):
    return same(x, C.negate(x))


def _absolute(x):
    return same(x, C.abs(x))


_OPERATORS = {
    '__add__': add, '__radd__': _swap(add), '__sub__': subtract, '__rsub__': _swap(subtract),
    '__mul__': multiply, '__rmul__': _swap(multiply), '__truediv__': true_divide,
    '__rtruediv__': _swap(true_divide), '__div__': true_divide, '__rdiv__': _swap(true_divide),
    '__floordiv__': floor_divide, '__rfloordiv__': _swap(floor_divide), '__mod__': mod,
    '__rmod__': _swap(mod), '__pow__': power, '__rpow__': _swap(power), '__lt__': less,
    '__le__': less_equal, '__gt__': greater, '__ge__': greater_equal, '__neg__': _negative,
    '__abs__': _absolute, '__getitem__': None,
}


def _getitem(self, key):
    outputs = getattr(self, 'outputs', None) if isinstance(self, FUNCTION) else None
    if outputs is not None and len(outputs) > 1:
        return outputs[key]  # a multi-output function: select an output (CNTK's own behaviour)
    return _index(self, key)


def _iter(self):
    """Iterate over the first axis when its size is known (TensorFlow 1's and Theano's rule). CNTK's
    own __getitem__ never raises IndexError, so without this `list(x)` would never end."""
    outputs = getattr(self, 'outputs', None) if isinstance(self, FUNCTION) else None
    if outputs is not None and len(outputs) > 1:
        return iter(outputs)
    shape = keras_shape(self)
    if not shape or shape[0] is None:
        raise TypeError('A CNTK tensor can be iterated only over a first axis of known size; received '
                        'a tensor of shape %s.' % (shape,))
    return (_index(self, i) for i in range(shape[0]))


def install_operators():
    """Gives CNTK's Function and Variable classes kbackend's (NumPy-style) Python operators."""
    import cntk.tensor
    classes = (cntk.tensor.TensorOpsMixin, C.cntk_py.Function, C.cntk_py.Variable, C.Function,
               C.Variable, C.Parameter, C.Constant)
    for klass in classes:
        for name, fn in _OPERATORS.items():
            setattr(klass, name, _getitem if name == '__getitem__' else fn)
        klass.__iter__ = _iter


install_operators()
