"""cntk engine: the core op family (see kbackend.backend.api.FAMILIES).

Variables are CNTK parameters, placeholders are CNTK inputs without dynamic axes (free dims for
None), updates are ``C.assign`` nodes, `function` evaluates one ``C.combine`` of the outputs and the
assignments (CNTK reads every variable before it assigns any, so updates are simultaneous).

Gradients. CNTK differentiates only a whole Function with respect to its leaves, and only as values.
`gradients` returns the outputs of a gradient node (`_gradient_op.GradOp`), usable as an output, in
`eval` and in further graph building. A `Function` whose graph holds gradient nodes of one loss runs
that loss forward and backward once and serves the nodes from the result (see `_GradientStep`).

Sessions: CNTK has none. get_session() returns None, set_session accepts only None,
manual_variable_initialization only records the flag (a parameter always holds its value).
"""
import numbers
import re
import threading

import numpy as np

from .. import gaps
from ..common import floatx
from ..shared.checks import (UnfedPlaceholders, check_function_inputs, constant_array, initial_value,
                             shape_of_value)
from ..shared.feeds import (Feed, SparseFeed, check_dtype, check_gradients_args, check_shape, listed,
                            not_a_variable, not_an_input, variable_value_pairs)
from ..shared.state import RuntimeState
from . import _tensor as T
from ._engine import C
from ._gradient_op import GradOp, find_gradient_ops, gradient_stash

__all__ = ['get_uid', 'reset_uids', 'clear_session', 'manual_variable_initialization',
           'learning_phase', 'set_learning_phase', 'get_session', 'set_session', 'is_sparse',
           'to_dense', 'name_scope', 'variable', 'constant', 'is_tensor',
           'placeholder', 'is_placeholder', 'shape', 'int_shape', 'ndim', 'dtype', 'eval', 'zeros',
           'ones', 'zeros_like', 'ones_like', 'identity', 'cast', 'update', 'update_add',
           'update_sub', 'get_value', 'batch_get_value', 'set_value', 'batch_set_value',
           'print_tensor', 'function', 'gradients', 'stop_gradient', 'Function']


# --- threads ---------------------------------------------------------------------------------------
# CNTK's graph building is not safe from several threads: its SWIG layer converts a Function passed
# where a Variable is expected ("implicit conversion") under a process-wide flag that a second
# thread, converting at the same time, takes as "already converting" and fails ("Wrong number or
# type of arguments for overloaded function 'minus'", "cannot convert list element to
# CNTK::Variable"). So every K call on CNTK and every Python operator of a CNTK tensor holds
# BUILD_LOCK (re-entrant; see `serialise_building`). Evaluation never takes it: calls of a
# Function are serialised per Function (`Function._lock`), calls of different Functions run
# concurrently.

BUILD_LOCK = threading.RLock()


_INCOMPATIBLE = re.compile(r"Left operand .*? shape '\[(.*?)\]' is not compatible with right operand .*? "
                          r"shape '\[(.*?)\]'")


def _as_shape(cntk_dims):
    """'* x 3' (CNTK's message) as '(None, 3)'."""
    dims = [d.strip() for d in cntk_dims.split(' x ')] if cntk_dims.strip() else []
    return '(%s%s)' % (', '.join('None' if d in ('*', '?') else d for d in dims), ',' if len(dims) == 1 else '')


def _shape_error(name, error):
    """CNTK's refusal of two shapes that do not broadcast, as the ValueError other engines give; None
    for any other error."""
    found = _INCOMPATIBLE.search(str(error))
    if found is None:
        return None
    return ValueError('%s: expected shapes that broadcast together; received %s and %s.'
                      % (name, _as_shape(found.group(1)), _as_shape(found.group(2))))


_DEPTH = [0]  # nested serialised calls (read under BUILD_LOCK): only the outermost names the error


def _serialised(fn, name=None):
    name = name or getattr(fn, '__name__', 'locked')

    def locked(*args, **kwargs):
        with BUILD_LOCK:
            _DEPTH[0] += 1
            try:
                return fn(*args, **kwargs)
            except RuntimeError as error:
                clear = _shape_error(name, error) if _DEPTH[0] == 1 else None  # the user's call
                if clear is None:
                    raise
            finally:
                _DEPTH[0] -= 1
        raise clear
    locked.__name__ = getattr(fn, '__name__', 'locked')
    locked.__qualname__ = getattr(fn, '__qualname__', locked.__name__)
    locked.__doc__ = fn.__doc__
    locked.__wrapped__ = fn  # inspect.signature follows it: the contract's signatures still match
    locked.__module__ = getattr(fn, '__module__', __name__)
    locked._kb_serialised = True
    return locked


