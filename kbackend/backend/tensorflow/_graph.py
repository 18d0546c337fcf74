"""kbackend's own TensorFlow graph and session, driven through tf.compat.v1.

Every op kbackend builds lives in ``STATE.graph``; TensorFlow's global eager mode is left alone, so
each function that creates ops runs inside ``graph_scope`` (about 5 us per call, ~2% of an op).
Python operators on graph tensors and graph variables (``x * 2``, ``x[0]``) are made to enter the
tensor's own graph too (see ``_patch_operators``): under eager mode TensorFlow would otherwise try to
run them eagerly and fail.

Threads. A tf.Graph is not safe to build from several threads at once (TensorFlow's Python graph
code iterates and mutates shared dicts and consumer lists without a lock: "dictionary changed size
during iteration", and worse). Graph building through kbackend is serialised by ``STATE.lock``
(re-entrant): ``graph_scope`` holds it for the whole K call, the Python operators hold it when they
build in kbackend's graph, and the session/variable bookkeeping uses it too. Running a graph never
takes it: sessions and prebuilt steps run concurrently. kbackend's graphs keep TensorFlow's device,
colocation and control-dependency stacks per thread (``Graph.switch_to_thread_local``), so a
``tf.control_dependencies`` block in one thread does not reach into ops another thread builds.
"""
import collections
import contextlib
import functools
import threading
import weakref

from ._import import import_tensorflow

tf = import_tensorflow()
from tensorflow.python.eager.context import executing_eagerly as _executing_eagerly
from tensorflow.python.framework import ops as _ops
from tensorflow.python.ops import control_flow_util_v2 as _cf_v2
from tensorflow.python.ops import resource_variable_ops as _rvops

tf1 = tf.compat.v1


class _GraphState(object):
    """What Keras keeps per graph: the uid counters and the learning phase."""

    def __init__(self):
        self.uids = collections.defaultdict(int)
        self.learning_phase_placeholder = None
        self.learning_phase_value = None  # a Python int 0/1 after set_learning_phase
        self.checked_variables = weakref.WeakKeyDictionary()  # session -> variables looked at


def _new_graph():
    graph = tf.Graph()
    graph.switch_to_thread_local()  # control dependencies, devices, colocation: per thread
    return graph


