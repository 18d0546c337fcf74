"""The math family against the NumPy oracle (tests/oracle/math.py), its gradients, and its errors."""
import numpy as np
import pytest
import scipy.sparse
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import oracle
from harness import assert_close, check_gradient, check_op, check_op_and_gradients, rand, run
from oracle.math import GRADIENTS

# The K fixture is the engine's namespace, the same for every example.
PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- dot / batch_dot -----------------------------------------------------------------------------

DOT_SHAPES = {
    'matrix': ((4, 2), (2, 4)),
    '2d-3d': ((2, 3), (4, 3, 5)),
    '3d-2d': ((2, 4, 3), (3, 5)),
    '3d-3d': ((2, 3, 4), (5, 4, 3)),
    '3d-vector': ((2, 3, 4), (4,)),
    'vector-3d': ((3,), (2, 3, 4)),
    'vector-vector': ((5,), (5,)),
}


@pytest.mark.parametrize('case', sorted(DOT_SHAPES))
def test_dot(K, case):
    x_shape, y_shape = DOT_SHAPES[case]
    check_op(K, 'dot', rand(*x_shape), rand(*y_shape, seed=1))


def test_dot_float64(K):
    out = check_op(K, 'dot', rand(3, 4, dtype='float64'), rand(2, 4, 3, dtype='float64', seed=1))
    assert out.dtype == np.float64


def test_dot_sparse_dense(K):
    dense = np.array([[0, 1.5, 0], [0, 0, 0], [2, 0, -1]], dtype='float32')
    x = K.variable(scipy.sparse.csr_matrix(dense))
    assert K.is_sparse(x)
    y = rand(3, 4)
    out = K.dot(x, K.variable(y))
    assert_close(K.eval(out), oracle.dot(dense, y))


@pytest.mark.parametrize('case', sorted(DOT_SHAPES)[:4])
def test_dot_gradient(K, case):
    x_shape, y_shape = DOT_SHAPES[case]
    check_gradient(K, K.dot, rand(*x_shape), rand(*y_shape, seed=1))


BATCH_DOT = {
    # name: (x shape, y shape, axes)
    '3d-3d-2-2': ((4, 2, 3), (4, 5, 3), (2, 2)),
    '3d-2d-2-1': ((4, 2, 3), (4, 3), (2, 1)),
    '2d-3d-1-1': ((4, 2), (4, 2, 3), (1, 1)),
    '2d-2d-int': ((32, 20), (32, 20), 1),
    '2d-2d-pair': ((32, 20), (32, 20), (1, 1)),
    '2d-2d-none': ((5, 3), (5, 3), None),
    '2d-2d-batch-axis': ((32, 20), (32, 20), 0),
    '2d-2d-crossed-0-1': ((4, 3), (3, 4), (0, 1)),  # Keras 2.2.4 accepts crossed 2-D axes
    '2d-2d-crossed-1-0': ((4, 3), (3, 4), (1, 0)),
    '3d-3d-none': ((4, 2, 3), (4, 3, 5), None),
    '3d-2d-none': ((4, 2, 3), (4, 3), None),
    '3d-3d-1-1': ((4, 3, 2), (4, 3, 5), (1, 1)),
    '3d-3d-1-2': ((4, 3, 2), (4, 5, 3), (1, 2)),
    '4d-3d-2-2': ((4, 3, 2, 5), (4, 6, 2), (2, 2)),
    '3d-4d-1-2': ((4, 3, 2), (4, 5, 3, 6), (1, 2)),
    '4d-4d-3-1': ((2, 3, 4, 5), (2, 5, 2, 3), (3, 1)),
    'negative-axes': ((4, 2, 3), (4, 5, 3), (-1, -1)),
    'list-axes': ((4, 2, 3), (4, 3, 5), [2, 1]),
}


@pytest.mark.parametrize('case', sorted(BATCH_DOT))
def test_batch_dot(K, case):
    x_shape, y_shape, axes = BATCH_DOT[case]
    check_op(K, 'batch_dot', rand(*x_shape), rand(*y_shape, seed=1), axes=axes)


def test_batch_dot_rank1_result_is_column(K):
    out = run(K, 'batch_dot', np.ones((32, 20), 'float32'), np.ones((32, 20), 'float32'), axes=1)
    np.testing.assert_array_equal(out, np.full((32, 1), 20.0))
    out = run(K, 'batch_dot', np.ones((32, 20), 'float32'), np.ones((32, 20), 'float32'), axes=0)
    np.testing.assert_array_equal(out, np.full((20, 1), 32.0))


