"""The array family (reshaping, joining, padding, indexing) against the NumPy oracle (tests/oracle/array.py), its gradients, and its errors."""
import numpy as np
import pytest
import scipy.sparse
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import oracle
from harness import assert_close, check_gradient, check_op, rand, run
from kbackend.backend import gaps

# The K fixture is the engine's namespace, the same for every example.
PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FORMATS = ['channels_last', 'channels_first']


def image(spatial, channels=2, batch=2, data_format='channels_last', dtype='float32'):
    shape = ((batch, channels) + tuple(spatial) if data_format == 'channels_first'
             else (batch,) + tuple(spatial) + (channels,))
    return rand(*shape, dtype=dtype)


def ints_id(value):
    """A test id for an int or a sequence of ints: 2 -> '2', [0, -1] -> '0_-1'."""
    return '_'.join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def check_static_shape(K, tensor, value):
    """Every dim the engine reports statically must be the dim it computes."""
    static = K.int_shape(tensor)
    assert len(static) == value.ndim
    for known, actual in zip(static, value.shape):
        assert known is None or known == actual, 'static shape %s, computed %s' % (static, value.shape)


# --- concatenate / stack -------------------------------------------------------------------------

@pytest.mark.parametrize('axis', [0, 1, -1, -2])
def test_concatenate(K, axis):
    a, b = rand(2, 3, 4), rand(2, 3, 4, seed=1)
    check_op(K, 'concatenate', [a, b, a], axis=axis)


def test_concatenate_default_axis_is_last(K):
    a, b = rand(2, 3), rand(2, 5)
    out = K.concatenate([K.variable(a), K.variable(b)])
    assert_close(K.eval(out), np.concatenate([a, b], axis=-1))
    check_static_shape(K, out, K.eval(out))


def test_concatenate_gradient(K):
    check_gradient(K, lambda a, b: K.concatenate([a, b], axis=1), rand(2, 3), rand(2, 2))


@pytest.mark.parametrize('axis', [0, 1, -1])
def test_concatenate_all_sparse_stays_sparse(K, axis):
    a = scipy.sparse.random(3, 4, density=0.4, format='csr', dtype='float32', random_state=1)
    b = scipy.sparse.random(3, 4, density=0.4, format='csr', dtype='float32', random_state=2)
    out = K.concatenate([K.variable(a), K.variable(b)], axis=axis)
    assert K.is_sparse(out)
    assert_close(K.eval(K.to_dense(out)), oracle.concatenate([a, b], axis=axis))


def test_concatenate_sparse_and_dense_is_dense(K):
    a = scipy.sparse.random(3, 4, density=0.4, format='csr', dtype='float32', random_state=1)
    b = rand(3, 2)
    out = K.concatenate([K.variable(a), K.variable(b)], axis=1)
    assert not K.is_sparse(out)
    assert_close(K.eval(out), oracle.concatenate([a, b], axis=1))


@pytest.mark.parametrize('axis', [0, 1, 2, -1])
def test_stack(K, axis):
    parts = [rand(2, 3, seed=i) for i in range(3)]
    out = K.stack([K.variable(p) for p in parts], axis=axis)
    assert_close(K.eval(out), oracle.stack(parts, axis=axis))
    check_gradient(K, lambda a, b: K.stack([a, b], axis=axis), parts[0], parts[1])


# --- reshape / permute / flatten / dims ----------------------------------------------------------

@pytest.mark.parametrize('shape', [(4, 6), (-1, 2), (2, 3, 4), (24,), (1, 24, 1)],
                         ids=lambda s: 'x'.join(map(str, s)))
def test_reshape(K, shape):
    check_op(K, 'reshape', rand(2, 3, 4), shape)


