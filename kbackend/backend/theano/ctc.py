"""theano engine: the ctc op family (see kbackend.backend.api.FAMILIES), with TensorFlow's values.

- ctc_label_dense_to_sparse: a CSR int matrix (samples, max_label_len) holding labels[b, :length[b]]
  (explicit zeros kept), Theano's counterpart of TensorFlow's SparseTensor.
- ctc_batch_cost: the CTC forward algorithm in log space, a scan over time written from core ops
  (so it is differentiable), on TensorFlow's input: log_softmax(log(y_pred + epsilon)).
- ctc_decode: greedy decoding is symbolic; beam search has no symbolic formulation, so it runs
  TensorFlow's algorithm (ctc_beam_search.h: its pruning, merge_repeated=True) in NumPy inside a
  Python op (`_beam_search_op`), on the forward pass only.
"""
import importlib

import numpy as np

from ..common import epsilon
from ..shared.checks import check_beam_search, check_ctc_lengths, check_ctc_ranks
from ..shared.ctc_search import beam_search as _beam_search, padded as _padded
from ._engine import T, sparse, theano
from .control import _scan
from .core import int_shape

_ops = importlib.import_module(theano.__name__ + '.compile.ops')
_python_op = getattr(_ops, 'wrap_py', None) or _ops.as_op  # PyTensor renamed as_op to wrap_py

__all__ = ['ctc_label_dense_to_sparse', 'ctc_batch_cost', 'ctc_decode']

_LOG_ZERO = -1e30  # finite "log 0": keeps logsumexp and its gradient free of inf - inf


def _lengths(lengths):
    """(samples,) int32 lengths from (samples,) or (samples, 1)."""
    return T.cast(T.as_tensor_variable(lengths).flatten(), 'int32')


def _present(lengths, width):
    """(samples, width) bool: position j < lengths[b]."""
    return T.lt(T.arange(width).dimshuffle('x', 0), lengths.dimshuffle(0, 'x'))


def ctc_label_dense_to_sparse(labels, label_lengths):
    labels = T.as_tensor_variable(labels)
    check_ctc_ranks('ctc_label_dense_to_sparse', labels=(labels.ndim, 2))
    lengths = _lengths(label_lengths)
    width = labels.shape[1]
    kept = _present(lengths, width).flatten().nonzero()[0]
    columns = (T.arange(labels.size) % width)[kept]
    indptr = T.concatenate([T.zeros((1,), 'int32'), T.cumsum(lengths)])
    return sparse.CSR(labels.flatten()[kept], T.cast(columns, 'int32'), T.cast(indptr, 'int32'),
                      T.cast(labels.shape, 'int32'))


# --- ctc_batch_cost --------------------------------------------------------------------------------

def _log_softmax(x):
    x = x - theano.gradient.disconnected_grad(x.max(axis=-1, keepdims=True))
    return x - T.log(T.exp(x).sum(axis=-1, keepdims=True))


def _logsumexp_rows(x):
    top = theano.gradient.disconnected_grad(x.max(axis=1, keepdims=True))
    return top[:, 0] + T.log(T.exp(x - top).sum(axis=1))


def _logsumexp(terms):
    stacked = T.stack(terms, axis=0)
    top = theano.gradient.disconnected_grad(stacked.max(axis=0))
    return top + T.log(T.exp(stacked - top).sum(axis=0))


def _extended_labels(labels, label_length, blank):
    """(samples, 2L+1): blank, l1, blank, l2, ..., blank; labels past label_length become blanks."""
    labels = T.switch(_present(label_length, labels.shape[1]), labels, blank)
    samples, width = labels.shape[0], labels.shape[1]
    blanks = T.zeros((samples, 2 * width + 1), 'int32') + blank
    return T.set_subtensor(blanks[:, 1::2], labels)


def _emissions(log_probs, extended):
    """(time, samples, 2L+1): log_probs[t, b, extended[b, s]], gathered through one flat index."""
    steps, samples, classes = log_probs.shape[0], log_probs.shape[1], log_probs.shape[2]
    flat = log_probs.dimshuffle(1, 2, 0).reshape((samples * classes, steps))
    index = (T.arange(samples).dimshuffle(0, 'x') * classes + extended).flatten()
    return flat[index].reshape((samples, extended.shape[1], steps)).dimshuffle(2, 0, 1)


def _shift_right(alpha, by):
    pad = T.zeros((alpha.shape[0], by), alpha.dtype) + _log_zero(alpha.dtype)
    return T.concatenate([pad, alpha[:, :-by]], axis=1)


