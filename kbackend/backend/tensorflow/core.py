"""tensorflow engine: the core op family (see kbackend.backend.api.FAMILIES).

Graph plumbing on kbackend's own graph (``_graph.STATE``): variables are resource variables, the
session is a tf.compat.v1 Session, and `Function` runs a prebuilt step (TensorFlow's Callable API).
"""
import contextlib
import numbers
import os
import re

import numpy as np

from ..common import floatx
from ..shared import checks
from ..shared.checks import check_function_inputs, constant_array, merged_shape, shape_of_value
from ..shared.feeds import (DTYPES, Feed, SparseFeed, check_dtype, check_gradients_args, check_name_scope,
                            check_shape, listed, not_a_variable, not_an_input, variable_value_pairs)
from ._graph import STATE, _ops, all_intermediates, graph_scope, tf, tf1

__all__ = ['get_uid', 'reset_uids', 'clear_session', 'manual_variable_initialization',
           'learning_phase', 'set_learning_phase', 'get_session', 'set_session', 'is_sparse',
           'to_dense', 'name_scope', 'variable', 'constant', 'is_tensor',
           'placeholder', 'is_placeholder', 'shape', 'int_shape', 'ndim', 'dtype', 'eval', 'zeros',
           'ones', 'zeros_like', 'ones_like', 'identity', 'cast', 'update',
           'update_add', 'update_sub', 'get_value', 'batch_get_value', 'set_value',
           'batch_set_value', 'print_tensor', 'function', 'gradients', 'stop_gradient', 'Function']

_GLOBAL_VARIABLES = tf1.GraphKeys.GLOBAL_VARIABLES


class UnfedPlaceholders(checks.UnfedPlaceholders, tf.errors.InvalidArgumentError):
    """kbackend's error for outputs that read placeholders nothing feeds, and TensorFlow's own.
    TensorFlow finds them when the step runs (a K.function may be fed through feed_dict), and names
    the first one."""

    def __init__(self, fn, names):
        checks.UnfedPlaceholders.__init__(self, fn, names)
        tf.errors.InvalidArgumentError.__init__(self, None, None, self.args[0])


_UNFED = re.compile(r"You must feed a value for placeholder tensor '([^']+)'")


def _raise_if_unfed(error, fn):
    """In an `except InvalidArgumentError` around a run: a placeholder nothing fed is UnfedPlaceholders."""
    names = _UNFED.findall(error.message)
    if names and not isinstance(error, UnfedPlaceholders):
        raise UnfedPlaceholders(fn, sorted(set(names))) from None


def _run(fetches):
    """The session's value of `fetches` (eval and get_value: nothing is fed)."""
    try:
        return get_session().run(fetches)
    except tf.errors.InvalidArgumentError as error:
        _raise_if_unfed(error, 'eval')
        raise


# --- uids, learning phase, session ---------------------------------------------------------------

def get_uid(prefix=''):
    state = STATE.graph_state()
    with STATE.lock:
        state.uids[prefix] += 1
        return state.uids[prefix]


def reset_uids():
    with STATE.lock:
        STATE.graph_state().uids.clear()


def clear_session():
    global _READY
    _READY = None
    STATE.new_graph()  # new graph -> new uids, new learning-phase placeholder, new session


def manual_variable_initialization(value):
    global _READY
    _READY = None
    STATE.manual_init = bool(value)


# The learning phase is global (one per graph, as in Keras 2.2.4), not per thread: set_learning_phase
# in one thread is seen by every thread. It is read once per call.

def learning_phase():
    state = STATE.graph_state()
    value = state.learning_phase_value
    if value is not None:
        return value
    if state.learning_phase_placeholder is None:
        with STATE.lock, STATE.graph.as_default():
            if state.learning_phase_placeholder is None:
                state.learning_phase_placeholder = tf1.placeholder_with_default(
                    False, shape=(), name='keras_learning_phase')
    return state.learning_phase_placeholder


def set_learning_phase(value):
    if value not in (0, 1) or isinstance(value, float):
        raise ValueError('Expected learning phase to be 0 or 1; received %r.' % (value,))
    STATE.graph_state().learning_phase_value = int(value)


