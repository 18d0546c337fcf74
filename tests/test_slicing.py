"""Python indexing of engine tensors (``x[1:, :3]``) and its gradient, against NumPy.

On TensorFlow, unit-stride slices in kbackend's graphs get kbackend's own gradient (a constant
zero-padding, kbackend/backend/tensorflow/_slicing.py) instead of TensorFlow's StridedSliceGrad;
these cases pin both paths (plain slices, and the keys that fall back to TensorFlow's gradient:
steps, new axes, ellipses, negative or out-of-range bounds) to NumPy's answer on every engine.
"""
import numpy as np
import pytest

from harness import assert_close, rand

SHAPE = (4, 6, 5)

# (key, uses the constant-padding gradient on TensorFlow)
CASES = [
    (np.s_[:, 1:4], True),
    (np.s_[:, :2, 3:], True),
    (np.s_[1:3], True),
    (np.s_[:, -2:], True),           # negative bound, static size
    (np.s_[:, 2:100], True),         # clamped past the end
    (np.s_[:, 4:2], True),           # empty
    (np.s_[2], True),                # an index: the axis is dropped
    (np.s_[:, -1, 1:3], True),
    (np.s_[..., 1:3], False),        # ellipsis: TensorFlow's own gradient
    (np.s_[:, ::2], False),          # a step
    (np.s_[:, None, 1:3], False),    # a new axis
    (np.s_[..., ::-1], False),       # ellipsis first, reversed last axis (Keras's BGR flip)
    (np.s_[1, ..., 2], False),       # ellipsis between indices
    (np.s_[..., None], False),       # ellipsis, then a new axis
]


def _key_id(case):
    return repr(case[0]).replace(' ', '')


def _gradient_of_slice(K, key, shape, batch_dynamic):
    x_value = rand(*SHAPE, seed=3)
    out_shape = x_value[key].shape
    w_value = rand(*out_shape, seed=5)
    x = K.placeholder(shape=(None,) + SHAPE[1:] if batch_dynamic else SHAPE)
    y = x[key]
    loss = K.sum(y * K.constant(w_value))
    out, grad = K.function([x], [y, K.gradients(loss, [x])[0]])([x_value])
    expected = np.zeros(SHAPE, 'float32')
    expected[key] += w_value  # the slice's gradient: the weights put back, zeros elsewhere
    assert_close(out, x_value[key])
    assert_close(grad, expected)


def _legacy_theano(K):
    if K.backend() != 'theano':
        return False
    from kbackend.backend import theano as adapter
    return adapter.ENGINE == 'Theano'


@pytest.mark.parametrize('case', CASES, ids=[_key_id(c) for c in CASES])
@pytest.mark.parametrize('batch_dynamic', [False, True], ids=['static', 'dynamic-batch'])
def test_slice_value_and_gradient(K, case, batch_dynamic):
    key, _ = case
    if _legacy_theano(K) and None in (key if isinstance(key, tuple) else ()):
        pytest.skip("Theano 1.0.5's own Subtensor gradient rejects a new axis "
                    "('You cannot drop a non-broadcastable dimension'); PyTensor fixed it")
    if K.backend() == 'cntk' and np.empty(SHAPE)[key].size == 0:
        with pytest.raises(NotImplementedError, match="Empty slices are not supported on CNTK"):
            _gradient_of_slice(K, key, SHAPE, batch_dynamic)  # CNTK holds no zero-size tensor
        return
    _gradient_of_slice(K, key, SHAPE, batch_dynamic)


def test_tensorflow_uses_the_padding_gradient(K):
    if K.backend() != 'tensorflow':
        pytest.skip('the TensorFlow engine only')
    from kbackend.backend.tensorflow import _slicing
    x = K.placeholder(shape=(None, 6))
    for key, padded in CASES[:2] + [(np.s_[:, ::2], False)]:
        y = x[key[:2] if isinstance(key, tuple) else key]
        plan = _slicing._paddings(y.op)
        assert (plan is not None) == padded, key
    grad = K.gradients(K.sum(x[:, 1:4]), [x])[0]
    assert grad.op.type == 'Pad'


