"""The core family's error contract on every engine (issue 9 §1): dtypes, placeholder shapes,
K.function's inputs and fed values, gradients, updates and name scopes.

Each bad case raises ValueError (the same class on every engine) whose message names what was
expected and what was received; each accepted conversion gives the exact value.
"""
import importlib
import re

import numpy as np
import pytest

from harness import assert_close

ALLOWED = ('float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16',
           'uint32', 'uint64', 'bool')


def _raises(match_all, fn, *args, **kwargs):
    """Calls fn, which must raise ValueError whose message contains every string of `match_all`."""
    with pytest.raises(ValueError) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    for part in match_all:
        assert part in message, (part, message)
    return message


# --- dtypes ------------------------------------------------------------------------------------------

def _dtype_calls(K):
    p = K.placeholder(shape=(2,))
    return {
        'placeholder': lambda d: K.placeholder(shape=(2,), dtype=d),
        'variable': lambda d: K.variable(np.zeros(2), dtype=d),
        'constant': lambda d: K.constant(1.0, dtype=d),
        'cast': lambda d: K.cast(p, d),
        'zeros': lambda d: K.zeros((2,), dtype=d),
        'ones': lambda d: K.ones((2,), dtype=d),
        'eye': lambda d: K.eye(2, dtype=d),
        'zeros_like': lambda d: K.zeros_like(p, dtype=d),
        'ones_like': lambda d: K.ones_like(p, dtype=d),
    }


DTYPE_FNS = ['placeholder', 'variable', 'constant', 'cast', 'zeros', 'ones', 'eye', 'zeros_like',
             'ones_like']


@pytest.mark.parametrize('fn', DTYPE_FNS)
@pytest.mark.parametrize('bad', ['float33', 'complex64', 'string', 'float', 7], ids=repr)
def test_unknown_dtype(K, fn, bad):
    if (K.backend(), fn, bad) == ('tensorflow', 'placeholder', 'string'):
        # Keras 2.2.4 on TensorFlow allowed string placeholders (see test_keras_compat).
        assert K.dtype(K.placeholder(shape=(2,), dtype=bad)) == 'string'
        return
    message = _raises([repr(bad), 'expected a dtype among'] + list(ALLOWED), _dtype_calls(K)[fn], bad)
    assert message.startswith(fn + ': expected a dtype among'), message


@pytest.mark.parametrize('fn', ['placeholder', 'variable', 'constant', 'zeros', 'ones', 'eye'])
def test_dtype_none_is_floatx(K, fn):
    assert K.dtype(_dtype_calls(K)[fn](None)) == K.floatx()


@pytest.mark.parametrize('fn', ['zeros_like', 'ones_like'])
def test_dtype_none_keeps_the_input_dtype(K, fn):
    x = K.placeholder(shape=(2,), dtype='float64')
    assert K.dtype(getattr(K, fn)(x)) == 'float64'


def test_cast_to_none_is_an_error(K):
    _raises(['cast', 'None', 'expected a dtype among', 'float32'], K.cast, K.placeholder(shape=(2,)), None)


@pytest.mark.parametrize('dtype', [np.float64, np.dtype('int32'), 'int16'], ids=str)
def test_numpy_dtypes_accepted(K, dtype):
    name = np.dtype(dtype).name
    for fn in ('placeholder', 'variable', 'cast', 'zeros'):
        assert K.dtype(_dtype_calls(K)[fn](dtype)) == name


# --- placeholder shapes ------------------------------------------------------------------------------

@pytest.mark.parametrize('kwargs,shown', [({'shape': (-2, 3)}, '(-2, 3)'), ({'shape': (2, 2.5)}, '2.5'),
                                          ({'shape': (None, -1)}, '-1'), ({'ndim': -1}, '-1'),
                                          ({'ndim': 1.5}, '1.5'), ({'shape': 3}, '3')], ids=str)
def test_placeholder_bad_shape(K, kwargs, shown):
    _raises(['placeholder', 'non-negative', shown], K.placeholder, **kwargs)


def test_placeholder_needs_shape_or_ndim(K):
    _raises(['placeholder needs a shape or an ndim', 'neither'], K.placeholder)


# --- K.function inputs -------------------------------------------------------------------------------