def _new_session(graph):
    config = tf1.ConfigProto(allow_soft_placement=True)
    threads = os.environ.get('OMP_NUM_THREADS')
    if threads:
        config.intra_op_parallelism_threads = int(threads)
    return tf1.Session(graph=graph, config=config)


# The session and variable-initialisation check, done once per (graph, session) and redone only when
# a variable was created since (the graph's GLOBAL_VARIABLES collection grew), the graph or the session
# changed (clear_session, set_session), manual_variable_initialization was called, or a default session
# is active in the calling thread. _READY = (graph, session, the collection's list, its length then),
# replaced whole; get_session's hot path is four attribute reads and a len (~0.2 us instead of ~3 us).
_READY = None

# TensorFlow's thread-local stack of default sessions (`with session.as_default()`); read directly
# (its `stack` list), falling back to tf1.get_default_session() if TensorFlow's internals differ.
_SESSION_STACK = getattr(_ops, '_default_session_stack', None) or \
    tf1.get_default_session.__globals__.get('_default_session_stack')
if not isinstance(getattr(_SESSION_STACK, 'stack', None), list):
    _SESSION_STACK = None


def get_session():
    ready = _READY
    if ready is not None and (_SESSION_STACK is not None and not _SESSION_STACK.stack) and \
            ready[0] is STATE.graph and ready[1] is STATE.session and len(ready[2]) == ready[3]:
        return ready[1]
    return _get_session()


def _get_session():
    global _READY
    graph = STATE.graph
    session = tf1.get_default_session()
    if session is None or session.graph is not graph:
        session = STATE.session
        if session is None:
            with STATE.lock:
                if STATE.session is None:
                    STATE.session, STATE.owns_session = _new_session(graph), True
                session = STATE.session
        default = False
    else:
        default = True
    variables = graph.get_collection_ref(_GLOBAL_VARIABLES)
    count = len(variables)  # read before initialising: a variable made meanwhile is seen next call
    if not STATE.manual_init:
        _initialize_new_variables(session, graph)
    if not default:
        _READY = (graph, session, variables, count)
    return session


def _initialize_new_variables(session, graph):
    """Initialises the graph's variables this session has not seen yet and finds uninitialised."""
    state = STATE.graph_state(graph)
    variables = graph.get_collection_ref(_GLOBAL_VARIABLES)
    if state.checked_variables.get(session, 0) == len(variables):
        return  # the hot path: nothing new since the last call
    with STATE.lock, graph.as_default():
        start = state.checked_variables.get(session, 0)
        new = list(variables[start:])
        if new:
            flags = session.run([tf1.is_variable_initialized(v) for v in new])
            pending = [v for v, ready in zip(new, flags) if not ready]
            # Run directly: grouping them would mutate ops the session has run. A variable made from
            # a tensor that reads other variables is initialised after them, in creation order.
            first = [v.initializer for v in pending if not getattr(v, '_kb_reads_variables', False)]
            if first:
                session.run(first)
            for v in pending:
                if getattr(v, '_kb_reads_variables', False):
                    session.run(v.initializer)
            for v in new:
                v._keras_initialized = True
        state.checked_variables[session] = start + len(new)


def set_session(session):
    # kbackend builds in the session's graph from now on (a tf.compat.v1.Session() made by the user
    # holds TensorFlow's global graph, not kbackend's); None makes get_session create a new one.
    global _READY
    _READY = None
    with STATE.lock:
        if session is not None and session.graph is not STATE.graph:
            STATE.graph = session.graph
        if STATE.session is not None and STATE.owns_session and STATE.session is not session:
            STATE.session.close()
        STATE.session, STATE.owns_session = session, False


@contextlib.contextmanager
def name_scope(name):
    check_name_scope(name)  # '' or None would reset TensorFlow's scope to the root
    graph = STATE.graph
    with graph.as_default(), contextlib.ExitStack() as stack:
        with STATE.lock:  # the scope's unique name is taken from the graph's shared table
            scope = stack.enter_context(graph.name_scope(name))
        yield scope


