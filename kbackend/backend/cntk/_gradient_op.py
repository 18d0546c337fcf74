"""Symbolic gradients on CNTK: a user function whose outputs are the gradients of a loss.

CNTK 2.7 has no symbolic differentiation: ``Function.grad`` returns values, and only with respect
to leaves (inputs, parameters, constants). A `GradOp` node takes the loss's arguments and the
wrt leaves as inputs and, when evaluated, runs ``loss.grad`` on them, so a gradient is an ordinary
graph node: an output of `K.function`, an operand of further ops (an optimizer's update), `K.eval`-able.

A gradient with respect to an intermediate tensor h is a GradOp on a clone of the loss in which h
is replaced by a fresh input (the cut), fed with h's value (also used for an input made without
CNTK's needs_gradient flag).

`K.function` avoids the double forward pass when it can: it runs the loss forward and backward
itself and puts the gradients in the thread's `gradient_stash`, which the GradOps read instead of
recomputing. GradOps are not differentiable: `K.gradients` refuses a loss that contains one.
"""
import contextlib
import threading
import weakref

import numpy as np

from . import _tensor as T
from ._engine import C

_REGISTRY = weakref.WeakValueDictionary()  # uid of the CNTK node -> GradOp
_LOCAL = threading.local()


def _feedable(v):
    # A user function cannot take an input without dynamic axes directly (CNTK then reports "no
    # value specified"); `+ 0` makes it an ordinary node.
    return C.plus(v, 0) if v.is_input else v


class GradOp(T.UserOp):
    """Outputs d(loss)/d(v) for each v in `wrt` (leaves of `loss`, a scalar CNTK function)."""

    def __init__(self, loss, wrt, cut_inputs=(), cut=None, name='gradients'):
        self.loss = loss
        self.wrt = list(wrt)
        self.args = list(loss.arguments)
        cut_inputs = dict(cut_inputs)  # fresh input uid -> the tensor whose value it receives
        self.cut = cut
        self.extra = [v for v in self.wrt if v not in self.args]
        inputs = [cut_inputs[a.uid] if a.uid in cut_inputs else _feedable(a) for a in self.args]
        super(GradOp, self).__init__(inputs + self.extra, name=name)
        self.lock = threading.Lock()

    def infer_outputs(self):
        return [C.output_variable(v.shape, v.dtype, v.dynamic_axes, needs_gradient=False)
                for v in self.wrt]

    def forward(self, arguments, outputs=None, device=None, outputs_to_retain=None):
        if not isinstance(arguments, (list, tuple)):
            arguments = [arguments]
        values = _stashed(self)
        if values is None:
            feed = dict(zip(self.args, arguments[:len(self.args)]))
            with self.lock:  # the loss is one CNTK Function: one evaluation at a time (threads)
                grads = self.loss.grad(feed, wrt=self.wrt, as_numpy=True)
            if len(self.wrt) == 1:
                grads = {self.wrt[0]: grads}
            values = [grads[v] for v in self.wrt]
        values = [np.asarray(v, dtype=w.dtype, order="C") for v, w in zip(values, self.wrt)]
        if len(values) == 1:
            return None, values[0]
        for out, value in zip(self.outputs, values):
            outputs[out] = value
        return None

    def backward(self, state, root_gradients, variables):
        raise NotImplementedError('CNTK 2.7 has no second-order gradients.')

    def clone(self, cloned_inputs):
        raise NotImplementedError('a graph holding a kbackend gradient cannot be cloned on CNTK.')

    @classmethod
    def make(cls, loss, wrt):
        """The gradient tensors of `loss` w.r.t. the leaves `wrt`."""
        op = cls(loss, wrt)
        node = C.user_function(op)
        _REGISTRY[op.uid] = op
        return list(node.outputs) if len(wrt) > 1 else [node]

    @classmethod
    def make_cut(cls, loss, h):
        """The gradient of `loss` w.r.t. the intermediate tensor `h`, or None if the loss does not use it."""
        h_out = h.output if isinstance(h, C.cntk_py.Function) else h
        if h_out.is_input:
            if h_out.uid not in set(a.uid for a in loss.arguments):
                return None
        else:
            producer = h_out.owner.uid  # the graph search visits functions, not output variables
            if not C.logging.graph.depth_first_search(
                    loss, lambda n: getattr(n, 'uid', None) == producer, depth=-1):
                return None
        fresh = C.input_variable(h_out.shape, dtype=h_out.dtype, dynamic_axes=h_out.dynamic_axes,
                                 needs_gradient=True)
        # Inputs map to themselves: a clone would otherwise make new copies of every placeholder.
        substitutions = dict((a, a) for a in loss.arguments if a.uid != h_out.uid)
        substitutions[h_out] = fresh
        cut_loss = loss.clone(C.CloneMethod.share, substitutions)
        op = cls(cut_loss, [fresh], cut_inputs={fresh.uid: C.plus(h_out, 0)}, cut=h_out)
        node = C.user_function(op)
        _REGISTRY[op.uid] = op
        return node


def find_gradient_ops(graph, uids=None):
    """The GradOps in `graph` (restricted to `uids` when given)."""
    found = C.logging.graph.depth_first_search(
        graph, lambda n: isinstance(n, C.cntk_py.Function) and n.is_primitive and n.op_name == 'UserFunction'
        and n.uid in _REGISTRY and (uids is None or n.uid in uids), depth=-1)
    ops = []
    for node in found:
        op = _REGISTRY.get(node.uid)
        if op is not None and op not in ops:
            ops.append(op)
    return ops


@contextlib.contextmanager
def gradient_stash(ops, grads):
    """While active in this thread, the GradOps `ops` return `grads` ({leaf: value}) instead of
    computing them."""
    _LOCAL.stash = {op.uid: [grads[v] for v in op.wrt] for op in ops}
    try:
        yield
    finally:
        _LOCAL.stash = None


def _stashed(op):
    stash = getattr(_LOCAL, 'stash', None)
    return stash.get(op.uid) if stash else None