def serialise_building(namespace):
    """Puts every contract function of the CNTK adapter package (`namespace`, its globals, called
    once at import) and every Python operator of CNTK tensors under BUILD_LOCK."""
    from .. import api
    for name in api.NAMES:
        fn = namespace.get(name)
        if callable(fn) and not isinstance(fn, type) and not getattr(fn, '_kb_serialised', False):
            namespace[name] = _serialised(fn)
    T._OPERATORS = dict((name, _serialised(fn, 'the operator ' + name)) for name, fn in T._OPERATORS.items())
    T._getitem = _serialised(T._getitem, 'indexing')
    T.install_operators()


# --- runtime state: uids, learning phase, name scopes (thread-safe) ---------------------------------

def _new_learning_phase(storage):
    phase = C.input_variable((), dtype=storage, dynamic_axes=[], name='keras_learning_phase')
    phase._kb_dtype = 'bool'
    phase._kb_placeholder = True
    phase._uses_learning_phase = False
    return phase


STATE = RuntimeState()
STATE.learning_phase_symbols = {}  # one per storage dtype (see learning_phase)


def get_uid(prefix=''):
    return STATE.get_uid(prefix)


def reset_uids():
    STATE.reset_uids()


def clear_session():
    with STATE.lock:
        STATE.clear()
        STATE.learning_phase_symbols = {}


def manual_variable_initialization(value):
    STATE.manual_init = bool(value)


def learning_phase():
    value = STATE.learning_phase_value
    if value is not None:
        return value
    # CNTK runs a function only when all its inputs share one float dtype: the phase takes the
    # storage dtype of bools under the current floatx (float64 models get a float64 phase).
    storage = T.np_storage('bool')
    with STATE.lock:
        symbol = STATE.learning_phase_symbols.get(storage)
        if symbol is None:
            symbol = STATE.learning_phase_symbols[storage] = _new_learning_phase(storage)
    return symbol


def set_learning_phase(value):
    STATE.set_learning_phase(value)


def get_session():
    return None


def set_session(session):
    if session is not None:
        raise ValueError('The CNTK engine has no sessions: set_session accepts only None; received %r.'
                         % (session,))


def name_scope(name):
    return STATE.name_scope(name)


# --- tensors and variables ------------------------------------------------------------------------

def is_sparse(tensor):
    return bool(getattr(tensor, '_kb_sparse', False)) or bool(getattr(tensor, 'is_sparse', False)
                                                               and T.is_tensor(tensor))


def to_dense(tensor):
    if not T.is_tensor(tensor):
        return T.as_tensor(tensor)
    if getattr(tensor, 'is_sparse', False):
        # A sparse input has CNTK's batch axis: a product with the identity gives a dense batch,
        # which unpack_batch turns back into a (batch, n) tensor with a free first dim.
        n = tensor.shape[-1]
        eye = C.constant(np.eye(n, dtype=tensor.dtype), dtype=tensor.dtype)
        return T.same(tensor, C.unpack_batch(C.times(tensor, eye)))
    if getattr(tensor, '_kb_sparse', False):
        return T.same(tensor, C.alias(tensor))  # a sparse variable is stored dense already
    return tensor


def _mark(x, keras_shape, dtype):
    x._keras_shape = keras_shape
    x._uses_learning_phase = False
    T.tag(x, dtype)
    return x


def _check_dtype(dtype, fn):
    return T.check_dtype(check_dtype(fn, dtype, floatx()), fn)


def variable(value, dtype=None, name=None, constraint=None):
    dtype = _check_dtype(dtype, 'variable')
    sparse = hasattr(value, 'tocoo')
    if sparse:
        value = value.toarray()  # CNTK has no sparse parameters: the variable is stored dense
    elif T.is_tensor(value):
        value = initial_value(eval, value)
    value = np.asarray(value)
    if value.dtype.kind not in 'biuf':
        raise ValueError('variable: expected a number or an array of numbers; received %r.' % (value,))
    T.check_not_empty(value.shape, 'variable: a value of shape %s')
    storage = T.np_storage(dtype)
    init = np.asarray(T.stored_exactly('variable', value, dtype).astype(dtype), dtype=storage, order="C")
    if init.ndim == 0:
        init = float(init)  # CNTK makes a parameter of shape (1,) from a 0-d array
    v = C.parameter(shape=value.shape, init=init, dtype=storage, name=STATE.unique_name(name, 'variable'))
    v.constraint = constraint
    if sparse:
        v._kb_sparse = True
    return _mark(v, tuple(value.shape), dtype)


def constant(value, dtype=None, shape=None, name=None):
    dtype = _check_dtype(dtype, 'constant')
    value = T.stored_exactly('constant', constant_array(value, dtype, shape), dtype)
    T.check_not_empty(value.shape, 'constant: a value of shape %s')
    storage = T.np_storage(dtype)
    const = C.constant(np.asarray(value, dtype=storage, order="C"), dtype=storage,
                       name=STATE.scoped_name(name, 'constant'))
    return _mark(const, tuple(value.shape), dtype)