# --- tensors and variables ----------------------------------------------------------------------

def is_sparse(tensor):
    return isinstance(tensor, tf.SparseTensor)


@graph_scope
def to_dense(tensor):
    if isinstance(tensor, tf.SparseTensor):
        return tf.sparse.to_dense(tensor)
    return tensor


def _sparse_variable(value, dtype, name):
    coo = value.tocoo()
    indices = np.stack([coo.row, coo.col], axis=1).astype('int64')
    v = tf.SparseTensor(indices=indices, values=coo.data.astype(dtype), dense_shape=coo.shape)
    v._keras_shape = tuple(coo.shape)
    v._uses_learning_phase = False
    return v


@graph_scope
def variable(value, dtype=None, name=None, constraint=None):
    dtype = check_dtype('variable', dtype, floatx())
    if hasattr(value, 'tocoo'):
        return _sparse_variable(value, dtype, name)
    if not tf.is_tensor(value):
        value = np.asarray(value, dtype=dtype)
    reads_variables = False
    if hasattr(value, 'op'):  # a graph tensor, or a variable
        reads_variables = _check_initial_value(value)
    v = tf1.Variable(value, dtype=tf.as_dtype(dtype), name=name, constraint=constraint,
                     use_resource=True)
    v._kb_reads_variables = reads_variables  # initialised after the variables it reads
    v._keras_shape = value.shape if isinstance(value, np.ndarray) else int_shape(value)
    v._uses_learning_phase = False
    return v


def _check_initial_value(value):
    """Whether a variable's initial value reads other variables. One that reads a placeholder could
    never be initialised, and every later K.eval or K.function would fail on it: refused here."""
    ops, seen, found, reads = [value.op], set(), [], False
    while ops:
        op = ops.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type == 'Placeholder':
            found.append(op.name)
        reads = reads or op.type in ('VarHandleOp', 'VariableV2')
        ops.extend(t.op for t in op.inputs)
        ops.extend(op.control_inputs)
    if found:
        raise checks.fed_initial_value_error(sorted(found))
    return reads


@graph_scope
def constant(value, dtype=None, shape=None, name=None):
    dtype = check_dtype('constant', dtype, floatx())
    if tf.is_tensor(value):
        return tf.constant(value, dtype=dtype, shape=shape, name=name)
    return tf.constant(constant_array(value, dtype, shape), dtype=dtype, name=name)


def is_tensor(x):
    return tf.is_tensor(x)


_PLACEHOLDER_DTYPES = DTYPES + ('string',)


@graph_scope
def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    # 'string' too, as Keras 2.2.4 on TensorFlow allowed (byte strings fed, e.g. to lookup ops).
    dtype = check_dtype('placeholder', dtype, floatx(), _PLACEHOLDER_DTYPES)
    shape = check_shape('placeholder', shape, ndim)  # a given shape wins, () is a scalar
    if sparse:
        x = tf1.sparse_placeholder(dtype, shape=shape, name=name)
    else:
        x = tf1.placeholder(dtype, shape=shape, name=name)
    x._keras_shape = shape
    x._uses_learning_phase = False
    return x


def is_placeholder(x):
    try:
        return x.op.type == 'Placeholder'
    except AttributeError:
        return False


@graph_scope
def shape(x):
    return tf.shape(x)


def int_shape(x):
    recorded = getattr(x, '_keras_shape', None)
    if isinstance(x, (np.ndarray, np.generic, numbers.Number)):
        return np.shape(x)
    try:
        own = tuple(x.shape.as_list())
    except ValueError:  # unknown rank
        return recorded
    except AttributeError:  # not a tensor
        return recorded if recorded is not None else shape_of_value(x)
    # TensorFlow's own sizes win: Keras 2.2.4 overwrites `_keras_shape` on some results with sizes
    # it computed itself (ConvLSTM2D's initial state, from the global data format).
    return own if None not in own else merged_shape(own, recorded)


def ndim(x):
    dims = int_shape(x)
    return None if dims is None else len(dims)


