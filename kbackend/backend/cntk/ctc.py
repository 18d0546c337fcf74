"""cntk engine: the ctc op family (see kbackend.backend.api.FAMILIES), with TensorFlow's values.

CNTK 2.7's own CTC op (`C.forward_backward`) gives only the sum over the minibatch, and CNTK has no
decoders and no sparse intermediate tensors, so:

- ctc_label_dense_to_sparse: a dense tensor holding labels[b, :length[b]] and zeros elsewhere,
  marked sparse (``_kb_sparse``, which is_sparse and to_dense understand).
- ctc_batch_cost: a user function (`_CTCCost`) whose forward runs the CTC forward algorithm in log
  space, vectorised over the samples, in float64 NumPy, on TensorFlow's input
  log_softmax(log(y_pred + epsilon)); its backward runs the backward algorithm and returns the exact
  gradient with respect to y_pred.
- ctc_decode: a forward-only user function (`_NumpyOp`) running TensorFlow's greedy and beam-search
  decoders in NumPy (shared.ctc_search, also used by the Theano adapter).
"""
import numpy as np

from ..common import epsilon
from ..shared.checks import check_beam_search, check_ctc_lengths, check_ctc_ranks
from ..shared.ctc_search import decode_batch
from . import _tensor as T
from ._engine import C

__all__ = ['ctc_label_dense_to_sparse', 'ctc_batch_cost', 'ctc_decode']

_NP = {'float16': np.float16, 'float32': np.float32, 'float64': np.float64}


def _op_storage(x):
    """The float dtype a user function computes in: x's storage, float32 for float16 (CNTK's user
    function node takes one element type for all its inputs and outputs)."""
    storage = T.cntk_dtype(x)
    return 'float32' if storage == 'float16' else storage


def _operand(x, storage, differentiable=False):
    """x as an input of a user function, of the function's storage dtype. Integer operands are cut
    from the gradient, so CNTK never asks the function for theirs."""
    x = T.cast_storage(x, storage)
    return x if differentiable else C.stop_gradient(x)


def _feedable(inputs):
    """User function inputs as ordinary nodes: a user function cannot take an input without dynamic
    axes directly (CNTK then reports "no value specified"), whether built so or cloned onto one."""
    outputs = [x.output if isinstance(x, T.FUNCTION) else x for x in inputs]
    return [C.plus(v, 0) if v.is_input else x for x, v in zip(inputs, outputs)]


def _lengths(values, size):
    """(samples,) int64 from a (samples,) or (samples, 1) float array, clipped to [0, size]."""
    return np.clip(np.rint(np.asarray(values).reshape(-1)).astype('int64'), 0, size)


# --- ctc_label_dense_to_sparse ---------------------------------------------------------------------

def ctc_label_dense_to_sparse(labels, label_lengths):
    labels, label_lengths = T.as_tensor(labels), T.as_tensor(label_lengths)
    check_ctc_ranks('ctc_label_dense_to_sparse', labels=(T.ndim(labels), 2))
    storage = _op_storage(labels)
    kept = _NumpyOp([_operand(labels, storage), _operand(label_lengths, storage)],
                    [(labels.shape, storage)], _keep_leading, 'ctc_label_dense_to_sparse').node()
    kept = T.tag(kept, T.keras_dtype(labels))
    kept._kb_sparse = True  # CNTK has no sparse intermediate tensors: stored dense
    return kept


def _keep_leading(labels, lengths):
    """labels with each row's entries past its length set to 0."""
    present = np.arange(labels.shape[1])[None, :] < _lengths(lengths, labels.shape[1])[:, None]
    return [np.where(present, labels, 0)]


# --- ctc_batch_cost --------------------------------------------------------------------------------