def is_tensor(x):
    return T.is_tensor(x)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    dtype = _check_dtype(dtype, 'placeholder')
    shape = check_shape('placeholder', shape, ndim)
    name = STATE.scoped_name(name, 'placeholder')
    storage = T.np_storage(dtype)
    if sparse:
        if len(shape) != 2 or shape[1] is None:
            raise ValueError('A sparse placeholder must be 2-D with a known second dim; received shape '
                             '%s.' % (shape,))
        # CNTK's sparse inputs need its batch axis (the first Keras axis).
        x = C.input_variable((shape[1],), dtype=storage, is_sparse=True, name=name)
    else:
        T.check_not_empty(shape, 'placeholder: the shape %s')
        dims = tuple(T.FREE if d is None else int(d) for d in shape)
        # needs_gradient: K.gradients w.r.t. a placeholder differentiates w.r.t. this leaf (cutting the
        # graph there with a clone fails on CNTK's sequence blocks, as rnn builds them).
        x = C.input_variable(dims, dtype=storage, dynamic_axes=[], needs_gradient=True, name=name)
    x._kb_placeholder = True
    return _mark(x, shape, dtype)


def is_placeholder(x):
    return bool(getattr(x, '_kb_placeholder', False))


def _dim(x, axis):
    """The size of static axis `axis` of x as a float32 scalar tensor (for a free dim)."""
    index = tuple(slice(None) if i == axis else slice(0, 1) for i in range(len(x.shape)))
    first = C.ones_like(C.stop_gradient(T._index(x, index) if index else x))  # noqa: keeps free dims
    return C.reduce_sum(first, axis=C.Axis.all_static_axes())


def shape(x):
    x = T.as_tensor(x)
    made = getattr(x, '_kb_shape_tensor', None)
    if made is not None:  # one shape tensor per tensor: each op makes CNTK's graph slower to extend
        return made
    static = T.static_shape(x)
    if T.hidden_batch(x):
        raise ValueError('shape: inside a symbolic rnn step on CNTK the batch size is not known; use '
                         'K.int_shape for the other dims.')
    if not static:
        raise T.empty_error('shape: the shape () of a 0-d tensor, as a tensor,')
    if None not in static:
        out = C.constant(np.asarray(static, dtype=np.float32))
    else:
        parts = [C.constant(np.asarray([d], np.float32)) if d is not None
                 else C.reshape(_dim(x, i), (1,)) for i, d in enumerate(static)]
        out = C.splice(*parts, axis=0) if len(parts) > 1 else parts[0]
    out._kb_dtype = 'int32'
    out._kb_dims = [(x, i, d) for i, d in enumerate(static)]  # which dims are known (see T.dim_refs)
    x._kb_shape_tensor = out
    return out


def int_shape(x):
    if T.is_tensor(x):
        return T.keras_shape(x)
    return shape_of_value(x)


def ndim(x):
    return T.ndim(x) if T.is_tensor(x) else np.ndim(x)


def dtype(x):
    if T.is_tensor(x):
        return T.keras_dtype(x)
    return np.asarray(x).dtype.name


def _to_keras_value(array, dtype):
    """A CNTK float result as a NumPy array of Keras dtype `dtype`."""
    array = np.asarray(array)
    if dtype == 'bool':
        return array != 0
    if dtype in T.INTS:
        return np.asarray(np.rint(array)).astype(dtype)
    return array.astype(dtype, copy=False)


def eval(x):
    if not T.is_tensor(x):
        return np.asarray(x)
    dtype_ = T.keras_dtype(x)
    if isinstance(x, (C.Parameter, C.Constant)):
        return _to_keras_value(x.value, dtype_)
    try:
        function = Function([], [x])
    except UnfedPlaceholders as error:
        raise UnfedPlaceholders('eval', error.names) from None
    return function([])[0]


def _fill_variable(fill, shape, dtype, name):
    dtype = _check_dtype(dtype, fill.__name__)
    shape = _static_shape_arg(shape, fill.__name__)
    T.check_not_empty(shape, fill.__name__ + ': the shape %s')
    return variable(fill(shape), dtype=dtype, name=name)


def _static_shape_arg(shape, fn):
    """A shape argument as a tuple of ints (an int, a sequence, or a shape tensor whose dims are known)."""
    if isinstance(shape, (numbers.Integral, np.integer)):
        shape = (shape,)
    if T.is_tensor(shape):
        refs = T.dim_refs(shape)
        if refs is None or len(T.static_shape(shape)) != 1:
            raise ValueError('%s: CNTK needs a shape known when the graph is built; received the '
                             'tensor %r.' % (fn, shape))
        shape = [size for _, _, size in refs]
    dims = []
    for d in shape:
        if T.is_tensor(d):
            refs = T.dim_refs(d)
            d = refs[0][2] if refs is not None and len(refs) == 1 else None
        if d is None:
            raise ValueError('%s: CNTK needs a shape known when the graph is built; received %r, '
                             'which has a dimension known only at run time.' % (fn, shape))
        if isinstance(d, bool) or not isinstance(d, (numbers.Integral, np.integer)) or d < 0:
            raise ValueError('%s: expected a shape of non-negative ints; received %r.' % (fn, shape))
        dims.append(int(d))
    return tuple(dims)