def test_reshape_to_two_sizes_known_at_run_time(K):
    # Keras's TimeDistributed over an input of unknown steps reshapes its (batch * steps, 4) result back
    # with (-1, K.shape(inputs)[1], 4): two unknown sizes, one of which CNTK cannot infer (a listed limit).
    inputs = K.placeholder(shape=(None, None, 4))
    flat = K.reshape(inputs, (-1, 4))
    if gaps.limit(K.backend(), 'reshape') and 'several sizes known only at run time' in gaps.limit(
            K.backend(), 'reshape'):
        with pytest.raises(NotImplementedError, match='infer only one unknown dimension'):
            K.reshape(flat, (-1, K.shape(inputs)[1], 4))
        return
    back = K.reshape(flat, (-1, K.shape(inputs)[1], 4))
    x = rand(2, 3, 4)
    assert_close(K.function([inputs], [back])([x])[0], x)


@pytest.mark.parametrize('pattern', [(0, 2, 1), (2, 0, 1), (1, 0, 2), (0, 1, 2)], ids=lambda p: ''.join(map(str, p)))
def test_permute_dimensions(K, pattern):
    check_op(K, 'permute_dimensions', rand(2, 3, 4), pattern)
    check_gradient(K, lambda t: K.permute_dimensions(t, pattern), rand(2, 3, 4))


def test_permute_dimensions_takes_a_list(K):
    check_op(K, 'permute_dimensions', rand(2, 3, 4), [2, 1, 0])


@pytest.mark.parametrize('shape', [(5,), (2, 3), (2, 3, 4)], ids=lambda s: '%dd' % len(s))
def test_flatten(K, shape):
    check_op(K, 'flatten', rand(*shape))


@pytest.mark.parametrize('shape', [(2, 3), (2, 3, 4), (3, 1, 2, 2)], ids=lambda s: '%dd' % len(s))
def test_batch_flatten(K, shape):
    x = rand(*shape)
    check_op(K, 'batch_flatten', x)
    check_gradient(K, K.batch_flatten, x)


def test_batch_flatten_of_unknown_shape(K):
    p = K.placeholder(shape=(None, None, 3))
    out = K.function([p], [K.batch_flatten(p)])([rand(2, 4, 3)])[0]
    assert_close(out, oracle.batch_flatten(rand(2, 4, 3)))


@pytest.mark.parametrize('axis', [0, 1, 3, -1, -2, -4, 'default'])
def test_expand_dims(K, axis):
    kwargs = {} if axis == 'default' else {'axis': axis}
    out = check_op(K, 'expand_dims', rand(2, 3, 4), **kwargs)
    if axis == 'default':
        assert out.shape == (2, 3, 4, 1)


@pytest.mark.parametrize('axis', [0, 1, -1])
def test_squeeze(K, axis):
    shape = [2, 3, 4]
    shape[axis] = 1
    x = rand(*shape)
    check_op(K, 'squeeze', x, axis)
    check_gradient(K, lambda t: K.squeeze(t, axis), x)


def test_dims_gradient(K):
    check_gradient(K, lambda t: K.expand_dims(t, 1), rand(2, 3))
    check_gradient(K, K.flatten, rand(2, 3))
    check_gradient(K, lambda t: K.reshape(t, (3, 2)), rand(2, 3))


# --- repeat / tile / reverse / slice / gather ----------------------------------------------------

@pytest.mark.parametrize('rep', [1, 2, 3])
@pytest.mark.parametrize('axis', [0, 1, 2, -1])
def test_repeat_elements(K, axis, rep):
    x = rand(2, 3, 4)
    check_op(K, 'repeat_elements', x, rep, axis)


def test_repeat_elements_gradient_and_static_shape(K):
    check_gradient(K, lambda t: K.repeat_elements(t, 3, 1), rand(2, 3))
    p = K.placeholder(shape=(None, 3, 4))
    out = K.repeat_elements(p, 2, axis=1)
    value = K.function([p], [out])([rand(5, 3, 4)])[0]
    assert_close(value, oracle.repeat_elements(rand(5, 3, 4), 2, 1))
    check_static_shape(K, out, value)


@pytest.mark.parametrize('n', [1, 3])
def test_repeat(K, n):
    x = rand(2, 5)
    out = check_op(K, 'repeat', x, n)
    assert out.shape == (2, n, 5)
    check_gradient(K, lambda t: K.repeat(t, n), x)