@pytest.mark.parametrize('kind', ['variable', 'constant', 'numpy', 'expression'])
def test_function_inputs_must_be_placeholders(K, kind):
    p = K.placeholder(shape=(2,))
    bad = {'variable': lambda: K.variable(np.zeros(2)), 'constant': lambda: K.constant(np.zeros(2)),
           'numpy': lambda: np.zeros(2), 'expression': lambda: p * 2}[kind]()
    expected = {'variable': [], 'constant': [], 'numpy': ['NumPy array', '(2,)'], 'expression': []}[kind]
    _raises(['input 1', 'placeholder', 'received'] + expected, K.function, [p, bad], [p])


def _engine_missing_input_class(K):
    """The engine's own class for a placeholder nothing feeds (kbackend's error is one too)."""
    if K.backend() == 'tensorflow':
        import tensorflow as tf
        return tf.errors.InvalidArgumentError
    if K.backend() == 'theano':
        from kbackend.backend.theano._engine import theano
        module = 'pytensor.graph.utils' if theano.__name__ == 'pytensor' else 'theano.gof.fg'
        return importlib.import_module(module).MissingInputError
    return ValueError


def test_outputs_that_read_an_unfed_placeholder(K):
    """One ValueError on every engine, naming the placeholder: when the function is built (TensorFlow:
    when it runs, since feed_dict may feed it), and from K.eval; still the engine's own class."""
    x, z = K.placeholder(shape=(None, 3), name='given'), K.placeholder(shape=(None, 3), name='unfed')
    y = x * 2 + z
    in_function = ["K.function: expected outputs that depend only on placeholders among its inputs; "
                   "received outputs that also depend on 'unfed", 'which nothing feeds']
    in_eval = ['eval: expected a tensor that needs no fed value; received one that depends on the '
               "placeholder(s) '", 'K.function with them as inputs']
    calls = [(in_function, lambda: K.function([x], [y])([np.ones((2, 3))])),
             (in_function, lambda: K.function([x], K.gradients(K.sum(y * y), [x]))([np.ones((2, 3))])),
             (in_eval, lambda: K.eval(y)),  # both unfed: TensorFlow names the first it meets, either
             (in_eval + ["'unfed"], lambda: K.eval(z))]
    for parts, call in calls:
        with pytest.raises(ValueError) as info:
            call()
        for part in parts:
            assert part in str(info.value), (part, str(info.value))
        assert isinstance(info.value, _engine_missing_input_class(K))
    assert_close(K.function([x, z], [y])([np.ones((2, 3)), np.ones((2, 3))])[0], np.full((2, 3), 3.0))
    _raises(['count_params: expected a tensor whose shape is known without fed values', '(None, 3)',
             "'unfed"], K.count_params, z)


def test_function_accepts_the_learning_phase_as_input(K):
    K.clear_session()
    try:
        x, phase = K.placeholder(shape=(2,)), K.learning_phase()
        f = K.function([x, phase], [x * K.cast(phase, K.dtype(x))])
        assert_close(f([np.ones(2), 1])[0], np.ones(2))
        assert_close(f([np.ones(2), np.array(0)])[0], np.zeros(2))
        _raises(['keras_learning_phase', 'bool', 'received'], f, [np.ones(2), 2])
    finally:
        K.clear_session()


# --- fed values --------------------------------------------------------------------------------------

def _named(K, shape, dtype='float32', name='feedme'):
    p = K.placeholder(shape=shape, dtype=dtype, name=name)
    return p, K.function([p], [K.identity(p)])


@pytest.mark.parametrize('value,received', [
    (np.ones((2, 4)), '(2, 4)'),        # a known dim differs (TensorFlow used to accept this)
    (np.ones(3), '(3,)'),               # the rank differs
    (np.ones((1, 2, 3)), '(1, 2, 3)'),
    (np.ones((2, 3, 1)), '(2, 3, 1)'),
], ids=['dim', 'rank-lower', 'rank-higher', 'trailing-1'])
def test_fed_value_of_wrong_shape(K, value, received):
    _, f = _named(K, (None, 3))
    _raises(['feedme', 'input 0', '(None, 3)', 'float32', received], f, [value])


def test_fed_value_of_wrong_shape_names_the_position(K):
    p, q = K.placeholder(shape=(2,), name='first'), K.placeholder(shape=(2, 2), name='second')
    f = K.function([p, q], [p + q[0]])
    _raises(['second', 'input 1', '(2, 2)', 'received', '(2,)'], f, [np.ones(2), np.ones(2)])


def test_fed_none_is_an_error(K):
    _, f = _named(K, (None, 3))
    _raises(['feedme', '(None, 3)', 'received None'], f, [None])