def zeros(shape, dtype=None, name=None):
    return _fill_variable(np.zeros, shape, dtype, name)


def ones(shape, dtype=None, name=None):
    return _fill_variable(np.ones, shape, dtype, name)


def _like(fn, x, dtype):
    x = T.as_tensor(x)
    dtype = T.keras_dtype(x) if dtype is None else T.check_dtype(check_dtype(fn.__name__, dtype),
                                                                   fn.__name__)
    out = fn(C.stop_gradient(x))
    out = T.cast_storage(T.same(x, out), T.storage_of(dtype)) if T.is_float(dtype) else out
    return T.tag(out, dtype)


def zeros_like(x, dtype=None, name=None):
    return _like(C.zeros_like, x, dtype)


def ones_like(x, dtype=None, name=None):
    return _like(C.ones_like, x, dtype)


def identity(x, name=None):
    x = T.as_tensor(x)
    # `+ 0`, not C.alias: an alias of a variable fetched with updates would show the new value.
    return T.same(x, C.plus(x, T.constant(0, T.keras_dtype(x)), name=name or ''))


def cast(x, dtype):
    dtype = T.check_dtype(check_dtype('cast', dtype), 'cast')
    x = T.as_tensor(x)
    source = T.keras_dtype(x)
    if dtype == source:
        return x
    if dtype == 'bool':
        return T.tag(C.not_equal(x, 0), 'bool')
    if T.is_float(source) and not T.is_float(dtype):
        # float -> int truncates towards zero, as TensorFlow's cast does
        return T.tag(C.element_select(C.less(x, 0), C.ceil(x), C.floor(x)), dtype)
    if T.storage_of(dtype) == T.cntk_dtype(x):
        return T.tag(C.alias(x), dtype)  # the same values under another Keras dtype
    return T.tag(T.cast_storage(x, T.storage_of(dtype)), dtype)


# --- updates -----------------------------------------------------------------------------------------

def _assignable(x, value, fn='update'):
    """`value` as a tensor with x's storage dtype and shape (C.assign neither casts nor broadcasts)."""
    if not isinstance(x, C.Parameter):  # a placeholder, a constant, an expression, NumPy
        raise not_a_variable(fn, x)
    value = T.as_tensor(value, T.keras_dtype(x))
    value = T.cast_storage(value, T.cntk_dtype(x))
    if tuple(value.shape) != tuple(x.shape):
        value = C.plus(value, C.zeros_like(x))  # broadcast to the variable's shape
        if _fits(value.shape, x.shape):
            # Sizes CNTK left free (a batch through convolutions or the rnn loop, as in a stateful
            # ConvLSTM2D's state update) take the variable's; CNTK checks them when it runs.
            value = C.reshape(value, x.shape)
        if tuple(value.shape) != tuple(x.shape):
            raise ValueError('update: expected a value of shape %s for variable %s; received shape %s.'
                             % (tuple(x.shape), x.name, T.static_shape(value)))
    return value


def _fits(shape, target):
    return len(shape) == len(target) and all(d == t or d == T.FREE for d, t in zip(shape, target))


def _update(fn, x, new_x):
    out = C.assign(x, _assignable(x, new_x, fn))
    out._kb_update = (x, new_x)
    return T.same(x, out)


def update(x, new_x):
    return _update('update', x, new_x)


def update_add(x, increment):
    if not isinstance(x, C.Parameter):
        raise not_a_variable('update_add', x)
    return _update('update_add', x, T.add(x, increment))


def update_sub(x, decrement):
    if not isinstance(x, C.Parameter):
        raise not_a_variable('update_sub', x)
    return _update('update_sub', x, T.subtract(x, decrement))


def get_value(x):
    if not isinstance(x, (C.Parameter, C.Constant)):
        raise TypeError('get_value() can only be called on a variable; received %s. Use eval() for '
                        'an expression.' % type(x).__name__)
    value = _to_keras_value(x.value, T.keras_dtype(x))
    if getattr(x, '_kb_sparse', False):
        import scipy.sparse
        return scipy.sparse.csr_matrix(value)
    return value


def batch_get_value(ops):
    return [get_value(x) for x in listed('batch_get_value', ops, T.is_tensor, 'variables')]


def set_value(x, value):
    if not isinstance(x, C.Parameter):
        raise TypeError('set_value() can only be called on a variable; received %s.'
                        % type(x).__name__)
    if hasattr(value, 'toarray'):
        value = value.toarray()
    value = np.asarray(value)
    if value.shape != tuple(x.shape):
        raise ValueError('set_value: expected a value of shape %s for variable %s; received shape %s.'
                         % (tuple(x.shape), x.name, value.shape))
    dtype = T.keras_dtype(x)
    x.value = np.asarray(T.stored_exactly('set_value', value, dtype).astype(dtype), dtype=T.cntk_dtype(x),
                         order="C")


def batch_set_value(tuples):
    for x, value in variable_value_pairs(tuples, T.is_tensor):
        set_value(x, value)


