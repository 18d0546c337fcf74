"""theano engine: the core op family (see kbackend.backend.api.FAMILIES).

One module for PyTensor and legacy Theano 1.0.5. Variables are shared variables (scipy.sparse values
give sparse shared variables), placeholders are typed symbolic variables, updates are (variable,
new_value) pairs that `function` hands to theano.function.

Sessions: these engines have none. get_session() returns None, set_session accepts only None (anything
else raises ValueError), manual_variable_initialization only records the flag (a shared variable
always holds its value), and clear_session resets the uids and the learning phase.

Threads. A compiled function keeps its inputs and outputs in storage cells of the function object,
so each compiled function (K.function, K.eval's cache) runs one call at a time (`Function._lock`);
the results are taken out of the cells before the lock is released (they are fresh arrays: outputs
are compiled with borrow=False, which the engines guarantee no later call overwrites). Compiling
is serialised process-wide (`COMPILE_LOCK`): neither engine's compile path (config, the C-module
cache, Theano 1.0.5's compile lock, which a second thread of the same process waits on until it
times out) is safe to enter from two threads at once. Graph building is plain Python objects and
needs no lock.
"""
import importlib
import inspect
import numbers
import threading
import weakref

import numpy as np

from ..common import floatx
from ..shared.checks import (check_function_inputs, constant_array, initial_value, merged_shape,
                             shape_of_value)
from ..shared.feeds import (Feed, SparseFeed, check_dtype, check_gradients_args, check_shape,
                            listed, not_a_variable, not_an_input, variable_value_pairs)
from ..shared.notice import slow_step_notice
from ..shared.state import RuntimeState
from ._engine import IS_PYTENSOR, T, UnfedPlaceholders, _MissingInputError, sparse, theano

_sparse_engine = sparse  # `placeholder` has an argument named `sparse`

__all__ = ['get_uid', 'reset_uids', 'clear_session', 'manual_variable_initialization',
           'learning_phase', 'set_learning_phase', 'get_session', 'set_session', 'is_sparse',
           'to_dense', 'name_scope', 'variable', 'constant', 'is_tensor',
           'placeholder', 'is_placeholder', 'shape', 'int_shape', 'ndim', 'dtype', 'eval', 'zeros',
           'ones', 'zeros_like', 'ones_like', 'identity', 'cast', 'update', 'update_add',
           'update_sub', 'get_value', 'batch_get_value', 'set_value', 'batch_set_value',
           'print_tensor', 'function', 'gradients', 'stop_gradient', 'Function']  # and with_static_shape

_graph = importlib.import_module(theano.__name__ + ('.graph.basic' if IS_PYTENSOR else '.gof.graph'))
_Variable, _Constant = _graph.Variable, _graph.Constant
_graph_inputs = (importlib.import_module('pytensor.graph.traversal').graph_inputs if IS_PYTENSOR
                 else _graph.inputs)
_SharedVariable = theano.compile.SharedVariable


class _LazySparseType(object):
    """The engine's sparse tensor type class, looked up on first use (importing the engine's sparse
    module costs ~150 ms: see _engine.sparse); until then nothing can be sparse."""

    def __init__(self):
        self.cls = None

    def __call__(self):
        if self.cls is None:
            self.cls = getattr(sparse, 'SparseTensorType', None) or sparse.SparseType
        return self.cls


_sparse_type = _LazySparseType()
_FUNCTION_KWARGS = tuple(inspect.signature(theano.function).parameters)

# K.eval compiles with only the fast_compile rewrites and the Python linker: an eval is usually run
# once, so a full optimising (and C-compiling) build would cost far more than it saves.
_EVAL_MODE = theano.compile.mode.Mode(linker='py', optimizer='fast_compile')


# Compiling (theano.function) is serialised process-wide; see the module docstring.
COMPILE_LOCK = threading.RLock()
_ENGINE_NAME = 'PyTensor' if IS_PYTENSOR else 'Theano'
# Logged once per K.function whose compile is still running after a few seconds (a cold C cache).
_COMPILE_NOTICE = ('%s is compiling C code for a new function; this takes a while only the first '
                   'time (compiled code is cached in %s).')


def _sync_floatx():
    if theano.config.floatX != floatx():
        with COMPILE_LOCK:
            theano.config.floatX = floatx()


