"""The core family's argument checks, shared by every engine: dtypes, placeholder shapes, what a
K.function takes as inputs, and the values fed to its placeholders.

Plain Python and NumPy (no engine, no ``K``): each function returns the normalised value or raises
``ValueError`` saying what was expected and what was received.

Fed values (`Feed`). What to check for each placeholder is computed once, when the K.function is
built: the rank, the known dimensions (one ``operator.itemgetter`` over the value's shape), the
target dtype and, for int and bool placeholders, the range a value must fit. A call converts each
value with NumPy once and compares a few attributes, about half a microsecond per input when the
value is already an array of the placeholder's dtype. Floats fed to a float placeholder are cast
(float64 -> float32, as before); ints and bools are cast to a float placeholder; an int or bool
placeholder takes only values that fit exactly: whole, finite numbers within the dtype's range
(300 into int8, NaN or 1.5 into int32 raise instead of wrapping or truncating). Where an engine
stores ints as floats (CNTK: int32 as float32), the range is what the float holds exactly
(±2^24), so 16777217 raises instead of becoming 16777216.
"""
import numbers
import operator

import numpy as np

# The dtypes of the contract, on every engine.
FLOATS = ('float16', 'float32', 'float64')
INTS = ('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64')
DTYPES = FLOATS + INTS + ('bool',)
_DTYPE_SET = frozenset(DTYPES)


def dtype_name(dtype):
    """The canonical name of a dtype given as a name, a NumPy dtype or type, or an engine dtype
    object with a ``name`` (a tf.DType); None when it is none of the contract's dtypes."""
    if isinstance(dtype, str):
        name = dtype
    elif dtype is None or isinstance(dtype, (bool, numbers.Number)):
        return None
    else:
        name = getattr(dtype, 'name', None)
        if not isinstance(name, str):
            try:
                name = np.dtype(dtype).name
            except TypeError:
                return None
    return name if name in _DTYPE_SET else None


class DTypeError(ValueError, TypeError):
    """An unknown or unsupported dtype. A ValueError, as kbackend's error contract says of every bad
    argument, and a TypeError, which TensorFlow and NumPy raise for a dtype they do not know and
    Keras 2.2.4's backend tests expect (`K.variable('', dtype='unsupported')`)."""


def check_dtype(fn, dtype, default=None, allowed=DTYPES):
    """`dtype` as a canonical name (str), one of `allowed`; None means `default` when one is given
    (floatx() for placeholder, variable, constant, zeros, ones, eye and the random ops; x's dtype for
    zeros_like/ones_like), else it is an error (cast). The one dtype check of every family."""
    if dtype is None and default is not None:
        return default
    name = dtype_name(dtype)
    if name is None and allowed is not DTYPES:  # an engine's own extra dtype (TensorFlow's 'string')
        name = getattr(dtype, 'name', dtype)
        name = name if isinstance(name, str) else None
    if name is None or name not in allowed:
        raise DTypeError('%s: expected a dtype among %s; received %r.' % (fn, ', '.join(allowed), dtype))
    return name


def check_shape(fn, shape=None, ndim=None):
    """A placeholder's shape: `shape` (a sequence of non-negative ints and None) when given, else
    `ndim` None dims. Neither given is a ValueError on every engine (the contract)."""
    if shape is None:
        if ndim is None:
            raise ValueError('%s needs a shape or an ndim; received neither.' % fn)
        if isinstance(ndim, bool) or not isinstance(ndim, (numbers.Integral, np.integer)) or ndim < 0:
            raise ValueError('%s: expected ndim to be a non-negative int; received %r.' % (fn, ndim))
        return (None,) * int(ndim)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError('%s: expected a shape (a tuple of non-negative ints and None); received %r.'
                         % (fn, shape))
    for d in dims:
        if d is not None and (isinstance(d, bool) or not isinstance(d, (numbers.Integral, np.integer))
                              or d < 0):
            raise ValueError('%s: expected a shape of non-negative ints and None; received %r.'
                             % (fn, dims))
    return tuple(None if d is None else int(d) for d in dims)


def check_name_scope(name):
    if not isinstance(name, str) or not name:
        raise ValueError('name_scope expects a non-empty string; received %r.' % (name,))
    return name