class _Print(T.UserOp):
    """Identity that prints `message` and the value when evaluated; the gradient passes through."""

    def __init__(self, arg, message, name='print_tensor'):
        super(_Print, self).__init__([arg], name=name)
        self.message = message

    def forward(self, argument, device=None, outputs_to_retain=None):
        print('%s %s' % (self.message, argument), flush=True)
        return None, argument

    def backward(self, state, root_gradients):
        return root_gradients

    def infer_outputs(self):
        i = self.inputs[0]
        return [C.output_variable(i.shape, i.dtype, i.dynamic_axes)]

    def clone(self, cloned_inputs):
        return _Print(cloned_inputs[0], self.message)


def print_tensor(x, message=''):
    x = T.as_tensor(x)
    # `+ 0`: a user function cannot take an input variable without dynamic axes directly.
    return T.same(x, C.user_function(_Print(C.plus(x, 0) if x.is_input else x, message)))


# --- function and gradients -----------------------------------------------------------------------

def _update_pair(u):
    """(variable, assign node) of an update: a K.update* result, a C.assign node or a pair."""
    if T.is_tensor(u):
        pair = getattr(u, '_kb_update', None)
        root = u.root_function if isinstance(u, T.FUNCTION) else None
        if pair is None and root is not None and root.op_name == 'Assign':
            return root.inputs[0], u
        if pair is None:
            raise ValueError('An update must be a K.update*() result, a C.assign node or a (variable, '
                             'new_value) pair; received the tensor %r.' % (u,))
        return pair[0], u
    if not isinstance(u, (list, tuple)) or len(u) != 2:
        raise ValueError('An update must be a (variable, new_value) pair; received %r.' % (u,))
    return u[0], _update('K.function: an update', u[0], u[1])


def _unique_updates(updates):
    """The assign node of the first update of each variable (Keras 2.2.4's rule; two assignments of
    one variable in one CNTK pass would race)."""
    seen, unique = set(), []
    for u in updates:
        target, node = _update_pair(u)
        if target.uid not in seen:
            seen.add(target.uid)
            unique.append(node)
    return unique


def _outputs_of(tensors):
    return [t.output if isinstance(t, T.FUNCTION) else t for t in tensors]


def _snapshot(x):
    """An output node for x: a variable itself, fetched in a pass that assigns it, would show the
    assigned value; `x + 0` is computed before the assignments."""
    if isinstance(x, T.VARIABLE) and (x.is_parameter or x.is_constant):
        return T.same(x, C.plus(x, T.constant(0, T.keras_dtype(x))))
    return x


def _check_input(position, x):
    if not (T.is_tensor(x) and isinstance(x, T.VARIABLE) and x.is_input):
        raise not_an_input(position, x)
    return x


class Function(object):
    """A callable running `outputs` (and `updates`) for a list of input values."""

    def __init__(self, inputs, outputs, updates=None, name=None, **kwargs):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('`inputs` of a backend function should be a list or tuple; received %r.'
                            % (inputs,))
        if kwargs:
            raise ValueError('Invalid argument(s) %s passed to K.function with the CNTK backend; it '
                             'takes only inputs, outputs, updates and name.' % ', '.join(sorted(kwargs)))
        self.inputs = [_check_input(i, x) for i, x in enumerate(inputs)]
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self.outputs = [T.as_tensor(o) for o in outputs]
        self.name = name
        self._dtypes = [T.keras_dtype(o) for o in self.outputs]
        self._storages = [T.np_storage(T.keras_dtype(x)) for x in self.inputs]
        self._feeds = [SparseFeed(x.name or 'input_%d' % i, i, T.keras_shape(x)) if x.is_sparse else
                       Feed(x.name or 'input_%d' % i, i, T.keras_shape(x), T.keras_dtype(x), target=storage)
                       for i, (x, storage) in enumerate(zip(self.inputs, self._storages))]
        self._n_inputs = len(self.inputs)
        # A sparse input fetched as an output comes back as the scipy matrix that was fed.
        uids = [x.uid for x in self.inputs]
        self._fed_back = dict((i, uids.index(o.uid)) for i, o in enumerate(self.outputs)
                              if is_sparse(o) and o.uid in uids)
        self._output_vars = _outputs_of([_snapshot(o) for i, o in enumerate(self.outputs)
                                         if i not in self._fed_back])
        self._assigns = _outputs_of(_unique_updates(updates or []))
        roots = self._output_vars + self._assigns
        self._graph = _Pass(roots) if roots else None
        self._defaults = self._default_feeds()
        self._step = _GradientStep.build(self._output_vars, self._assigns)
        # CNTK evaluates one Function in one thread at a time (calls of a shared Function queue up),
        # and each call copies its results out before the next may start.
        self._lock = threading.Lock()

    def _default_feeds(self):
        """The learning phase, when the graph reads it but it is not an input, is fed 0 (test phase)."""
        if self._graph is None:
            return {}
        given = set(x.uid for x in self.inputs)
        defaults, missing = {}, []
        for arg in self._graph.arguments:
            if arg.uid in given:
                continue
            if arg.name == 'keras_learning_phase':
                defaults[arg] = np.zeros((), arg.dtype)
            else:
                missing.append(arg)
        if missing:
            raise UnfedPlaceholders('K.function', sorted(set(a.name or a.uid for a in missing)))
        return defaults

    def _feed(self, values):
        feed = dict(self._defaults)
        for x, value, storage, spec in zip(self.inputs, values, self._storages, self._feeds):
            feed[x] = _feed_value(x, value, storage, spec)
        return feed

    def __call__(self, inputs):
        if (type(inputs) is not list and type(inputs) is not tuple) or len(inputs) != self._n_inputs:
            check_function_inputs(inputs, self._n_inputs)
        feed = self._feed(inputs)
        if self._graph is None:
            return [feed[self.inputs[self._fed_back[i]]] for i in range(len(self.outputs))]
        with self._lock:
            with T.user_errors_raised():  # what a user function (NumPy, a gradient) raised, as itself
                results = self._step.run(feed) if self._step is not None else self._graph.run(feed)
            # CNTK's result Values live in buffers the next evaluation of this Function reuses:
            # copied out (asarray) before another thread's call may start.
            arrays = [results[o].asarray() for o in self._output_vars]
        computed = iter(arrays)
        return [feed[self.inputs[self._fed_back[i]]] if i in self._fed_back
                else _fetched(o, _to_keras_value(next(computed), d))
                for i, (o, d) in enumerate(zip(self.outputs, self._dtypes))]