def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    y_true, y_pred = T.as_tensor(y_true), T.as_tensor(y_pred)
    if T.ndim(y_true) == 2 and T.ndim(y_pred) == 3:
        check_ctc_lengths('ctc_batch_cost', T.keras_shape(y_pred)[1], input_length, label_length,
                          T.keras_shape(y_true)[1])
    input_length, label_length = T.as_tensor(input_length), T.as_tensor(label_length)
    check_ctc_ranks('ctc_batch_cost', y_true=(T.ndim(y_true), 2), y_pred=(T.ndim(y_pred), 3))
    storage = _op_storage(y_pred)
    op = _CTCCost(_operand(y_true, storage), _operand(y_pred, storage, differentiable=True),
                  _operand(input_length, storage), _operand(label_length, storage), epsilon())
    cost = T.cast_storage(T.tag(C.user_function(op), storage), T.cntk_dtype(y_pred))
    return T.same(y_pred, cost)


class _CTCCost(T.UserOp):
    """(labels, y_pred, input_length, label_length) -> the (samples, 1) CTC loss of each sample."""

    def __init__(self, labels, y_pred, input_length, label_length, eps, name='ctc_batch_cost'):
        super(_CTCCost, self).__init__(_feedable([labels, y_pred, input_length, label_length]), name=name)
        self.eps = eps

    def infer_outputs(self):
        y = self.inputs[1]
        return [C.output_variable((y.shape[0], 1), y.dtype, [], needs_gradient=True)]

    def forward(self, arguments, device=None, outputs_to_retain=None):
        labels, y_pred, input_length, label_length = arguments
        lattice = _Lattice(labels, y_pred, input_length, label_length, self.eps)
        cost = -lattice.log_likelihood
        # An input_length beyond the time steps (fed values, docs/errors.md): NaN on every engine.
        cost[np.rint(np.asarray(input_length).reshape(-1)) > y_pred.shape[1]] = np.nan
        return lattice, cost.astype(y_pred.dtype)[:, None]

    def backward(self, state, root_gradients, variables):
        y = self.inputs[1]
        gradient = state.gradient() * np.asarray(root_gradients, 'float64').reshape(-1, 1, 1)
        for v in variables:
            if v.uid == y.uid:
                variables[v] = np.ascontiguousarray(gradient, dtype=y.dtype)

    def clone(self, cloned_inputs):
        return _CTCCost(*cloned_inputs, eps=self.eps, name=self.name)