class _State(object):
    """The graph, its session and the per-graph runtime state; replaced by clear_session.

    `lock` serialises graph building and this state's bookkeeping (see the module docstring)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.graph = _new_graph()
        self.session = None
        self.owns_session = False  # True when kbackend made the session (so it may close it)
        self.manual_init = False
        self.per_graph = weakref.WeakKeyDictionary()

    def graph_state(self, graph=None):
        graph = self.graph if graph is None else graph
        state = self.per_graph.get(graph)
        if state is None:
            with self.lock:
                state = self.per_graph.get(graph)
                if state is None:
                    state = self.per_graph[graph] = _GraphState()
        return state

    def new_graph(self):
        """A fresh graph with fresh per-graph state; closes the old session if kbackend made it."""
        with self.lock:
            if self.session is not None and self.owns_session:
                self.session.close()
            self.graph = _new_graph()
            self.session = None
            self.owns_session = False


STATE = _State()


def _builds_inside(graph):
    """Whether the default graph is `graph` or a control-flow body nested in it (while/cond v2)."""
    current = _ops.get_default_graph()
    while current is not graph and getattr(current, 'outer_graph', None) is not None:
        current = current.outer_graph
    return current is graph


def graph_scope(fn):
    """Runs `fn` with kbackend's graph as TensorFlow's default graph.

    Inside a while_loop/cond body built in kbackend's graph (a FuncGraph nested in it) the body
    stays the default graph, so K.* calls made by rnn step functions, map_fn/fold fns and lazy
    switch branches land in the body.
    """
    lock = STATE.lock

    @functools.wraps(fn)
    def scoped(*args, **kwargs):
        with lock:
            if _builds_inside(STATE.graph):
                return fn(*args, **kwargs)
            with STATE.graph.as_default():
                return fn(*args, **kwargs)
    return scoped


@contextlib.contextmanager
def all_intermediates():
    """TensorFlow's output_all_intermediates switched on for the duration (then restored).

    K.gradients needs it too: without it, differentiating a while/cond v2 op moves Shape ops into
    the forward op, rewriting an op that a session may already have run (every later run fails).
    """
    previous = _cf_v2._EXPERIMENTAL_OUTPUT_ALL_INTERMEDIATES_OVERRIDE
    _cf_v2._EXPERIMENTAL_OUTPUT_ALL_INTERMEDIATES_OVERRIDE = True
    try:
        yield
    finally:
        _cf_v2._EXPERIMENTAL_OUTPUT_ALL_INTERMEDIATES_OVERRIDE = previous


# Elementwise == and != stay TensorFlow's (identity comparison for graph tensors, so hashing works).
_OPERATORS = tuple(sorted(set(tf.Tensor.OVERLOADABLE_OPERATORS) - {'__eq__', '__ne__'}))


# Only where TensorFlow would run the operator eagerly: inside any graph being built (kbackend's,
# a tf.function's, a while_loop body's) the operator keeps TensorFlow's own behaviour, so tensors
# captured from an outer graph still work there.

# Operators on tensors of kbackend's graph hold STATE.lock (graph building is serialised).

def _tensor_operator_in_own_graph(method):
    lock = STATE.lock

    @functools.wraps(method)
    def in_graph(self, *args, **kwargs):
        if not _executing_eagerly():
            if self.graph is not STATE.graph:
                return method(self, *args, **kwargs)
            with lock:
                return method(self, *args, **kwargs)
        with lock, self.graph.as_default():
            return method(self, *args, **kwargs)
    return in_graph


def _variable_operator_in_own_graph(method):
    lock = STATE.lock

    @functools.wraps(method)
    def in_graph(self, *args, **kwargs):
        if not getattr(self, '_in_graph_mode', False):
            return method(self, *args, **kwargs)  # an eager variable
        if not _executing_eagerly():  # building a graph
            if self._handle.graph is not STATE.graph:
                return method(self, *args, **kwargs)
            with lock:
                return method(self, *args, **kwargs)
        with lock, self._handle.graph.as_default():
            return method(self, *args, **kwargs)
    return in_graph


# `w *= x` on a graph variable gives the new tensor `w * x`, as TensorFlow 1's variables (and Theano's
# shared variables) did: Keras 2.2.4's constraints do that. TensorFlow 2 raises there; eager variables
# still do.
_INPLACE_OPERATORS = {'__iadd__': '__add__', '__isub__': '__sub__', '__imul__': '__mul__',
                      '__idiv__': '__div__', '__itruediv__': '__truediv__',
                      '__irealdiv__': '__truediv__', '__ipow__': '__pow__'}


def _inplace_operator_gives_new_tensor(method, name):
    @functools.wraps(method)
    def inplace(self, other):
        if getattr(self, '_in_graph_mode', False):
            return getattr(self, name)(other)
        return method(self, other)
    return inplace


# A graph variable is hashable and `==` is identity, as for graph tensors and as in TensorFlow 1:
# Keras 2.2.4 keeps weights in sets and dicts and tests `w in weights`. TensorFlow 2 decides by whether
# the caller runs eagerly, so a kbackend variable used outside its graph was unhashable.
def _identity_for_graph_variables(method, identity):
    @functools.wraps(method)
    def compare(self, *other):
        if getattr(self, '_in_graph_mode', False):
            return identity(self, *other)
        return method(self, *other)
    return compare


_IDENTITY_OPERATORS = {'__hash__': id, '__eq__': lambda a, b: a is b, '__ne__': lambda a, b: a is not b}


# Iterating a graph variable iterates its value over the first axis, as for graph tensors (TensorFlow
# 2 reads the value eagerly, which fails outside the graph with "out of scope").
def _iterate_graph_variable(method):
    lock = STATE.lock

    @functools.wraps(method)
    def iterate(self):
        if not getattr(self, '_in_graph_mode', False):
            return method(self)
        with lock, self._handle.graph.as_default():
            value = self.value()
        return iter(value)  # the tensor's iterator: its slices enter the graph themselves
    return iterate


def _patch_operators():
    """Graph tensors/variables enter their own graph for Python operators (once per process)."""
    if getattr(_ops.SymbolicTensor, '_kbackend_operators', False):
        return
    for name, identity in _IDENTITY_OPERATORS.items():
        method = getattr(_rvops.BaseResourceVariable, name)
        setattr(_rvops.BaseResourceVariable, name, _identity_for_graph_variables(method, identity))
    _rvops.BaseResourceVariable.__iter__ = _iterate_graph_variable(_rvops.BaseResourceVariable.__iter__)
    for inplace, name in _INPLACE_OPERATORS.items():
        method = getattr(_rvops.BaseResourceVariable, inplace, None)
        if method is not None:
            setattr(_rvops.BaseResourceVariable, inplace, _inplace_operator_gives_new_tensor(method, name))
    for name in _OPERATORS:
        method = getattr(_ops.SymbolicTensor, name, None)
        if method is not None:
            setattr(_ops.SymbolicTensor, name, _tensor_operator_in_own_graph(method))
        method = getattr(_rvops.BaseResourceVariable, name, None)
        if method is not None:
            setattr(_rvops.BaseResourceVariable, name, _variable_operator_in_own_graph(method))
    _ops.SymbolicTensor._kbackend_operators = True


_patch_operators()