def _fetched(x, value):
    """A fetched value as the tensor's `_kb_fetch` hook finishes it: CNTK 2.7 holds no tensor with
    zero elements, so an op whose result may be empty (ctc_decode) keeps it padded in the graph and
    trims it here."""
    fetch = getattr(x, '_kb_fetch', None)
    return value if fetch is None else fetch(value)


class _Pass(object):
    """One evaluation of a C.combine of `wanted` outputs, fed only the inputs it reads; values come
    back as CNTK Values (converted to NumPy only for what the caller fetches).

    `substitutions` ({output variable: input}) evaluates a clone in which those outputs are inputs
    (`cloned` says whether the clone could be made). CNTK evaluates a function only when all its inputs
    share one float dtype; when they do not (a float32 and a float64 placeholder), the pass runs a clone
    in which each narrower input is a widest-dtype input cast back (exact)."""

    def __init__(self, wanted, substitutions=None):
        self.original = list(wanted)
        self.wanted = list(wanted)
        self.graph = C.combine(self.wanted)
        self.renamed = {}  # uid of an input -> (the clone's input, its dtype)
        self.cloned = False
        if substitutions:
            self.cloned = self._clone(substitutions, may_fail=True)
        arguments = self.graph.arguments
        if len(set(np.dtype(a.dtype) for a in arguments)) > 1:
            self._unify_input_dtypes(arguments)
        self.arguments = self.graph.arguments
        self.argument_uids = frozenset(a.uid for a in self.arguments) | frozenset(self.renamed)
        self.wanted_set = set(self.wanted)
        self.back = dict(zip(self.wanted, self.original))

    def _clone(self, substitutions, may_fail=False):
        try:
            clone = self.graph.clone(C.CloneMethod.share, substitutions)
        except Exception:  # noqa: BLE001  (CNTK cannot clone every graph, e.g. user functions')
            if may_fail:
                return False
            raise
        self.graph, self.wanted = clone, list(clone.outputs)
        return True

    def _unify_input_dtypes(self, arguments):
        widest = max((np.dtype(a.dtype) for a in arguments), key=lambda d: d.itemsize)
        substitutions = {}
        for a in arguments:
            if np.dtype(a.dtype) == widest:
                substitutions[a] = a
                continue
            wide = C.input_variable(a.shape, dtype=widest, dynamic_axes=a.dynamic_axes,
                                    needs_gradient=False, name=a.name)
            substitutions[a] = C.cast(wide, a.dtype)
            self.renamed[a.uid] = (wide, widest)
        try:
            self._clone(substitutions)
        except Exception:  # noqa: BLE001
            raise ValueError('CNTK runs a function only when all its placeholders share one float '
                             'dtype; this one mixes %s and cannot be rewritten.'
                             % ', '.join(sorted(set(np.dtype(a.dtype).name for a in arguments))))

    def feed(self, feed):
        """{input of this pass's graph: Value} from {placeholder: NumPy array, scipy matrix or Value}."""
        if self.renamed:
            return dict(self._renamed(x, v) for x, v in feed.items() if x.uid in self.argument_uids)
        return {x: _as_value(x, v, borrow=True) for x, v in feed.items() if x.uid in self.argument_uids}

    def _renamed(self, x, value):
        if x.uid in self.renamed:
            wide, dtype = self.renamed[x.uid]
            return wide, _as_value(wide, np.asarray(value, dtype=dtype, order='C'))
        return x, _as_value(x, value, borrow=True)

    def run(self, feed, keep_for_backward=None):
        """{wanted output (of the original graph): Value}, and the backward state when kept.

        Calls CNTK's evaluation directly (the Python `Function.forward` re-reads the graph's
        arguments and re-checks every value on each call, a third of a small step's time)."""
        outputs = dict.fromkeys(self.wanted)
        state = _FORWARD(self.graph, self.feed(feed), outputs, _DEVICE, keep_for_backward or _NOTHING)
        if self.wanted is not self.original:
            outputs = {self.back[o]: v for o, v in outputs.items()}
        return (state, outputs) if keep_for_backward else outputs