def dtype(x):
    dt = getattr(x, 'dtype', None)
    if dt is None:
        return np.asarray(x).dtype.name
    return getattr(dt, 'base_dtype', dt).name


def eval(x):
    if not tf.is_tensor(x):
        return np.asarray(x)
    if isinstance(x, tf.SparseTensor):
        x = to_dense(x)
    elif not hasattr(x, 'graph'):  # an eager tensor or variable made by other TensorFlow code
        return x.numpy()
    return _run(x)


def _variable_or_tensor(make, shape, dtype, name):
    dtype = check_dtype('zeros' if make is tf.zeros else 'ones', dtype, floatx())
    with STATE.lock, STATE.graph.as_default():
        value = make(shape=shape, dtype=tf.as_dtype(dtype), name=name)
    if all(d is not None for d in value.shape.as_list()):  # a scalar too: Keras's RMSprop updates it
        return variable(value, dtype=dtype, name=name)
    return value  # a shape known only at run time gives a tensor (as in Keras 2.2.4)


def zeros(shape, dtype=None, name=None):
    return _variable_or_tensor(tf.zeros, shape, dtype, name)


def ones(shape, dtype=None, name=None):
    return _variable_or_tensor(tf.ones, shape, dtype, name)


@graph_scope
def zeros_like(x, dtype=None, name=None):
    dtype = None if dtype is None else check_dtype('zeros_like', dtype)  # None: x's dtype
    return tf.zeros_like(x, dtype=dtype, name=name)


@graph_scope
def ones_like(x, dtype=None, name=None):
    dtype = None if dtype is None else check_dtype('ones_like', dtype)
    return tf.ones_like(x, dtype=dtype, name=name)


@graph_scope
def identity(x, name=None):
    return tf.identity(x, name=name)


@graph_scope
def cast(x, dtype):
    return tf.cast(x, check_dtype('cast', dtype))


# --- updates ---------------------------------------------------------------------------------------
# An update is a tensor that assigns then reads the variable. It remembers (kind, variable, operand)
# so that `function` can rebuild the assignment to run after the outputs and after every new value
# is computed (simultaneous updates, like Theano's), whatever order TensorFlow would pick.

_ASSIGN = {
    'assign': lambda x, v: x.assign(v, read_value=False),
    'add': lambda x, v: x.assign_add(v, read_value=False),
    'sub': lambda x, v: x.assign_sub(v, read_value=False),
}


_UPDATE_FN = {'assign': 'update', 'add': 'update_add', 'sub': 'update_sub'}


def _check_variable(fn, x):
    if not isinstance(x, tf.Variable):  # a placeholder, a constant, an expression, a NumPy array
        raise not_a_variable(fn, x)
    return x


def _make_update(kind, x, operand):
    _check_variable(_UPDATE_FN[kind], x)
    with STATE.lock, STATE.graph.as_default():
        operand = tf.convert_to_tensor(operand, dtype=x.dtype.base_dtype)
        op = _ASSIGN[kind](x, operand)
        with tf.control_dependencies([op]):
            result = x.read_value()
    result._kbackend_update = (kind, x, operand)
    return result


def update(x, new_x):
    return _make_update('assign', x, new_x)


def update_add(x, increment):
    return _make_update('add', x, increment)


def update_sub(x, decrement):
    return _make_update('sub', x, decrement)


# --- values ------------------------------------------------------------------------------------------

def _sparse_value_to_scipy(value):
    import scipy.sparse
    indices = np.asarray(value.indices)
    return scipy.sparse.coo_matrix((value.values, (indices[:, 0], indices[:, 1])),
                                   shape=tuple(value.dense_shape)).tocsr()


def get_value(x):
    # A sparse variable gives a scipy.sparse CSR matrix, as the Theano engine does.
    if not tf.is_tensor(x):
        return np.asarray(x)
    value = _run(x)
    return _sparse_value_to_scipy(value) if isinstance(x, tf.SparseTensor) else value


def batch_get_value(ops):
    ops = listed('batch_get_value', ops, tf.is_tensor, 'variables')
    if not ops:
        return []
    values = _run(ops)
    return [_sparse_value_to_scipy(v) if isinstance(x, tf.SparseTensor) else v
            for x, v in zip(ops, values)]