_sync_floatx()


# --- runtime state: uids, learning phase, name scopes (thread-safe) ---------------------------------

def _new_learning_phase():
    return T.scalar(dtype='uint8', name='keras_learning_phase')


STATE = RuntimeState()
STATE.learning_phase_symbol = _new_learning_phase()


def get_uid(prefix=''):
    return STATE.get_uid(prefix)


def reset_uids():
    STATE.reset_uids()


def clear_session():
    with STATE.lock:
        STATE.clear()
        STATE.learning_phase_symbol = _new_learning_phase()


def manual_variable_initialization(value):
    STATE.manual_init = bool(value)


def learning_phase():
    value = STATE.learning_phase_value
    return STATE.learning_phase_symbol if value is None else value


def set_learning_phase(value):
    STATE.set_learning_phase(value)


def get_session():
    return None


def set_session(session):
    if session is not None:
        raise ValueError('The %s engine has no sessions: set_session accepts only None; received %r.'
                         % ('PyTensor' if IS_PYTENSOR else 'Theano', session))


def name_scope(name):
    return STATE.name_scope(name)


# --- tensors and variables ------------------------------------------------------------------------

def is_sparse(tensor):
    kind = getattr(tensor, 'type', None)
    if kind is None or not sparse._kb_loaded():
        return False  # (a sparse tensor can only exist once the engine's sparse module is loaded)
    return isinstance(kind, _sparse_type())


def to_dense(tensor):
    if is_sparse(tensor):
        return sparse.dense_from_sparse(tensor)
    return tensor


def _mark(x, keras_shape):
    x._keras_shape = keras_shape
    x._uses_learning_phase = False
    return x


def variable(value, dtype=None, name=None, constraint=None):
    dtype = check_dtype('variable', dtype, floatx())
    _sync_floatx()
    name = STATE.unique_name(name, 'variable')
    if hasattr(value, 'tocoo'):
        sparse._kb_load()  # registers the engine's sparse shared-variable constructor
        v = theano.shared(value.tocsr().astype(dtype), name=name)
        keras_shape = tuple(value.shape)
    else:
        if isinstance(value, _Variable):
            value = initial_value(eval, value)
        value = np.asarray(value, dtype=dtype)
        v = _shared_broadcasting(value, name)
        keras_shape = value.shape
    v.constraint = constraint
    return _mark(v, keras_shape)


def _compile(fn, inputs, outputs, **kwargs):
    """theano.function; outputs that read placeholders nothing feeds are kbackend's UnfedPlaceholders
    (a ValueError naming them, and still the engine's MissingInputError)."""
    try:
        return theano.function(inputs, outputs, **kwargs)
    except _MissingInputError:
        names = _unfed_placeholders(inputs, outputs, kwargs.get('updates') or [])
        raise UnfedPlaceholders(fn, names) from None


def _unfed_placeholders(inputs, outputs, updates):
    graph = [o for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])
             if isinstance(o, _Variable)] + [new for _, new in updates if isinstance(new, _Variable)]
    given = set(inputs)
    return sorted(set(v.name or repr(v) for v in _graph_inputs(graph)
                      if v not in given and not isinstance(v, (_Constant, _SharedVariable))))


def _shared_broadcasting(value, name):
    """A shared variable whose size-1 axes broadcast, as a TensorFlow variable's do."""
    ones = tuple(d == 1 for d in value.shape)
    if IS_PYTENSOR:
        return theano.shared(value, name=name, strict=False,
                             shape=tuple(1 if one else None for one in ones))
    return theano.shared(value, name=name, strict=False, broadcastable=ones)


def constant(value, dtype=None, shape=None, name=None):
    dtype = check_dtype('constant', dtype, floatx())
    value = constant_array(value, dtype, shape)
    const = T.constant(value, dtype=dtype, name=STATE.scoped_name(name, 'constant'))
    return _mark(const, value.shape)


def is_tensor(x):
    return isinstance(x, _Variable) and (isinstance(x.type, T.TensorType) or is_sparse(x))