def describe(x):
    """A short description of a received object for an error message."""
    if isinstance(x, np.ndarray):
        return 'a NumPy array of shape %s and dtype %s' % (x.shape, x.dtype)
    text = repr(x)
    if len(text) > 120:
        text = text[:117] + '...'
    return '%s %s' % (type(x).__name__, text)


def not_an_input(position, x, what='a placeholder (K.placeholder or K.learning_phase())'):
    return ValueError('K.function: expected input %d to be %s; received %s.'
                      % (position, what, describe(x)))


def listed(fn, values, is_tensor, what):
    """batch_get_value's variables or batch_set_value's pairs as a list (any iterable but a tensor, a
    string or None); a TypeError naming `fn` otherwise (each engine failed its own way before)."""
    if values is None or isinstance(values, (str, bytes)) or is_tensor(values) or \
            not hasattr(values, '__iter__'):
        raise TypeError('%s: expected a list of %s; received %s.' % (fn, what, describe(values)))
    return list(values)


def variable_value_pairs(tuples, is_tensor):
    """batch_set_value's argument: a list of (variable, value) pairs."""
    pairs = listed('batch_set_value', tuples, is_tensor, '(variable, value) pairs')
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError('batch_set_value: expected (variable, value) pairs; received %s.' % describe(pair))
    return pairs


def check_gradients_args(loss, variables, is_tensor):
    """gradients' arguments on every engine: a tensor loss, and tensors or variables (one, or a list)
    to differentiate with respect to; returns the latter as a list."""
    if not is_tensor(loss):
        raise ValueError('gradients: expected the loss to be a tensor; received %s.' % describe(loss))
    listed = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    for i, v in enumerate(listed):
        if not is_tensor(v):
            raise ValueError('gradients: expected variables or tensors to differentiate with respect '
                             'to; received %s at position %d.' % (describe(v), i))
    return listed


def not_a_variable(fn, x):
    return ValueError('%s: expected a variable (made by K.variable, K.zeros, ...); received %s.'
                      % (fn, describe(x)))


# --- values fed to a K.function ---------------------------------------------------------------------

_ndarray = np.ndarray


def exact_int_bound(float_dtype):
    """The largest integer magnitude up to which a float dtype holds every integer exactly (2**24 for
    float32): what an engine that stores ints as floats (CNTK) can hold without rounding."""
    return 2 ** (np.finfo(float_dtype).nmant + 1)


def _shape_text(shape):
    return 'unknown' if shape is None else str(tuple(shape))


class SparseFeed(object):
    """What a value fed to a sparse placeholder must be: a scipy.sparse matrix whose shape fits the
    placeholder's known dims (the engines failed when the step ran, each its own way, before)."""

    __slots__ = ('name', 'position', 'shape')

    def __init__(self, name, position, shape):
        self.name, self.position, self.shape = name, position, tuple(shape)

    def check(self, value):
        """`value` itself, when it fits."""
        if not hasattr(value, 'tocoo') or len(getattr(value, 'shape', ())) != 2:
            received = 'None' if value is None else describe(value)
        elif len(self.shape) != 2 or any(d is not None and d != v for d, v in zip(self.shape, value.shape)):
            received = 'a scipy.sparse matrix of shape %s' % (value.shape,)
        else:
            return value
        raise ValueError('K.function: sparse placeholder %r (input %d) expects a scipy.sparse matrix of '
                         'shape %s; received %s.' % (self.name, self.position, _shape_text(self.shape), received))


def _all_strings(value):
    kind = value.dtype.kind
    if kind == 'O':
        return all(isinstance(v, (bytes, str)) for v in value.flat)
    return kind in 'SU'