def _assign_feed(x, value):
    """(placeholder, value) feeding x's cached assign op, which is made on first use."""
    value = np.asarray(value, dtype=dtype(x))
    expected = tuple(x.shape.as_list())
    if value.shape != expected:
        raise ValueError('set_value: expected a value of shape %s for variable %s; received shape %s.'
                         % (expected, x.name, value.shape))
    ph = getattr(x, '_assign_placeholder', None)
    if ph is None:
        with STATE.lock, x.graph.as_default():
            ph = tf1.placeholder(x.dtype.base_dtype, shape=expected)
            x._assign_op = x.assign(ph, read_value=False)
            x._assign_placeholder = ph
    return ph, value


def set_value(x, value):
    batch_set_value([(x, value)])


def batch_set_value(tuples):
    tuples = variable_value_pairs(tuples, tf.is_tensor)
    if not tuples:
        return
    for x, _ in tuples:
        if not isinstance(x, tf.Variable):
            raise TypeError('set_value() can only be called on a variable (a sparse variable is a '
                            'constant SparseTensor on TensorFlow); received %s.' % type(x).__name__)
    feed = dict(_assign_feed(x, value) for x, value in tuples)
    get_session().run([x._assign_op for x, _ in tuples], feed_dict=feed)


@graph_scope
def print_tensor(x, message=''):
    op = tf.print(message, x)
    with tf.control_dependencies([op]):
        return tf.identity(x)


# --- function and gradients -------------------------------------------------------------------------

_SYMBOLIC = (tf.Tensor, tf.Variable)
_FUNCTION_KWARGS = ('feed_dict', 'fetches', 'options', 'run_metadata', 'name')


def _dependency(t):
    """The tensor that fetching output `t` computes (for a variable, the read that is fetched)."""
    if isinstance(t, tf.SparseTensor):
        return t.values
    return t.graph.as_graph_element(t)


def _barrier(tensors):
    """A new NoOp that runs after `tensors`. Control inputs are added to the new op itself:
    tf.control_dependencies(tensors) would mark their ops, which TensorFlow forbids once a session
    has run them, and a data edge (IdentityN) would cost a consumer per tensor."""
    barrier = tf.no_op()
    barrier._add_control_inputs(list({id(t.op): t.op for t in tensors}.values()))
    return barrier


def _build_updates(updates, outputs):
    """The ops to fetch for `updates`: kbackend's assignments (the first per variable) run after the
    outputs and after every new value is computed; other ops run as they are.

    The order goes through one new NoOp (see _barrier).
    """
    assigns, others, targets = [], [], set()
    for u in updates:
        if isinstance(u, (list, tuple)):
            if len(u) != 2:
                raise ValueError('An update must be a (variable, new_value) pair or an op; received '
                                 '%r.' % (u,))
            x, new = u
            spec = ('assign', _check_variable('K.function: an update', x), new)
        elif hasattr(u, '_kbackend_update'):
            spec = u._kbackend_update
        else:
            others.append(u)
            continue
        if id(spec[1]) not in targets:  # one update per variable, the first (as on Theano)
            targets.add(id(spec[1]))
            assigns.append(spec[:2] + (tf.convert_to_tensor(spec[2], dtype=spec[1].dtype.base_dtype),))
    if not assigns:
        return others
    deps = [_dependency(o) for o in outputs if tf.is_tensor(o)] + [v for _, _, v in assigns]
    with tf.control_dependencies([_barrier(deps)]):
        ops = [_ASSIGN[kind](x, v) for kind, x, v in assigns]
    return [tf.group(*ops)] + others


def _sparse_input_feed(feed, value):
    """What is fed for a sparse input: a scipy.sparse matrix checked against its placeholder
    (shared.feeds.SparseFeed), or TensorFlow's own SparseTensorValue or triple as it is."""
    if hasattr(value, 'tocoo') or not (hasattr(value, 'dense_shape') or isinstance(value, tuple)):
        feed.check(value)
    return _sparse_feed(value)