def _tensor_type(dtype, dims):
    if IS_PYTENSOR:
        return T.TensorType(dtype, shape=dims)
    return T.TensorType(dtype, (False,) * len(dims))  # Keras 2.2.4's choice: nothing broadcastable


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    dtype = check_dtype('placeholder', dtype, floatx())
    _sync_floatx()
    shape = check_shape('placeholder', shape, ndim)
    name = STATE.scoped_name(name, 'placeholder')
    if sparse:
        if len(shape) != 2:
            raise ValueError('A sparse placeholder must be 2-D; received shape %s.' % (shape,))
        x = _sparse_engine.csr_matrix(name=name, dtype=dtype)
    else:
        x = _tensor_type(dtype, shape)(name)
    x._theano_placeholder = True
    return _mark(x, shape)


def is_placeholder(x):
    return bool(getattr(x, '_theano_placeholder', False))


def shape(x):
    if not hasattr(x, 'shape'):
        shape_of_value(x)  # a TypeError unless x holds numbers
        x = T.as_tensor_variable(x)
    return x.shape


def int_shape(x):
    own = getattr(x, '_kb_shape', None)
    if own is not None:
        return merged_shape(own, getattr(x, '_keras_shape', None))
    if hasattr(x, '_keras_shape'):
        return x._keras_shape
    if isinstance(x, (np.ndarray, np.generic, numbers.Number)):
        return np.shape(x)
    if hasattr(x, 'get_value'):
        return tuple(x.get_value(borrow=True, return_internal_type=True).shape)
    if hasattr(x, 'data') and hasattr(x.data, 'shape'):  # a constant
        return tuple(x.data.shape)
    if not hasattr(x, 'type'):
        return shape_of_value(x)
    static = getattr(x.type, 'shape', None)
    if static is None:
        static = tuple(1 if b else None for b in x.broadcastable)
    if None in static:
        return _subtensor_shape(x) or tuple(static)
    return tuple(static)


def _subtensor_shape(x):
    """The shape of a constant-index slice of a tensor of known shape (legacy Theano keeps none):
    Keras's ConvLSTM2D convolves with slices of its kernel variable, `kernel[:, :, :, :filters]`."""
    node = getattr(x, 'owner', None)
    if node is None or type(node.op).__name__ != 'Subtensor':
        return None
    source = int_shape(node.inputs[0])
    if source is None or None in source:
        return None

    def value(entry):
        if entry is None or isinstance(entry, numbers.Integral):
            return entry
        data = getattr(entry, 'data', None)  # a Constant, else unknown until run time
        if data is None or np.ndim(data) != 0:
            raise LookupError
        return int(data)
    try:
        key = tuple(slice(value(e.start), value(e.stop), value(e.step)) if isinstance(e, slice) else value(e)
                    for e in theano.tensor.subtensor.get_idx_list(node.inputs, node.op.idx_list))
    except LookupError:
        return None
    # A zero-strided view of the source's shape: indexing it costs no memory.
    view = np.lib.stride_tricks.as_strided(np.zeros(1, 'int8'), shape=source, strides=(0,) * len(source))
    try:
        return view[key].shape
    except IndexError:  # an index out of range: the engine reports it when run
        return None


def with_static_shape(y, shape):
    """y with the static shape known from its inputs recorded for int_shape (`_keras_shape`), merged
    with what the engine's own type knows (legacy Theano keeps no static shapes). kbackend's own copy
    (`_kb_shape`) wins where it knows a size: Keras 2.2.4 overwrites `_keras_shape` on some results
    with sizes it computed itself (ConvLSTM2D's initial state, from the global data format instead of
    the layer's), which TensorFlow's int_shape never reads."""
    engine = getattr(y.type, 'shape', None) or (None,) * y.ndim
    y._kb_shape = y._keras_shape = merged_shape(shape, engine)
    return y



def ndim(x):
    return x.ndim if hasattr(x, 'ndim') else np.ndim(x)


def dtype(x):
    dt = getattr(x, 'dtype', None)
    return np.asarray(x).dtype.name if dt is None else str(dt)


# Compiled K.eval functions (with the lock serialising their calls), per expression, dropped with
# the expression.
_EVAL_CACHE = weakref.WeakKeyDictionary()


