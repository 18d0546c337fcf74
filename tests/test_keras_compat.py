"""What Keras-2 code (and Keras 2.2.4's own backend tests) reads from K beyond the contract functions,
on every engine: the module names Keras's backends leaked (`K.tf`, `K.dev`, `th_sparse_module`),
`K._BACKEND`, a dtype error that is both a ValueError (kbackend's contract) and a TypeError (what
TensorFlow and Keras's tests expect), TensorFlow's string placeholders, `_keras_shape` on
`repeat_elements`, and Theano's batch-normalisation modes (in test_nn)."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from harness import assert_close


def test_backend_name_as_keras_recorded_it(K):
    assert K._BACKEND == K.backend()


def test_leaked_engine_names(K):
    engine = K.backend()
    if engine == 'tensorflow':
        assert K.tf.__name__ == 'tensorflow' and K.tf.float32.name == 'float32'
    elif engine == 'theano':
        assert K.th_sparse_module.__name__.endswith('.sparse')  # Keras's tests: `if KTH.th_sparse_module`
        assert callable(K.th_sparse_module.csr_matrix)
        assert K.T.__name__.endswith('.tensor') and K.theano.__name__ in ('pytensor', 'theano')
    else:
        assert K.dev.type() == 0  # the CPU: Keras's tests skip GPU-only cases with `K.dev.type() == 0`
        assert K.C.__version__.startswith('2.7')
    with pytest.raises(AttributeError, match='no attribute'):
        K.no_such_name


def test_legacy_names_through_the_package(K):
    # `from kbackend import backend as K` made in a fresh process with KERAS_BACKEND naming the engine.
    name = {'tensorflow': 'tf', 'theano': 'th_sparse_module', 'cntk': 'dev'}[K.backend()]
    code = ('from kbackend import backend as K\n'
            'assert K.%s is not None\n'
            'try:\n    K.no_such_name\n'
            'except AttributeError as e:\n    print(e)\n' % name)
    env = dict(os.environ, KERAS_BACKEND=K.backend())
    out = subprocess.run([sys.executable, '-c', code], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "module 'kbackend.backend' has no attribute 'no_such_name'" in out.stdout


@pytest.mark.parametrize('fn', ['variable', 'placeholder', 'cast', 'zeros'])
def test_unknown_dtype_is_a_value_error_and_a_type_error(K, fn):
    call = {'variable': lambda: K.variable(0., dtype='unsupported'),
            'placeholder': lambda: K.placeholder(shape=(2,), dtype='unsupported'),
            'cast': lambda: K.cast(K.variable(1.), 'unsupported'),
            'zeros': lambda: K.zeros((2,), dtype='unsupported')}[fn]
    with pytest.raises(TypeError, match="expected a dtype among .*received 'unsupported'") as info:
        call()
    assert isinstance(info.value, ValueError)


def test_string_placeholder(K):
    if K.backend() != 'tensorflow':
        with pytest.raises(ValueError, match="received 'string'"):
            K.placeholder(shape=(), dtype='string')
        return
    x = K.placeholder(shape=(None,), dtype='string')
    f = K.function([x], [K.identity(x)])
    assert list(f([[b'ab', 'c']])[0]) == [b'ab', b'c']
    scalar = K.placeholder(shape=(), dtype='string')
    assert K.function([scalar], [K.identity(scalar)])([b'test']) == [b'test']
    with pytest.raises(ValueError, match='dtype string .*not strings'):
        f([np.array([1.5])])
    with pytest.raises(ValueError, match="expected a dtype among"):
        K.variable(np.array([1.]), dtype='string')  # strings are for placeholders only


@pytest.mark.parametrize('axis', [0, 1])
def test_repeat_elements_records_its_keras_shape(K, axis):
    if K.backend() == 'cntk':
        pytest.skip('CNTK keeps the batch axis dynamic; Keras 2.2.4 did not check it there either')
    shape = [2, 3]
    shape[axis] = None
    x = K.placeholder(shape=tuple(shape))
    y = K.repeat_elements(x, 2, axis=axis)
    assert y._keras_shape == tuple(shape) == K.int_shape(y)
    value = np.arange(6, dtype='float32').reshape(2, 3)
    assert_close(K.function([x], [y])([value])[0], np.repeat(value, 2, axis=axis), 'float32')


def test_legacy_name_table_matches_the_adapter(K):
    from kbackend.backend import loader
    assert sorted(loader.LEGACY_NAMES[K.backend()]) == sorted(K._adapter.LEGACY_NAMES)


def test_legacy_names_in_keras_backend_when_keras_runs_on_kbackend(K, tmp_path):
    # keras.backend copies kbackend's namespace before any engine is imported: stand-ins that look
    # the engine's object up on first use.
    if importlib.util.find_spec('keras') is None:
        pytest.skip('Keras 2.2.4 is a test dependency (scripts/test.sh installs it)')
    name, use = {'tensorflow': ('tf', 'K.tf.float32.name'), 'theano': ('th_sparse_module', 'bool(K.th_sparse_module)'),
                 'cntk': ('dev', 'K.dev.type()')}[K.backend()]
    code = ('from kbackend.compat import keras224\n'
            'keras224.enable()\n'
            'from keras import backend as K\n'
            'print(repr(%s))\n' % use)
    env = dict(os.environ, KERAS_BACKEND='kbackend', KBACKEND_ENGINE=K.backend(), KERAS_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, '-c', code], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == {'tf': "'float32'", 'th_sparse_module': 'True', 'dev': '0'}[name]


@pytest.mark.parametrize('fn,x_shape,k_shape,strides,padding', [
    ('conv2d_transpose', (2, 5, 6, 3), (3, 3, 4, 3), (2, 2), 'valid'),
    ('conv2d_transpose', (2, 5, 6, 3), (3, 2, 4, 3), (2, 1), 'same'),
    ('conv3d_transpose', (2, 3, 4, 2, 3), (2, 3, 2, 4, 3), (2, 2, 1), 'valid'),
], ids=['2d-valid', '2d-same', '3d-valid'])
def test_transposed_conv_output_shape_from_k_shape(K, fn, x_shape, k_shape, strides, padding):
    # Keras 2.2.4's Conv2DTranspose/Conv3DTranspose compute output_shape from K.shape(x) (its
    # deconv_length): tensors, not ints; the engines fold them back to the static sizes.
    rng = np.random.RandomState(0)
    x_value, k_value = rng.rand(*x_shape).astype('float32'), rng.rand(*k_shape).astype('float32')
    x = K.placeholder(shape=(None,) + x_shape[1:])
    s = K.shape(x)
    spatial = []
    for i, (stride, size) in enumerate(zip(strides, k_shape[:-2])):
        spatial.append(s[i + 1] * stride + max(size - stride, 0) if padding == 'valid' else s[i + 1] * stride)
    y = getattr(K, fn)(x, K.variable(k_value), (s[0],) + tuple(spatial) + (k_shape[-2],), strides=strides,
                       padding=padding)
    static = tuple(n * st + max(k - st, 0) if padding == 'valid' else n * st
                   for n, st, k in zip(x_shape[1:-1], strides, k_shape[:-2]))
    assert K.int_shape(y) == (None,) + static + (k_shape[-2],)
    expected = getattr(K, fn)(K.variable(x_value), K.variable(k_value), x_shape[:1] + static + (k_shape[-2],),
                              strides=strides, padding=padding)
    assert_close(K.function([x], [y])([x_value])[0], K.eval(expected), 'float32')


def test_reshape_keeps_the_learning_phase_flag_beside_its_keras_shape(K):
    # Keras 2.2.4 runs a Network on a reshaped tensor (TimeDistributed over a Sequential) and reads
    # `_uses_learning_phase` of every input that has `_keras_shape`.
    x = K.placeholder(shape=(None, 3, 4))
    y = K.reshape(x, (-1, 4))
    if hasattr(y, '_keras_shape'):
        assert y._uses_learning_phase is False
    x._uses_learning_phase = True
    y = K.reshape(x, (-1, 4))
    if hasattr(y, '_keras_shape'):
        assert y._uses_learning_phase is True
    value = np.arange(24, dtype='float32').reshape(2, 3, 4)
    assert_close(K.function([x], [y])([value])[0], value.reshape(-1, 4), 'float32')


@pytest.mark.parametrize('op, oracle', [
    ('*=', lambda a: a * (a >= 0)), ('+=', lambda a: a + (a >= 0)), ('-=', lambda a: a - (a >= 0)),
    ('/=', lambda a: a / ((a >= 0) + 1.)), ('**=', lambda a: a ** 2.)])
def test_inplace_operator_on_a_variable_gives_a_new_tensor(K, op, oracle):
    # Keras 2.2.4's constraints write `w *= K.cast(K.greater_equal(w, 0.), K.floatx())` on a variable:
    # the result is a new tensor and the variable keeps its value (TensorFlow 2 raises there).
    value = np.array([[1.5, -2.], [0.25, -0.5]], dtype='float32')
    v = K.variable(value)
    w = v
    other = {'*=': lambda: K.cast(K.greater_equal(w, 0.), 'float32'),
             '+=': lambda: K.cast(K.greater_equal(w, 0.), 'float32'),
             '-=': lambda: K.cast(K.greater_equal(w, 0.), 'float32'),
             '/=': lambda: K.cast(K.greater_equal(w, 0.), 'float32') + 1.,
             '**=': lambda: 2.}[op]()
    scope = {'w': w, 'other': other}
    exec('w %s other' % op, scope)
    assert scope['w'] is not v
    assert_close(K.eval(scope['w']), oracle(value))
    assert_close(K.get_value(v), value)


def test_variables_are_hashable_and_compare_by_identity(K):
    # Keras 2.2.4 keeps weights in sets (`count_params`) and dicts, and tests `w in weights`.
    v, w = K.variable([1., -2.]), K.variable(1.)
    assert len({v, w, v}) == 2 and {v: 1}[v] == 1
    assert v in [w, v] and v not in [w]
    assert (v == v) is True and (v == w) is False and (v != w) is True


def test_int_shape_keeps_known_sizes_when_keras_overwrites_keras_shape(K):
    # Keras 2.2.4's ConvLSTM2D sets `_keras_shape` on its initial state with sizes computed from the
    # global data format, not the layer's: wrong for a channels_first layer under channels_last.
    # TensorFlow's int_shape never reads it; no engine lets it replace the sizes it knows.
    x = K.placeholder(shape=(1, 2, 5, 5))
    y = K.conv2d(x, K.zeros((3, 3, 2, 2)), data_format='channels_first')
    y._keras_shape = (1, 0, 3, 5)
    assert K.int_shape(y) == (1, 2, 3, 3)
    z = K.conv2d(y, K.ones((3, 3, 2, 1)), data_format='channels_first', padding='same')
    value = np.ones((1, 2, 5, 5), 'float32')
    assert K.function([x], [z])([value])[0].shape == (1, 1, 3, 3)
