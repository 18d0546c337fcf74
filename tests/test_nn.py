"""The nn family on every engine: values against the NumPy oracle, gradients against finite
differences, dropout's statistics, and the errors bad arguments raise."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import oracle
from harness import assert_close, check_gradient, check_op, check_op_and_gradients, rand, run
from oracle.nn import GRADIENTS


def check_op_dtype(K, name, *arrays, **kwargs):
    """check_op, and the result (each result) keeps the float dtype of the inputs."""
    dtype = kwargs.pop('dtype')
    actual = check_op(K, name, *arrays, **kwargs)
    for a in actual if isinstance(actual, list) else [actual]:
        assert a.dtype == dtype, '%s returned %s for %s inputs' % (name, a.dtype, dtype)
    return actual

FLOATS = ['float16', 'float32', 'float64']


def _id(name, kwargs):
    return '-'.join([name] + ['%s=%s' % item for item in sorted(kwargs.items())])


def _cases(*cases):
    return pytest.mark.parametrize('name,kwargs', cases, ids=[_id(n, k) for n, k in cases])


# --- activations -----------------------------------------------------------------------------------

ACTIVATIONS = (
    ('relu', {}),
    ('relu', dict(alpha=0.2)),
    ('relu', dict(alpha=1.5)),
    ('relu', dict(max_value=1.5)),
    ('relu', dict(max_value=6.)),
    ('relu', dict(alpha=0.1, max_value=6.)),
    ('relu', dict(threshold=0.5)),
    ('relu', dict(threshold=-0.5)),
    ('relu', dict(alpha=0.3, max_value=2., threshold=0.5)),
    ('relu', dict(max_value=2., threshold=-0.5)),  # Keras 2.2.4 clips (-0.5, 0) to 0
    ('relu', dict(alpha=0.2, threshold=-0.5)),
    ('elu', {}),
    ('elu', dict(alpha=0.5)),
    ('softmax', {}),
    ('softmax', dict(axis=0)),
    ('softmax', dict(axis=1)),
    ('softplus', {}),
    ('softsign', {}),
    ('sigmoid', {}),
    ('hard_sigmoid', {}),
    ('tanh', {}),
)


@pytest.mark.parametrize('dtype', FLOATS)
@_cases(*ACTIVATIONS)
def test_activation(K, name, kwargs, dtype):
    x = rand(3, 4, 5, low=-8, high=8, dtype=dtype)
    check_op_dtype(K, name, x, dtype=dtype, **kwargs)


@_cases(*ACTIVATIONS)
def test_activation_gradient(K, name, kwargs):
    x = rand(3, 4, 5, low=-4, high=4, dtype='float64')
    check_gradient(K, lambda t: getattr(K, name)(t, **kwargs), x)


@pytest.mark.parametrize('kwargs', [dict(threshold=0.5), dict(alpha=0.3, max_value=2., threshold=0.5),
                                    dict(max_value=1., threshold=-0.5), dict(alpha=0.5, threshold=-1.)],
                         ids=str)
def test_relu_keras_2_2_4_rule_at_the_boundaries(K, kwargs):
    # At x == threshold Keras 2.2.4 gives 0; above a negative threshold, max_value clips to [0, max].
    x = np.array([-3., -1., -0.5, -0.25, 0., 0.5, 0.75, 1., 2.5], dtype='float64')
    check_op(K, 'relu', x, **kwargs)


@pytest.mark.parametrize('name', ['relu', 'elu', 'sigmoid', 'softplus', 'tanh', 'softsign'])
def test_activation_keeps_extreme_inputs_finite(K, name):
    x = np.array([-1e4, -100., 0., 100., 1e4], dtype='float32')
    check_op(K, name, x)
    v = K.variable(x)
    g = K.eval(K.gradients(K.sum(getattr(K, name)(v)), [v])[0])
    assert np.all(np.isfinite(g)), '%s gradient at %s: %s' % (name, x, g)


def test_softmax_of_huge_logits_is_finite(K):
    x = np.array([[1000., 0., -1000.], [1e4, 1e4, 1e4]], dtype='float32')
    check_op(K, 'softmax', x)


# --- random shapes and axes (hypothesis): one graph per engine and case, fed every example --------

_GRAPHS = {}
RANDOM_SHAPE_CASES = [
    ('softmax', {}), ('l2_normalize', {}), ('categorical_crossentropy', dict(from_logits=False)),
    ('categorical_crossentropy', dict(from_logits=True)),
]


def _graph(K, name, kwargs, rank, axis):
    key = (K.backend(), name, tuple(sorted(kwargs.items())), rank, axis)
    if key not in _GRAPHS:
        inputs = [K.placeholder(ndim=rank, dtype='float64')
                  for _ in range(2 if name.endswith('crossentropy') else 1)]
        _GRAPHS[key] = K.function(inputs, [getattr(K, name)(*inputs, axis=axis, **kwargs)])
    return _GRAPHS[key]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_random_shapes_and_axes(K, data):
    name, kwargs = data.draw(st.sampled_from(RANDOM_SHAPE_CASES))
    shape = tuple(data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=4)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    seed = data.draw(st.integers(0, 1000))
    output = rand(*shape, low=0.01 if name.endswith('crossentropy') else -5, high=5, dtype='float64', seed=seed)
    arrays = [_probabilities(shape, axis, seed + 1), output] if name.endswith('crossentropy') else [output]
    actual = _graph(K, name, kwargs, len(shape), axis)(arrays)[0]
    assert_close(actual, getattr(oracle, name)(*arrays, axis=axis, **kwargs), 'float64',
                 msg='%s%s axis=%d %s' % (name, shape, axis, kwargs))


# --- losses ----------------------------------------------------------------------------------------

def _probabilities(shape, axis, seed):
    p = rand(*shape, low=0.05, high=1., dtype='float64', seed=seed)
    return p / p.sum(axis=axis, keepdims=True)


CATEGORICAL = (
    ('categorical_crossentropy', dict(axis=-1)),
    ('categorical_crossentropy', dict(axis=1)),
    ('categorical_crossentropy', dict(axis=0)),
    ('categorical_crossentropy', dict(axis=-1, from_logits=True)),
    ('categorical_crossentropy', dict(axis=1, from_logits=True)),
)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@_cases(*CATEGORICAL)
def test_categorical_crossentropy(K, name, kwargs, dtype):
    axis = kwargs['axis']
    target = _probabilities((3, 4, 5), axis, seed=1).astype(dtype)
    low = -5 if kwargs.get('from_logits') else 0.01  # unnormalised probabilities: they get rescaled
    output = rand(3, 4, 5, low=low, high=5., dtype=dtype, seed=2)
    check_op_dtype(K, name, target, output, dtype=dtype, **kwargs)


@_cases(*CATEGORICAL)
def test_categorical_crossentropy_gradient(K, name, kwargs):
    target = _probabilities((3, 4, 5), kwargs['axis'], seed=1)
    output = rand(3, 4, 5, low=-3 if kwargs.get('from_logits') else 0.1, high=3., dtype='float64', seed=2)
    check_gradient(K, lambda t, o: K.categorical_crossentropy(t, o, **kwargs), target, output)


def test_categorical_crossentropy_clips_zero_probabilities(K):
    target = np.array([[0., 1., 0.], [1., 0., 0.]], dtype='float32')
    output = np.array([[1., 0., 0.], [1., 0., 0.]], dtype='float32')
    result = check_op(K, 'categorical_crossentropy', target, output, rtol=1e-3)
    assert np.all(np.isfinite(result)) and result[0] > 10 and abs(result[1]) < 1e-5


def test_categorical_crossentropy_from_huge_logits_is_finite(K):
    target = np.array([[0., 1., 0.]], dtype='float32')
    logits = np.array([[1e4, -1e4, 0.]], dtype='float32')
    check_op(K, 'categorical_crossentropy', target, logits, from_logits=True)


SPARSE = (
    ('sparse_categorical_crossentropy', dict(axis=-1)),
    ('sparse_categorical_crossentropy', dict(axis=1)),
    ('sparse_categorical_crossentropy', dict(axis=-1, from_logits=True)),
    ('sparse_categorical_crossentropy', dict(axis=1, from_logits=True)),
)


def _sparse_inputs(kwargs, dtype):
    shape = (3, 4, 5)
    classes = shape[kwargs['axis']]
    label_shape = tuple(np.delete(shape, kwargs['axis']))
    labels = np.random.RandomState(3).randint(0, classes, size=label_shape)
    output = rand(*shape, low=-4 if kwargs.get('from_logits') else 0.01, high=4., dtype=dtype, seed=4)
    return labels, output


@pytest.mark.parametrize('label_dtype', ['int32', 'int64', 'float32'])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@_cases(*SPARSE)
def test_sparse_categorical_crossentropy(K, name, kwargs, dtype, label_dtype):
    labels, output = _sparse_inputs(kwargs, dtype)
    check_op_dtype(K, name, labels.astype(label_dtype), output, dtype=dtype, **kwargs)


@_cases(*SPARSE)
def test_sparse_categorical_crossentropy_gradient(K, name, kwargs):
    labels, output = _sparse_inputs(kwargs, 'float64')
    check_gradient(K, lambda t, o: K.sparse_categorical_crossentropy(t, o, **kwargs),
                   labels, output, wrt=[1])


def test_sparse_categorical_crossentropy_with_flat_labels(K):
    # Keras passes labels of shape (batch, 1) as often as (batch,): they are flattened.
    labels = np.array([[0], [2], [1]], dtype='int32')
    output = _probabilities((3, 3), -1, seed=5).astype('float32')
    expected = oracle.sparse_categorical_crossentropy(labels.ravel(), output)
    assert_close(run(K, 'sparse_categorical_crossentropy', labels, output), expected)


BINARY = (
    ('binary_crossentropy', {}),
    ('binary_crossentropy', dict(from_logits=True)),
)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@_cases(*BINARY)
def test_binary_crossentropy(K, name, kwargs, dtype):
    target = rand(4, 5, low=0., high=1., dtype=dtype, seed=5)
    low, high = (-8., 8.) if kwargs else (0., 1.)
    output = rand(4, 5, low=low, high=high, dtype=dtype, seed=6)
    output[0, :3] = [low, high, (low + high) / 2]  # includes probabilities that get clipped
    check_op_dtype(K, name, target, output, dtype=dtype, **kwargs)


@_cases(*BINARY)
def test_binary_crossentropy_gradient(K, name, kwargs):
    target = rand(4, 5, low=0., high=1., dtype='float64', seed=5)
    output = rand(4, 5, low=-4. if kwargs else 0.05, high=4. if kwargs else 0.95, dtype='float64', seed=6)
    check_gradient(K, lambda t, o: K.binary_crossentropy(t, o, **kwargs), target, output)


def test_binary_crossentropy_from_huge_logits_is_exact(K):
    target = np.array([1., 0., 1., 0.], dtype='float64')
    logits = np.array([-50., 50., 50., -50.], dtype='float64')
    result = check_op(K, 'binary_crossentropy', target, logits, from_logits=True)
    assert_close(result, np.array([50., 50., 0., 0.]), 'float64', atol=1e-12)


# --- normalisation ---------------------------------------------------------------------------------

BATCH_NORM_CASES = [
    ((6, 4), [0], True),
    ((6, 4), [0], False),
    ((2, 3, 4, 5), [0, 1, 2], True),   # channels last
    ((2, 3, 4, 5), [0, 2, 3], True),   # channels first
    ((2, 3, 4, 5), [0, 2, 3], False),
    ((3, 4, 5), [0, 1], True),
    ((3, 4, 5), [-3, -2], True),
    ((3, 4, 5), [0], True),            # more than one kept axis
]
BATCH_NORM_IDS = ['%s-axes%s-%s' % ('x'.join(map(str, s)), ''.join(map(str, a)), 'affine' if g else 'plain')
                  for s, a, g in BATCH_NORM_CASES]


def _batch_norm_inputs(shape, axes, affine, dtype):
    x = rand(*shape, low=-2, high=3, dtype=dtype)
    kept = tuple(d for i, d in enumerate(shape) if i % len(shape) not in [a % len(shape) for a in axes])
    if not affine:
        return x, None, None
    return x, rand(*kept, low=0.5, high=2, dtype=dtype, seed=8), rand(*kept, dtype=dtype, seed=9)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('shape,axes,affine', BATCH_NORM_CASES, ids=BATCH_NORM_IDS)
def test_normalize_batch_in_training(K, shape, axes, affine, dtype):
    x, gamma, beta = _batch_norm_inputs(shape, axes, affine, dtype)
    check_op_dtype(K, 'normalize_batch_in_training', x, gamma, beta, axes, epsilon=1e-3, dtype=dtype)


@pytest.mark.parametrize('output', [0, 1, 2], ids=['normed', 'mean', 'var'])
@pytest.mark.parametrize('shape,axes,affine', BATCH_NORM_CASES[2:5], ids=BATCH_NORM_IDS[2:5])
def test_normalize_batch_in_training_gradient(K, shape, axes, affine, output):
    x, gamma, beta = _batch_norm_inputs(shape, axes, True, 'float64')

    def fn(x, gamma, beta):
        return K.normalize_batch_in_training(x, gamma, beta, axes)[output]
    check_gradient(K, fn, x, gamma, beta, wrt=[0, 1, 2] if output == 0 else [0])


@pytest.mark.parametrize('mode,shape,axes', [('per-activation', (6, 4), [0]),
                                             ('per-activation', (2, 3, 4, 5), [0]),
                                             ('spatial', (2, 3, 4, 5), [0, 2, 3]),
                                             ('spatial', (3, 4, 5), [0, 2])], ids=str)
def test_normalize_batch_in_training_theano_modes(K, mode, shape, axes):
    # Keras 2.2.4's Theano backend passed Theano's modes on (its backend tests use 'per-activation').
    x, gamma, beta = _batch_norm_inputs(shape, axes, True, 'float64')
    expected = oracle.normalize_batch_in_training(x, gamma, beta, axes, epsilon=1e-3)
    actual = run(K, 'normalize_batch_in_training', x, gamma, beta, mode, epsilon=1e-3)
    for a, e in zip(actual, expected):
        assert_close(a, e, 'float64', msg='normalize_batch_in_training(%r)' % mode)


@pytest.mark.parametrize('axes', [[], [5], [0, 0], 'per-channel', [0.5], 1], ids=str)
def test_normalize_batch_in_training_rejects_bad_axes(K, axes):
    x = K.variable(rand(2, 3, 4))
    with pytest.raises(ValueError, match='reduction_axes'):
        K.normalize_batch_in_training(x, None, None, axes)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('broadcast', [False, True], ids=['vector', 'broadcast'])
@pytest.mark.parametrize('affine', [True, False], ids=['affine', 'plain'])
def test_batch_normalization(K, broadcast, affine, dtype):
    x = rand(2, 3, 4, 5, low=-2, high=2, dtype=dtype)
    stats = [rand(5, dtype=dtype, seed=11), rand(5, low=0.1, high=2, dtype=dtype, seed=12),
             rand(5, dtype=dtype, seed=13) if affine else None,
             rand(5, low=0.5, high=2, dtype=dtype, seed=14) if affine else None]
    expected = oracle.batch_normalization(x, *stats, epsilon=1e-3)
    tensors = [None if s is None else K.variable(s, dtype=dtype) for s in stats]
    if broadcast:  # as Keras' BatchNormalization passes them for an axis other than the last
        tensors = [None if t is None else K.reshape(t, (1, 1, 1, 5)) for t in tensors]
    actual = K.eval(K.batch_normalization(K.variable(x, dtype=dtype), *tensors, epsilon=1e-3))
    assert actual.dtype == dtype
    assert_close(actual, expected, dtype)


def test_batch_normalization_gradient(K):
    x = rand(2, 3, 5, dtype='float64')
    mean, beta = rand(5, dtype='float64', seed=11), rand(5, dtype='float64', seed=13)
    var, gamma = rand(5, low=0.1, high=2, dtype='float64', seed=12), rand(5, low=0.5, high=2, dtype='float64', seed=14)
    check_gradient(K, lambda *a: K.batch_normalization(*a, epsilon=1e-3), x, mean, var, beta, gamma)


L2_AXES = [None, 0, 1, -1, [1, 2]]


@pytest.mark.parametrize('dtype', FLOATS)
@pytest.mark.parametrize('axis', L2_AXES, ids=str)
def test_l2_normalize(K, axis, dtype):
    x = rand(3, 4, 5, dtype=dtype)
    x[0] = 0  # an all-zero slice stays zero instead of becoming NaN
    check_op_dtype(K, 'l2_normalize', x, axis=axis, dtype=dtype)


@pytest.mark.parametrize('axis', L2_AXES, ids=str)
def test_l2_normalize_gradient(K, axis):
    check_gradient(K, lambda t: K.l2_normalize(t, axis=axis), rand(3, 4, 5, dtype='float64'))


# --- bias_add --------------------------------------------------------------------------------------

BIAS_CASES = [
    ((4, 3), (3,), 'channels_last'),
    ((4, 3), (3,), 'channels_first'),
    ((2, 5, 3), (3,), 'channels_last'),
    ((2, 5, 3), (5, 3), 'channels_last'),
    ((2, 3, 5), (3,), 'channels_first'),
    ((2, 3, 5), (5, 3), 'channels_first'),
    ((2, 4, 5, 3), (3,), 'channels_last'),
    ((2, 4, 5, 3), (4, 5, 3), 'channels_last'),
    ((2, 3, 4, 5), (3,), 'channels_first'),
    ((2, 3, 4, 5), (4, 5, 3), 'channels_first'),
    ((2, 2, 4, 5, 3), (3,), 'channels_last'),
    ((2, 2, 4, 5, 3), (2, 4, 5, 3), 'channels_last'),
    ((2, 3, 2, 4, 5), (3,), 'channels_first'),
    ((2, 3, 2, 4, 5), (2, 4, 5, 3), 'channels_first'),
]
BIAS_IDS = ['x%s-bias%s-%s' % ('x'.join(map(str, x)), 'x'.join(map(str, b)), f) for x, b, f in BIAS_CASES]


@pytest.mark.parametrize('dtype', FLOATS)
@pytest.mark.parametrize('x_shape,bias_shape,data_format', BIAS_CASES, ids=BIAS_IDS)
def test_bias_add(K, x_shape, bias_shape, data_format, dtype):
    x = rand(*x_shape, dtype=dtype)
    bias = rand(*bias_shape, dtype=dtype, seed=21)
    check_op_dtype(K, 'bias_add', x, bias, data_format=data_format, dtype=dtype)


@pytest.mark.parametrize('x_shape,bias_shape,data_format', BIAS_CASES[::3], ids=BIAS_IDS[::3])
def test_bias_add_gradient(K, x_shape, bias_shape, data_format):
    x, bias = rand(*x_shape, dtype='float64'), rand(*bias_shape, dtype='float64', seed=21)
    check_gradient(K, lambda a, b: K.bias_add(a, b, data_format=data_format), x, bias)


def test_bias_add_default_data_format_is_channels_last(K):
    x, bias = rand(2, 4, 3), rand(3, seed=21)
    check_op(K, 'bias_add', x, bias)


@pytest.mark.parametrize('x_shape,bias_shape,data_format,message', [
    ((2, 4, 5, 3), (5, 3), 'channels_last', 'rank 1 or 3'),
    ((2, 4, 5, 3), (1, 2, 4, 5, 3), 'channels_last', 'rank 1 or 3'),
    ((4, 3), (1, 3), 'channels_last', 'rank 1 or 1'),
    ((2, 4, 5, 3), (4,), 'channels_last', '3 channels'),
    ((2, 3, 4, 5), (5,), 'channels_first', '3 channels'),
    ((2, 4, 5, 3), (3,), 'channels_middle', 'channels_middle'),
], ids=['bias-rank-2-for-4d', 'bias-rank-5-for-4d', 'bias-rank-2-for-2d', 'channels-last-mismatch',
        'channels-first-mismatch', 'bad-data-format'])
def test_bias_add_rejects_bad_arguments(K, x_shape, bias_shape, data_format, message):
    x, bias = K.variable(rand(*x_shape)), K.variable(rand(*bias_shape))
    with pytest.raises(ValueError, match=message):
        K.bias_add(x, bias, data_format=data_format)


# --- in_top_k, classification_error ----------------------------------------------------------------

TOP_K_PREDICTIONS = np.array([[0.1, 0.5, 0.5, 0.2],
                              [0.4, 0.3, 0.2, 0.1],
                              [0.3, 0.3, 0.3, 0.3],
                              [-1., 2., 0., 5.]], dtype='float32')


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('k', [-1, 0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize('target', [0, 1, 2, 3])
def test_in_top_k(K, target, k, dtype):
    targets = np.array([target, (target + 1) % 4, target, (target + 2) % 4], dtype='int32')
    expected = oracle.in_top_k(TOP_K_PREDICTIONS, targets, k)
    actual = run(K, 'in_top_k', TOP_K_PREDICTIONS.astype(dtype), targets, k)
    assert actual.dtype == bool and actual.shape == (4,)
    np.testing.assert_array_equal(actual, expected)


def test_in_top_k_counts_ties_and_extremes(K):
    # Independent of the oracle: the spec's own corner cases.
    predictions = K.variable(TOP_K_PREDICTIONS)
    targets = K.variable(np.array([2, 0, 3, 0]), dtype='int32')
    assert K.eval(K.in_top_k(predictions, targets, 1)).tolist() == [True, True, True, False]
    assert K.eval(K.in_top_k(predictions, targets, 0)).tolist() == [False] * 4
    assert K.eval(K.in_top_k(predictions, targets, 4)).tolist() == [True] * 4


@pytest.mark.parametrize('axis', [-1, 0, 1])
def test_classification_error(K, axis):
    output = rand(4, 5, 6, seed=31)
    target = rand(4, 5, 6, seed=32)
    result = check_op(K, 'classification_error', target, output, axis=axis)
    assert result.shape == ()


# --- dropout ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('level', [-0.5, 1.0, 1.5])
def test_dropout_rejects_level_outside_unit_interval(K, level):
    with pytest.raises(ValueError, match=r'level .*\[0, 1\).*%r' % level):
        K.dropout(K.variable(np.ones((3, 3))), level)


@pytest.mark.parametrize('dtype', FLOATS)
@pytest.mark.parametrize('level', [0.1, 0.5, 0.8])
def test_dropout_statistics(K, level, dtype):
    x = rand(100, 100, low=1, high=2, dtype=dtype)
    y = run(K, 'dropout', x, level, seed=4)
    assert y.dtype == dtype
    kept = y != 0
    # Kept units are scaled by 1 / (1 - level) (inverted dropout), the others are zero.
    assert_close(y[kept], x[kept] / (1 - level), dtype)
    assert abs(1 - kept.mean() - level) < 0.02, 'dropped fraction %.3f for level %s' % (1 - kept.mean(), level)
    sample = oracle.dropout(x, level, seed=4)  # the same law drawn by NumPy
    assert abs(kept.mean() - (sample != 0).mean()) < 0.03


def test_dropout_level_zero_is_identity(K):
    x = rand(5, 6)
    assert_close(run(K, 'dropout', x, 0.0), x)


@pytest.mark.parametrize('noise_shape', [(1, 50), (40, 1)], ids=str)
def test_dropout_noise_shape_broadcasts(K, noise_shape):
    x = np.ones((40, 50), dtype='float32')
    y = run(K, 'dropout', x, 0.5, noise_shape=noise_shape, seed=5)
    axis = noise_shape.index(1)
    assert np.all(y == y.take([0], axis=axis)), 'the mask must be constant along axis %d' % axis
    assert set(np.unique(y)) == {0., 2.}


def test_dropout_symbolic_noise_shape(K):
    x = K.placeholder(shape=(None, 30))
    y = K.dropout(x, 0.5, noise_shape=(K.shape(x)[0], 1), seed=6)
    out = K.function([x], [y])([np.ones((20, 30), 'float32')])[0]
    assert np.all(out == out[:, :1]) and set(np.unique(out)) == {0., 2.}


def test_dropout_seed_and_fresh_samples(K):
    x = K.variable(np.ones((20, 20)))
    a, b = K.dropout(x, 0.5, seed=7), K.dropout(x, 0.5, seed=7)
    first = K.eval(a)
    np.testing.assert_array_equal(first, K.eval(b))       # the same seed gives the same mask
    assert not np.array_equal(first, K.eval(a))           # each evaluation draws a new mask
    assert not np.array_equal(first, K.eval(K.dropout(x, 0.5, seed=8)))


def test_dropout_seed_none_follows_numpy_seed(K):
    x = K.variable(np.ones((20, 20)))
    np.random.seed(11)
    first = K.eval(K.dropout(x, 0.5))
    np.random.seed(11)
    np.testing.assert_array_equal(first, K.eval(K.dropout(x, 0.5)))


def test_dropout_gradient_is_the_mask(K):
    # The mask is random per run, so finite differences cannot apply; within one run the gradient
    # of sum(dropout(x)) must be the scaled mask that produced the output.
    x = K.placeholder(shape=(30, 30), dtype='float64')
    y = K.dropout(x, 0.25, seed=9)
    value = rand(30, 30, low=1, high=2, dtype='float64')
    out, grad = K.function([x], [y, K.gradients(K.sum(y), [x])[0]])([value])
    assert_close(grad, out / value, 'float64')
    assert set(np.round(np.unique(grad), 6)) == {0., round(1 / 0.75, 6)}


# --- numerics: kinks, infinite inputs, the from-logits losses (docs/numerics.md) --------------------

def _grads(K, fn, *values, **kwargs):
    """Value of fn(*variables) and the gradients of its sum w.r.t. the variables."""
    dtype = kwargs.pop('dtype', 'float32')
    variables = [K.variable(np.asarray(v, dtype), dtype=dtype) for v in values]
    out = fn(*variables)
    return K.eval(out), [K.eval(g) for g in K.gradients(K.sum(out), variables)]


KINKS = (
    ('relu', {}, [0., 1., -1.], [0., 1., 0.]),
    ('relu', dict(alpha=0.2), [0., 1., -1.], [0.2, 1., 0.2]),
    ('relu', dict(alpha=1.5), [0., 1., -1.], [1.5, 1., 1.5]),
    ('relu', dict(max_value=6.), [0., 6., 7.], [0., 0., 0.]),
    ('relu', dict(max_value=1.5), [0., 1.5, 1.], [0., 0., 1.]),
    ('relu', dict(alpha=0.1, max_value=6.), [0., 6., -1.], [0.1, 0., 0.1]),
    ('relu', dict(threshold=0.5), [0.5, 1., 0.], [0., 1., 0.]),
    ('relu', dict(alpha=0.3, threshold=0.5), [0.5, 1., 0.], [0.3, 1., 0.3]),
    ('relu', dict(max_value=2., threshold=-0.5), [-0.5, 0., 2.], [0., 0., 0.]),
    ('elu', {}, [0., 1.], [1., 1.]),
    ('elu', dict(alpha=0.5), [0., 1.], [0.5, 1.]),
    ('hard_sigmoid', {}, [-2.5, 2.5, 0.], [0.2, 0.2, 0.2]),
)


@pytest.mark.parametrize('name,kwargs,x,expected', KINKS, ids=[_id(n, k) for n, k, _, _ in KINKS])
def test_activation_gradient_at_kinks_is_tensorflows(K, name, kwargs, x, expected):
    # relu'(0) = 0, relu6'(6) = 0, leaky slope alpha at 0, elu alpha at 0, hard_sigmoid 0.2 at its
    # bounds: TensorFlow's kernels' choices, on every engine.
    _, (grad,) = _grads(K, lambda t: getattr(K, name)(t, **kwargs), x)
    assert_close(grad, np.array(expected), msg='%s%s at %s' % (name, kwargs, x))
    assert_close(grad, GRADIENTS[name](np.ones(len(x)), np.array(x), **kwargs)[0])


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_binary_crossentropy_from_logits_gradient_at_zero_is_exact(K, dtype):
    # sigmoid(0) - t = [0.5, -0.5] (TensorFlow's), not [1, 0] or [0, -1] from a tie in max(x, 0).
    out, (_, grad) = _grads(K, lambda t, o: K.binary_crossentropy(t, o, from_logits=True),
                            [0., 1.], [0., 0.], dtype=dtype)
    assert_close(out, np.full(2, np.log(2.)), dtype)
    np.testing.assert_array_equal(grad, np.array([0.5, -0.5], dtype))


def test_binary_crossentropy_from_infinite_logits_is_exact(K):
    target = np.array([1., 0., 1., 0., 0.5, 0.5], 'float32')
    logits = np.array([np.inf, -np.inf, -np.inf, np.inf, np.inf, -np.inf], 'float32')
    out, (_, grad) = _grads(K, lambda t, o: K.binary_crossentropy(t, o, from_logits=True), target, logits)
    np.testing.assert_array_equal(out, [0., 0., np.inf, np.inf, np.inf, np.inf])
    np.testing.assert_array_equal(grad, [0., 0., -1., 1., 0.5, -0.5])  # sigmoid(x) - t


@pytest.mark.parametrize('big', [1e5, 1e8, 3e38])
def test_categorical_crossentropy_from_huge_float32_logits(K, big):
    # A stable log-softmax: log(3) exactly, not 1.1016 (1e5) or 0 (1e8) from x - logsumexp(x).
    logits = np.array([[big, big, big], [big, 0., -big]], 'float32')
    target = np.array([[1., 0., 0.], [0., 1., 0.]], 'float32')
    out, (_, grad) = _grads(K, lambda t, o: K.categorical_crossentropy(t, o, from_logits=True), target, logits)
    assert_close(out, np.array([np.log(3.), big], 'float64'))
    assert_close(grad, np.array([[-2. / 3, 1. / 3, 1. / 3], [1., -1., 0.]]))
    labels = np.array([0, 1], 'int32')
    sparse = run(K, 'sparse_categorical_crossentropy', labels, logits, from_logits=True)
    assert_close(sparse, np.array([np.log(3.), big], 'float64'))


def test_crossentropies_with_infinite_logits_are_exact(K):
    inf = np.inf
    logits = np.array([[0., -inf, 1.], [-inf, 2., -inf], [inf, 0., 1.], [inf, inf, -inf], [0., -inf, 1.]],
                      'float32')
    target = np.array([[1., 0., 0.], [0., 1., 0.], [1., 0., 0.], [0., 1., 0.], [0., 1., 0.]], 'float32')
    expected = [np.log1p(np.exp(1.)), 0., 0., np.log(2.), inf]
    out, (_, grad) = _grads(K, lambda t, o: K.categorical_crossentropy(t, o, from_logits=True), target, logits)
    assert_close(out, np.array(expected))
    assert_close(grad, GRADIENTS['categorical_crossentropy'](np.ones(5), target, logits)[1])
    labels = np.argmax(target, axis=1).astype('int32')
    assert_close(run(K, 'sparse_categorical_crossentropy', labels, logits, from_logits=True), np.array(expected))


def test_softsign_and_softmax_of_infinities(K):
    np.testing.assert_array_equal(run(K, 'softsign', np.array([np.inf, -np.inf, 1e30, -3e38], 'float32')),
                                  [1., -1., 1., -1.])
    inf = np.inf
    x = np.array([[inf, 0., 1.], [inf, inf, 0.], [-inf, 0., -inf], [inf, -inf, 3e38]], 'float32')
    np.testing.assert_array_equal(run(K, 'softmax', x),
                                  [[1., 0., 0.], [.5, .5, 0.], [0., 1., 0.], [1., 0., 0.]])
    # A row of only -inf has no softmax (every probability is 0 / 0).
    assert np.isnan(run(K, 'softmax', np.full((1, 3), -inf, 'float32'))).all()


# Extreme inputs for the property tests: overflow of exp in float32 (88/89), huge (3e38: x - max(x)
# overflows) and infinite values, exact zeros, and small integers (which make ties and kinks).
EXTREMES = (0., 1e4, -1e4, 88., -88., 89., -89., 1e30, -1e30, 3e38, -3e38, np.inf, -np.inf)
EXTREME_PROPERTY = settings(max_examples=20, deadline=None, derandomize=True,
                            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _extreme_values(shape, dtype, extremes=EXTREMES):
    exact = [float(np.dtype(dtype).type(v)) for v in extremes]  # as the dtype holds them
    ties = (-2.5, -1., -0.5, 0., 0.5, 1., 1.5, 2., 2.5, 6.)
    elements = st.one_of(st.sampled_from(exact), st.sampled_from(ties),
                         st.floats(-3, 3, width=32, allow_subnormal=False).map(lambda v: v + 0.))
    # no -0.0 (docs/numerics.md), no subnormals (TensorFlow's CPU kernels flush them to zero)
    return hnp.arrays(dtype, shape, elements=elements)


EXTREME_ACTIVATIONS = [case for case in ACTIVATIONS if case[0] != 'softmax']


@_cases(*EXTREME_ACTIVATIONS)
@EXTREME_PROPERTY
@given(data=st.data(), dtype=st.sampled_from(['float32', 'float64']))
def test_activation_extreme_values_and_gradients(K, name, kwargs, data, dtype):
    check_op_and_gradients(K, name, GRADIENTS, data.draw(_extreme_values((3, 4), dtype)), **kwargs)


def _rows_with_a_value(data, shape, dtype, axis):
    """Logits with extreme values where no row (along axis) is only -inf (it has no softmax)."""
    x = np.moveaxis(data.draw(_extreme_values(shape, dtype)), axis, -1).copy()
    x[np.all(x == -np.inf, axis=-1), 0] = 0.
    return np.moveaxis(x, -1, axis)


@EXTREME_PROPERTY
@given(data=st.data(), dtype=st.sampled_from(['float32', 'float64']), axis=st.sampled_from([-1, 0]))
def test_softmax_extreme_values_and_gradients(K, data, dtype, axis):
    x = _rows_with_a_value(data, (3, 4), dtype, axis)
    check_op_and_gradients(K, 'softmax', GRADIENTS, x, axis=axis)


def _targets(data, shape, dtype, axis):
    """Rows of probabilities (along axis) with exact zeros: one-hot or two classes sharing."""
    classes = shape[axis]
    rows = int(np.prod(shape)) // classes
    t = np.zeros((rows, classes))
    for r in range(rows):
        picked = data.draw(st.lists(st.integers(0, classes - 1), min_size=1, max_size=2, unique=True))
        t[r, picked] = 1. / len(picked)
    t = t.reshape(tuple(np.delete(shape, axis % len(shape))) + (classes,))
    return np.moveaxis(t, -1, axis).astype(dtype)


@EXTREME_PROPERTY
@given(data=st.data(), dtype=st.sampled_from(['float32', 'float64']), axis=st.sampled_from([-1, 0]))
def test_crossentropy_from_logits_extreme_values_and_gradients(K, data, dtype, axis):
    logits = _rows_with_a_value(data, (3, 4), dtype, axis)
    target = _targets(data, (3, 4), dtype, axis)
    check_op_and_gradients(K, 'categorical_crossentropy', GRADIENTS, target, logits, from_logits=True,
                           axis=axis)
    labels = np.argmax(target, axis=axis).astype(dtype)  # float labels: CNTK feeds one float dtype
    check_op_and_gradients(K, 'sparse_categorical_crossentropy', GRADIENTS, labels, logits, from_logits=True,
                           axis=axis, wrt=[1])


@EXTREME_PROPERTY
@given(data=st.data(), dtype=st.sampled_from(['float32', 'float64']))
def test_binary_crossentropy_from_logits_extreme_values_and_gradients(K, data, dtype):
    logits = data.draw(_extreme_values((3, 4), dtype))
    target = data.draw(hnp.arrays(dtype, (3, 4), elements=st.sampled_from([0., 1., 0.5, 0.25])))
    check_op_and_gradients(K, 'binary_crossentropy', GRADIENTS, target, logits, from_logits=True)


def _scalar_kernel_case(K, limit, points):
    """For the Theano engines' scalar C kernels: the module, the engine, its tensor module, a C-linker
    mode and a float32 grid over [-limit, limit] plus tiny magnitudes of both signs."""
    if K.backend() != 'theano':
        pytest.skip('the C kernel belongs to the Theano engines')
    from kbackend.backend.theano import _scalar_ops as ops
    c_mode = ops.theano.compile.mode.Mode(linker='cvm', optimizer='fast_run')
    grid = np.concatenate([np.linspace(-limit, limit, points), np.geomspace(1e-30, 1, 301),
                           -np.geomspace(1e-30, 1, 301)]).astype('float32')
    return ops, ops.theano, ops.T, c_mode, grid


def test_theano_fast_tanh_c_kernel_matches_numpy(K):
    """tanh's float32 C kernel on the Theano engines (TensorFlow's rational approximation; the suite
    itself runs the Python linker) against NumPy: relative error below 4e-7, exact at 0, +-1 at
    +-inf, NaN kept, the sign of zero kept, in fused and unfused graphs; its gradient is 1 - y**2;
    float64 keeps the engine's own C code (exact to the last bits)."""
    ops, engine, T, c_mode, grid = _scalar_kernel_case(K, 12, 200001)
    special = np.array([0., -0., np.inf, -np.inf, np.nan, 3e38, -3e38], dtype='float32')
    x = T.vector('x', dtype='float32')
    y = ops.tanh(x)
    fused = ops.tanh(x * 2) * 0.5  # inside a fused elementwise loop
    grad = engine.grad(T.sum(y), x)
    f = engine.function([x], [y, fused, grad], mode=c_mode)
    out, out_fused, out_grad = f(grid)
    exact = np.tanh(grid.astype('float64'))
    np.testing.assert_allclose(out, exact, rtol=4e-7, atol=0)
    assert np.any(out != np.tanh(grid)), 'NumPy tanh ran, not the C kernel'
    np.testing.assert_allclose(out_fused, np.tanh(2 * grid.astype('float64')) * 0.5, rtol=1e-6, atol=0)
    np.testing.assert_allclose(out_grad, 1 - exact ** 2, rtol=1e-5, atol=1e-6)  # float32 rounding
    special_out = f(special)[0]
    np.testing.assert_array_equal(special_out[[0, 2, 3, 5, 6]], [0., 1., -1., 1., -1.])
    assert np.signbit(special_out[1]) and np.isnan(special_out[4])
    x64 = T.vector('x64', dtype='float64')
    f64 = engine.function([x64], ops.tanh(x64), mode=c_mode)
    np.testing.assert_allclose(f64(grid.astype('float64')), exact, rtol=1e-15, atol=0)
    assert not _engine_tanh_nodes(f), "the gradient recomputes tanh with the engine's slow kernel"


