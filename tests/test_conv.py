"""The conv family against the NumPy oracle (tests/oracle/conv.py), its gradients, and its errors."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kbackend.backend import gaps

import oracle
from harness import assert_close, check_gradient, check_op, rand

FORMATS = ['channels_last', 'channels_first']
PADDINGS = ['valid', 'same']


def image(spatial, channels=3, batch=2, data_format='channels_last', dtype='float32', seed=None):
    shape = ((batch, channels) + tuple(spatial) if data_format == 'channels_first'
             else (batch,) + tuple(spatial) + (channels,))
    return rand(*shape, dtype=dtype, seed=seed if seed is not None else sum(shape))


# Window variants per rank: strides and dilation (never both > 1), unequal across axes where possible.
WINDOWS = {
    1: {'plain': (1, 1), 'strided': (2, 1), 'dilated': (1, 2)},
    2: {'plain': ((1, 1), (1, 1)), 'strided': ((2, 3), (1, 1)), 'dilated': ((1, 1), (2, 1))},
    3: {'plain': ((1, 1, 1), (1, 1, 1)), 'strided': ((2, 1, 2), (1, 1, 1)),
        'dilated': ((1, 1, 1), (2, 1, 1))},
}
SPATIAL = {1: (9,), 2: (7, 8), 3: (5, 4, 6)}
KERNEL = {1: (3,), 2: (3, 2), 3: (2, 3, 2)}


# --- convolutions --------------------------------------------------------------------------------

@pytest.mark.parametrize('window', sorted(WINDOWS[1]))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS + ['causal'])
def test_conv1d(K, padding, data_format, window):
    strides, dilation = WINDOWS[1][window]
    check_op(K, 'conv1d', image(SPATIAL[1], 3, data_format=data_format), rand(3, 3, 4),
             strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation)


@pytest.mark.parametrize('window', sorted(WINDOWS[2]))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_conv2d(K, padding, data_format, window):
    strides, dilation = WINDOWS[2][window]
    check_op(K, 'conv2d', image(SPATIAL[2], 3, data_format=data_format), rand(3, 2, 3, 4),
             strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation)


@pytest.mark.parametrize('window', sorted(WINDOWS[3]))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_conv3d(K, padding, data_format, window):
    strides, dilation = WINDOWS[3][window]
    check_op(K, 'conv3d', image(SPATIAL[3], 2, data_format=data_format), rand(2, 3, 2, 2, 3),
             strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation)


def test_conv2d_with_a_slice_of_a_kernel_variable(K):
    # Keras's ConvLSTM2D convolves with `kernel[:, :, :, :filters]` (each gate's part of one
    # variable); legacy Theano keeps no static shape for the slice, so int_shape infers it.
    x, kernel = image(SPATIAL[2], 3), rand(3, 2, 3, 8)
    part = K.variable(kernel)[:, :, :, 2:6]
    assert K.int_shape(part) == (3, 2, 3, 4)
    out = K.eval(K.conv2d(K.variable(x), part, padding='same'))
    assert_close(out, oracle.conv2d(x, kernel[:, :, :, 2:6], padding='same'))


def test_conv_is_cross_correlation(K):
    """A one-hot kernel at tap 0 shifts the output towards the start: no engine flips the kernel."""
    x = np.arange(6, dtype='float32').reshape(1, 6, 1)
    kernel = np.array([1, 0, 0], dtype='float32').reshape(3, 1, 1)
    out = K.eval(K.conv1d(K.variable(x), K.variable(kernel)))
    np.testing.assert_array_equal(out.ravel(), [0, 1, 2, 3])


def test_conv1d_causal_is_left_padded(K):
    x = rand(1, 6, 2)
    kernel = rand(3, 2, 2)
    causal = K.eval(K.conv1d(K.variable(x), K.variable(kernel), padding='causal', dilation_rate=2))
    padded = np.concatenate([np.zeros((1, 4, 2), 'float32'), x], axis=1)
    expected = oracle.conv1d(padded, kernel, padding='valid', dilation_rate=2)
    np.testing.assert_allclose(causal, expected, rtol=1e-5, atol=1e-6)


def test_data_format_none_follows_image_data_format(K):
    x, kernel = image((5, 4), 2, data_format='channels_first'), rand(2, 2, 2, 3)
    previous = K.image_data_format()
    K.set_image_data_format('channels_first')
    try:
        out = K.eval(K.conv2d(K.variable(x), K.variable(kernel)))
    finally:
        K.set_image_data_format(previous)
    np.testing.assert_allclose(out, oracle.conv2d(x, kernel, data_format='channels_first'),
                               rtol=1e-4, atol=1e-5)


# --- transposed convolutions ---------------------------------------------------------------------

TRANSPOSES_2D = {  # name: (x spatial, output spatial, kernel window, strides, dilation)
    'plain': ((5, 6), (7, 7), (3, 2), (1, 1), (1, 1)),
    'strided': ((3, 3), (7, 8), (3, 2), (2, 3), (1, 1)),
    'dilated': ((3, 5), (7, 8), (3, 2), (1, 1), (2, 3)),
}


def _transpose_case(rank, window, padding, data_format, cases, in_channels=3, out_channels=2):
    x_spatial, out_spatial, kernel, strides, dilation = cases[window]
    if padding == 'same':  # 'same' maps ceil(n / stride) cells back to n
        x_spatial = tuple(-(-n // s) for n, s in zip(out_spatial, strides))
    x = image(x_spatial, in_channels, data_format=data_format)
    output_shape = image(out_spatial, out_channels, data_format=data_format).shape
    return x, rand(*(kernel + (out_channels, in_channels))), output_shape, strides, dilation


@pytest.mark.parametrize('window', sorted(TRANSPOSES_2D))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_conv2d_transpose(K, padding, data_format, window):
    x, kernel, output_shape, strides, dilation = _transpose_case(2, window, padding, data_format,
                                                                  TRANSPOSES_2D)
    check_op(K, 'conv2d_transpose', x, kernel, output_shape=output_shape, strides=strides,
             padding=padding, data_format=data_format, dilation_rate=dilation)


TRANSPOSES_3D = {
    'plain': ((3, 3, 4), (4, 5, 5), (2, 3, 2), (1, 1, 1), None),
    'strided': ((2, 3, 2), (5, 6, 4), (2, 1, 3), (2, 2, 1), None),
}


@pytest.mark.parametrize('window', sorted(TRANSPOSES_3D))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_conv3d_transpose(K, padding, data_format, window):
    x, kernel, output_shape, strides, _ = _transpose_case(3, window, padding, data_format,
                                                           TRANSPOSES_3D)
    check_op(K, 'conv3d_transpose', x, kernel, output_shape=output_shape, strides=strides,
             padding=padding, data_format=data_format)


def test_conv2d_transpose_is_adjoint_of_conv2d(K):
    """<conv2d(y), x> == <y, conv2d_transpose(x)>, computed by the engine alone."""
    y = image((6, 7), 2, batch=1, dtype='float64')
    x = image((3, 3), 3, batch=1, dtype='float64')
    kernel = rand(3, 3, 2, 3, dtype='float64')
    y_, x_, kernel_ = [K.variable(a, dtype='float64') for a in (y, x, kernel)]
    conv = K.eval(K.conv2d(y_, kernel_, strides=(2, 3), padding='same'))
    back = K.eval(K.conv2d_transpose(x_, kernel_, y.shape, strides=(2, 3), padding='same'))
    np.testing.assert_allclose(np.sum(conv * x), np.sum(y * back), rtol=1e-10)


@pytest.mark.parametrize('batch', ['none', 'symbolic'])
def test_conv2d_transpose_unknown_batch(K, batch):
    """The batch of output_shape may be None or, as Keras's Conv2DTranspose passes it, a tensor."""
    x, kernel = image((3, 3), 3), rand(3, 3, 2, 3)
    inp = K.placeholder(shape=(None, 3, 3, 3))
    out = K.conv2d_transpose(inp, K.variable(kernel), (None if batch == 'none' else K.shape(inp)[0], 7, 7, 2),
                             strides=(2, 2))
    result = K.function([inp], [out])([x])[0]
    np.testing.assert_allclose(result, oracle.conv2d_transpose(x, kernel, (2, 7, 7, 2), strides=(2, 2)),
                               rtol=1e-4, atol=1e-5)