@pytest.mark.parametrize('case', ['3d-3d-2-2', '3d-2d-2-1', '3d-3d-1-2', '4d-3d-2-2', '2d-2d-int',
                                  '2d-2d-crossed-0-1'])
def test_batch_dot_gradient(K, case):
    x_shape, y_shape, axes = BATCH_DOT[case]
    check_gradient(K, lambda x, y: K.batch_dot(x, y, axes=axes), rand(*x_shape), rand(*y_shape, seed=1))


@pytest.mark.parametrize('axes, match', [
    ([[2], [1]], 'multiple target dimensions'),
    ((2, [1]), 'multiple target dimensions'),
    ((1, 2, 3), 'pair of ints'),
    ((3, 1), 'out of range'),
    ((0, 1), 'batch axis'),
], ids=['nested-lists', 'list-inside', 'triple', 'out-of-range', 'batch-axis-3d'])
def test_batch_dot_bad_axes(K, axes, match):
    x, y = K.variable(rand(4, 2, 3)), K.variable(rand(4, 3, 5))
    with pytest.raises(ValueError, match=match):
        K.batch_dot(x, y, axes=axes)


def test_batch_dot_rejects_vectors(K):
    with pytest.raises(ValueError, match='rank >= 2'):
        K.batch_dot(K.variable(rand(4)), K.variable(rand(4, 3)))


def test_transpose(K):
    check_op(K, 'transpose', rand(2, 3, 4))
    check_op(K, 'transpose', rand(3, 5))
    check_gradient(K, K.transpose, rand(2, 3, 4))


# --- reductions ----------------------------------------------------------------------------------

REDUCTIONS = ['max', 'min', 'sum', 'prod', 'mean', 'var', 'std', 'logsumexp']
AXES = {'all': None, 'first': 0, 'middle': 1, 'last': -1, 'list': [0, 2], 'negative-list': [-1, -2],
        'tuple': (0, 1)}


@pytest.mark.parametrize('keepdims', [False, True], ids=['dropdims', 'keepdims'])
@pytest.mark.parametrize('axis', sorted(AXES))
@pytest.mark.parametrize('name', REDUCTIONS)
def test_reduction(K, name, axis, keepdims):
    out = check_op(K, name, rand(2, 3, 4), axis=AXES[axis], keepdims=keepdims)
    assert out.dtype == np.float32


@pytest.mark.parametrize('keepdims', [False, True], ids=['dropdims', 'keepdims'])
@pytest.mark.parametrize('axis', ['last', 'list', 'middle'])
@pytest.mark.parametrize('name', REDUCTIONS + ['any', 'all'])
def test_reduction_with_two_unknown_dims(K, name, axis, keepdims):
    # A placeholder of shape (None, None, 3, 4), as Keras's targets are: CNTK's own keepdims=False
    # failed at run time once two dims were free (Keras's mse on a TimeDistributed output).
    x = rand(2, 5, 3, 4)
    if name in ('any', 'all'):
        x = (x > 0.3).astype('float32')
    axes = {'last': -1, 'list': [1, 2], 'middle': 1}[axis]
    p = K.placeholder(shape=(None, None, 3, 4))
    actual = K.function([p], [getattr(K, name)(p, axis=axes, keepdims=keepdims)])([x])[0]
    assert_close(actual, getattr(oracle, name)(x, axis=axes, keepdims=keepdims))


@pytest.mark.parametrize('name', REDUCTIONS)
def test_reduction_float64(K, name):
    out = check_op(K, name, rand(3, 4, dtype='float64'), axis=1)
    assert out.dtype == np.float64


@pytest.mark.parametrize('name', ['max', 'min', 'sum', 'prod'])
def test_integer_reduction(K, name):
    check_op(K, name, np.array([[1, -2, 3], [4, 5, -6]], dtype='int32'), axis=1)


@pytest.mark.parametrize('name', ['mean', 'var', 'std'])
@pytest.mark.parametrize('dtype', ['bool', 'int32'])
def test_mean_var_of_counts_is_floatx(K, name, dtype):
    x = np.array([[1, 0, 1, 1], [0, 0, 3, 1]]).astype(dtype)
    out = check_op(K, name, x, axis=1)
    assert out.dtype == np.dtype(K.floatx())