def eval(x):
    if not isinstance(x, _Variable):
        return np.asarray(x)
    x = to_dense(x)
    if hasattr(x, 'get_value'):
        return x.get_value()
    if hasattr(x, 'data'):  # a constant
        return np.array(x.data)
    cached = _EVAL_CACHE.get(x)
    if cached is None:
        with COMPILE_LOCK:
            cached = _EVAL_CACHE.get(x)
            if cached is None:
                fn = _compile('eval', [], x, mode=_EVAL_MODE, on_unused_input='ignore')
                cached = _EVAL_CACHE[x] = (fn, threading.Lock())
    fn, lock = cached
    with lock:
        return fn()


def _variable_or_tensor(fill, shape, dtype, name):
    dtype = check_dtype('zeros' if fill is np.zeros else 'ones', dtype, floatx())
    if isinstance(shape, (numbers.Integral, np.integer)):
        shape = (shape,)  # Keras's optimizers write K.zeros(1)
    if all(isinstance(d, (numbers.Integral, np.integer)) for d in shape):
        return variable(fill(shape), dtype=dtype, name=name)
    return (T.zeros if fill is np.zeros else T.ones)(shape, dtype=dtype)


def zeros(shape, dtype=None, name=None):
    return _variable_or_tensor(np.zeros, shape, dtype, name)


def ones(shape, dtype=None, name=None):
    return _variable_or_tensor(np.ones, shape, dtype, name)


def zeros_like(x, dtype=None, name=None):
    dtype = None if dtype is None else check_dtype('zeros_like', dtype)  # None: x's dtype
    return T.zeros_like(_symbolic(x), dtype=dtype)


def ones_like(x, dtype=None, name=None):
    dtype = None if dtype is None else check_dtype('ones_like', dtype)
    return T.ones_like(_symbolic(x), dtype=dtype)


def _symbolic(x):
    """x itself if symbolic, else a constant of it (NumPy arrays and numbers are accepted)."""
    return x if isinstance(x, _Variable) else T.as_tensor_variable(x)


def identity(x, name=None):
    return _symbolic(x).copy(name=name)


def cast(x, dtype):
    return T.cast(x, check_dtype('cast', dtype))


def _check_variable(fn, x):
    if not isinstance(x, _SharedVariable):  # a placeholder, a constant, an expression, NumPy
        raise not_a_variable(fn, x)
    return x


def update(x, new_x):
    return (_check_variable('update', x), new_x)


def update_add(x, increment):
    return (_check_variable('update_add', x), x + increment)


def update_sub(x, decrement):
    return (_check_variable('update_sub', x), x - decrement)


def get_value(x):
    if not hasattr(x, 'get_value'):
        raise TypeError('get_value() can only be called on a variable; received %s. Use eval() for '
                        'an expression.' % type(x).__name__)
    return x.get_value()


def batch_get_value(ops):
    return [get_value(x) for x in listed('batch_get_value', ops, is_tensor, 'variables')]


def set_value(x, value):
    if not hasattr(x, 'set_value'):
        raise TypeError('set_value() can only be called on a variable; received %s.'
                        % type(x).__name__)
    if hasattr(value, 'tocoo'):
        x.set_value(value.tocsr().astype(x.dtype))
        return
    value = np.asarray(value, dtype=x.dtype)
    expected = x.get_value(borrow=True, return_internal_type=True).shape
    if value.shape != expected:
        raise ValueError('set_value: expected a value of shape %s for variable %s; received shape %s.'
                         % (tuple(expected), x.name, value.shape))
    x.set_value(value)


def batch_set_value(tuples):
    for x, value in variable_value_pairs(tuples, is_tensor):
        set_value(x, value)


def print_tensor(x, message=''):
    return theano.printing.Print(message)(_symbolic(x))


# --- function and gradients -----------------------------------------------------------------------

def _as_update_value(x, new):
    """`new` with the type of `x` (dtype and broadcast pattern), which theano.function requires."""
    new = T.as_tensor_variable(new) if not is_sparse(new) else new
    if is_sparse(x):
        return new
    if new.dtype != x.dtype:
        new = T.cast(new, x.dtype)
    if not IS_PYTENSOR and new.broadcastable != x.broadcastable:
        new = T.patternbroadcast(new, x.broadcastable)  # PyTensor's filter_variable does this itself
    return new