@pytest.mark.parametrize('fn, args, expected', [
    ('repeat', (0,), oracle.repeat(rand(2, 5), 0)),
    ('repeat_elements', (0, 1), oracle.repeat_elements(rand(2, 5), 0, 1)),
], ids=['repeat', 'repeat_elements'])
def test_a_zero_repeat_count_is_empty_or_a_listed_limit(K, fn, args, expected):
    """A count of 0 gives an empty result (NumPy's); CNTK 2.7 holds no empty tensor (gaps.LIMITS)."""
    x = K.variable(rand(2, 5))
    if K.backend() == 'cntk':
        assert 'zero-size' in gaps.limit('cntk', fn)
        with pytest.raises(NotImplementedError, match='cannot hold an empty tensor'):
            getattr(K, fn)(x, *args)
        return
    out = getattr(K, fn)(x, *args)
    assert K.int_shape(out) == expected.shape
    assert_close(K.eval(out), expected)


def test_repeat_needs_2d(K):
    with pytest.raises(ValueError, match='2-D'):
        K.repeat(K.variable(rand(2, 3, 4)), 2)


TILES = {'per-axis': [2, 1, 3], 'int': 2, 'shorter': [2, 3], 'longer': [2, 1, 1, 2], 'ones': [1, 1, 1]}


@pytest.mark.parametrize('case', sorted(TILES))
def test_tile(K, case):
    check_op(K, 'tile', rand(2, 3, 2), TILES[case])


def test_tile_gradient(K):
    check_gradient(K, lambda t: K.tile(t, [2, 3]), rand(2, 3))


@pytest.mark.parametrize('axes', [0, 1, -1, [0, 2], (1, -1), [0, 1, 2]], ids=ints_id)
def test_reverse(K, axes):
    x = rand(2, 3, 4)
    check_op(K, 'reverse', x, axes)
    check_gradient(K, lambda t: K.reverse(t, axes), x)


SLICES = {
    'inner': ((0, 1, 1), (2, 2, 3)),
    'to-end': ((1, 0, 2), (-1, -1, -1)),
    'single': ((1, 2, 3), (1, 1, 1)),
    'whole': ((0, 0, 0), (2, 3, 4)),
}


@pytest.mark.parametrize('case', sorted(SLICES))
def test_slice(K, case):
    start, size = SLICES[case]
    x = rand(2, 3, 4)
    check_op(K, 'slice', x, start, size)
    check_gradient(K, lambda t: K.slice(t, start, size), x)


def test_slice_with_tensor_start(K):
    x = rand(3, 5)
    start = K.variable(np.array([1, 2]), dtype='int32')
    out = K.eval(K.slice(K.variable(x), [start[0], start[1]], [2, 3]))
    assert_close(out, x[1:3, 2:5])


@pytest.mark.parametrize('indices', [[2, 0, 2], [[1, 0], [3, 3]], [1]], ids=['vector', 'matrix', 'one'])
def test_gather(K, indices):
    reference = rand(4, 3, 2)
    indices = np.array(indices, dtype='int32')
    out = check_op(K, 'gather', reference, indices)
    assert out.shape == indices.shape + (3, 2)
    # `r * 1` makes TensorFlow's gradient dense (a gather alone yields IndexedSlices, as in Keras).
    check_gradient(K, lambda r: K.gather(r * 1, K.constant(indices, dtype='int32')), reference)


def test_gather_with_python_list(K):
    reference = rand(4, 3)
    assert_close(K.eval(K.gather(K.variable(reference), [3, 1])), reference[[3, 1]])


# --- arange / one_hot ----------------------------------------------------------------------------

ARANGES = {
    'stop': ((5,), {}),
    'start-stop-step': ((2, 9, 2), {}),
    'negative-start-alone': ((-3,), {}),
    'backwards': ((5, 1, -1), {}),
    'empty-forward': ((5, 1), {}),
    'int64': ((1, 4), {'dtype': 'int64'}),
    'float32': ((0, 2, 0.5), {'dtype': 'float32'}),
}