@pytest.mark.parametrize('keepdims', [False, True], ids=['dropdims', 'keepdims'])
@pytest.mark.parametrize('axis', ['all', 'middle', 'list'])
@pytest.mark.parametrize('name', ['any', 'all'])
def test_any_all(K, name, axis, keepdims):
    x = (rand(2, 3, 4) > 0.3).astype('float32')
    out = check_op(K, name, x, axis=AXES[axis], keepdims=keepdims)
    assert out.dtype == np.bool_


def test_any_all_of_integers(K):
    x = np.array([[0, 2, 0], [0, 0, 0]], dtype='int32')
    check_op(K, 'any', x, axis=1)
    check_op(K, 'all', x + 1, axis=0)


@pytest.mark.parametrize('axis', ['all', 'middle', 'list'])
@pytest.mark.parametrize('name', REDUCTIONS)
def test_reduction_gradient(K, name, axis):
    # Distinct values keep max/min differentiable; positive values keep prod's gradient well-scaled.
    x = rand(2, 3, 4, low=0.5, high=1.5) + np.arange(24, dtype='float32').reshape(2, 3, 4) * 0.01
    check_gradient(K, lambda t: getattr(K, name)(t, axis=AXES[axis]), x)


def test_logsumexp_is_stable(K):
    x = np.array([[1000., 1000.], [-1000., -1001.], [-np.inf, -np.inf], [0., -np.inf]], dtype='float32')
    out = check_op(K, 'logsumexp', x, axis=1)
    assert np.isfinite(out[:2]).all() and out[2] == -np.inf


def test_logsumexp_gradient_is_softmax(K):
    x = np.array([[1000., 1001., 999.]], dtype='float64')
    var = K.variable(x, dtype='float64')
    grad = K.eval(K.gradients(K.sum(K.logsumexp(var, axis=1)), [var])[0])
    e = np.exp(x - x.max())
    assert_close(grad, e / e.sum(), 'float64')


@pytest.mark.parametrize('axis', [0, 1, -1])
@pytest.mark.parametrize('name', ['cumsum', 'cumprod'])
def test_cumulative(K, name, axis):
    check_op(K, name, rand(3, 4, 2, low=0.5, high=1.5), axis=axis)
    check_gradient(K, lambda t: getattr(K, name)(t, axis=axis), rand(3, 4, low=0.5, high=1.5))


def test_cumulative_default_axis_is_0(K):
    x = rand(3, 4)
    assert_close(run(K, 'cumsum', x), np.cumsum(x, axis=0))
    assert_close(run(K, 'cumprod', x), np.cumprod(x, axis=0))


@pytest.mark.parametrize('axis', [0, 1, -1, 'default'])
@pytest.mark.parametrize('name', ['argmax', 'argmin'])
def test_argmax_argmin(K, name, axis):
    x = rand(3, 4, 5)
    kwargs = {} if axis == 'default' else {'axis': axis}
    out = check_op(K, name, x, **kwargs)
    assert out.dtype.kind == 'i'


# --- elementwise ---------------------------------------------------------------------------------

UNARY = {
    'square': {}, 'abs': {}, 'exp': {}, 'sin': {}, 'cos': {}, 'sign': {}, 'round': {},
    'sqrt': {'low': 0.0, 'high': 4.0}, 'log': {'low': 0.1, 'high': 4.0},
}


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name', sorted(UNARY))
def test_unary(K, name, dtype):
    bounds = dict({'low': -3.0, 'high': 3.0}, **UNARY[name])
    out = check_op(K, name, rand(3, 4, 2, dtype=dtype, **bounds))
    assert out.dtype == np.dtype(dtype)


@pytest.mark.parametrize('name', ['square', 'abs', 'exp', 'sin', 'cos', 'sqrt', 'log'])
def test_unary_gradient(K, name):
    bounds = {'low': 0.2, 'high': 2.0} if name in ('sqrt', 'log', 'abs') else {}
    check_gradient(K, getattr(K, name), rand(3, 4, **bounds))


def test_sqrt_clips_negative_to_zero(K):
    out = run(K, 'sqrt', np.array([-4.0, -1e-3, 0.0, 4.0], dtype='float32'))
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.0, 2.0])


def test_round_half_to_even(K):
    out = run(K, 'round', np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.6], dtype='float32'))
    np.testing.assert_array_equal(out, [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 4.0, 3.0])