def test_gradient_of_sliced_gates_through_rnn(K):
    """An LSTM-style step slicing its gates from one matrix, through K.rnn, against NumPy."""
    batch, steps, units = 3, 4, 2
    x_value = rand(batch, steps, 2 * units, seed=1)
    x = K.placeholder(shape=(None, steps, 2 * units))

    def step(x_t, states):
        h = states[0]
        a, b = x_t[:, :units], x_t[:, units:]
        h = K.tanh(a) * b + h
        return h, [h]
    last, _, _ = K.rnn(step, x, [K.zeros_like(x[:, 0, :units])])
    grad = K.function([x], K.gradients(K.sum(last), [x]))([x_value])[0]
    a, b = x_value[..., :units], x_value[..., units:]
    expected = np.concatenate([(1 - np.tanh(a) ** 2) * b, np.tanh(a)], axis=-1)
    assert_close(grad, expected)


SCALAR_TENSOR_KEYS = {  # builds the key from the index tensor i
    'x[:, i]': lambda i: (slice(None), i),
    'x[i]': lambda i: i,
    'x[..., i]': lambda i: (Ellipsis, i),
    'x[1, i, None]': lambda i: (1, i, None),
}


@pytest.mark.parametrize('index', [0, 2, -1])
@pytest.mark.parametrize('name', sorted(SCALAR_TENSOR_KEYS))
def test_scalar_tensor_index_value_and_gradient(K, name, index):
    """A scalar int tensor as an index (as in ``K.map_fn(lambda i: x[i], K.arange(n))``) picks that
    entry, counting a negative one from the end, on every engine."""
    if _legacy_theano(K) and 'None' in name:
        pytest.skip("Theano 1.0.5's own Subtensor gradient rejects a new axis (as above)")
    x_value = rand(*SHAPE, seed=3)
    i = K.placeholder(shape=(), dtype='int32')
    x = K.placeholder(shape=(None,) + SHAPE[1:])
    make = SCALAR_TENSOR_KEYS[name]
    y = x[make(i)]
    w_value = rand(*x_value[make(index)].shape, seed=5)
    grad = K.gradients(K.sum(y * K.constant(w_value)), [x])[0]
    out, g = K.function([x, i], [y, grad])([x_value, index])
    expected = np.zeros(SHAPE, 'float32')
    expected[make(index)] += w_value
    assert_close(out, x_value[make(index)])
    assert_close(g, expected)


def test_map_fn_over_indices(K):
    """Keras 2.2.4's backend test: map_fn walks K.arange(n) and indexes a variable with each."""
    x_value = rand(10, 3, seed=1)
    x = K.variable(x_value)
    out = K.eval(K.map_fn(lambda i: K.sum(x[i]), K.arange(10), dtype=K.floatx()))
    assert_close(out, x_value.sum(axis=1))


def test_float_tensor_index_is_refused(K):
    x = K.placeholder(shape=(None, 3))
    with pytest.raises((TypeError, IndexError, ValueError)):
        x[:, K.placeholder(shape=(), dtype='float32')]


def test_scalar_tensor_index_out_of_range(K):
    """Known only when the graph runs, so each engine signals it its own way (docs/errors.md): an
    error on TensorFlow and the Theano engines, NaN on CNTK, which cannot raise at run time."""
    i = K.placeholder(shape=(), dtype='int32')
    x = K.placeholder(shape=(None, 4))
    f = K.function([x, i], [x[:, i]])
    if K.backend() == 'cntk':
        assert np.isnan(f([np.ones((2, 4), 'float32'), 4])[0]).all()
    else:
        with pytest.raises(Exception, match='out of bounds'):
            f([np.ones((2, 4), 'float32'), 4])


@pytest.mark.parametrize('make', ['variable', 'constant', 'tensor'])
def test_iterating_over_a_known_first_axis(K, make):
    """`list(x)` gives x's slices on the first axis where the engine iterates tensors (TensorFlow,
    CNTK); the Theano engines refuse to iterate (their own rule, and Keras 2.2.4's there)."""
    value = rand(3, 2)
    x = K.variable(value) if make == 'variable' else K.constant(value)
    if make == 'tensor':
        x = x * 1
    if K.backend() == 'theano':
        with pytest.raises((TypeError, ValueError)):
            list(x)
        return
    parts = list(x)
    assert len(parts) == 3
    for part, row in zip(parts, value):
        assert_close(K.eval(part), row, 'float32')


@pytest.mark.parametrize('shape', [(None, 3), ()], ids=['unknown-first-axis', 'scalar'])
def test_iterating_without_a_known_first_axis_is_a_type_error(K, shape):
    # CNTK's own __getitem__ never raises IndexError: without kbackend's rule `list(x)` never ended.
    x = K.placeholder(shape=shape) if shape else K.variable(2.0)
    with pytest.raises(TypeError):
        list(x)