def check_arange(K, *args, **kwargs):
    expected = oracle.arange(*args, **kwargs)
    if expected.size == 0 and gaps.limit(K.backend(), 'arange'):
        with pytest.raises(NotImplementedError, match='empty'):  # a listed limit (CNTK)
            K.arange(*args, **kwargs)
        return
    out = K.eval(K.arange(*args, **kwargs))
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize('case', sorted(ARANGES))
def test_arange(K, case):
    args, kwargs = ARANGES[case]
    check_arange(K, *args, **kwargs)


def test_arange_default_dtype_is_int32(K):
    assert K.dtype(K.arange(4)) == 'int32'


def test_arange_with_tensor_bounds(K):
    stop = K.variable(np.int32(6), dtype='int32')
    np.testing.assert_array_equal(K.eval(K.arange(stop)), np.arange(6))
    np.testing.assert_array_equal(K.eval(K.arange(1, stop, 2)), np.arange(1, 6, 2))


@pytest.mark.parametrize('shape', [(4,), (2, 3), (2, 2, 2)], ids=lambda s: '%dd' % len(s))
def test_one_hot(K, shape):
    indices = np.random.RandomState(len(shape)).randint(0, 5, size=shape).astype('int32')
    out = check_op(K, 'one_hot', indices, 5)
    assert out.dtype == np.dtype(K.floatx())


# --- padding -------------------------------------------------------------------------------------

@pytest.mark.parametrize('padding', [(1, 1), (0, 2), (3, 0)], ids=ints_id)
def test_temporal_padding(K, padding):
    x = rand(2, 3, 4)
    check_op(K, 'temporal_padding', x, padding)
    check_gradient(K, lambda t: K.temporal_padding(t, padding), x)


def test_temporal_padding_default(K):
    assert run(K, 'temporal_padding', rand(2, 3, 4)).shape == (2, 5, 4)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', [((1, 1), (1, 1)), ((0, 2), (3, 1))], ids=['even', 'uneven'])
def test_spatial_2d_padding(K, padding, data_format):
    x = image((3, 4), data_format=data_format)
    check_op(K, 'spatial_2d_padding', x, padding, data_format=data_format)
    check_gradient(K, lambda t: K.spatial_2d_padding(t, padding, data_format), x)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', [((1, 1), (1, 1), (1, 1)), ((0, 2), (3, 1), (1, 0))], ids=['even', 'uneven'])
def test_spatial_3d_padding(K, padding, data_format):
    x = image((2, 3, 2), data_format=data_format)
    check_op(K, 'spatial_3d_padding', x, padding, data_format=data_format)
    check_gradient(K, lambda t: K.spatial_3d_padding(t, padding, data_format), x)


def test_padding_data_format_none_follows_image_data_format(K):
    x = image((3, 4), data_format='channels_first')
    previous = K.image_data_format()
    K.set_image_data_format('channels_first')
    try:
        out = run(K, 'spatial_2d_padding', x, ((1, 0), (0, 2)))
    finally:
        K.set_image_data_format(previous)
    assert_close(out, oracle.spatial_2d_padding(x, ((1, 0), (0, 2)), 'channels_first'))


@pytest.mark.parametrize('fn, x_shape, kwargs, match', [
    ('spatial_2d_padding', (2, 3, 4, 2), {'data_format': 'channels_middle'}, 'data_format'),
    ('spatial_3d_padding', (2, 3, 4, 2, 2), {'data_format': 'NCHW'}, 'data_format'),
    ('spatial_2d_padding', (2, 3, 4, 2), {'padding': (1, 1)}, r'2 \(before, after\) pairs'),
    ('spatial_2d_padding', (2, 3, 4, 2), {'padding': ((1, 1), (1, -1))}, 'non-negative'),
    ('spatial_3d_padding', (2, 3, 4, 2, 2), {'padding': ((1, 1), (1, 1))}, r'3 \(before, after\) pairs'),
    ('temporal_padding', (2, 3, 4), {'padding': (1, 2, 3)}, r'a \(before, after\) pair'),
    ('temporal_padding', (2, 3), {}, 'expected a 3-D input'),
    ('spatial_2d_padding', (2, 3, 4), {}, 'expected a 4-D input'),
], ids=['2d-format', '3d-format', '2d-one-pair', '2d-negative', '3d-two-pairs', 'temporal-triple',
        'temporal-2d-input', '2d-3d-input'])