def test_sign_of_zero_is_zero(K):
    np.testing.assert_array_equal(run(K, 'sign', np.array([-3.0, 0.0, 2.0], dtype='float32')), [-1, 0, 1])


@pytest.mark.parametrize('a', [2, 3, 0.5, -1.0], ids=['int2', 'int3', 'half', 'minus1'])
def test_pow(K, a):
    x = rand(3, 4, low=0.5, high=2.0)
    out = check_op(K, 'pow', x, a)
    assert out.dtype == np.float32
    check_gradient(K, lambda t: K.pow(t, a), x)


CLIPS = {
    'inside': (-0.5, 0.5),
    'max-below-min': (0.5, -0.5),
    'max-none': (-0.2, None),
    'min-none': (None, 0.3),
    'ints': (0, 1),
}


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('case', sorted(CLIPS))
def test_clip(K, case, dtype):
    low, high = CLIPS[case]
    out = check_op(K, 'clip', rand(3, 4, dtype=dtype), low, high)
    assert out.dtype == np.dtype(dtype)


def test_clip_max_below_min_gives_min(K):
    np.testing.assert_array_equal(run(K, 'clip', rand(2, 3), 0.5, 0.1), np.full((2, 3), 0.5, 'float32'))


def test_clip_tensor_bounds(K):
    x = rand(3, 4)
    low, high = K.variable(np.float32(-0.2)), K.variable(np.float32(0.4))
    assert_close(K.eval(K.clip(K.variable(x), low, high)), np.clip(x, -0.2, 0.4))
    inverted = K.eval(K.clip(K.variable(x), high, low))
    np.testing.assert_array_equal(inverted, np.full((3, 4), 0.4, 'float32'))


def test_clip_gradient(K):
    # Values away from the bounds: gradient 1 inside, 0 outside.
    x = np.array([[-0.9, -0.3, 0.1], [0.35, 0.8, -0.6]])
    check_gradient(K, lambda t: K.clip(t, -0.5, 0.5), x)


COMPARISONS = ['equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal']


@pytest.mark.parametrize('name', COMPARISONS)
def test_comparison(K, name):
    x = np.round(rand(3, 4, low=-2, high=2))
    y = np.round(rand(3, 4, low=-2, high=2, seed=3))
    out = check_op(K, name, x, y)
    assert out.dtype == np.bool_
    assert_close(run(K, name, x, np.float32(0.0)), getattr(oracle, name)(x, 0.0))


@pytest.mark.parametrize('name', ['maximum', 'minimum'])
def test_maximum_minimum(K, name):
    x, y = rand(3, 4), rand(3, 4, seed=5)
    check_op(K, name, x, y)
    check_op(K, name, x, rand(4, seed=6))  # broadcasting
    check_gradient(K, getattr(K, name), x, y)


# --- properties over random shapes ---------------------------------------------------------------

def _shapes(min_dims=1, max_dims=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4)


def _values(shape, dtype='float32', low=-3.0, high=3.0):
    # no subnormals: TensorFlow's CPU kernels flush them to zero (sign(9e-40) is 0 there)
    return hnp.arrays(dtype, shape, elements=st.floats(low, high, width=32, allow_subnormal=False))


@PROPERTY
@given(data=st.data(), name=st.sampled_from(['square', 'abs', 'sqrt', 'exp', 'sin', 'cos', 'sign', 'round']),
       dtype=st.sampled_from(['float32', 'float64']))
def test_unary_property(K, data, name, dtype):
    x = data.draw(_values(data.draw(_shapes()), dtype))
    check_op(K, name, x)


@PROPERTY
@given(data=st.data(), name=st.sampled_from(REDUCTIONS + ['any', 'all']), keepdims=st.booleans())
def test_reduction_property(K, data, name, keepdims):
    shape = data.draw(_shapes())
    x = data.draw(_values(shape, low=0.5, high=2.0))
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape),
                              unique_by=lambda a: a % len(shape)))
    axis = data.draw(st.sampled_from([None, axes[0], axes]))
    check_op(K, name, x, axis=axis, keepdims=keepdims, rtol=1e-3)