@pytest.mark.parametrize('value', ['abc', [['a', 'b', 'c']], [1, None, 2]], ids=['str', 'strs', 'object'])
def test_fed_non_numbers(K, value):
    _, f = _named(K, (None, 3))
    _raises(['feedme', 'float32', 'received', 'dtype'], f, [value])


@pytest.mark.parametrize('dtype,value,received', [
    ('int8', np.array([300, 1]), 'outside the range of int8'),
    ('int8', np.array([-129, 1]), 'outside the range of int8'),
    ('uint8', np.array([-1, 1]), 'outside the range of uint8'),
    ('int32', np.array([np.nan, 1.0]), 'NaN'),
    ('int32', np.array([1.5, 1.0]), 'not whole numbers'),
    ('int32', np.array([np.inf, 1.0]), 'outside the range of int32'),
    ('int32', np.array([3e9, 1.0]), 'outside the range of int32'),
    ('int32', np.array([2 ** 40, 1], dtype='int64'), 'outside the range of int32'),
    ('int16', [1.25, 2.0], 'not whole numbers'),
    ('bool', np.array([2, 0]), 'outside the range of bool'),
    ('bool', np.array([0.5, 1.0]), 'not whole numbers'),
], ids=['300-int8', 'minus129-int8', 'minus1-uint8', 'nan-int32', 'frac-int32', 'inf-int32',
        '3e9-int32', 'int64-int32', 'list-frac-int16', '2-bool', 'half-bool'])
def test_fed_value_does_not_fit_an_int_placeholder(K, dtype, value, received):
    _, f = _named(K, (2,), dtype=dtype)
    _raises(['feedme', '(2,)', dtype, received], f, [value])


@pytest.mark.parametrize('dtype,value,expected', [
    ('float32', np.array([1.5, -2.25], dtype='float64'), [1.5, -2.25]),   # floats are cast
    ('float32', np.array([1, 2], dtype='int64'), [1.0, 2.0]),
    ('float64', [True, False], [1.0, 0.0]),
    ('int32', np.array([2.0, -7.0]), [2, -7]),                            # whole floats are exact
    ('int32', np.array([2 ** 31 - 1, -2 ** 31], dtype='int64'), [2 ** 31 - 1, -2 ** 31]),
    ('int8', [127, -128], [127, -128]),
    ('uint8', np.array([255, 0], dtype='int64'), [255, 0]),
    ('int64', np.array([True, False]), [1, 0]),
    ('bool', np.array([1, 0]), [True, False]),
], ids=['f64-f32', 'i64-f32', 'bool-f64', 'whole-i32', 'i32-bounds', 'list-i8', 'u8-bounds', 'bool-i64',
        'int-bool'])
def test_fed_values_that_fit_are_converted_exactly(K, dtype, value, expected):
    if K.backend() == 'cntk' and dtype == 'int32' and abs(expected[0]) > 2 ** 24:
        _, f = _named(K, (2,), dtype=dtype)  # CNTK stores int32 as float32: exact only up to 2**24
        _raises(['feedme', 'outside the range of int32', 'holds exactly', 'float32'], f, [value])
        return
    p, f = _named(K, (2,), dtype=dtype)
    out = f([value])[0]
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, np.array(expected, dtype=dtype))


@pytest.mark.parametrize('value', [np.array([2 ** 24 + 1, 0], dtype='int32'),
                                   np.array([-2 ** 24 - 1, 0], dtype='int64'),
                                   np.array([2.0 ** 24 + 2, 0.0])], ids=['int32', 'int64', 'float64'])
def test_fed_int_beyond_what_the_engine_holds_exactly(K, value):
    """An int32 value past 2**24 is exact on every engine but CNTK, whose int32 tensors are float32:
    there it raises (naming why) instead of coming back rounded."""
    _, f = _named(K, (2,), dtype='int32')
    if K.backend() == 'cntk':
        _raises(['feedme', 'outside the range of int32', 'holds exactly', 'float32'], f, [value])
        assert f([np.array([2 ** 24, -2 ** 24], dtype='int32')])[0].tolist() == [2 ** 24, -2 ** 24]
    else:
        np.testing.assert_array_equal(f([value])[0], value.astype('int32'))