def _sparse_feed(value):
    """(indices, values, dense_shape) of a scipy.sparse matrix or a SparseTensorValue/triple."""
    if hasattr(value, 'tocoo'):
        coo = value.tocoo()
        return (np.stack([coo.row, coo.col], axis=1).astype('int64'), coo.data,
                np.asarray(coo.shape, dtype='int64'))
    if hasattr(value, 'indices'):
        return value.indices, value.values, value.dense_shape
    return tuple(value)


def _flat_feeds(tensors):
    """The tensors fed for `tensors`: a sparse one is fed as (indices, values, dense_shape)."""
    flat = []
    for x in tensors:
        if isinstance(x, tf.SparseTensor):
            flat.extend([x.indices, x.values, x.dense_shape])
        else:
            flat.append(x)
    return flat


def _same_keys(a, b):
    """Whether two tuples hold the same tensors (identity: == on a tensor builds an op)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


_ndarray = np.ndarray
_NO_FEED = ((), ())  # feed_dict's keys and values when it is empty


class Function(object):
    """A callable running `outputs` (then `updates`) for a list of input values.

    Threads: calls run concurrently (a TensorFlow session is thread-safe, each call has its own
    feeds and results). What a call builds on first use (the prebuilt step for a session and
    feed_dict's keys, the steps of the slow path) is built under STATE.lock and published whole, so
    the first call from several threads at once builds it once and every thread uses it."""

    def __init__(self, inputs, outputs, updates=None, name=None, **session_kwargs):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('`inputs` of a backend function should be a list or tuple; received %r.'
                            % (inputs,))
        self.inputs = [_check_input(i, x) for i, x in enumerate(inputs)]
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self.name = name
        # The caller's dict itself: Keras 2.2.4 reads its keys and values at every call, so a caller
        # may change them between calls.
        feed_dict = session_kwargs.pop('feed_dict', None)
        self.feed_dict = feed_dict if feed_dict is not None else {}
        fetches = session_kwargs.pop('fetches', None) or []
        self.fetches = list(fetches) if isinstance(fetches, (list, tuple)) else [fetches]
        self.options = session_kwargs.pop('options', None)
        self.run_metadata = session_kwargs.pop('run_metadata', None)
        if session_kwargs:
            raise ValueError('Invalid argument(s) %s passed to K.function with TensorFlow backend; '
                             'expected only %s.' % (', '.join(sorted(session_kwargs)),
                                                    ', '.join(_FUNCTION_KWARGS)))
        with STATE.lock, STATE.graph.as_default():
            self.updates_ops = _build_updates(updates, self.outputs) if updates else []
        self._sparse = [isinstance(x, tf.SparseTensor) for x in self.inputs]
        self._any_sparse = any(self._sparse)
        self._dtypes = [x.dtype.base_dtype.as_numpy_dtype for x in self.inputs]
        self._feeds = [_feed(i, x) for i, x in enumerate(self.inputs)]
        self._n_inputs = len(self.inputs)
        self._flat_inputs = _flat_feeds(self.inputs)
        self._feed_list = self._flat_inputs + _flat_feeds(self.feed_dict)
        self._n_outputs = len(self.outputs)
        self._all_fetches = self.outputs + self.updates_ops + self.fetches
        self._prebuilt = None  # (session, feed_dict's keys, run), replaced whole
        self._special = {}
        sparse_outputs = [isinstance(o, tf.SparseTensor) for o in self.outputs]
        self._sparse_outputs = sparse_outputs if any(sparse_outputs) else None

    def _fixed_feed(self):
        """feed_dict's keys and values as they are now (Keras 2.2.4 reads both at every call)."""
        feed_dict = self.feed_dict
        if not feed_dict:
            return _NO_FEED
        keys = tuple(feed_dict)
        values = []
        for key in keys:
            value = feed_dict[key]
            if isinstance(key, tf.SparseTensor):
                values.extend(_sparse_feed(value))
            else:
                values.append(np.asarray(value, dtype=key.dtype.base_dtype.as_numpy_dtype))
        return keys, values

    def _make_callable(self, session, keys):
        """The prebuilt step feeding the inputs then `keys` in `session`, built once."""
        with STATE.lock:
            prebuilt = self._prebuilt
            if prebuilt is not None and prebuilt[0] is session and _same_keys(prebuilt[1], keys):
                return prebuilt  # another thread built it meanwhile
            feed_list = self._flat_inputs + _flat_feeds(keys)
            if self._sparse_outputs or any(self._sparse):
                # make_callable converts sparse feeds and fetches (SparseTensorValue) for us.
                accept = self.options is not None or self.run_metadata is not None
                fn = session.make_callable(self._all_fetches, feed_list=feed_list,
                                           accept_options=accept)
                run, metadata = (self._with_options(fn) if accept else fn), False
            else:
                # TensorFlow's Callable API runs a prebuilt step with the updates as targets: about
                # 25% less per call than make_callable, whose calls go through TF_SessionRun each time.
                # run_metadata is passed at the call (options are part of the prebuilt step).
                run, metadata = self._callable_from_options(session, feed_list, []), True
            self._feed_list = feed_list
            self._prebuilt = prebuilt = (session, keys, run, metadata)
            return prebuilt

    def _with_options(self, fn):
        def run(*values):
            return fn(*values, options=self.options, run_metadata=self.run_metadata)
        return run

    def _feed_values(self, inputs):
        """The flat feed list, each value checked against its placeholder (shared.feeds.Feed), or
        None when a value is None or symbolic (see _call_special)."""
        values = []
        for v, feed in zip(inputs, self._feeds):
            if v is None or isinstance(v, _SYMBOLIC):
                return None
            if type(feed) is SparseFeed:
                values.extend(_sparse_input_feed(feed, v))
            else:
                values.append(feed.convert(v))
        return values

    def __call__(self, inputs):
        # The hot path: ~2 us over TensorFlow's own prebuilt step on a tiny graph (see
        # benchmarks/call_overhead.py): the session check is cached (get_session), each fed value is
        # checked and converted once (shared.feeds.Feed), feed_dict is read only when given.
        if (type(inputs) is not list and type(inputs) is not tuple) or len(inputs) != self._n_inputs:
            check_function_inputs(inputs, self._n_inputs)
        session = get_session()
        if self._any_sparse:
            values = self._feed_values(inputs)
        else:
            values = []
            append = values.append
            for v, feed in zip(inputs, self._feeds):
                if type(v) is not _ndarray and (v is None or isinstance(v, _SYMBOLIC)):
                    values = None
                    break
                append(feed.convert(v))
        keys, fixed = self._fixed_feed() if self.feed_dict else _NO_FEED
        if values is None:
            return self._call_special(inputs, session, keys, fixed)
        prebuilt = self._prebuilt
        if prebuilt is None or prebuilt[0] is not session or (
                prebuilt[1] is not keys and not _same_keys(prebuilt[1], keys)):
            prebuilt = self._make_callable(session, keys)
        if fixed:
            values += fixed
        try:
            if prebuilt[3] and self.run_metadata is not None:
                results = prebuilt[2](*values, run_metadata=self.run_metadata)
            else:
                results = prebuilt[2](*values)
        except tf.errors.InvalidArgumentError as error:
            _raise_if_unfed(error, 'K.function')
            raise
        if self._sparse_outputs:
            return self._to_scipy(results)
        return results[:self._n_outputs]

    def _to_scipy(self, results):
        # Sparse outputs come back as scipy.sparse CSR matrices, as on the Theano engine.
        return [_sparse_value_to_scipy(r) if sparse else r
                for r, sparse in zip(results[:self._n_outputs], self._sparse_outputs)]

    def _call_special(self, inputs, session, keys, fixed):
        """Keras 2.2.4's slow path: a None value leaves its input unfed (a placeholder_with_default
        keeps its default); a symbolic value is wired into the input inside the graph."""
        arrays, values, symbols = [], [], []
        for i, (x, v, feed) in enumerate(zip(self.inputs, inputs, self._feeds)):
            sparse = type(feed) is SparseFeed
            if v is None:
                if not sparse and feed.allow_none:
                    continue  # a placeholder_with_default (the learning phase) keeps its default
                raise feed.check(None) if sparse else feed.error('None')
            if isinstance(v, _SYMBOLIC):
                if sparse:
                    raise ValueError('A sparse input cannot be fed a symbolic value.')
                symbols.append((x, v))
            elif sparse:
                arrays.extend([x.indices, x.values, x.dense_shape])
                values.extend(_sparse_input_feed(feed, v))
            else:
                arrays.append(x)
                values.append(feed.convert(v))
        arrays += _flat_feeds(keys)
        values += fixed
        key = (id(session), tuple(id(a) for a in arrays), tuple((id(x), id(v)) for x, v in symbols))
        fn = self._special.get(key)
        if fn is None:
            with STATE.lock:
                fn = self._special.get(key)
                if fn is None:
                    fn = self._special[key] = self._callable_from_options(session, arrays, symbols)
        try:
            return fn(*values, run_metadata=self.run_metadata)[:self._n_outputs]  # no sparse outputs here
        except tf.errors.InvalidArgumentError as error:
            _raise_if_unfed(error, 'K.function')
            raise

    def _callable_from_options(self, session, arrays, symbols):
        from tensorflow.core.protobuf import config_pb2
        graph = session.graph
        opts = config_pb2.CallableOptions()
        opts.feed.extend(a.name for a in arrays)
        for fetch in self._all_fetches:
            if isinstance(fetch, tf.SparseTensor):
                raise ValueError('A function with sparse outputs cannot take None or symbolic input '
                                 'values.')
            element = graph.as_graph_element(fetch)
            if isinstance(element, tf1.Operation):
                opts.target.append(element.name)
            else:
                opts.fetch.append(element.name)
        with STATE.lock, graph.as_default():
            for x, v in symbols:
                if v.dtype.base_dtype != x.dtype.base_dtype:
                    v = tf.cast(v, x.dtype.base_dtype)
                connection = opts.tensor_connection.add()
                connection.from_tensor = graph.as_graph_element(v).name
                connection.to_tensor = x.name
        if self.options is not None:
            opts.run_options.CopyFrom(self.options)
        return session._make_callable_from_options(opts)


_PLACEHOLDER_OPS = ('Placeholder', 'PlaceholderWithDefault')


def _check_input(position, x):
    """An input of a K.function must be a placeholder (or a placeholder with a default, such as the
    learning phase; a sparse placeholder): ValueError at construction otherwise."""
    if isinstance(x, tf.SparseTensor):
        ok = getattr(x.indices, 'op', None) is not None and x.indices.op.type == 'Placeholder'
    else:
        ok = isinstance(x, tf.Tensor) and not isinstance(x, tf.Variable) and \
            getattr(getattr(x, 'op', None), 'type', None) in _PLACEHOLDER_OPS
    if not ok:
        raise not_an_input(position, x)
    return x


def _feed(position, x):
    """What a value fed to input x must be."""
    if isinstance(x, tf.SparseTensor):
        return SparseFeed(x.values.op.name.rsplit('/', 1)[0], position, int_shape(x))
    try:
        dims = x.shape.as_list()
    except ValueError:  # unknown rank (a placeholder made by TensorFlow code)
        dims = None
    return Feed(x.op.name, position, dims, x.dtype.base_dtype.as_numpy_dtype,
                allow_none=x.op.type == 'PlaceholderWithDefault')


def function(inputs, outputs, updates=None, **kwargs):
    from ..shared.outputs import build_function  # None outputs (disconnected gradients) stay None
    return build_function(Function, inputs, outputs, updates, kwargs)


@graph_scope
def gradients(loss, variables):
    variables = check_gradients_args(loss, variables, is_tensor)
    with all_intermediates():
        grads = tf1.gradients(loss, variables, colocate_gradients_with_ops=True)
    # Dense, as on every engine: a gather's gradient would otherwise be IndexedSlices, which
    # K.function would hand back as an IndexedSlicesValue instead of an array.
    return [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]


@graph_scope
def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [tf.stop_gradient(v) for v in variables]
    return tf.stop_gradient(variables)