@PROPERTY
@given(data=st.data(), name=st.sampled_from(COMPARISONS + ['maximum', 'minimum']))
def test_binary_property(K, data, name):
    shape = data.draw(_shapes())
    x = np.round(data.draw(_values(shape)))
    y = np.round(data.draw(_values(shape[data.draw(st.integers(0, len(shape))):])))  # broadcasts
    check_op(K, name, x, y)


@PROPERTY
@given(data=st.data())
def test_batch_dot_property(K, data):
    """Any contraction axes on any ranks: matches the per-row tensordot."""
    batch = data.draw(st.integers(1, 3))
    x_shape = (batch,) + data.draw(_shapes(1, 3))
    y_rest = list(data.draw(_shapes(1, 3)))
    x_axis = data.draw(st.integers(1, len(x_shape) - 1))
    y_axis = data.draw(st.integers(1, len(y_rest)))
    y_rest[y_axis - 1] = x_shape[x_axis]
    x = data.draw(_values(x_shape))
    y = data.draw(_values((batch,) + tuple(y_rest)))
    check_op(K, 'batch_dot', x, y, axes=(x_axis, y_axis), rtol=1e-3, atol=1e-4)


def test_clip_keeps_float64_bounds_exact(K):
    x = np.array([2.0, -3.0, 0.5])
    out = run(K, 'clip', x, 1e-7, 1 - 1e-7)
    np.testing.assert_array_equal(out, np.clip(x, 1e-7, 1 - 1e-7))


# --- numerics: ties, clipped domains, zeros, non-differentiable ops (docs/numerics.md) -------------

def _grad(K, fn, *values, **kwargs):
    """Value of fn(*variables) and the gradients of its sum w.r.t. the variables (None stays None)."""
    dtype = kwargs.pop('dtype', 'float32')
    variables = [K.variable(np.asarray(v, dtype), dtype=dtype) for v in values]
    out = fn(*variables)
    grads = K.gradients(K.sum(out), variables)
    return K.eval(out), [None if g is None else K.eval(g) for g in grads]


@pytest.mark.parametrize('name', ['max', 'min'])
def test_reduction_gradient_shares_ties_evenly(K, name):
    # TensorFlow's rule on every engine: tied extremes share the gradient (not 1 each).
    x = [[1., 1., 0.], [2., 3., 3.], [-1., -1., -1.]] if name == 'max' else \
        [[1., 1., 2.], [3., 2., 2.], [-1., -1., -1.]]
    _, (grad,) = _grad(K, lambda t: getattr(K, name)(t, axis=1), x)
    third = 1. / 3
    expected = [[.5, .5, 0.], [0., .5, .5], [third, third, third]]
    assert_close(grad, np.array(expected), msg='%s gradient' % name)
    _, (grad,) = _grad(K, lambda t: getattr(K, name)(t), [[5., 1.], [5., 5.]])
    assert_close(grad, np.array([[third, 0.], [third, third]] if name == 'max' else [[0., 1.], [0., 0.]]))


@pytest.mark.parametrize('name', ['maximum', 'minimum'])
def test_maximum_minimum_tie_gradient_goes_to_the_first_argument(K, name):
    _, (gx, gy) = _grad(K, getattr(K, name), [1., 2., 5.], [1., 3., 4.])
    expected_x = np.array([1., 0., 1.] if name == 'maximum' else [1., 1., 0.])
    assert_close(gx, expected_x)
    assert_close(gy, 1 - expected_x)


@pytest.mark.parametrize('name', ['maximum', 'minimum'])
def test_maximum_minimum_propagate_nan(K, name):
    x = np.array([np.nan, 1., np.nan, 2.], 'float32')
    y = np.array([1., np.nan, np.nan, 3.], 'float32')
    out = run(K, name, x, y)
    assert np.isnan(out[:3]).all() and out[3] == (3. if name == 'maximum' else 2.)


def test_sqrt_gradient_is_zero_where_the_input_is_clipped(K):
    # sqrt(max(x, 0)): gradient 0 for x < 0 (NaN on the Theano engines before), inf at 0 (TF).
    out, (grad,) = _grad(K, K.sqrt, [-4., -1e-3, 0., 4.])
    np.testing.assert_array_equal(out, [0., 0., 0., 2.])
    np.testing.assert_array_equal(grad, [0., 0., np.inf, 0.25])