UNKNOWN_SPATIAL = {  # name: (function of K and the input tensor, oracle function of the input array)
    'conv2d-same-strided': (
        lambda K, x: K.conv2d(x, K.constant(rand(3, 2, 3, 2)), strides=(2, 3), padding='same'),
        lambda x: oracle.conv2d(x, rand(3, 2, 3, 2), strides=(2, 3), padding='same')),
    'depthwise_conv2d-same-strided': (
        lambda K, x: K.depthwise_conv2d(x, K.constant(rand(3, 2, 3, 2)), strides=(2, 1), padding='same'),
        lambda x: oracle.depthwise_conv2d(x, rand(3, 2, 3, 2), strides=(2, 1), padding='same')),
    'pool2d-avg-same-strided': (
        lambda K, x: K.pool2d(x, (3, 2), strides=(2, 2), padding='same', pool_mode='avg'),
        lambda x: oracle.pool2d(x, (3, 2), strides=(2, 2), padding='same', pool_mode='avg')),
}


@pytest.mark.parametrize('case', sorted(UNKNOWN_SPATIAL))
def test_unknown_spatial_shape(K, case):
    """Spatial sizes known only when the function runs: 'same' padding is computed from them then."""
    fn, expected = UNKNOWN_SPATIAL[case]
    inp = K.placeholder(shape=(None, None, None, 3))
    f = K.function([inp], [fn(K, inp)])
    for spatial in [(7, 8), (4, 5)]:
        x = image(spatial, 3)
        np.testing.assert_allclose(f([x])[0], expected(x), rtol=1e-4, atol=1e-5, err_msg=str(spatial))


# --- depthwise / separable -----------------------------------------------------------------------

@pytest.mark.parametrize('window', sorted(WINDOWS[2]))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_depthwise_conv2d(K, padding, data_format, window):
    strides, dilation = WINDOWS[2][window]
    check_op(K, 'depthwise_conv2d', image(SPATIAL[2], 3, data_format=data_format), rand(3, 2, 3, 2),
             strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation)


@pytest.mark.parametrize('window', sorted(WINDOWS[2]))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_separable_conv2d(K, padding, data_format, window):
    strides, dilation = WINDOWS[2][window]
    check_op(K, 'separable_conv2d', image(SPATIAL[2], 3, data_format=data_format), rand(3, 2, 3, 2),
             rand(1, 1, 6, 4), strides=strides, padding=padding, data_format=data_format,
             dilation_rate=dilation)