@pytest.mark.parametrize('make', ['variable', 'constant', 'set_value'])
def test_stored_int_beyond_what_the_engine_holds_exactly(K, make):
    """The same for an int32 variable's or constant's value: exact on every engine, a ValueError on
    CNTK (never a silently rounded value); 2**24 itself is exact there."""
    big = np.array([2 ** 24 + 1, -3], dtype='int64')

    def build(value):
        if make == 'variable':
            return K.variable(value, dtype='int32')
        if make == 'constant':
            return K.constant(value, dtype='int32')
        v = K.variable(np.zeros(2), dtype='int32')
        K.set_value(v, value)
        return v

    if K.backend() == 'cntk':
        _raises([make, 'int32', 'float32', 'exact', str(2 ** 24 + 1)], build, big)
        assert K.eval(build(np.array([2 ** 24, -2 ** 24]))).tolist() == [2 ** 24, -2 ** 24]
    else:
        out = K.eval(build(big))
        assert out.dtype == np.dtype('int32')
        np.testing.assert_array_equal(out, big)


def test_fed_python_scalar_and_list(K):
    p = K.placeholder(shape=(), name='scalar')
    q = K.placeholder(shape=(None, 2), name='rows')
    f = K.function([p, q], [p * q])
    assert_close(f([2.0, [[1, 2], [3, 4]]])[0], np.array([[2.0, 4.0], [6.0, 8.0]]))
    _raises(['scalar', '()', 'received', '(2,)'], f, [[1.0, 2.0], [[1, 2]]])


def test_unknown_dims_take_any_size(K):
    p = K.placeholder(shape=(None, None, 2), name='free')
    f = K.function([p], [p * 2])
    for shape in ((1, 1, 2), (3, 5, 2), (0, 4, 2)):
        if K.backend() == 'cntk' and 0 in shape:  # CNTK 2.7 holds no empty tensor (gaps.LIMITS)
            with pytest.raises(NotImplementedError, match='free.*cannot hold an empty tensor'):
                f([np.ones(shape)])
            continue
        assert f([np.ones(shape)])[0].shape == shape
    _raises(['free', '(None, None, 2)', '(3, 5, 3)'], f, [np.ones((3, 5, 3))])


def test_checks_do_not_change_results_of_valid_calls(K):
    x = K.placeholder(shape=(None, 3))
    v = K.variable(np.zeros(3))
    f = K.function([x], [K.sum(x, axis=0)], updates=[K.update_add(v, K.sum(x, axis=0))])
    a = np.arange(6, dtype='float32').reshape(2, 3)
    assert_close(f([a])[0], a.sum(axis=0))
    assert_close(f([a.astype('float64')])[0], a.sum(axis=0))
    assert_close(K.get_value(v), 2 * a.sum(axis=0))


# --- gradients, updates, name scopes ----------------------------------------------------------------

@pytest.mark.parametrize('bad', [np.ones(3), 2.0, 'w', None], ids=repr)
def test_gradients_with_respect_to_a_non_tensor(K, bad):
    x = K.placeholder(shape=(3,))
    message = _raises(['gradients', 'variables or tensors', 'position 1'], K.gradients, K.sum(x * x),
                      [x, bad])
    assert re.search(type(bad).__name__ if not isinstance(bad, np.ndarray) else 'NumPy array', message)


def test_gradients_of_a_non_tensor_loss(K):
    _raises(['gradients', 'loss to be a tensor', 'float'], K.gradients, 3.0, [K.variable(1.0)])


def test_gradients_of_one_tensor_is_a_list(K):
    x = K.variable(np.array([1.0, 2.0]))
    grads = K.gradients(K.sum(x * x), x)
    assert isinstance(grads, list) and len(grads) == 1
    assert_close(K.eval(grads[0]), np.array([2.0, 4.0]))


@pytest.mark.parametrize('fn', ['update', 'update_add', 'update_sub'])
@pytest.mark.parametrize('kind', ['placeholder', 'constant', 'expression', 'numpy'])
def test_update_of_a_non_variable(K, fn, kind):
    v = K.variable(np.zeros(2))
    target = {'placeholder': lambda: K.placeholder(shape=(2,)), 'constant': lambda: K.constant(np.zeros(2)),
              'expression': lambda: v * 2, 'numpy': lambda: np.zeros(2)}[kind]()
    _raises([fn, 'expected a variable', 'received'], getattr(K, fn), target, np.ones(2, dtype='float32'))


def test_function_update_pair_of_a_non_variable(K):
    p = K.placeholder(shape=(2,))
    _raises(['update', 'expected a variable', 'received'], K.function, [p], [p], updates=[(p, p * 2)])


@pytest.mark.parametrize('name', ['', None, 3], ids=repr)
def test_name_scope_needs_a_non_empty_string(K, name):
    def enter():
        with K.name_scope(name):
            pass
    _raises(['name_scope', 'non-empty string', repr(name)], enter)