def test_padding_bad_input(K, fn, x_shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(K, fn)(K.variable(rand(*x_shape)), **kwargs)


# --- resize --------------------------------------------------------------------------------------

FACTORS = {'2x2': (2, 2), '1x3': (1, 3), '3x2': (3, 2), '4x5': (4, 5)}


@pytest.mark.parametrize('factors', sorted(FACTORS))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('interpolation', ['nearest', 'bilinear'])
def test_resize_images(K, interpolation, data_format, factors):
    x = image((3, 4), data_format=data_format)
    height, width = FACTORS[factors]
    check_op(K, 'resize_images', x, height, width, data_format=data_format, interpolation=interpolation)


@pytest.mark.parametrize('interpolation', ['nearest', 'bilinear'])
def test_resize_images_float64_and_gradient(K, interpolation):
    x = image((3, 2), data_format='channels_first', dtype='float64')
    out = check_op(K, 'resize_images', x, 2, 3, data_format='channels_first', interpolation=interpolation)
    assert out.dtype == np.float64
    check_gradient(K, lambda t: K.resize_images(t, 3, 2, 'channels_last', interpolation), image((2, 3)))


@pytest.mark.parametrize('rows', ['known-rows', 'unknown-rows'])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('interpolation', ['nearest', 'bilinear'])
def test_resize_images_of_placeholders(K, interpolation, dtype, rows):
    p = K.placeholder(shape=(None, 3 if rows == 'known-rows' else None, 4, 2), dtype=dtype)
    out = K.resize_images(p, 2, 3, 'channels_last', interpolation)
    x = image((3, 4), batch=3, dtype=dtype)
    value = K.function([p], [out])([x])[0]
    assert_close(value, oracle.resize_images(x, 2, 3, 'channels_last', interpolation), dtype)
    check_static_shape(K, out, value)


@pytest.mark.parametrize('interpolation', ['nearest', 'bilinear'])
def test_resize_images_at_large_factors(K, interpolation):
    # TensorFlow's own nearest kernel picks the wrong source row at factors such as 41 and 47.
    x = image((3, 2), channels=1, batch=1)
    check_op(K, 'resize_images', x, 41, 47, data_format='channels_last', interpolation=interpolation)


def test_resize_images_bilinear_is_not_half_pixel(K):
    """TensorFlow's legacy rule: output i*f + r interpolates x[i] and x[i+1] with weight r/f."""
    x = np.array([0.0, 4.0, 8.0], dtype='float32').reshape(1, 3, 1, 1)
    out = run(K, 'resize_images', x, 2, 1, data_format='channels_last', interpolation='bilinear')
    np.testing.assert_allclose(out.ravel(), [0, 2, 4, 6, 8, 8])


@pytest.mark.parametrize('fn, args, match', [
    ('resize_images', (2, 2, 'channels_last', 'bicubic'), 'interpolation'),
    ('resize_images', (2, 2, 'channels_middle'), 'data_format'),
    ('resize_images', (2, 2, None), 'data_format'),
    ('resize_images', (0, 2, 'channels_last'), 'positive int factors'),
    ('resize_images', (1.5, 2, 'channels_last'), 'positive int factors'),
    ('resize_volumes', (2, 2, 2, 'channels_last'), 'expected a 5-D input'),
], ids=['bad-interpolation', 'bad-format', 'no-format', 'zero-factor', 'float-factor', 'volumes-4d'])
def test_resize_bad_input(K, fn, args, match):
    with pytest.raises(ValueError, match=match):
        getattr(K, fn)(K.variable(image((3, 4))), *args)


@pytest.mark.parametrize('factors', [(2, 2, 2), (1, 3, 2)], ids=['2x2x2', '1x3x2'])
@pytest.mark.parametrize('data_format', FORMATS)
def test_resize_volumes(K, data_format, factors):
    x = image((2, 3, 2), data_format=data_format)
    check_op(K, 'resize_volumes', x, *factors, data_format=data_format)
    check_gradient(K, lambda t: K.resize_volumes(t, *factors, data_format=data_format), x)


# --- pattern_broadcast ---------------------------------------------------------------------------

def test_pattern_broadcast(K):
    x = rand(3, 1)
    out = K.pattern_broadcast(K.variable(x), (False, True))
    assert_close(K.eval(out), x)
    # A broadcastable axis combines with any size.
    assert_close(K.eval(out + K.variable(rand(3, 4))), x + rand(3, 4))


def test_pattern_broadcast_of_unknown_dim_broadcasts(K):
    p = K.placeholder(shape=(None, None))
    out = K.pattern_broadcast(p, (False, True)) + K.constant(rand(1, 4))
    assert K.function([p], [out])([np.ones((2, 1), 'float32')])[0].shape == (2, 4)


@pytest.mark.parametrize('pattern, match', [
    ((True, True), 'must have size 1'),
    ((False,), 'one broadcastable flag per axis'),
], ids=['non-unit-axis', 'wrong-length'])
def test_pattern_broadcast_bad_input(K, pattern, match):
    with pytest.raises(ValueError, match=match):
        K.pattern_broadcast(K.variable(rand(3, 1)), pattern)


# --- properties over random shapes ---------------------------------------------------------------

def _array(data, min_dims=1, max_dims=4):
    shape = data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4))
    return data.draw(hnp.arrays('float32', shape, elements=st.floats(-3, 3, width=32)))