def _unique_updates(updates):
    """(variable, new_value) pairs, the first update of each variable only (Keras 2.2.4's rule)."""
    seen, unique = set(), []
    for u in updates:
        if not isinstance(u, (list, tuple)) or len(u) != 2:
            raise ValueError('An update must be a (variable, new_value) pair; received %r.' % (u,))
        x, new = u
        _check_variable('K.function: an update', x)
        if x not in seen:
            seen.add(x)
            unique.append((x, _as_update_value(x, new)))
    return unique


class Function(object):
    """A callable running `outputs` (and `updates`) for a list of input values; calls from several
    threads run one at a time (see the module docstring)."""

    def __init__(self, inputs, outputs, updates=None, name=None, **kwargs):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('`inputs` of a backend function should be a list or tuple; received %r.'
                            % (inputs,))
        _sync_floatx()
        self.inputs = [_check_input(i, x) for i, x in enumerate(inputs)]
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self.name = name
        self._feeds = [SparseFeed(x.name or 'input_%d' % i, i, int_shape(x)) if is_sparse(x) else _feed(i, x)
                       for i, x in enumerate(self.inputs)]
        self._n_inputs = len(self.inputs)
        self._any_sparse = any(type(feed) is SparseFeed for feed in self._feeds)
        updates = _unique_updates(updates or [])
        with COMPILE_LOCK, slow_step_notice(_COMPILE_NOTICE % (_ENGINE_NAME, theano.config.compiledir)):
            self.function = _compile('K.function', self.inputs, self.outputs, updates=updates,
                                     allow_input_downcast=True, on_unused_input='ignore', name=name,
                                     **kwargs)
        self._lock = threading.Lock()

    def __call__(self, inputs):
        if (type(inputs) is not list and type(inputs) is not tuple) or len(inputs) != self._n_inputs:
            check_function_inputs(inputs, self._n_inputs)
        if self._any_sparse:
            values = [feed.check(v) if type(feed) is SparseFeed else feed.convert(v)
                      for v, feed in zip(inputs, self._feeds)]
        else:  # each value checked and converted once (shared.feeds.Feed)
            values = [feed.convert(v) for v, feed in zip(inputs, self._feeds)]
        with self._lock:
            return self.function(*values)


def _check_input(position, x):
    """An input of a K.function must be a placeholder: a symbolic variable computed by nothing
    (not a shared variable, a constant, an expression or a NumPy value)."""
    if not (isinstance(x, _Variable) and x.owner is None
            and not isinstance(x, (_SharedVariable, _Constant))):
        raise not_an_input(position, x)
    return x


def _feed(position, x):
    shape = getattr(x, '_keras_shape', None)
    if shape is None or len(shape) != x.ndim:
        shape = getattr(x.type, 'shape', None) or tuple(1 if b else None for b in x.broadcastable)
    if x.name == 'keras_learning_phase' and x.dtype == 'uint8' and x.ndim == 0:
        # The learning phase is a uint8 scalar here, a bool on TensorFlow and CNTK: it takes what a
        # bool takes (0, 1, False, True) on every engine.
        return Feed(x.name, position, (), 'bool', target='uint8')
    return Feed(x.name or 'input_%d' % position, position, shape, x.dtype)


def function(inputs, outputs, updates=None, **kwargs):
    unknown = sorted(k for k in kwargs if k not in _FUNCTION_KWARGS or k in ('inputs', 'outputs',
                                                                              'updates'))
    if unknown:
        raise ValueError('Invalid argument(s) %s passed to K.function with the Theano backend; '
                         'expected only arguments of theano.function: %s.'
                         % (', '.join(unknown), ', '.join(k for k in _FUNCTION_KWARGS
                                                         if k not in ('inputs', 'outputs',
                                                                      'updates'))))
    from ..shared.outputs import build_function  # None outputs (disconnected gradients) stay None
    return build_function(Function, inputs, outputs, updates, kwargs)


def gradients(loss, variables):
    listed = check_gradients_args(loss, variables, is_tensor)
    # As TensorFlow does: a non-scalar loss is summed, a variable the loss does not depend on gets
    # None, and the result is a list (for one tensor too).
    if loss.ndim:
        loss = loss.sum()
    return T.grad(loss, listed, disconnected_inputs='ignore', return_disconnected='None')


def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [theano.gradient.disconnected_grad(_symbolic(v)) for v in variables]
    return theano.gradient.disconnected_grad(_symbolic(variables))