def test_cumprod_gradient_with_zeros_is_exact(K):
    _, (grad,) = _grad(K, K.cumprod, [0.5, 0., 2.])
    assert_close(grad, np.array([1., 1.5, 0.]))
    _, (grad,) = _grad(K, K.cumprod, [0.5, 0., 2., 0., 3.])
    assert_close(grad, np.array([1., 1.5, 0., 0., 0.]))
    x = np.array([[2., 0., 3.], [0., 0., 4.], [1., 2., 0.]])
    _, (grad,) = _grad(K, lambda t: K.cumprod(t, axis=1), x, dtype='float64')
    assert_close(grad, GRADIENTS['cumprod'](np.ones_like(x), x, axis=1)[0], 'float64')
    _, (grad,) = _grad(K, lambda t: K.cumprod(t, axis=0), x, dtype='float64')
    assert_close(grad, GRADIENTS['cumprod'](np.ones_like(x), x, axis=0)[0], 'float64')


@pytest.mark.parametrize('case', ['round', 'argmax', 'argmin', 'greater', 'equal', 'stop_gradient'])
def test_no_gradient_through_non_differentiable_ops(K, case):
    # As on TensorFlow (and Keras 2.2.4): K.gradients gives None for a variable reached only through
    # round, argmax/argmin, comparisons or stop_gradient; K.function returns None for it.
    x = K.variable(np.array([[0.4, 1.6], [2.5, -1.]], 'float32'))
    through = {
        'round': lambda: K.round(x),
        'argmax': lambda: K.cast(K.argmax(x), 'float32'),
        'argmin': lambda: K.cast(K.argmin(x, axis=0), 'float32'),
        'greater': lambda: K.cast(K.greater(x, 1.), 'float32'),
        'equal': lambda: K.cast(K.equal(x, x), 'float32'),
        'stop_gradient': lambda: K.stop_gradient(x),
    }[case]()
    assert K.gradients(K.sum(through), [x]) == [None]
    # Another path keeps its gradient; the non-differentiable one adds nothing.
    grad, = K.gradients(K.sum(through) + K.sum(x * 2.), [x])
    np.testing.assert_array_equal(K.eval(grad), np.full((2, 2), 2., 'float32'))


@pytest.mark.parametrize('case', ['sum', 'max', 'logsumexp', 'nested'])
def test_stop_gradient_of_composite_ops_keeps_other_paths(K, case):
    # CNTK 2.7's backward failed through stop_gradient(a + b); K.max is a composite on CNTK.
    x = K.placeholder(shape=(2, 3))
    inner = {
        'sum': lambda: x + 1.,
        'max': lambda: K.max(x, axis=-1, keepdims=True),
        'logsumexp': lambda: K.logsumexp(x, axis=-1, keepdims=True),
        'nested': lambda: x + K.stop_gradient(x * 2.),
    }[case]()
    loss = K.sum((x - K.stop_gradient(inner)) * 3.)
    value = np.array([[1., 2., 3.], [0., -1., 5.]], 'float32')
    grad, = K.function([x], K.gradients(loss, [x]))([value])
    np.testing.assert_array_equal(grad, np.full((2, 3), 3., 'float32'))


def test_function_returns_none_for_a_none_gradient(K):
    x = K.placeholder(shape=(2,))
    w, unused = K.variable(np.array([1., 2.], 'float32')), K.variable(np.array([3.], 'float32'))
    loss = K.sum(K.round(x * w)) + K.sum(w * x)
    grads = K.gradients(loss, [w, unused])
    assert grads[1] is None
    f = K.function([x], [loss, grads[1], grads[0], K.gradients(K.sum(K.round(x * w)), [w])[0]])
    value, none, grad, none2 = f([np.array([1., 1.], 'float32')])
    assert none is None and none2 is None
    assert_close(value, 6.)
    assert_close(grad, np.array([1., 1.]))
    assert K.function([x], [None])([np.ones(2, 'float32')]) == [None]