@PROPERTY
@given(data=st.data())
def test_shape_ops_property(K, data):
    x = _array(data)
    ndim = x.ndim
    axis = data.draw(st.integers(-ndim, ndim - 1))
    check_op(K, 'expand_dims', x, data.draw(st.integers(-ndim - 1, ndim)))
    check_op(K, 'reverse', x, axis)
    check_op(K, 'permute_dimensions', x, tuple(data.draw(st.permutations(range(ndim)))))
    check_op(K, 'repeat_elements', x, data.draw(st.integers(1, 3)), axis)
    check_op(K, 'tile', x, data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=ndim + 1)))
    check_op(K, 'concatenate', [x, x * 2], axis=axis)
    check_op(K, 'stack', [x, x + 1], axis=data.draw(st.integers(-ndim - 1, ndim)))
    check_op(K, 'flatten', x)


@PROPERTY
@given(data=st.data(), interpolation=st.sampled_from(['nearest', 'bilinear']),
       data_format=st.sampled_from(FORMATS))
def test_resize_images_property(K, data, interpolation, data_format):
    spatial = data.draw(st.tuples(st.integers(1, 5), st.integers(1, 5)))
    factors = data.draw(st.tuples(st.integers(1, 6), st.integers(1, 6)))
    x = image(spatial, data_format=data_format, batch=1)
    check_op(K, 'resize_images', x, factors[0], factors[1], data_format=data_format,
             interpolation=interpolation)


@PROPERTY
@given(data=st.data())
def test_slice_property(K, data):
    x = _array(data)
    start = [data.draw(st.integers(0, n - 1)) for n in x.shape]
    size = [data.draw(st.sampled_from([-1, data.draw(st.integers(1, n - b))])) for n, b in zip(x.shape, start)]
    check_op(K, 'slice', x, start, size)


def test_tile_reps_as_numpy_and_tensor(K):
    x = rand(2, 3)
    assert_close(K.eval(K.tile(K.variable(x), np.array([2, 1]))), np.tile(x, [2, 1]))
    assert_close(K.eval(K.tile(K.variable(x), np.int64(3))), np.tile(x, 3))
    reps = K.variable(np.array([1, 2]), dtype='int32')
    assert_close(K.eval(K.tile(K.variable(x), reps)), np.tile(x, [1, 2]))


def test_squeeze_of_a_non_unit_axis_is_refused(K):
    with pytest.raises(ValueError, match='expected axis 1 to have size 1'):
        K.squeeze(K.variable(rand(2, 3)), 1)