def test_theano_fast_sigmoid_c_kernel_matches_numpy(K):
    """The float32 sigmoid kernel the Theano engines swap in when compiling (the suite itself runs
    the Python linker) against NumPy: relative error below 3e-7 (exp evaluated inline), 0 below
    -88 as Theano 1.0.5's kernel, 1 at +inf, NaN kept, in fused and unfused graphs and in a
    gradient; the engines' stability rewrites still run first (log(sigmoid(x)) stays finite)."""
    ops, engine, T, c_mode, grid = _scalar_kernel_case(K, 100, 400001)
    x = T.vector('x', dtype='float32')
    y = K.sigmoid(x)
    fused = K.sigmoid(x * 2) * 0.5
    grad = engine.grad(T.sum(y), x)
    log_y = T.log(K.sigmoid(x))
    f = engine.function([x], [y, fused, grad, log_y], mode=c_mode)
    kernels = [n for n in f.maker.fgraph.apply_nodes
               if isinstance(getattr(n.op, 'scalar_op', None), ops.FastSigmoid) or any(
                   isinstance(m.op, ops.FastSigmoid) for m in getattr(
                       getattr(getattr(n.op, 'scalar_op', None), 'fgraph', None), 'apply_nodes', []))]
    assert kernels, 'the rewrite did not swap the kernel in'
    out, out_fused, out_grad, out_log = f(grid)
    exact = 1 / (1 + np.exp(-grid.astype('float64')))
    exact = np.where(grid < -88, 0, exact)
    np.testing.assert_allclose(out, exact, rtol=3e-7, atol=1e-37)
    exact2 = 1 / (1 + np.exp(-2 * grid.astype('float64')))
    np.testing.assert_allclose(out_fused, np.where(2 * grid < -88, 0, exact2) * 0.5, rtol=3e-7, atol=1e-37)
    np.testing.assert_allclose(out_grad, exact * (1 - exact), rtol=1e-5, atol=2e-7)  # 1 - y in float32
    assert np.all(np.isfinite(out_log)), 'log(sigmoid(x)) lost its stable rewrite'
    special = np.array([np.inf, -np.inf, np.nan, 0., 88.5, -88.5, 3e38, -3e38], dtype='float32')
    special_out = f(special)[0]
    np.testing.assert_array_equal(special_out[[0, 1, 3, 4, 5, 6, 7]], [1., 0., .5, 1., 0., 1., 0.])
    assert np.isnan(special_out[2])
    x64 = T.vector('x64', dtype='float64')
    f64 = engine.function([x64], K.sigmoid(x64), mode=c_mode)
    assert not any(isinstance(getattr(n.op, 'scalar_op', None), ops.FastSigmoid)
                   for n in f64.maker.fgraph.apply_nodes), 'float64 keeps the engine kernel'
    np.testing.assert_allclose(f64(grid.astype('float64')), 1 / (1 + np.exp(-grid.astype('float64'))),
                               rtol=1e-14, atol=6e-9)  # Theano 1.0.5's own kernel gives 1 above 19

def _engine_tanh_nodes(f):
    """The engine's own scalar Tanh ops in a compiled function, fused loops included."""
    from kbackend.backend.theano import _scalar_ops as ops
    found = []
    for node in f.maker.fgraph.apply_nodes:
        scalar = getattr(node.op, 'scalar_op', None)
        inner = getattr(scalar, 'fgraph', None)
        for op in [scalar] + ([n.op for n in inner.apply_nodes] if inner is not None else []):
            if isinstance(op, ops._scalar.Tanh) and not isinstance(op, ops.FastTanh):
                found.append(op)
    return found


def test_relu_and_elu_with_a_tensor_alpha(K):
    """alpha given as a tensor (a learned slope) works as the number would."""
    value = np.array([-2., -0.5, 0., 1.5], 'float32')
    x, alpha = K.variable(value), K.variable(0.3)
    assert_close(K.eval(K.relu(x, alpha=alpha)), np.where(value > 0, value, 0.3 * value))
    assert_close(K.eval(K.elu(x, alpha=alpha)), np.where(value > 0, value, 0.3 * (np.exp(value) - 1)))