class _Lattice(object):
    """The CTC lattice of a batch, in float64 log space.

    A sample's label sequence l (length L) becomes the state sequence blank, l1, blank, ..., lL,
    blank (2L + 1 states, padded with blanks to the longest sample). `alphas[t, b, s]` is the
    log-probability of the frames 0..t ending in state s (forward algorithm); the backward algorithm
    (`gradient`) gives the probability of the remaining frames from each state.
    """

    def __init__(self, labels, y_pred, input_length, label_length, eps):
        samples, steps, classes = y_pred.shape
        self.blank = blank = classes - 1
        self.y = np.asarray(y_pred, 'float64') + eps
        self.log_probs = _log_softmax(np.log(self.y))  # TensorFlow normalises each frame
        self.steps_of = _lengths(input_length, steps)
        label_length = _lengths(label_length, labels.shape[1])
        self.states = _states(labels, label_length, blank)
        self.skip = _skips(self.states, blank)
        sample = np.arange(samples)[:, None, None]
        # emissions[b, t, s] = log_probs[b, t, states[b, s]]
        self.emissions = self.log_probs[sample, np.arange(steps)[None, :, None], self.states[:, None, :]]
        self.ends = _ends(self.states.shape[1], label_length)
        self.alphas = self._forward()
        final = np.where(self.ends, self.alphas[-1], -np.inf)
        self.log_likelihood = np.logaddexp.reduce(final, axis=1)

    def _start(self):
        """The forward variables before the first frame: in state 0 (the leading blank) with log 1."""
        start = np.full(self.states.shape, -np.inf)
        start[:, 0] = 0.0
        return start

    def _running(self, t):
        """(samples, 1) bool: frame t is within the sample's input_length."""
        return (t < self.steps_of)[:, None]

    def _forward(self):
        alpha = self._start()
        alphas = np.empty((self.emissions.shape[1],) + alpha.shape)
        for t in range(len(alphas)):
            # A state is reached from itself, from the previous state, or by skipping a blank
            # (unless that would join two equal labels).
            reach = np.logaddexp(np.logaddexp(alpha, _shift(alpha, 1)),
                                 np.where(self.skip, _shift(alpha, 2), -np.inf))
            alpha = np.where(self._running(t), reach + self.emissions[:, t], alpha)  # frozen past the end
            alphas[t] = alpha
        return alphas

    def gradient(self):
        """d(cost)/d(y_pred), (samples, time, classes), as TensorFlow's kernel gives it.

        With occupancy o[b, t, k] (the posterior probability of class k at frame t), the gradient
        with respect to the logits z = log(y_pred + eps) that TensorFlow's kernel receives is
        softmax(z) - o on the valid frames (TensorFlow uses that formula also when no alignment
        fits, where o = 0); the chain rule through the log divides by y_pred + eps.
        """
        samples, steps, classes = self.y.shape
        feasible = np.isfinite(self.log_likelihood)
        log_likelihood = np.where(feasible, self.log_likelihood, 0.0)[:, None]
        end = np.where(self.ends, 0.0, -np.inf)
        beta = end
        posterior = np.zeros((steps,) + self.states.shape)
        for t in range(steps - 1, -1, -1):
            if t < steps - 1:
                # From state s, frame t + 1 is in state s, s + 1 or (skipping a blank) s + 2.
                ahead = self.emissions[:, t + 1] + beta
                reach = np.logaddexp(np.logaddexp(ahead, _shift(ahead, -1)),
                                     np.where(_shift_bool(self.skip, -2), _shift(ahead, -2), -np.inf))
                beta = np.where(self._running(t + 1), reach, end)  # t is the sample's last frame
            keep = self._running(t) & feasible[:, None]
            posterior[t] = np.where(keep, np.exp(np.where(keep, self.alphas[t] + beta - log_likelihood,
                                                          -np.inf)), 0.0)
        one_hot = (self.states[:, :, None] == np.arange(classes)).astype('float64')  # (b, s, k)
        occupancy = np.einsum('tbs,bsk->btk', posterior, one_hot)
        valid = (np.arange(steps)[None, :] < self.steps_of[:, None])[:, :, None]
        softmax = np.exp(self.log_probs)
        return np.where(valid, softmax - occupancy, 0.0) / self.y


def _log_softmax(z):
    top = z.max(axis=-1, keepdims=True)
    return z - top - np.log(np.exp(z - top).sum(axis=-1, keepdims=True))


def _states(labels, label_length, blank):
    """(samples, 2L + 1) int64: blank, l1, blank, l2, ..., blank; labels past a sample's length
    become blanks (so padding values are ignored)."""
    labels = np.rint(np.asarray(labels, 'float64')).astype('int64')
    present = np.arange(labels.shape[1])[None, :] < label_length[:, None]
    used = labels[present]
    if used.size and (used.min() < 0 or used.max() >= blank):
        bad = used[(used < 0) | (used >= blank)][0]
        raise ValueError('ctc_batch_cost: expected labels in [0, %d) (the blank is the last class, %d); '
                         'received %d.' % (blank, blank, bad))
    states = np.full((labels.shape[0], 2 * labels.shape[1] + 1), blank, 'int64')
    states[:, 1::2] = np.where(present, labels, blank)
    return states


def _skips(states, blank):
    """(samples, states) bool: state s may be entered from state s - 2 (skipping a blank)."""
    skip = np.zeros(states.shape, bool)
    skip[:, 2:] = (states[:, 2:] != blank) & (states[:, 2:] != states[:, :-2])
    return skip


def _ends(width, label_length):
    """(samples, states) bool: the states a complete path ends in (the last label or the blank after it)."""
    position = np.arange(width)[None, :]
    last = 2 * label_length[:, None]
    return (position == last) | (position == last - 1)