@pytest.mark.parametrize('window', sorted(WINDOWS[1]))
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_separable_conv1d(K, padding, data_format, window):
    strides, dilation = WINDOWS[1][window]
    check_op(K, 'separable_conv1d', image(SPATIAL[1], 3, data_format=data_format), rand(3, 3, 2),
             rand(1, 6, 4), strides=strides, padding=padding, data_format=data_format,
             dilation_rate=dilation)


# --- pooling -------------------------------------------------------------------------------------

POOLS = {  # name: (pool_size, strides)
    2: {'overlapping': ((3, 2), (1, 1)), 'strided': ((2, 3), (2, 2))},
    3: {'strided': ((2, 3, 2), (2, 1, 3))},  # overlapping windows: covered in 2-D
}


@pytest.mark.parametrize('window', sorted(POOLS[2]))
@pytest.mark.parametrize('pool_mode', ['max', 'avg'])
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_pool2d(K, padding, data_format, pool_mode, window):
    pool_size, strides = POOLS[2][window]
    check_op(K, 'pool2d', image(SPATIAL[2], 3, data_format=data_format), pool_size=pool_size,
             strides=strides, padding=padding, data_format=data_format, pool_mode=pool_mode)


@pytest.mark.parametrize('window', sorted(POOLS[3]))
@pytest.mark.parametrize('pool_mode', ['max', 'avg'])
@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('padding', PADDINGS)
def test_pool3d(K, padding, data_format, pool_mode, window):
    pool_size, strides = POOLS[3][window]
    check_op(K, 'pool3d', image(SPATIAL[3], 2, data_format=data_format), pool_size=pool_size,
             strides=strides, padding=padding, data_format=data_format, pool_mode=pool_mode)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_pool3d_dtypes(K, dtype):
    check_op(K, 'pool3d', image(SPATIAL[3], 2, dtype=dtype), pool_size=(2, 2, 2), strides=(2, 2, 2),
             padding='same', pool_mode='avg')


# --- locally connected ---------------------------------------------------------------------------

@pytest.mark.parametrize('data_format', FORMATS)
def test_local_conv1d(K, data_format):
    x = image((8,), 3, data_format=data_format)
    out_len = (8 - 3) // 2 + 1
    check_op(K, 'local_conv1d', x, rand(out_len, 3 * 3, 4), kernel_size=(3,), strides=(2,),
             data_format=data_format)