_FORWARD = C.cntk_py.Function._forward
_BACKWARD = C.cntk_py.Function._backward
_DEVICE = C.device.use_default_device()
_NOTHING = set()  # (CNTK wants a set, not a frozenset; never modified)


def _as_value(x, data, borrow=False):
    """A CNTK Value for input x. With `borrow`, a NumPy array's memory is used as it is: the caller
    keeps the array alive until the evaluation is over (a fed value lives for the whole call).
    Sparse matrices and batch-axis inputs go through CNTK's own conversion."""
    if isinstance(data, C.cntk_py.Value):
        return data
    if not x.dynamic_axes:
        return C.cntk_py.Value(C.NDArrayView.from_data(data, device=_DEVICE, borrow=borrow))
    return C.Value.create(x, data, None, _DEVICE)


def _feed_value(x, value, storage, spec):
    if type(spec) is SparseFeed:
        import scipy.sparse
        value = spec.check(value).tocsr().astype(storage)
        T.check_not_empty(value.shape, 'The value of shape %%s fed to %s' % (x.name or 'a placeholder'))
        if value.nnz == 0 and value.shape[0] and value.shape[1]:
            # CNTK refuses a sparse value with no stored entry: the same matrix, one explicit zero stored.
            value = scipy.sparse.csr_matrix((np.zeros(1, storage), [0], [0] + [1] * value.shape[0]),
                                            shape=value.shape)
        return value
    array = spec.convert(value)  # checked (shared.feeds), in the storage dtype
    if not array.size:
        T.check_not_empty(array.shape, 'The value of shape %%s fed to %s' % (x.name or 'a placeholder'))
    return array if array.flags.c_contiguous else np.ascontiguousarray(array)


def function(inputs, outputs, updates=None, **kwargs):
    from ..shared.outputs import build_function  # None outputs (disconnected gradients) stay None
    return build_function(Function, inputs, outputs, updates, kwargs)


class _GradientStep(object):
    """One call of a Function whose graph holds gradient nodes of a single loss, all w.r.t. leaves.

    Without this, each gradient node would run its own forward and backward pass of the loss (twice
    the work of a training step). Instead: a forward pass of the loss, kept for backward, which also
    computes the outputs and updates that do not need the gradients; one backward pass; then a pass
    over the rest, a clone of it in which each gradient node is an input fed the backward's values
    (CNTK's own Values, never copied to NumPy). When the clone cannot be made, the gradient nodes of
    the original graph serve the values instead (`gradient_stash`)."""

    @classmethod
    def build(cls, outputs, assigns):
        roots = outputs + assigns
        if not roots:
            return None
        graph = C.combine(roots)
        ops = find_gradient_ops(graph)
        if not ops or len(set(op.loss.uid for op in ops)) != 1 or any(op.cut for op in ops) \
                or len(set(np.dtype(a.dtype) for a in graph.arguments)) > 1:
            return None
        return cls(ops, outputs, assigns)

    def __init__(self, ops, outputs, assigns):
        self.ops = ops
        self.loss = ops[0].loss.output
        self.wrt = list({v.uid: v for op in ops for v in op.wrt}.values())
        op_uids = set(op.uid for op in ops)
        needs = [bool(find_gradient_ops(C.combine([r]), op_uids)) for r in outputs + assigns]
        late_outputs = [o for o, n in zip(outputs, needs) if n]
        late_assigns = [a for a, n in zip(assigns, needs[len(outputs):]) if n]
        early_assigns = [a for a, n in zip(assigns, needs[len(outputs):]) if not n]
        # An assignment in the first pass happens before the second reads its target: such
        # assignments move to the second pass (all of its assignments are simultaneous).
        moved = True
        while moved and late_outputs + late_assigns:
            read = set(p.uid for p in C.combine(late_outputs + late_assigns).parameters)
            moved = [a for a in early_assigns if a.owner.inputs[0].uid in read]
            early_assigns = [a for a in early_assigns if a not in moved]
            late_assigns += moved
        self.first = _Pass([self.loss] + [o for o in outputs if o not in late_outputs] + early_assigns)
        late = late_outputs + late_assigns
        self.second = _Pass(late, self._gradient_inputs()) if late else None
        self.keep = set([self.loss])
        # d(loss)/d(loss): ones (a non-scalar loss is summed, as TensorFlow does).
        self.root = _as_value(self.loss, np.ones(self.loss.shape, dtype=self.loss.dtype))

    def _gradient_inputs(self):
        """{gradient node output: a fresh input of its shape}, keyed for _Pass's substitution."""
        self.fed = {}  # uid of a wrt leaf -> the inputs fed its gradient
        substitutions = {}
        for op in self.ops:
            for out, v in zip(op.outputs, op.wrt):
                fresh = C.input_variable(out.shape, dtype=out.dtype, dynamic_axes=out.dynamic_axes,
                                         needs_gradient=False, name='gradient')
                substitutions[out] = fresh
                self.fed.setdefault(v.uid, []).append(fresh)
        return substitutions

    def run(self, feed):
        state, results = self.first.run(feed, keep_for_backward=self.keep)
        grads = dict.fromkeys(self.wrt)
        _BACKWARD(self.first.graph, state, {self.loss: self.root}, grads)
        if self.second is not None and not self.second.cloned:
            grads = {v: g.asarray() for v, g in grads.items()}
        if self.second is not None:
            if self.second.cloned:
                feed = dict(feed)
                for v, value in grads.items():
                    for fresh in self.fed[v.uid]:
                        feed[fresh] = value
                results.update(self.second.run(feed))
            else:
                with gradient_stash(self.ops, grads):
                    results.update(self.second.run(feed))
        return results