class Feed(object):
    """What a value fed to one placeholder must be; `convert` checks a value and returns it as an
    array of the placeholder's dtype (`target`: another NumPy dtype to convert to, e.g. CNTK's
    storage dtype, or None for `dtype`)."""

    __slots__ = ('name', 'position', 'shape', 'dtype', 'target', 'ndim', 'getter', 'known',
                 'kind', 'low', 'high', 'allow_none', 'safe', 'stored_as_float')

    def __init__(self, name, position, shape, dtype, target=None, allow_none=False):
        self.name = name
        self.position = position
        self.shape = None if shape is None else tuple(shape)
        self.dtype = np.dtype(dtype)
        self.target = self.dtype if target is None else np.dtype(target)
        self.allow_none = allow_none
        self.ndim = None if shape is None else len(self.shape)
        known = [] if shape is None else [(i, d) for i, d in enumerate(self.shape) if d is not None]
        if not known:
            self.getter, self.known = None, None
        elif len(known) == 1:
            self.getter, self.known = operator.itemgetter(known[0][0]), known[0][1]
        else:
            self.getter = operator.itemgetter(*[i for i, _ in known])
            self.known = tuple(d for _, d in known)
        self.kind = self.dtype.kind  # 'f', 'i', 'u' or 'b'; 'o': another dtype (converted unchecked)
        if self.kind not in 'fiub':
            self.kind = 'o'
        self.stored_as_float = False
        if self.kind in 'iu':
            info = np.iinfo(self.dtype)
            self.low, self.high = int(info.min), int(info.max)
            if self.target.kind == 'f':  # ints stored as floats (CNTK): exact only up to 2^(mantissa+1)
                exact = exact_int_bound(self.target)
                if self.high > exact:
                    self.low, self.high, self.stored_as_float = max(self.low, -exact), exact, True
        else:
            self.low, self.high = (0, 1) if self.kind == 'b' else (None, None)
        self.safe = {}  # source dtype -> whether every value of it fits (no range check)

    def label(self):
        return 'placeholder %r (input %d)' % (self.name, self.position)

    def expected(self):
        return 'a value of shape %s and dtype %s' % (
            _shape_text(self.shape), 'string (bytes or str)' if self.dtype.kind == 'O' else self.dtype.name)

    def error(self, received):
        return ValueError('K.function: %s expects %s; received %s.'
                          % (self.label(), self.expected(), received))

    def convert(self, value):
        """`value` checked and converted to an array of the target dtype (NumPy conversion once)."""
        if type(value) is not _ndarray:
            if value is None:
                raise self.error('None')
            value = np.asarray(value)
            if value.dtype.kind not in 'fiub' and self.kind != 'o':
                raise self.error('a value of dtype %s (%s)' % (value.dtype, describe(value)))
        shape = value.shape
        if (self.ndim is not None and len(shape) != self.ndim) or (
                self.getter is not None and self.getter(shape) != self.known):
            raise self.error('a value of shape %s and dtype %s' % (shape, value.dtype))
        source = value.dtype
        if source is self.dtype and not self.stored_as_float:  # (builtin dtypes are singletons)
            return value if self.target is self.dtype else value.astype(self.target)
        if self.kind == 'o':  # a dtype outside the contract: TensorFlow's strings (NumPy objects)
            if self.dtype.kind == 'O' and not _all_strings(value):
                raise self.error('%s, not strings' % describe(value))
            return np.asarray(value, dtype=self.target)
        if self.kind != 'f':
            self._check_fits(value, source)
        elif source.kind not in 'fiub':
            raise self.error('a value of dtype %s' % source)
        return value.astype(self.target)

    def _check_fits(self, value, source):
        """An int or bool placeholder: the values must be whole, finite and within the range."""
        kind = source.kind
        if kind not in 'fiub':
            raise self.error('a value of dtype %s' % source)
        if kind == 'b' or not value.size:
            return
        safe = self.safe.get(source)
        if safe is None:
            safe = self.safe[source] = kind != 'f' and self.kind != 'b' and np.can_cast(
                source, self.dtype, 'safe') and self.low <= np.iinfo(source).min and \
                np.iinfo(source).max <= self.high
        if safe:
            return
        low, high = value.min().item(), value.max().item()
        if kind == 'f':
            if not (low >= self.low and high < self.high + 1.0):  # NaN fails both comparisons
                if low != low or high != high:
                    raise self.error('%s values holding NaN' % source)
                raise self.error('%s values outside the range of %s [%d, %d]%s (min %r, max %r)'
                                 % (source, self.dtype.name, self.low, self.high, self._why(), low, high))
            fractional = value[np.trunc(value) != value]
            if fractional.size:
                raise self.error('%s values that are not whole numbers (e.g. %r); an int placeholder '
                                 'is not fed by truncation' % (source, fractional.flat[0].item()))
        elif low < self.low or high > self.high:
            raise self.error('%s values outside the range of %s [%d, %d]%s (min %d, max %d)'
                             % (source, self.dtype.name, self.low, self.high, self._why(), low, high))

    def _why(self):
        if not self.stored_as_float:
            return ''
        return ' that this engine holds exactly (it stores %s as %s)' % (self.dtype.name, self.target.name)