# Extreme inputs for the property tests: overflow of exp in float32 (88/89), huge (3e38: x - max(x)
# overflows) and infinite values, exact zeros, and small integers (which make ties).
EXTREMES = (0., 1e4, -1e4, 88., -88., 89., -89., 1e30, -1e30, 3e38, -3e38, np.inf, -np.inf)
TIES = (-1., 0., 1., 2.)
EXTREME_PROPERTY = settings(max_examples=20, deadline=None, derandomize=True,
                            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _extreme_values(shape, dtype, extremes=EXTREMES):
    exact = [float(np.dtype(dtype).type(v)) for v in extremes]  # as the dtype holds them
    elements = st.one_of(st.sampled_from(exact), st.sampled_from(TIES),
                         st.floats(-3, 3, width=32, allow_subnormal=False).map(lambda v: v + 0.))
    # no -0.0 (docs/numerics.md), no subnormals (TensorFlow's CPU kernels flush them to zero)
    return hnp.arrays(dtype, shape, elements=elements)


@pytest.mark.parametrize('name', ['sqrt', 'max', 'min', 'maximum', 'minimum'])
@EXTREME_PROPERTY
@given(data=st.data(), dtype=st.sampled_from(['float32', 'float64']))
def test_extreme_values_and_gradients(K, name, data, dtype):
    x = data.draw(_extreme_values((3, 4), dtype))
    if name in ('maximum', 'minimum'):
        check_op_and_gradients(K, name, GRADIENTS, x, data.draw(_extreme_values((3, 4), dtype)))
    elif name in ('max', 'min'):
        axis = data.draw(st.sampled_from([None, 0, 1, -1, [0, 1]]))
        check_op_and_gradients(K, name, GRADIENTS, x, axis=axis, keepdims=data.draw(st.booleans()))
    else:
        check_op_and_gradients(K, name, GRADIENTS, x)


@EXTREME_PROPERTY
@given(data=st.data(), dtype=st.sampled_from(['float32', 'float64']), axis=st.sampled_from([0, 1]))
def test_cumprod_extreme_values_and_gradients(K, data, dtype, axis):
    # Zeros anywhere, huge and tiny factors (no infinities: inf * 0 has no value).
    extremes = (0., 1e4, -1e4, 88., -89., 1e-4)
    x = data.draw(_extreme_values((3, 4), dtype, extremes))
    check_op_and_gradients(K, 'cumprod', GRADIENTS, x, axis=axis, rtol=1e-3 if dtype == 'float32' else None)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_theano_leading_sum_c_kernel(K, dtype):
    """Theano 1.0.5's sum over every axis but the last runs kbackend's C kernel (a bias gradient's
    reduction; the suite itself runs the Python linker): the rewrite applies in compiled graphs and
    the values equal NumPy's float64-accumulated sum, for contiguous, transposed and empty inputs."""
    if K.backend() != 'theano':
        pytest.skip('the C kernel belongs to the Theano 1.0.5 engine')
    from kbackend.backend.theano import _engine
    if _engine.IS_PYTENSOR:
        pytest.skip("PyTensor's own Sum is fast; the kernel is Theano 1.0.5's only")
    from kbackend.backend.theano import _reduce_ops as ops
    engine, T = ops.theano, ops.T
    c_mode = engine.compile.mode.Mode(linker='cvm', optimizer='fast_run')
    x = T.tensor4('x', dtype=dtype)
    outputs = [T.sum(x, axis=(0, 1, 2)), T.sum(x.dimshuffle(3, 1, 2, 0), axis=(0, 1, 2)),
               T.sum(x[:, :, :, :2], axis=(0, 1, 2))]
    f = engine.function([x], outputs, mode=c_mode)
    kernels = [n for n in f.maker.fgraph.apply_nodes if isinstance(n.op, ops.LeadingSum)]
    assert len(kernels) == 3, 'the rewrite did not apply'
    for shape in [(4, 5, 6, 7), (1, 1, 1, 3), (0, 5, 6, 7)]:
        value = rand(*shape, dtype=dtype, seed=11) * 1e3
        expected = [np.sum(v, axis=(0, 1, 2), dtype='float64') for v in
                    (value, value.transpose(3, 1, 2, 0), value[..., :2])]
        for out, exact in zip(f(value), expected):
            assert out.dtype == dtype
            np.testing.assert_allclose(out, exact.astype(dtype), rtol=1e-6 if dtype == 'float32' else 1e-12)
    py = engine.function([x], ops.leading_sum(x), mode=engine.compile.mode.Mode(linker='py'))
    value = rand(3, 4, 5, 2, dtype=dtype, seed=2)
    np.testing.assert_allclose(py(value), value.reshape(-1, 2).sum(axis=0), rtol=1e-6)
    grad = engine.function([x], engine.grad(T.sum(ops.leading_sum(x) * np.arange(2, dtype=dtype)), x))
    np.testing.assert_array_equal(grad(value), np.broadcast_to(np.arange(2, dtype=dtype), value.shape))