def _leaf(v):
    """A variable CNTK differentiates with respect to directly (others are cut, see _gradient_op)."""
    return isinstance(v, T.VARIABLE) and (v.is_parameter or v.is_constant or
                                          (v.is_input and v.needs_gradient))


# Ops without a gradient, as TensorFlow has none for stop_gradient, round (floor in CNTK) or
# comparisons; kbackend's argmax/argmin end in a stop_gradient. (Not read: the attributes of a
# ReduceElements op, which abort the process for some axes.)
_NO_GRADIENT = frozenset(['StopGradient', 'Floor', 'Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater',
                          'GreaterEqual', 'Hardmax'])


def _no_gradient(f):
    return f.op_name in _NO_GRADIENT


def _differentiable_paths(loss):
    """(function uids, leaf uids) that `loss` reaches through ops with a gradient, as TensorFlow sees
    them: a variable reached only through K.stop_gradient, round, argmax/argmin or comparisons gets
    None from K.gradients, not zeros."""
    functions, leaves = set(), set()
    stack = [o.owner for o in loss.outputs if o.is_output]
    while stack:
        f = stack.pop()
        if f.uid in functions:
            continue
        functions.add(f.uid)
        if _no_gradient(f):
            continue
        for v in f.inputs:
            if v.is_output:
                stack.append(v.owner)
            else:
                leaves.add(v.uid)
    return functions, leaves


def _produced_in(h, functions, leaves):
    h = h.output if isinstance(h, C.cntk_py.Function) else h
    return h.uid in leaves if not h.is_output else h.owner.uid in functions


def gradients(loss, variables):
    variables = check_gradients_args(loss, variables, T.is_tensor)
    loss = T.as_tensor(loss)
    if find_gradient_ops(C.combine([loss])):
        # A GradOp has no backward: CNTK would silently give zeros.
        raise NotImplementedError('gradients on the cntk engine: %s.' % gaps.limit('cntk', 'gradients'))
    # A non-scalar loss is summed, as TensorFlow does.
    if len(loss.shape) or T.hidden_batch(loss):
        loss = C.reduce_sum(loss, axis=C.Axis.all_static_axes())
    if T.cntk_dtype(loss) == 'float16':
        loss = C.cast(loss, np.float32)
    if not isinstance(loss, C.cntk_py.Function):  # the loss is a scalar variable or placeholder itself
        loss = C.alias(loss)
    grads = [None] * len(variables)
    leaves = [(i, v) for i, v in enumerate(variables) if _leaf(v)]
    inner = [(i, v) for i, v in enumerate(variables) if not _leaf(v)]
    functions, connected = _differentiable_paths(loss)
    leaves = [(i, v) for i, v in leaves if v.uid in connected]
    inner = [(i, v) for i, v in inner if _produced_in(T.as_tensor(v), functions, connected)]
    if leaves:
        outs = GradOp.make(loss, [v for _, v in leaves])
        for (i, v), g in zip(leaves, outs):
            grads[i] = T.same(v, g)
    for i, v in inner:
        out = GradOp.make_cut(loss, T.as_tensor(v))
        if out is not None:
            grads[i] = T.same(v, out)
    return grads


def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [stop_gradient(v) for v in variables]
    x = T.as_tensor(variables)
    if x.is_output and x.owner.op_name == 'Plus':
        # CNTK 2.7's backward fails ("Cannot find input") through stop_gradient(a + b) (measured:
        # only Plus); x - 0 is exact.
        x = T.same(x, C.minus(x, T.constant(0, T.keras_dtype(x))))
    return T.same(x, C.stop_gradient(x))
