"""Oracle for the ctc family: the CTC forward algorithm, greedy and beam-search decoding in NumPy.

Conventions (DESIGN.md): y_pred holds softmax probabilities (samples, time, classes), the blank is
the last class, and every engine gives TensorFlow's values. TensorFlow reads log(y_pred + epsilon)
as logits and normalises them again (a softmax), so the probabilities used are
(y_pred + eps) / sum(y_pred + eps); the greedy decoder does not normalise.
"""
import itertools

import numpy as np

__all__ = ['ctc_label_dense_to_sparse', 'ctc_batch_cost', 'ctc_decode']

EPSILON = 1e-7  # K.epsilon()'s default
LOG_ZERO = -np.inf


def _lengths(lengths):
    return np.asarray(lengths).reshape(-1).astype('int64')


def ctc_label_dense_to_sparse(labels, label_lengths):
    """The dense view of the sparse labels: labels[b, :length[b]], zeros elsewhere."""
    labels = np.asarray(labels)
    dense = np.zeros(labels.shape, labels.dtype)
    for b, n in enumerate(_lengths(label_lengths)):
        dense[b, :n] = labels[b, :n]
    return dense


def _log_probs(y_pred):
    p = np.asarray(y_pred, 'float64') + EPSILON
    return np.log(p / p.sum(axis=-1, keepdims=True))


def _forward_log_likelihood(log_probs, label, blank):
    """log p(label | log_probs (time, classes)) by the CTC forward (alpha) recursion."""
    extended = [blank]
    for c in label:
        extended += [c, blank]
    alpha = np.full(len(extended), LOG_ZERO)
    alpha[0] = log_probs[0, blank]
    if len(extended) > 1:
        alpha[1] = log_probs[0, extended[1]]
    for t in range(1, len(log_probs)):
        new = np.full_like(alpha, LOG_ZERO)
        for s, c in enumerate(extended):
            terms = [alpha[s]]
            if s >= 1:
                terms.append(alpha[s - 1])
            if s >= 2 and c != blank and c != extended[s - 2]:
                terms.append(alpha[s - 2])
            new[s] = np.logaddexp.reduce(terms) + log_probs[t, c]
        alpha = new
    return np.logaddexp.reduce(alpha[-2:]) if len(extended) > 1 else alpha[-1]


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    log_probs = _log_probs(y_pred)
    blank = log_probs.shape[-1] - 1
    cost = [-_forward_log_likelihood(log_probs[b, :t], list(np.asarray(y_true)[b, :n]), blank)
            for b, (t, n) in enumerate(zip(_lengths(input_length), _lengths(label_length)))]
    return np.array(cost)[:, None]


def _collapse(path, blank):
    """A frame path as its label sequence: merge repeats, then drop blanks."""
    return tuple(c for c, _ in itertools.groupby(path) if c != blank)


def ctc_brute_force_cost(y_true, y_pred, input_length, label_length):
    """ctc_batch_cost by summing the probability of every frame path (tiny cases only)."""
    log_probs = _log_probs(y_pred)
    blank = log_probs.shape[-1] - 1
    costs = []
    for b, (t, n) in enumerate(zip(_lengths(input_length), _lengths(label_length))):
        target = tuple(np.asarray(y_true)[b, :n])
        total = 0.0
        for path in itertools.product(range(blank + 1), repeat=t):
            if _collapse(path, blank) == target:
                total += np.exp(sum(log_probs[b, i, c] for i, c in enumerate(path)))
        costs.append(-np.log(total))
    return np.array(costs)[:, None]


def _pad(sequences):
    width = max([len(s) for s in sequences] + [0])
    dense = np.full((len(sequences), width), -1, 'int64')
    for b, s in enumerate(sequences):
        dense[b, :len(s)] = s
    return dense


def _greedy(logits, blank):
    best = logits.argmax(axis=-1)
    log_prob = -logits.max(axis=-1).sum()
    return [c for c, _ in itertools.groupby(best) if c != blank], log_prob


# --- TensorFlow's CTC beam search (ctc_beam_search.h), with its pruning and bookkeeping ------------

class _Beam(object):
    """A prefix: its label, parent, children, and (blank, label, total) log-probs now and one step back."""

    def __init__(self, parent, label):
        self.parent, self.label, self.children = parent, label, {}
        self.new = [LOG_ZERO, LOG_ZERO, LOG_ZERO]
        self.old = [LOG_ZERO, LOG_ZERO, LOG_ZERO]

    def active(self):
        return self.new[2] != LOG_ZERO

    def child(self, label):
        if label not in self.children:
            self.children[label] = _Beam(self, label)
        return self.children[label]

    def labels(self, merge_repeated):
        out, node, previous = [], self, None
        while node.parent is not None:
            if not merge_repeated or node.label != previous:
                out.append(node.label)
            previous, node = node.label, node.parent
        return out[::-1]


def _logsumexp(a, b):
    return np.logaddexp(a, b) if max(a, b) != LOG_ZERO else LOG_ZERO


def _beam_search(logits, beam_width, top_paths, blank):
    root = _Beam(None, -1)
    root.new = [0.0, LOG_ZERO, 0.0]
    leaves = [root]
    for row in logits:
        row = row - (row.max() + np.log(np.exp(row - row.max()).sum()))  # log-softmax
        branches = sorted(leaves, key=lambda e: -e.new[2])
        for b in branches:
            b.old = list(b.new)
        leaves = []
        for b in branches:
            if b.parent is not None:
                if b.parent.active():
                    previous = b.parent.old[0] if b.label == b.parent.label else b.parent.old[2]
                    b.new[1] = _logsumexp(b.new[1], previous)
                b.new[1] += row[b.label]
            b.new[0] = b.old[2] + row[blank]
            b.new[2] = _logsumexp(b.new[0], b.new[1])
            leaves.append(b)

        def candidate(total):
            return total > LOG_ZERO and (len(leaves) < beam_width or
                                         total > min(e.new[2] for e in leaves))
        for b in branches:
            if not candidate(b.old[2]):
                continue
            for label in range(blank):
                c = b.child(label)
                if c.active():
                    continue
                previous = b.old[0] if c.label == b.label else b.old[2]
                c.new = [LOG_ZERO, row[label] + previous, row[label] + previous]
                if candidate(c.new[2]):
                    if len(leaves) == beam_width:
                        bottom = min(leaves, key=lambda e: e.new[2])
                        leaves.remove(bottom)
                        bottom.new = [LOG_ZERO, LOG_ZERO, LOG_ZERO]
                    leaves.append(c)
                else:
                    c.old = [LOG_ZERO, LOG_ZERO, LOG_ZERO]
                    c.new = [LOG_ZERO, LOG_ZERO, LOG_ZERO]
    best = sorted(leaves, key=lambda e: -e.new[2])[:top_paths]
    return [e.labels(merge_repeated=True) for e in best], [e.new[2] for e in best]


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """([top_paths dense int arrays padded with -1], log_prob (samples, top_paths))."""
    logits = np.log(np.asarray(y_pred, 'float64') + EPSILON)
    blank = logits.shape[-1] - 1
    lengths = _lengths(input_length)
    if greedy:
        decoded = [_greedy(logits[b, :t], blank) for b, t in enumerate(lengths)]
        return [_pad([d[0] for d in decoded])], np.array([[d[1]] for d in decoded])
    found = [_beam_search(logits[b, :t], beam_width, top_paths, blank) for b, t in enumerate(lengths)]
    paths = [_pad([f[0][p] for f in found]) for p in range(top_paths)]
    return paths, np.array([f[1] for f in found])
