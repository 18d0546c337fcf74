"""The ctc family against the NumPy oracle (TensorFlow's values on every engine, DESIGN.md)."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import oracle
from harness import assert_close, numeric_gradient, rand, rng, to_numpy
from oracle.ctc import ctc_brute_force_cost


def softmax_probs(samples, steps, classes, seed=0, sharpness=2.0):
    logits = rng(seed).randn(samples, steps, classes) * sharpness
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype('float32')


# Labels use classes 0..3 (4 = blank); samples 0 and 2 have repeats. (TF rejects empty labels.)
LABELS = np.array([[1, 1, 2], [3, 0, 0], [0, 0, 0], [2, 0, 3]], 'int32')
LABEL_LENGTH = np.array([[3], [1], [2], [3]], "int32")
INPUT_LENGTH = np.array([[7], [4], [5], [6]], 'int32')
Y_PRED = softmax_probs(4, 7, 5)


def test_oracle_cost_matches_brute_force_path_sum():
    y_pred = softmax_probs(3, 4, 3, seed=1)
    labels, label_length = np.array([[0, 1], [1, 1], [1, 0]]), np.array([2, 2, 1])
    input_length = np.array([4, 4, 3])
    assert_close(oracle.ctc_batch_cost(labels, y_pred, input_length, label_length),
                 ctc_brute_force_cost(labels, y_pred, input_length, label_length), 'float64')


def test_ctc_batch_cost(K):
    cost = K.ctc_batch_cost(K.constant(LABELS, dtype='int32'), K.variable(Y_PRED),
                            K.constant(INPUT_LENGTH, dtype='int32'), K.constant(LABEL_LENGTH, dtype='int32'))
    expected = oracle.ctc_batch_cost(LABELS, Y_PRED, INPUT_LENGTH, LABEL_LENGTH)
    assert_close(K.eval(cost), expected, rtol=1e-4, atol=1e-4, msg='ctc_batch_cost')


def test_ctc_batch_cost_with_flat_lengths_and_placeholders(K):
    y_true, y_pred = K.placeholder(shape=(None, 3), dtype='int32'), K.placeholder(shape=(None, None, 5))
    input_length = K.placeholder(shape=(None,), dtype='int32')
    label_length = K.placeholder(shape=(None,), dtype='int32')
    cost = K.ctc_batch_cost(y_true, y_pred, input_length, label_length)
    actual = K.function([y_true, y_pred, input_length, label_length], [cost])(
        [LABELS, Y_PRED, INPUT_LENGTH[:, 0], LABEL_LENGTH[:, 0]])[0]
    assert_close(actual, oracle.ctc_batch_cost(LABELS, Y_PRED, INPUT_LENGTH, LABEL_LENGTH),
                 rtol=1e-4, atol=1e-4, msg='ctc_batch_cost with (samples,) lengths')


def test_ctc_batch_cost_gradient(K):
    """K.gradients against central differences of the float64 oracle.

    (TensorFlow's CTC kernel sums in a way that leaves ~1e-8 noise in its float64 cost, too much
    for finite differences of the engine itself.)
    """
    labels, label_length = LABELS[[0, 1, 3]], LABEL_LENGTH[[0, 1, 3]]
    input_length = np.array([[5], [4], [5]])
    y_pred = softmax_probs(3, 5, 5, seed=2).astype('float64')
    weights = rand(3, 1, dtype='float64', seed=7)
    x = K.placeholder(shape=y_pred.shape, dtype='float64')
    cost = K.ctc_batch_cost(K.constant(labels, dtype='int32'), x, K.constant(input_length, dtype='int32'),
                            K.constant(label_length, dtype='int32'))
    loss = K.sum(cost * K.constant(weights, dtype='float64'))
    actual = K.function([x], K.gradients(loss, [x]))([y_pred])[0]
    expected = numeric_gradient(
        lambda y: float((oracle.ctc_batch_cost(labels, y, input_length, label_length) * weights).sum()),
        [y_pred], 0, eps=1e-6)
    assert_close(actual, expected, 'float64', rtol=1e-5, atol=1e-6, msg='ctc_batch_cost gradient')


def test_ctc_label_dense_to_sparse(K):
    sparse = K.ctc_label_dense_to_sparse(K.constant(LABELS, dtype='int32'),
                                         K.constant(LABEL_LENGTH[:, 0], dtype='int32'))
    assert K.is_sparse(sparse)
    np.testing.assert_array_equal(to_numpy(K, K.to_dense(sparse)),
                                  oracle.ctc_label_dense_to_sparse(LABELS, LABEL_LENGTH[:, 0]))


DECODE_Y_PRED = softmax_probs(3, 8, 4, seed=3, sharpness=1.5)
DECODE_LENGTH = np.array([8, 5, 7], 'int32')


def check_decode(K, **kwargs):
    decoded, log_prob = K.ctc_decode(K.variable(DECODE_Y_PRED), K.constant(DECODE_LENGTH, dtype='int32'),
                                     **kwargs)
    expected_paths, expected_log_prob = oracle.ctc_decode(DECODE_Y_PRED, DECODE_LENGTH, **kwargs)
    assert len(decoded) == len(expected_paths)
    for path, expected in zip(to_numpy(K, decoded), expected_paths):
        assert path.shape == expected.shape and (path == expected).all(), (path, expected)
    assert_close(K.eval(log_prob), expected_log_prob, rtol=1e-4, atol=1e-4, msg='log_prob %s' % kwargs)


def test_ctc_decode_greedy(K):
    check_decode(K, greedy=True)


@pytest.mark.parametrize('beam_width,top_paths', [(100, 1), (1, 1), (2, 2), (3, 3), (6, 4)],
                         ids=lambda v: str(v))
def test_ctc_decode_beam_search(K, beam_width, top_paths):
    check_decode(K, greedy=False, beam_width=beam_width, top_paths=top_paths)


def test_ctc_rejects_bad_arguments(K):
    y_pred = K.variable(DECODE_Y_PRED)
    length = K.constant(DECODE_LENGTH, dtype='int32')
    with pytest.raises(ValueError, match='top_paths <= beam_width'):
        K.ctc_decode(y_pred, length, greedy=False, beam_width=2, top_paths=3)
    with pytest.raises(ValueError, match='beam_width to be a positive int'):
        K.ctc_decode(y_pred, length, greedy=False, beam_width=0)
    with pytest.raises(ValueError, match='y_pred to be 3-D'):
        K.ctc_decode(K.variable(DECODE_Y_PRED[0]), length)
    with pytest.raises(ValueError, match='y_true to be 2-D'):
        K.ctc_batch_cost(K.constant(LABELS[0], dtype='int32'), K.variable(Y_PRED),
                         K.constant(INPUT_LENGTH, dtype='int32'), K.constant(LABEL_LENGTH, dtype='int32'))


# --- random shapes (hypothesis); one graph per engine on placeholders, fed every example ----------

_GRAPHS = {}


def ctc_graph(K):
    if K.backend() not in _GRAPHS:
        y_true, y_pred = K.placeholder(ndim=2, dtype='int32'), K.placeholder(ndim=3)
        input_length = K.placeholder(ndim=1, dtype='int32')
        label_length = K.placeholder(ndim=1, dtype='int32')
        cost = K.ctc_batch_cost(y_true, y_pred, input_length, label_length)
        decoded, log_prob = K.ctc_decode(y_pred, input_length)
        _GRAPHS[K.backend()] = K.function([y_true, y_pred, input_length, label_length],
                                          [cost, decoded[0], log_prob])
    return _GRAPHS[K.backend()]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_ctc_cost_and_greedy_decode_random_shapes(K, data):
    samples, steps, classes = (data.draw(st.integers(1, 4)), data.draw(st.integers(2, 9)),
                               data.draw(st.integers(2, 6)))
    y_pred = softmax_probs(samples, steps, classes, seed=data.draw(st.integers(0, 1000)))
    input_length = np.array([data.draw(st.integers(2, steps)) for _ in range(samples)], 'int32')
    # Labels short enough to fit any repeats (each needs a blank between): TF rejects what cannot fit.
    label_length = np.array([data.draw(st.integers(1, n // 2)) for n in input_length], 'int32')
    labels = np.array([[data.draw(st.integers(0, classes - 2)) for _ in range(label_length.max())]
                       for _ in range(samples)], 'int32')
    cost, decoded, log_prob = ctc_graph(K)([labels, y_pred, input_length, label_length])
    assert_close(cost, oracle.ctc_batch_cost(labels, y_pred, input_length, label_length),
                 rtol=1e-4, atol=1e-4, msg='ctc_batch_cost')
    expected_paths, expected_log_prob = oracle.ctc_decode(y_pred, input_length)
    np.testing.assert_array_equal(decoded, expected_paths[0])
    assert_close(log_prob, expected_log_prob, rtol=1e-4, atol=1e-4, msg='greedy log_prob')


def beam_graph(K, beam_width, top_paths):
    key = (K.backend(), beam_width, top_paths)
    if key not in _GRAPHS:
        y_pred, input_length = K.placeholder(ndim=3), K.placeholder(ndim=1, dtype='int32')
        decoded, log_prob = K.ctc_decode(y_pred, input_length, greedy=False, beam_width=beam_width,
                                         top_paths=top_paths)
        _GRAPHS[key] = K.function([y_pred, input_length], list(decoded) + [log_prob])
    return _GRAPHS[key]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_ctc_beam_search_random_shapes(K, data):
    samples, steps, classes = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 8)),
                               data.draw(st.integers(2, 6)))
    beam_width = data.draw(st.sampled_from([1, 2, 4]))
    top_paths = data.draw(st.integers(1, min(beam_width, classes)))  # the beam always holds that many
    y_pred = softmax_probs(samples, steps, classes, seed=data.draw(st.integers(0, 1000)),
                           sharpness=data.draw(st.sampled_from([0.5, 2.0])))
    input_length = np.array([data.draw(st.integers(1, steps)) for _ in range(samples)], 'int32')
    outputs = beam_graph(K, beam_width, top_paths)([y_pred, input_length])
    expected_paths, expected_log_prob = oracle.ctc_decode(y_pred, input_length, greedy=False,
                                                          beam_width=beam_width, top_paths=top_paths)
    for path, expected in zip(outputs[:-1], expected_paths):
        np.testing.assert_array_equal(path, expected)
    assert_close(outputs[-1], expected_log_prob, rtol=1e-4, atol=1e-4, msg='beam log_prob')


def test_ctc_batch_cost_is_infinite_when_no_alignment_fits(K):
    """[1, 1] needs three frames (1, blank, 1); with two the cost is +inf, as TensorFlow gives."""
    y_pred = np.full((2, 2, 3), 1 / 3., 'float32')
    labels, lengths = np.array([[1, 1], [0, 1]]), np.array([[2], [2]])
    label_length = input_length = lengths
    cost = K.eval(K.ctc_batch_cost(K.constant(labels, dtype='int32'), K.variable(y_pred),
                                   K.constant(lengths, dtype='int32'), K.constant(lengths, dtype='int32')))
    expected = oracle.ctc_batch_cost(labels, y_pred, input_length, label_length)
    assert np.isinf(expected[0, 0]) and np.isinf(cost[0, 0])
    assert_close(cost[1:], expected[1:], rtol=1e-4, atol=1e-4, msg='feasible sample')