# --- TensorFlow: the session check done once per graph/session generation -------------------------

def test_tensorflow_variable_created_after_the_function_is_initialised(K):
    if K.backend() != 'tensorflow':
        pytest.skip('TensorFlow sessions (the other engines have none)')
    import tensorflow as tf
    from kbackend.backend.tensorflow._graph import STATE
    K.clear_session()
    try:
        x = K.placeholder(shape=(2,))
        a = K.variable(np.array([1.0, 2.0]))
        f = K.function([x], [x + a])
        assert_close(f([np.ones(2)])[0], np.array([2.0, 3.0]))
        b = K.variable(np.array([10.0, 20.0]))  # after f was built and called
        g = K.function([x], [x + b])
        assert_close(g([np.ones(2)])[0], np.array([11.0, 21.0]))
        with STATE.graph.as_default():  # a variable made by TensorFlow code, not by K.variable
            c = tf.compat.v1.Variable(np.array([5.0, 6.0], dtype='float32'), use_resource=True)
        h = K.function([x], [x * c])
        assert_close(h([np.ones(2)])[0], np.array([5.0, 6.0]))
        assert_close(f([np.ones(2)])[0], np.array([2.0, 3.0]))
    finally:
        K.clear_session()


def test_tensorflow_set_session_and_default_session_are_honoured(K):
    if K.backend() != 'tensorflow':
        pytest.skip('TensorFlow sessions (the other engines have none)')
    import tensorflow as tf
    K.clear_session()
    try:
        x = K.placeholder(shape=(2,))
        v = K.variable(np.zeros(2))
        f = K.function([x], [v], updates=[K.update_add(v, x)])
        f([np.ones(2)])
        f([np.ones(2)])
        assert_close(K.get_value(v), np.full(2, 2.0))
        graph = K.get_session().graph
        other = tf.compat.v1.Session(graph=graph)
        K.set_session(other)  # same graph, a new session: v is initialised again there
        assert K.get_session() is other
        assert_close(f([np.ones(2)])[0], np.zeros(2))
        assert_close(K.get_value(v), np.ones(2))
        third = tf.compat.v1.Session(graph=graph)
        with third.as_default():  # an active default session on kbackend's graph is used
            assert_close(f([np.full(2, 5.0)])[0], np.zeros(2))
            assert_close(K.get_value(v), np.full(2, 5.0))
        assert K.get_session() is other  # and left when the block ends
        assert_close(K.get_value(v), np.ones(2))
        third.close()
        K.clear_session()
        assert K.get_session() is not other
        other.close()
    finally:
        K.clear_session()


def test_tensorflow_manual_initialisation_is_honoured_after_calls(K):
    if K.backend() != 'tensorflow':
        pytest.skip('TensorFlow sessions (the other engines have none)')
    import tensorflow as tf
    K.clear_session()
    x = K.placeholder(shape=(2,))
    f = K.function([x], [x * 2])
    f([np.ones(2)])
    K.manual_variable_initialization(True)
    try:
        w = K.variable(np.ones(2))
        g = K.function([x], [x * w])
        with pytest.raises(tf.errors.FailedPreconditionError):
            g([np.ones(2)])
    finally:
        K.manual_variable_initialization(False)
    assert_close(g([np.ones(2)])[0], np.ones(2))  # initialised at the next call
    K.clear_session()


# --- Theano engines: the engine's sparse module is imported on first use ---------------------------

def test_theano_engine_imports_its_sparse_module_on_first_use(K):
    if K.backend() != 'theano':
        pytest.skip('the Theano engines (PyTensor, Theano 1.0.5)')
    import os
    import subprocess
    import sys
    code = ('import sys\n'
            'from kbackend.backend import loader\n'
            'K = loader.load_engine("theano")\n'
            'from kbackend.backend.theano import _engine\n'
            'name = _engine.theano.__name__ + ".sparse"\n'
            'p = K.placeholder(shape=(2, 3))\n'
            'y = K.dot(p, K.variable(K.eval(K.zeros((3, 2))) + 1))\n'  # graph building and K.eval
            'print("before", name in sys.modules)\n'
            'f = K.function([p], [y])\n'  # (PyTensor's own rewrites may import it here)
            'import scipy.sparse\n'
            'v = K.variable(scipy.sparse.eye(3, format="csr"))\n'
            'print("after", name in sys.modules, K.is_sparse(v), K.is_sparse(p))\n')
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, cwd=root, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith(('before', 'after'))]
    assert lines == ['before False', 'after True True False'], out.stdout