@pytest.mark.parametrize('data_format', FORMATS)
def test_local_conv2d(K, data_format):
    x = image((6, 5), 2, data_format=data_format)
    out_shape = ((6 - 3) // 1 + 1, (5 - 2) // 2 + 1)
    check_op(K, 'local_conv2d', x, rand(out_shape[0] * out_shape[1], 3 * 2 * 2, 4), kernel_size=(3, 2),
             strides=(1, 2), output_shape=out_shape, data_format=data_format)


# --- random shapes (hypothesis): one graph per engine and case, fed inputs of random sizes ---------

RANDOM_CASES = {  # name: (K function name, the kernel's shape or None, keyword arguments)
    'conv2d-same-strided-channels_first': (
        'conv2d', (3, 2, 3, 2), dict(strides=(2, 3), padding='same', data_format='channels_first')),
    'conv2d-valid-dilated': ('conv2d', (2, 3, 3, 2), dict(dilation_rate=(2, 1))),
    'depthwise_conv2d-same-strided': ('depthwise_conv2d', (3, 3, 3, 2), dict(strides=(1, 2), padding='same')),
    'pool2d-avg-same-strided': ('pool2d', None, dict(pool_size=(3, 2), strides=(2, 2), padding='same',
                                                     pool_mode='avg')),
    'pool2d-max-valid': ('pool2d', None, dict(pool_size=(2, 3), strides=(1, 2))),
}
_RANDOM_GRAPHS = {}


def random_case_graph(K, case):
    key = (K.backend(), case)
    if key not in _RANDOM_GRAPHS:
        name, kernel_shape, kwargs = RANDOM_CASES[case]
        inputs = [K.placeholder(ndim=4)] + ([K.placeholder(shape=kernel_shape)] if kernel_shape else [])
        _RANDOM_GRAPHS[key] = K.function(inputs, [getattr(K, name)(*inputs, **kwargs)])
    return _RANDOM_GRAPHS[key]


@pytest.mark.parametrize('case', sorted(RANDOM_CASES))
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_input_sizes(K, case, data):
    name, kernel_shape, kwargs = RANDOM_CASES[case]
    spatial = (data.draw(st.integers(4, 9)), data.draw(st.integers(4, 9)))
    x = image(spatial, 3, batch=data.draw(st.integers(1, 3)), data_format=kwargs.get('data_format'),
              seed=data.draw(st.integers(0, 1000)))
    arrays = [x] + ([rand(*kernel_shape, seed=data.draw(st.integers(0, 1000)))] if kernel_shape else [])
    assert_close(random_case_graph(K, case)(arrays)[0], getattr(oracle, name)(*arrays, **kwargs),
                 msg='%s %s' % (case, x.shape))


# --- gradients (float64, finite differences) -----------------------------------------------------

GRADIENTS = {  # name: (function of K and tensors, input arrays)
    'conv1d-causal-dilated': (
        lambda K, x, k: K.conv1d(x, k, padding='causal', dilation_rate=2),
        (image((6,), 2, batch=1), rand(2, 2, 3))),
    'conv1d-same-strided-channels_first': (
        lambda K, x, k: K.conv1d(x, k, strides=2, padding='same', data_format='channels_first'),
        (image((7,), 2, batch=1, data_format='channels_first'), rand(3, 2, 2))),
    'conv2d-same-strided': (
        lambda K, x, k: K.conv2d(x, k, strides=(2, 1), padding='same'),
        (image((5, 4), 2, batch=1), rand(3, 2, 2, 2))),
    'conv2d-valid-dilated-channels_first': (
        lambda K, x, k: K.conv2d(x, k, dilation_rate=(2, 1), data_format='channels_first'),
        (image((5, 4), 2, batch=1, data_format='channels_first'), rand(2, 2, 2, 2))),
    'conv3d-same-strided': (
        lambda K, x, k: K.conv3d(x, k, strides=(2, 1, 2), padding='same'),
        (image((3, 3, 4), 2, batch=1), rand(2, 2, 2, 2, 2))),
    'conv2d_transpose-same-strided': (
        lambda K, x, k: K.conv2d_transpose(x, k, (1, 5, 6, 2), strides=(2, 3), padding='same'),
        (image((3, 2), 2, batch=1), rand(3, 2, 2, 2))),
    'conv2d_transpose-valid-dilated-channels_first': (
        lambda K, x, k: K.conv2d_transpose(x, k, (1, 2, 5, 5), dilation_rate=(2, 1),
                                           data_format='channels_first'),
        (image((3, 4), 2, batch=1, data_format='channels_first'), rand(2, 2, 2, 2))),
    'conv3d_transpose-valid-strided': (
        lambda K, x, k: K.conv3d_transpose(x, k, (1, 4, 3, 5, 2), strides=(2, 1, 2)),
        (image((2, 2, 2), 2, batch=1), rand(2, 2, 2, 2, 2))),
    'depthwise_conv2d-same-strided-channels_first': (
        lambda K, x, k: K.depthwise_conv2d(x, k, strides=(2, 1), padding='same',
                                           data_format='channels_first'),
        (image((4, 3), 2, batch=1, data_format='channels_first'), rand(2, 3, 2, 2))),
    'separable_conv2d-valid-dilated': (
        lambda K, x, d, p: K.separable_conv2d(x, d, p, dilation_rate=(1, 2)),
        (image((4, 5), 2, batch=1), rand(2, 2, 2, 2), rand(1, 1, 4, 3))),
    'separable_conv1d-same-strided': (
        lambda K, x, d, p: K.separable_conv1d(x, d, p, strides=2, padding='same'),
        (image((5,), 2, batch=1), rand(3, 2, 2), rand(1, 4, 3))),
    'pool2d-max-same-strided': (
        lambda K, x: K.pool2d(x, (2, 3), strides=(2, 2), padding='same'),
        (image((5, 5), 2, batch=1),)),
    'pool2d-avg-same-channels_first': (
        lambda K, x: K.pool2d(x, (3, 2), padding='same', pool_mode='avg',
                              data_format='channels_first'),
        (image((4, 3), 2, batch=1, data_format='channels_first'),)),
    'pool3d-max-valid': (
        lambda K, x: K.pool3d(x, (2, 2, 2), strides=(1, 2, 1)),
        (image((3, 4, 3), 2, batch=1),)),
    'pool3d-avg-same-strided': (
        lambda K, x: K.pool3d(x, (2, 3, 2), strides=(2, 2, 1), padding='same', pool_mode='avg'),
        (image((3, 4, 3), 1, batch=1),)),
    'local_conv1d': (
        lambda K, x, k: K.local_conv1d(x, k, (2,), (2,)),
        (image((5,), 2, batch=2), rand(2, 4, 3))),
    'local_conv2d-channels_first': (
        lambda K, x, k: K.local_conv2d(x, k, (2, 2), (1, 2), (2, 2), data_format='channels_first'),
        (image((3, 4), 2, batch=1, data_format='channels_first'), rand(4, 8, 2))),
}


@pytest.mark.parametrize('case', sorted(GRADIENTS))
def test_gradient(K, case):
    fn, arrays = GRADIENTS[case]
    check_gradient(K, lambda *tensors: fn(K, *tensors), *arrays)


def test_max_pool_gradient_with_ties_goes_to_the_first_cell(K):
    """A window of equal values passes its gradient to its first cell only, as TensorFlow does."""
    x = K.placeholder(shape=(1, 2, 4, 1))
    y = K.pool2d(x, (2, 2), strides=(2, 2))
    grad = K.function([x], K.gradients(K.sum(y * K.constant(np.array([2., 3.]).reshape(1, 1, 2, 1))),
                                       [x]))([np.ones((1, 2, 4, 1), 'float32')])[0]
    np.testing.assert_array_equal(grad.ravel(), [2, 0, 3, 0, 0, 0, 0, 0])


SECOND_ORDER = {  # name: (function of K and tensors whose output is a gradient, input arrays)
    'conv2d-same-strided': (
        lambda K, x, k: K.gradients(K.sum(K.square(K.conv2d(x, k, strides=(2, 1), padding='same'))),
                                    [x])[0],
        (image((4, 3), 2, batch=1), rand(2, 2, 2, 2))),
    'conv2d_transpose-same-strided': (
        lambda K, x, k: K.gradients(K.sum(K.square(K.conv2d_transpose(
            x, k, (1, 4, 5, 2), strides=(2, 2), padding='same'))), [k])[0],
        (image((2, 3), 2, batch=1), rand(3, 2, 2, 2))),
    'depthwise_conv2d-valid': (
        lambda K, x, k: K.gradients(K.sum(K.square(K.depthwise_conv2d(x, k))), [k])[0],
        (image((4, 4), 2, batch=1), rand(2, 2, 2, 2))),
    'pool2d-max-same-strided': (
        lambda K, x: K.gradients(K.sum(K.square(K.pool2d(x, (2, 2), strides=(2, 1), padding='same'))),
                                 [x])[0],
        (image((4, 5), 2, batch=1),)),
    'pool2d-avg-same': (
        lambda K, x: K.gradients(K.sum(K.square(K.pool2d(x, (3, 2), padding='same', pool_mode='avg'))),
                                 [x])[0],
        (image((4, 3), 2, batch=1),)),
}


@pytest.mark.parametrize('case', sorted(SECOND_ORDER))
def test_second_order_gradient(K, case):
    """The gradient of a gradient (a Keras gradient penalty, Hessian-vector products) matches finite
    differences of the first gradient."""
    fn, arrays = SECOND_ORDER[case]
    if gaps.limit(K.backend(), 'gradients'):  # a listed limit (CNTK: no double backpropagation)
        with pytest.raises(NotImplementedError, match='second-order'):
            check_gradient(K, lambda *tensors: fn(K, *tensors), *arrays)
        return
    check_gradient(K, lambda *tensors: fn(K, *tensors), *arrays)


# --- the Theano engines' C kernels against their NumPy implementation ------------------------------

def _window_case(seed, rank):
    """A random window geometry of `rank` spatial axes: (window, strides, dilation, before, outs, ins)."""
    r = np.random.RandomState(seed)
    window = tuple(int(v) for v in r.randint(1, 4, size=rank))
    strides = tuple(int(v) for v in r.randint(1, 4, size=rank))
    dilation = tuple(int(v) for v in r.randint(1, 3, size=rank))
    ins = tuple(int(v) for v in r.randint(3, 8, size=rank))
    before = tuple(int(r.randint(0, (k - 1) * d + 1)) for k, d in zip(window, dilation))
    after = tuple(int(r.randint(0, (k - 1) * d + 1)) for k, d in zip(window, dilation))
    outs = tuple(max((n + b + a - ((k - 1) * d + 1)) // s + 1, 1)
                 for n, b, a, k, s, d in zip(ins, before, after, window, strides, dilation))
    return window, strides, dilation, before, outs, ins


def test_theano_c_kernels_match_numpy(K):
    """The conv Ops' C code (the engines' default C linker; the suite itself runs the Python
    linker) gives what their NumPy code gives: random geometries with padding on either side,
    strides, dilation, ranks 1-3, strided (transposed) inputs, a geometry known only at run time."""
    if K.backend() != 'theano':
        pytest.skip('the C kernels belong to the Theano engines')
    from kbackend.backend.theano import _conv_ops as ops
    engine = ops.theano
    c_mode = engine.compile.mode.Mode(linker='cvm', optimizer=None)
    py_mode = engine.compile.mode.Mode(linker='py', optimizer=None)
    T = ops.T
    for seed, rank, dtype in [(0, 2, 'float32'), (1, 2, 'float32'), (2, 1, 'float64'), (3, 3, 'float32'),
                              ('chunks', 2, 'float32')]:
        if seed == 'chunks':  # patches of several MB: Corr works on a few images at a time
            seed, window, strides, dilation, before, outs, ins = 4, (3, 3), (1, 1), (1, 1), (1, 1), \
                (32, 32), (32, 32)
            channels, batch = 24, 9
        else:
            window, strides, dilation, before, outs, ins = _window_case(seed, rank)
            channels, batch = 3, 2
        taps, mult = int(np.prod(window)), 2
        g = np.asarray(ops.geometry(window, strides, dilation, before, outs, ins).data)
        x = rand(*((batch,) + ins + (channels,)), dtype=dtype, seed=seed)
        pooled = rand(*((batch,) + outs + (channels,)), dtype=dtype, seed=seed + 2)
        k = rand(taps, channels, mult, dtype=dtype, seed=seed + 3)
        w = rand(taps * channels, channels * mult, dtype=dtype, seed=seed + 5)
        gy = rand(*((batch,) + outs + (channels * mult,)), dtype=dtype, seed=seed + 4)
        k1, k3 = np.ascontiguousarray(k[..., :1]), rand(taps, channels, 3, dtype=dtype, seed=seed + 6)
        gy1 = np.ascontiguousarray(gy[..., :channels])
        gy3 = rand(*((batch,) + outs + (channels * 3,)), dtype=dtype, seed=seed + 7)
        # x reversed on its channel axis and transposed: a view with negative / non-unit strides
        x_view = np.ascontiguousarray(np.moveaxis(x[..., ::-1], -1, 1))
        nd = rank + 2

        def tensor(name):
            return T.TensorType(dtype, (False,) * nd)(name)
        tx, tv, tp, ty, tk = [tensor(n) for n in 'xvpy'] + [T.TensorType(dtype, (False,) * 3)('k')]
        tg = T.vector('g', dtype='int64')
        tw = T.matrix('w', dtype=dtype)
        t_first = T.TensorType(dtype, (False,) * nd)('xf')
        x_last = t_first.dimshuffle([0] + list(range(2, nd)) + [1])[..., ::-1]  # strided x
        cases = [
            ('window_max', [tx, tg], lambda: ops.window_max(tx, tx, tg), [x, g]),
            ('window_max-strided', [t_first, tg], lambda: ops.window_max(x_last, x_last, tg), [x_view, g]),
            ('window_max-v', [tx, tv, tg], lambda: ops.window_max(tx, tv, tg), [x, x[::-1].copy(), g]),
            ('window_max_grad', [tx, tp, tg], lambda: ops.window_max_grad(tx, tp, tg), [x, pooled, g]),
            ('window_avg', [tx, tg], lambda: ops.window_avg(tx, tg), [x, g]),
            ('window_avg_grad', [tp, tg], lambda: ops.window_avg_grad(tp, tg), [pooled, g]),
            ('depthwise', [tx, tk, tg], lambda: ops.depthwise(tx, tk, tg), [x, k, g]),
            ('depthwise-mult1', [tx, tk, tg], lambda: ops.depthwise(tx, tk[..., :1], tg), [x, k, g]),
            ('depthwise_grad_input', [ty, tk, tg], lambda: ops.depthwise_grad_input(ty, tk, tg),
             [gy, k, g]),
            ('depthwise_grad_kernel', [tx, ty, tg], lambda: ops.depthwise_grad_kernel(tx, ty, tg),
             [x, gy, g]),
            # the depthwise fast paths (dense kernel and gy) for multipliers 1, 2 and 3, and the generic
            # loops for a strided x, kernel or gy
            ('depthwise-mult1-dense', [tx, tk, tg], lambda: ops.depthwise(tx, tk, tg), [x, k1, g]),
            ('depthwise-mult3', [tx, tk, tg], lambda: ops.depthwise(tx, tk, tg), [x, k3, g]),
            ('depthwise-strided', [t_first, tk, tg], lambda: ops.depthwise(x_last, tk, tg), [x_view, k, g]),
            ('depthwise-kernel-strided', [tx, tk, tg], lambda: ops.depthwise(tx, tk[:, :, ::-1], tg),
             [x, k, g]),
            ('depthwise_grad_input-mult1', [ty, tk, tg], lambda: ops.depthwise_grad_input(ty, tk, tg),
             [gy1, k1, g]),
            ('depthwise_grad_input-mult3', [ty, tk, tg], lambda: ops.depthwise_grad_input(ty, tk, tg),
             [gy3, k3, g]),
            ('depthwise_grad_input-strided', [ty, tk, tg],
             lambda: ops.depthwise_grad_input(ty[..., ::-1], tk, tg), [gy, k, g]),
            ('depthwise_grad_kernel-mult1', [tx, ty, tg], lambda: ops.depthwise_grad_kernel(tx, ty, tg),
             [x, gy1, g]),
            ('depthwise_grad_kernel-mult3', [tx, ty, tg], lambda: ops.depthwise_grad_kernel(tx, ty, tg),
             [x, gy3, g]),
            ('depthwise_grad_kernel-strided', [t_first, ty, tg],
             lambda: ops.depthwise_grad_kernel(x_last, ty, tg), [x_view, gy, g]),
            ('depthwise_grad_kernel-gy-strided', [tx, ty, tg],
             lambda: ops.depthwise_grad_kernel(tx, ty[..., ::-1], tg), [x, gy, g]),
            ('corr', [tx, tw, tg], lambda: ops.corr(tx, tw, tg), [x, w, g]),
            ('corr-strided', [t_first, tw, tg], lambda: ops.corr(x_last, tw.T.T, tg), [x_view, w, g]),
            ('corr_grad_input', [ty, tw, tg], lambda: ops.corr_grad_input(ty, tw, tg), [gy, w, g]),
            ('corr_grad_kernel', [tx, ty, tg], lambda: ops.corr_grad_kernel(tx, ty, tg), [x, gy, g]),
        ]
        if seed == 0:  # x holding ties: the first largest cell of each window wins, in both
            x_ties = np.round(x * 2).astype(dtype)
            cases.append(('window_max_grad-ties', [tx, tp, tg], lambda: ops.window_max_grad(tx, tp, tg),
                          [x_ties, pooled, g]))
        for name, inputs, build, values in cases:
            out = build()
            c_function = engine.function(inputs, out, mode=c_mode)
            got = c_function(*values)
            expected = engine.function(inputs, out, mode=py_mode)(*values)
            assert got.shape == expected.shape, (name, seed)
            # a node reuses its output array between calls only when nobody holds it: not this one
            kept = got.copy()
            c_function(*[v * 2 if v.dtype.kind == 'f' else v for v in values])
            np.testing.assert_array_equal(got, kept, err_msg='%s: a held result was overwritten' % name)
            # sums of up to thousands of products in another order: atol scaled by the largest entry
            atol = (1e-5 if dtype == 'float32' else 1e-12) * max(1.0, float(np.abs(expected).max()))
            assert_close(got, expected, dtype, atol=atol, msg='%s, seed %d, rank %d' % (name, seed, rank))


def test_theano_c_kernels_refuse_a_geometry_without_positive_strides(K):
    """The C kernels divide by the strides: a geometry whose stride or dilation is not positive is a
    ValueError naming it, never a crash (kbackend's own geometries always have positive ones)."""
    if K.backend() != 'theano':
        pytest.skip('the C kernels belong to the Theano engines')
    from kbackend.backend.theano import _conv_ops as ops
    engine = ops.theano
    c_mode = engine.compile.mode.Mode(linker='cvm', optimizer=None)
    tx, tk, tg = ops.T.tensor4('x'), ops.T.tensor3('k'), ops.T.vector('g', dtype='int64')
    x, k = rand(1, 4, 4, 2), rand(9, 2, 2)
    f = engine.function([tx, tk, tg], ops.depthwise(tx, tk, tg), mode=c_mode)
    for strides, dilation in [((1, 0), (1, 1)), ((1, 1), (0, 1))]:
        g = np.asarray(ops.geometry((3, 3), strides, dilation, (1, 1), (4, 4), (4, 4)).data)
        with pytest.raises(ValueError, match='strides and dilations must be positive'):
            f(x.astype(tx.dtype), k.astype(tk.dtype), g)


# --- errors --------------------------------------------------------------------------------------

X2 = image((5, 5), 3, batch=1)
CALLS = {  # name: a valid call of each function, as (fn, args, kwargs)
    'conv1d': ('conv1d', (image((5,), 3, batch=1), rand(2, 3, 2)), {}),
    'conv2d': ('conv2d', (X2, rand(2, 2, 3, 2)), {}),
    'conv3d': ('conv3d', (image((3, 3, 3), 3, batch=1), rand(2, 2, 2, 3, 2)), {}),
    'conv2d_transpose': ('conv2d_transpose', (image((4, 4), 3, batch=1), rand(2, 2, 2, 3)),
                         {'output_shape': (1, 5, 5, 2)}),
    'conv3d_transpose': ('conv3d_transpose', (image((2, 2, 2), 3, batch=1), rand(2, 2, 2, 2, 3)),
                         {'output_shape': (1, 3, 3, 3, 2)}),
    'depthwise_conv2d': ('depthwise_conv2d', (X2, rand(2, 2, 3, 2)), {}),
    'separable_conv2d': ('separable_conv2d', (X2, rand(2, 2, 3, 2), rand(1, 1, 6, 2)), {}),
    'separable_conv1d': ('separable_conv1d', (image((5,), 3, batch=1), rand(2, 3, 2), rand(1, 6, 2)),
                         {}),
    'pool2d': ('pool2d', (X2,), {'pool_size': (2, 2)}),
    'pool3d': ('pool3d', (image((3, 3, 3), 3, batch=1),), {'pool_size': (2, 2, 2)}),
}


def _call(K, name, **overrides):
    fn, args, kwargs = CALLS[name]
    kwargs = dict(kwargs, **overrides)
    return getattr(K, fn)(*[K.variable(a) for a in args], **kwargs)


@pytest.mark.parametrize('name', sorted(CALLS))
def test_valid_calls_match_oracle(K, name):
    fn, args, kwargs = CALLS[name]
    check_op(K, fn, *args, **kwargs)


@pytest.mark.parametrize('data_format', FORMATS)
@pytest.mark.parametrize('name', sorted(CALLS))
def test_static_output_shape(K, name, data_format):
    """K.int_shape of the output is known from the inputs' static shapes and is the computed one."""
    fn, args, kwargs = CALLS[name]
    if data_format == 'channels_first':  # the same arrays read channels-first: move x's channels
        args = (np.moveaxis(args[0], -1, 1),) + args[1:]
        if 'output_shape' in kwargs:
            shape = kwargs['output_shape']
            kwargs = dict(kwargs, output_shape=(shape[0], shape[-1]) + tuple(shape[1:-1]))
    out = getattr(K, fn)(*[K.variable(a) for a in args], data_format=data_format, **kwargs)
    expected = getattr(oracle, fn)(*args, data_format=data_format, **kwargs).shape
    assert tuple(K.int_shape(out)) == expected
    assert K.eval(out).shape == expected


@pytest.mark.parametrize('name', sorted(CALLS))
def test_bad_data_format(K, name):
    with pytest.raises(ValueError, match="data_format.*'channels_middle'"):
        _call(K, name, data_format='channels_middle')


@pytest.mark.parametrize('name', sorted(CALLS))
def test_bad_padding(K, name):
    with pytest.raises(ValueError, match="padding: 'full'; expected one of 'valid', 'same'"):
        _call(K, name, padding='full')


@pytest.mark.parametrize('name', ['conv2d', 'conv3d', 'depthwise_conv2d', 'separable_conv1d'])
def test_causal_only_for_conv1d(K, name):
    with pytest.raises(ValueError, match="padding: 'causal'"):
        _call(K, name, padding='causal')


@pytest.mark.parametrize('name', ['pool2d', 'pool3d'])
def test_bad_pool_mode(K, name):
    with pytest.raises(ValueError, match="pool_mode: 'sum'; expected one of 'max', 'avg'"):
        _call(K, name, pool_mode='sum')


@pytest.mark.parametrize('name', ['conv2d', 'pool2d', 'depthwise_conv2d'])
def test_bad_strides(K, name):
    with pytest.raises(ValueError, match=r'strides: \(1, 1, 1\); expected 2 positive ints'):
        _call(K, name, strides=(1, 1, 1))
    with pytest.raises(ValueError, match=r'strides: \(0, 1\)'):
        _call(K, name, strides=(0, 1))


@pytest.mark.parametrize('name', ['conv1d', 'conv2d', 'conv3d', 'depthwise_conv2d', 'separable_conv2d'])
def test_strides_with_dilation(K, name):
    with pytest.raises(ValueError, match='strides > 1 cannot be combined with dilation_rate > 1'):
        _call(K, name, strides=2, dilation_rate=2)


def test_input_rank(K):
    with pytest.raises(ValueError, match=r'conv2d: expected the input to be 4-D .*received a 3-D'):
        K.conv2d(K.variable(rand(1, 5, 3)), K.variable(rand(2, 2, 3, 2)))
    with pytest.raises(ValueError, match=r'pool3d: expected the input to be 5-D'):
        K.pool3d(K.variable(X2), (2, 2, 2))


def test_kernel_rank(K):
    with pytest.raises(ValueError, match=r'conv2d: expected the kernel to be 4-D .*received a 3-D'):
        K.conv2d(K.variable(X2), K.variable(rand(2, 3, 2)))
    with pytest.raises(ValueError, match=r'separable_conv2d: expected the pointwise kernel to be 4-D'):
        K.separable_conv2d(K.variable(X2), K.variable(rand(2, 2, 3, 2)), K.variable(rand(6, 2)))


def test_channel_mismatch(K):
    with pytest.raises(ValueError, match=r"conv2d: the kernel's input channels .*expected 3; received 4"):
        K.conv2d(K.variable(X2), K.variable(rand(2, 2, 4, 2)))
    with pytest.raises(ValueError, match=r"conv2d: the kernel's input channels .*expected 5; received 3"):
        K.conv2d(K.variable(X2), K.variable(rand(2, 2, 3, 2)), data_format='channels_first')
    with pytest.raises(ValueError, match=r"depthwise_conv2d: the depthwise kernel's input channels"):
        K.depthwise_conv2d(K.variable(X2), K.variable(rand(2, 2, 2, 2)))
    with pytest.raises(ValueError, match=r"separable_conv2d: the pointwise kernel's input channels .*"
                                         r"expected 6; received 4"):
        K.separable_conv2d(K.variable(X2), K.variable(rand(2, 2, 3, 2)), K.variable(rand(1, 1, 4, 2)))
    with pytest.raises(ValueError, match=r"conv2d_transpose: the kernel's input channels"):
        K.conv2d_transpose(K.variable(X2), K.variable(rand(2, 2, 2, 4)), (1, 6, 6, 2))


def test_window_larger_than_input(K):
    with pytest.raises(ValueError, match=r"conv2d: with padding 'valid' .*\(6, 6\)"):
        K.conv2d(K.variable(X2), K.variable(rand(6, 6, 3, 2)))
    with pytest.raises(ValueError, match=r"pool2d: with padding 'valid'"):
        K.pool2d(K.variable(X2), (2, 7))


def test_transpose_output_shape(K):
    x, kernel = K.variable(image((4, 4), 3, batch=1)), K.variable(rand(2, 2, 2, 3))
    with pytest.raises(ValueError, match=r'conv2d_transpose: output_shape \(1, 6, 6, 2\) does not match'):
        K.conv2d_transpose(x, kernel, (1, 6, 6, 2))
    with pytest.raises(ValueError, match=r'conv2d_transpose: expected output_shape to be a tuple of 4'):
        K.conv2d_transpose(x, kernel, (5, 5, 2))
    with pytest.raises(ValueError, match=r"output channels .*expected 3; received 2"):
        K.conv2d_transpose(x, kernel, (1, 5, 5, 3))


def test_integer_input(K):
    with pytest.raises(ValueError, match=r'conv2d: expected x to have a float dtype; received int32'):
        K.conv2d(K.variable(X2.astype('int32'), dtype='int32'), K.variable(rand(2, 2, 3, 2)))
    with pytest.raises(ValueError, match=r'pool2d: expected x to have a float dtype; received int32'):
        K.pool2d(K.variable(X2.astype('int32'), dtype='int32'), (2, 2))


def test_mixed_float_dtypes(K):
    with pytest.raises(ValueError, match=r'conv2d: expected kernel and x to have the same dtype; received '
                                         r'kernel=float64, x=float32'):
        K.conv2d(K.variable(X2), K.variable(rand(2, 2, 3, 2), dtype='float64'))


def test_numpy_inputs(K):
    """NumPy arrays are accepted as x and kernel; a NumPy kernel takes x's dtype."""
    kernel = rand(2, 2, 3, 2).astype('float64')
    out = K.conv2d(K.variable(X2), kernel, padding='same')
    assert K.dtype(out) == 'float32'
    np.testing.assert_allclose(K.eval(out), oracle.conv2d(X2, kernel, padding='same'), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(K.eval(K.pool2d(X2, (2, 2))), oracle.pool2d(X2, (2, 2)), rtol=1e-6)