@PROPERTY
@given(start=st.integers(-6, 6), stop=st.one_of(st.none(), st.integers(-6, 6)),
       step=st.integers(-3, 3).filter(lambda s: s != 0), dtype=st.sampled_from(['int32', 'int64', 'float32']))
def test_arange_property(K, start, stop, step, dtype):
    check_arange(K, start, stop, step, dtype=dtype)


@PROPERTY
@given(data=st.data(), spatial=st.integers(1, 3), data_format=st.sampled_from(FORMATS))
def test_padding_property(K, data, spatial, data_format):
    pairs = [tuple(data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))) for _ in range(spatial)]
    sizes = data.draw(st.tuples(*[st.integers(1, 3)] * spatial))
    if spatial == 1:
        check_op(K, 'temporal_padding', rand(2, sizes[0], 3), pairs[0])
    else:
        name = 'spatial_%dd_padding' % spatial
        check_op(K, name, image(sizes, data_format=data_format), tuple(pairs), data_format=data_format)


def test_slice_with_tensor_start_and_size(K):
    x = rand(3, 5, 2)
    start = K.variable(np.array([1, 2, 0]), dtype='int32')
    size = K.variable(np.array([2, -1, 1]), dtype='int32')
    assert_close(K.eval(K.slice(K.variable(x), start, size)), x[1:3, 2:, 0:1])


def test_slice_bad_length(K):
    with pytest.raises(ValueError, match='one entry per axis'):
        K.slice(K.variable(rand(3, 5)), [0], [1])


STATIC_SHAPE_CASES = {
    'expand_dims': (lambda K, x: K.expand_dims(x, 1), (None, 1, 3, 4)),
    'tile': (lambda K, x: K.tile(x, (1, 2, 1)), (None, 6, 4)),
    'repeat_elements': (lambda K, x: K.repeat_elements(x, 2, axis=1), (None, 6, 4)),
    'batch_flatten': (lambda K, x: K.batch_flatten(x), (None, 12)),
    'temporal_padding': (lambda K, x: K.temporal_padding(x, (1, 2)), (None, 6, 4)),
    'spatial_2d_padding': (lambda K, x: K.spatial_2d_padding(K.reshape(x, (-1, 3, 2, 2)), ((1, 1), (2, 2))),
                           (None, 5, 6, 2)),
    'gather': (lambda K, x: K.gather(K.variable(np.zeros((5, 3))), K.placeholder((None, 2), dtype='int32')),
               (None, 2, 3)),
    'repeat': (lambda K, x: K.repeat(K.sum(x, axis=1), 5), (None, 5, 4)),
    'reshape': (lambda K, x: K.reshape(x, (-1, 12)), (None, 12)),
    'permute_dimensions': (lambda K, x: K.permute_dimensions(x, (0, 2, 1)), (None, 4, 3)),
    'squeeze': (lambda K, x: K.squeeze(K.expand_dims(x, 2), 2), (None, 3, 4)),
    'concatenate': (lambda K, x: K.concatenate([x, x], axis=1), (None, 6, 4)),
    'stack': (lambda K, x: K.stack([x, x], axis=1), (None, 2, 3, 4)),
    'one_hot': (lambda K, x: K.one_hot(K.placeholder((None, 5), dtype='int32'), 7), (None, 5, 7)),
    'dot': (lambda K, x: K.dot(x, K.variable(np.zeros((4, 2)))), (None, 3, 2)),
    'sum': (lambda K, x: K.sum(x, axis=1), (None, 4)),
    'mean-keepdims': (lambda K, x: K.mean(x, axis=-1, keepdims=True), (None, 3, 1)),
}


@pytest.mark.parametrize('case', sorted(STATIC_SHAPE_CASES))
def test_int_shape_keeps_every_known_dim(K, case):
    # Keras 2.2.4 reads K.int_shape of op results; legacy Theano keeps no static shapes of its own.
    build, expected = STATIC_SHAPE_CASES[case]
    assert tuple(K.int_shape(build(K, K.placeholder(shape=(None, 3, 4))))) == expected