def _log_zero(dtype):
    return T.constant(np.asarray(_LOG_ZERO, dtype))


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    y_true, y_pred = T.as_tensor_variable(y_true), T.as_tensor_variable(y_pred)
    check_ctc_ranks('ctc_batch_cost', y_true=(y_true.ndim, 2), y_pred=(y_pred.ndim, 3))
    check_ctc_lengths('ctc_batch_cost', int_shape(y_pred)[1], input_length, label_length, int_shape(y_true)[1])
    blank = y_pred.shape[2] - 1
    log_probs = _log_softmax(T.log(y_pred.dimshuffle(1, 0, 2) + epsilon()))  # as TF's ctc_loss sees it
    log_zero = _log_zero(log_probs.dtype)
    label_length = _lengths(label_length)
    extended = _extended_labels(T.cast(y_true, 'int32'), label_length, T.cast(blank, 'int32'))
    # A label may follow the one two places back unless it is a blank or a repeat of it.
    skip_allowed = T.concatenate([T.zeros((extended.shape[0], 2), 'bool'),
                                  T.and_(T.neq(extended[:, 2:], blank),
                                         T.neq(extended[:, 2:], extended[:, :-2]))], axis=1)
    running = _present(_lengths(input_length), log_probs.shape[0]).T  # (time, samples)

    def step(emission, running_t, alpha):
        new = _logsumexp([alpha, _shift_right(alpha, 1),
                          T.switch(skip_allowed, _shift_right(alpha, 2), log_zero)]) + emission
        return T.switch(running_t.dimshuffle(0, 'x'), new, alpha)  # past input_length: frozen

    # alpha before the first frame: log 1 at position 0, log 0 elsewhere, so the first step can only
    # stay on the leading blank or advance to the first label.
    first = T.eq(T.arange(extended.shape[1]), 0).dimshuffle('x', 0)
    start = T.switch(first, T.zeros(extended.shape, log_probs.dtype), log_zero)
    alpha = _scan(step, sequences=[_emissions(log_probs, extended), running], outputs_info=[start])[0][-1]
    # A path ends on the last label or on the blank after it.
    position = T.arange(extended.shape[1]).dimshuffle('x', 0)
    end = 2 * label_length.dimshuffle(0, 'x')
    ends = T.or_(T.eq(position, end), T.eq(position, end - 1))
    log_likelihood = _logsumexp_rows(T.switch(ends, alpha, log_zero))
    # No alignment fits (repeats need blanks between them): an infinite cost, as TensorFlow gives.
    impossible = T.lt(log_likelihood, _LOG_ZERO / 2)
    infinity = T.constant(np.asarray(np.inf, log_probs.dtype))
    cost = T.switch(impossible, infinity, -log_likelihood)
    # An input_length beyond the time steps (fed values, docs/errors.md): NaN on every engine.
    beyond = T.gt(_lengths(input_length), log_probs.shape[0])
    cost = T.switch(beyond, T.constant(np.asarray(np.nan, log_probs.dtype)), cost)
    return cost.dimshuffle(0, 'x')


# --- ctc_decode ------------------------------------------------------------------------------------

def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    y_pred = T.as_tensor_variable(y_pred)
    check_ctc_ranks('ctc_decode', y_pred=(y_pred.ndim, 3))
    check_ctc_lengths('ctc_decode', int_shape(y_pred)[1], input_length)
    logits = T.log(y_pred + epsilon())
    lengths = _lengths(input_length)
    if greedy:
        return _greedy_decode(logits, lengths)
    check_beam_search(beam_width, top_paths)
    outputs = _beam_search_op(logits.dtype, beam_width, top_paths)(logits, lengths)
    return list(outputs[:-1]), outputs[-1]


def _greedy_decode(logits, lengths):
    """TF's ctc_greedy_decoder: best class per frame, repeats merged, blanks dropped, padded with -1.

    log_prob is minus the sum of the best logits (TensorFlow's convention, not normalised).
    """
    samples, steps = logits.shape[0], logits.shape[1]
    best = T.argmax(logits, axis=-1)
    running = _present(lengths, steps)
    previous = T.concatenate([T.zeros((samples, 1), best.dtype) - 1, best[:, :-1]], axis=1)
    keep = T.and_(running, T.and_(T.neq(best, logits.shape[2] - 1), T.neq(best, previous)))
    kept = T.cast(keep, 'int64')  # (a cumsum over bool stays bool on PyTensor)
    # Scatter the kept labels to their position in the output row; dropped ones to a spare slot.
    position = T.cumsum(kept, axis=1) - 1
    target = T.switch(keep, T.arange(samples).dimshuffle(0, 'x') * steps + position, samples * steps)
    flat = T.set_subtensor((T.zeros((samples * steps + 1,), 'int64') - 1)[target.flatten()],
                           T.cast(best.flatten(), 'int64'))
    decoded = flat[:-1].reshape((samples, steps))[:, :T.max(kept.sum(axis=1))]
    log_prob = -T.switch(running, logits.max(axis=-1), 0).sum(axis=1, keepdims=True)
    return [decoded], log_prob


def _beam_search_op(dtype, beam_width, top_paths):
    """A Python op: (logits (samples, time, classes), lengths) -> top_paths int64 paths + log_prob."""
    in_types = [T.tensor3(dtype=dtype).type, T.ivector().type]
    out_types = [T.lmatrix().type] * top_paths + [T.matrix(dtype=dtype).type]

    def decode(logits, lengths):
        found = [_beam_search(logits[b, :n], beam_width, top_paths) for b, n in enumerate(lengths)]
        paths = [_padded([f[0][p] for f in found]) for p in range(top_paths)]
        return paths + [np.asarray([f[1] for f in found], dtype)]
    return _python_op(in_types, out_types)(decode)