def _shift(a, by):
    """a moved `by` states to the right (left when negative) along axis 1, filled with log 0."""
    out = np.full_like(a, -np.inf)
    if by > 0:
        out[:, by:] = a[:, :a.shape[1] - by]
    else:
        out[:, :a.shape[1] + by] = a[:, -by:]
    return out


def _shift_bool(a, by):
    out = np.zeros_like(a)
    out[:, :a.shape[1] + by] = a[:, -by:]
    return out


# --- ctc_decode ------------------------------------------------------------------------------------

def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    y_pred = T.as_tensor(y_pred)
    check_ctc_ranks('ctc_decode', y_pred=(T.ndim(y_pred), 3))
    check_ctc_lengths('ctc_decode', T.keras_shape(y_pred)[1], input_length)
    input_length = T.as_tensor(input_length)
    if not greedy:
        check_beam_search(beam_width, top_paths)
    paths = 1 if greedy else top_paths
    storage = _op_storage(y_pred)
    dtype = T.keras_dtype(y_pred)
    samples = y_pred.shape[0]
    eps = epsilon()

    def decode(y, lengths):
        logits = np.log(np.asarray(y, _NP[dtype]) + np.asarray(eps, _NP[dtype]))  # as TF's y_pred
        decoded, log_prob = decode_batch(logits, _lengths(lengths, y.shape[1]), greedy, beam_width, top_paths)
        return [_at_least_one_column(d) for d in decoded] + [log_prob]

    # One storage dtype for every input and output (a user function node has one element type).
    outputs = [((samples, T.FREE), storage)] * paths + [((samples, paths), storage)]
    node = _NumpyOp([_operand(y_pred, storage), _operand(input_length, storage)], outputs, decode,
                    'ctc_decode').node()
    results = list(node.outputs)
    decoded = [T.cast_storage(T.tag(d, 'int64'), 'float32') for d in results[:-1]]
    for d in decoded:
        d._kb_fetch = _without_padding_column
    log_prob = T.cast_storage(T.tag(results[-1], storage), T.cntk_dtype(y_pred))
    return decoded, T.same(y_pred, log_prob)


# A batch whose paths are all empty decodes to a (samples, 0) tensor, which CNTK 2.7 cannot hold (a
# value with no elements kills the process with SIGFPE, measured). The graph holds it as one column
# of -1 (padding only); K.function and K.eval return the (samples, 0) array through `_kb_fetch`.

def _at_least_one_column(paths):
    return paths if paths.shape[1] else np.full((len(paths), 1), -1, paths.dtype)


def _without_padding_column(value):
    """The fetched value of a decoded batch: a single column of padding only stands for no column."""
    value = np.asarray(value)
    return value[:, :0] if value.ndim == 2 and value.shape[1] == 1 and (value == -1).all() else value


class _NumpyOp(T.UserOp):
    """A forward-only user function: outputs = fn(*input arrays), each of a given (shape, storage);
    not differentiable (its inputs are cut from the gradient, as TensorFlow's decoders are)."""

    def __init__(self, inputs, outputs, fn, name):
        # (fn is not the first argument: CNTK's Function.__new__ turns a callable there into a graph)
        super(_NumpyOp, self).__init__(_feedable(inputs), name=name)
        self.fn = fn
        self.specs = list(outputs)

    def node(self):
        return C.user_function(self)

    def infer_outputs(self):
        return [C.output_variable(shape, _NP[storage], [], needs_gradient=False)
                for shape, storage in self.specs]

    def forward(self, arguments, outputs=None, device=None, outputs_to_retain=None):
        if not isinstance(arguments, (list, tuple)):
            arguments = [arguments]
        values = [np.ascontiguousarray(v, dtype=_NP[storage])
                  for v, (_, storage) in zip(self.fn(*arguments), self.specs)]
        if len(values) == 1:
            return None, values[0]
        for out, value in zip(self.outputs, values):
            outputs[out] = value
        return None

    def backward(self, state, root_gradients, variables=None):
        raise NotImplementedError('%s has no gradient.' % self.name)

    def clone(self, cloned_inputs):
        return _NumpyOp(cloned_inputs, self.specs, self.fn, self.name)
