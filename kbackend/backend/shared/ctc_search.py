"""TensorFlow's CTC decoders in plain NumPy, for engines without a decoding kernel.

Plain functions of NumPy arrays (no engine, no ``K``): the adapters run them inside their engine's
Python op on the forward pass. `decode_batch` is the entry point; logits are log(y_pred + epsilon)
with the blank as the last class.
"""
import numpy as np

__all__ = ['decode_batch', 'greedy_search', 'beam_search', 'padded']


def decode_batch(logits, lengths, greedy, beam_width, top_paths):
    """([top_paths (samples, width) int64 paths padded with -1], (samples, top_paths) float64 scores)
    for logits (samples, time, classes) and the valid time steps of each sample."""
    logits = np.asarray(logits)
    if greedy:
        found = [greedy_search(logits[b, :n]) for b, n in enumerate(lengths)]
        found = [([path], [score]) for path, score in found]
    else:
        found = [beam_search(logits[b, :n], beam_width, top_paths) for b, n in enumerate(lengths)]
    count = 1 if greedy else top_paths
    paths = [padded([f[0][p] for f in found]) for p in range(count)]
    return paths, np.asarray([f[1] for f in found], 'float64').reshape(len(found), count)


def greedy_search(logits):
    """TF's ctc_greedy_decoder on one sample's logits (time, classes): the best class per frame
    (the first on ties), repeats merged, blanks dropped; the score is minus the sum of the best
    logits (TensorFlow's convention, not normalised)."""
    if not len(logits):
        return [], 0.0
    blank = logits.shape[1] - 1
    best = np.argmax(logits, axis=1)
    path = [int(c) for i, c in enumerate(best) if c != blank and (i == 0 or best[i - 1] != c)]
    return path, -float(np.sum(np.max(logits, axis=1)))


def padded(sequences):
    """(len(sequences), longest) int64, each row a sequence followed by -1s."""
    dense = np.full((len(sequences), max([len(s) for s in sequences] + [0])), -1, 'int64')
    for row, sequence in zip(dense, sequences):
        row[:len(sequence)] = sequence
    return dense


def beam_search(logits, beam_width, top_paths):
    """TensorFlow's CTC prefix beam search on one sample's logits (time, classes); blank = last class.

    The beam maps each live prefix (a tuple of labels) to its (blank, label, total) log-probs. As in
    TensorFlow, a prefix that leaves the beam loses its history, prefixes are extended in decreasing
    order of probability, a full beam drops its least probable entry for a better newcomer, and the
    returned label sequences have their repeats merged (merge_repeated=True). Checked against
    TensorFlow's kernel in tests/test_ctc.py through the oracle.
    """
    blank = logits.shape[1] - 1
    beam = {(): (0.0, -np.inf, 0.0)}
    for row in np.asarray(logits, 'float64'):
        row = row - np.logaddexp.reduce(row)  # TF normalises each frame (log-softmax)
        previous = sorted(beam.items(), key=lambda item: -item[1][2])
        old = dict(previous)
        beam = {}
        for prefix, (_, label_p, total) in previous:  # extend each prefix by blank / its own label
            if prefix:
                parent = old.get(prefix[:-1])
                if parent is not None:
                    repeat = len(prefix) > 1 and prefix[-2] == prefix[-1]
                    label_p = np.logaddexp(label_p, parent[0] if repeat else parent[2])
                label_p += row[prefix[-1]]
            blank_p = total + row[blank]
            beam[prefix] = (blank_p, label_p, np.logaddexp(blank_p, label_p))
        for prefix, _ in previous:  # grow new prefixes
            old_blank, _, old_total = old[prefix]
            if not _fits(old_total, beam, beam_width):
                continue
            for label in range(blank):
                child = prefix + (label,)
                if child in beam:
                    continue
                p = row[label] + (old_blank if prefix and prefix[-1] == label else old_total)
                if _fits(p, beam, beam_width):
                    if len(beam) == beam_width:
                        del beam[min(beam, key=lambda k: beam[k][2])]
                    beam[child] = (-np.inf, p, p)
                elif child in old:
                    # TF resets a rejected child's previous-step probabilities too: a prefix that
                    # was just dropped from the beam and fails to re-enter it is not grown further.
                    old[child] = _GONE
    if len(beam) < top_paths:
        raise ValueError('ctc_decode: less leaves in the beam search than requested (%d < top_paths=%d).'
                         % (len(beam), top_paths))
    best = sorted(beam.items(), key=lambda item: -item[1][2])[:top_paths]
    return [[c for i, c in enumerate(p) if i == 0 or p[i - 1] != c] for p, _ in best], \
        [probs[2] for _, probs in best]


_GONE = (-np.inf, -np.inf, -np.inf)


def _fits(total, beam, beam_width):
    """Whether a prefix of log-prob `total` enters the beam (TF's is_candidate)."""
    return total > -np.inf and (len(beam) < beam_width or total > min(p[2] for p in beam.values()))
