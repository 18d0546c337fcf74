"""The error contract (docs/errors.md): every bad argument of the op families raises the same exception
class on every engine, with a message naming the function, what was expected and what was received;
the valid edge cases next to them (negative axes, axis=None, broadcasting, -1 sizes) still work.

The core family (placeholder, variable, function...) and rnn have their own error tests.
"""
import inspect
import re
import sys

import numpy as np
import pytest

import oracle
from harness import assert_close, rand
from kbackend.backend import api


def x3(K):
    """A (2, 3, 4) float32 variable: every dim known on every engine."""
    return K.variable(rand(2, 3, 4))


def var(K, *shape, **kwargs):
    return K.variable(rand(*shape, **kwargs))


def ints(K, values, dtype='int32'):
    return K.variable(np.asarray(values, dtype=dtype), dtype=dtype)


# Each case: (id, build(K) -> the call, exception class, fragments the message must contain).
# The fragments name the function, the value received and the expected range/shape.
AXIS_RANGE = [r'\[-3, 3\)', 'rank 3']
CASES = []


def case(id_, exc, *fragments):
    def add(build):
        CASES.append(pytest.param(build, exc, fragments, id=id_))
        return build
    return add


# --- axes ------------------------------------------------------------------------------------------

REDUCTIONS = ['sum', 'mean', 'max', 'min', 'prod', 'var', 'std', 'any', 'all', 'logsumexp']
for _name in REDUCTIONS:
    for _axis, _frag in ((3, 'received 3'), (-4, 'received -4'), ([0, 5], r'received 5')):
        CASES.append(pytest.param(
            (lambda n, a: lambda K: getattr(K, n)(x3(K), axis=a))(_name, _axis), ValueError,
            ['^%s:' % _name] + AXIS_RANGE + [_frag],
            id='%s-axis=%s' % (_name, '_'.join(map(str, _axis)) if isinstance(_axis, list) else _axis)))
    CASES.append(pytest.param((lambda n: lambda K: getattr(K, n)(x3(K), axis=[1, 1]))(_name), ValueError,
                              ['^%s:' % _name, 'distinct', r'received \[1, 1\]'] + AXIS_RANGE,
                              id='%s-repeated-axis' % _name))
    CASES.append(pytest.param((lambda n: lambda K: getattr(K, n)(x3(K), axis=(0, -3)))(_name), ValueError,
                              ['^%s:' % _name, 'distinct', r'received \(0, -3\)'] + AXIS_RANGE,
                              id='%s-repeated-negative-axis' % _name))

for _name in ['argmax', 'argmin', 'cumsum', 'cumprod', 'softmax']:
    for _axis in (3, -4):
        CASES.append(pytest.param((lambda n, a: lambda K: getattr(K, n)(x3(K), axis=a))(_name, _axis),
                                  ValueError, ['^%s:' % _name, 'received %d' % _axis] + AXIS_RANGE,
                                  id='%s-axis=%d' % (_name, _axis)))
    CASES.append(pytest.param((lambda n: lambda K: getattr(K, n)(x3(K), axis=1.0))(_name),
                              ValueError, ['^%s:' % _name, 'received 1.0'] + AXIS_RANGE,
                              id='%s-float-axis' % _name))

for _axis in (3, [1, 1]):
    CASES.append(pytest.param((lambda a: lambda K: K.l2_normalize(x3(K), axis=a))(_axis), ValueError,
                              ['^l2_normalize:', 'received %s' % re.escape(str(_axis))] + AXIS_RANGE,
                              id='l2_normalize-axis=%s' % ('repeated' if isinstance(_axis, list) else _axis)))


@case('concatenate-axis', ValueError, '^concatenate:', 'received 3', *AXIS_RANGE)
def _(K):
    return K.concatenate([x3(K), x3(K)], axis=3)


@case('stack-axis', ValueError, '^stack:', 'received 4', r'\[-4, 3\]', 'rank 3')
def _(K):
    return K.stack([x3(K), x3(K)], axis=4)


@case('stack-negative-axis', ValueError, '^stack:', 'received -5', r'\[-4, 3\]', 'rank 3')
def _(K):
    return K.stack([x3(K), x3(K)], axis=-5)


@case('expand_dims-axis', ValueError, '^expand_dims:', 'received 4', r'\[-4, 3\]', 'rank 3')
def _(K):
    return K.expand_dims(x3(K), 4)


@case('squeeze-axis', ValueError, '^squeeze:', 'received 3', *AXIS_RANGE)
def _(K):
    return K.squeeze(x3(K), 3)


@case('squeeze-size', ValueError, '^squeeze:', 'size 1', r'\(2, 3, 4\)')
def _(K):
    return K.squeeze(x3(K), 1)


@case('reverse-axis', ValueError, '^reverse:', 'received 3', *AXIS_RANGE)
def _(K):
    return K.reverse(x3(K), 3)


@case('reverse-repeated-axis', ValueError, '^reverse:', 'distinct', r'received \[0, 0\]')
def _(K):
    return K.reverse(x3(K), [0, 0])


@case('permute_dimensions-short', ValueError, '^permute_dimensions:', r'range\(3\)', r'received \(0, 1\)')
def _(K):
    return K.permute_dimensions(x3(K), (0, 1))


@case('permute_dimensions-repeated', ValueError, '^permute_dimensions:', r'range\(3\)',
      r'received \(0, 1, 1\)')
def _(K):
    return K.permute_dimensions(x3(K), (0, 1, 1))


@case('permute_dimensions-out-of-range', ValueError, '^permute_dimensions:', r'range\(3\)',
      r'received \(0, 1, 3\)')
def _(K):
    return K.permute_dimensions(x3(K), (0, 1, 3))


# --- dtypes ----------------------------------------------------------------------------------------

for _name in ['random_normal', 'random_uniform', 'truncated_normal', 'random_binomial']:
    CASES.append(pytest.param((lambda n: lambda K: getattr(K, n)((2, 3), dtype='foo'))(_name), ValueError,
                              ['^%s:' % _name, "received 'foo'", 'float16, float32, float64'],
                              id='%s-unknown-dtype' % _name))
for _name in ['random_normal', 'random_uniform', 'truncated_normal']:
    CASES.append(pytest.param((lambda n: lambda K: getattr(K, n)((2, 3), dtype='int32'))(_name), ValueError,
                              ['^%s:' % _name, "received 'int32'", 'float16, float32, float64'],
                              id='%s-int-dtype' % _name))
    CASES.append(pytest.param((lambda n: lambda K: getattr(K, n)((2, -1)))(_name), ValueError,
                              ['^%s:' % _name, 'non-negative ints', r'received \(2, -1\)'],
                              id='%s-negative-size' % _name))
    CASES.append(pytest.param((lambda n: lambda K: getattr(K, n)((2, 1.5)))(_name), ValueError,
                              ['^%s:' % _name, 'non-negative ints', r'received \(2, 1.5\)'],
                              id='%s-float-size' % _name))


@case('random_binomial-negative-size', ValueError, '^random_binomial:', 'non-negative ints', r'\(-2,\)')
def _(K):
    return K.random_binomial((-2,), p=0.5)


@case('random_uniform-min-above-max', ValueError, '^random_uniform:', 'minval <= maxval',
      'minval=2.0, maxval=1.0')
def _(K):
    return K.random_uniform((2, 3), minval=2.0, maxval=1.0)


@case('random_normal-negative-stddev', ValueError, '^random_normal:', 'stddev >= 0', 'received -1.0')
def _(K):
    return K.random_normal((2, 3), stddev=-1.0)


@case('truncated_normal-negative-stddev', ValueError, '^truncated_normal:', 'stddev >= 0', 'received -1.0')
def _(K):
    return K.truncated_normal((2, 3), stddev=-1.0)


@case('random_uniform_variable-min-above-max', ValueError, '^random_uniform_variable:', 'low <= high',
      'low=2.0, high=1.0')
def _(K):
    return K.random_uniform_variable((2, 3), 2.0, 1.0)


@case('random_normal_variable-negative-scale', ValueError, '^random_normal_variable:', 'scale >= 0',
      'received -1.0')
def _(K):
    return K.random_normal_variable((2, 3), 0.0, -1.0)


# --- shapes ----------------------------------------------------------------------------------------

@case('reshape-two-inferred', ValueError, '^reshape:', 'at most one -1', r'received \(-1, -1\)')
def _(K):
    return K.reshape(x3(K), (-1, -1))


@case('reshape-negative', ValueError, '^reshape:', 'at most one -1', r'received \(-2, 12\)')
def _(K):
    return K.reshape(x3(K), (-2, 12))


@case('reshape-size', ValueError, '^reshape:', r'shape \(2, 3, 4\) \(24 elements\)', r'\(5, 5\)')
def _(K):
    return K.reshape(x3(K), (5, 5))


@case('reshape-inferred-size', ValueError, '^reshape:', r'shape \(2, 3, 4\) \(24 elements\)', r'\(-1, 5\)')
def _(K):
    return K.reshape(x3(K), (-1, 5))


@case('dot-inner', ValueError, '^dot:', r'\(2, 3\)', r'\(4, 5\)', 'sizes 3 and 4')
def _(K):
    return K.dot(var(K, 2, 3), var(K, 4, 5))


@case('dot-inner-nd', ValueError, '^dot:', r'\(2, 3, 4\)', r'\(6, 5, 7\)', 'sizes 4 and 5')
def _(K):
    return K.dot(x3(K), var(K, 6, 5, 7))


@case('batch_dot-inner', ValueError, '^batch_dot:', 'contracted', r'\(2, 3, 4\)', r'\(2, 5, 6\)',
      'sizes 4 and 5')
def _(K):
    return K.batch_dot(x3(K), var(K, 2, 5, 6))


@case('batch_dot-batch', ValueError, '^batch_dot:', 'batch', r'\(2, 3, 4\)', r'\(3, 4, 6\)', 'sizes 2 and 3')
def _(K):
    return K.batch_dot(x3(K), var(K, 3, 4, 6))


for _name in ['maximum', 'minimum', 'equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal']:
    CASES.append(pytest.param((lambda n: lambda K: getattr(K, n)(var(K, 2, 3), var(K, 2, 4)))(_name),
                              ValueError, ['^%s:' % _name, 'broadcast', r'\(2, 3\)', r'\(2, 4\)'],
                              id='%s-shapes' % _name))

for _name in ['categorical_crossentropy', 'binary_crossentropy']:
    for _logits in (False, True):
        CASES.append(pytest.param(
            (lambda n, f: lambda K: getattr(K, n)(var(K, 2, 3), var(K, 2, 4), from_logits=f))(_name, _logits),
            ValueError, ['^%s:' % _name, 'same shape', r'target shape \(2, 3\)', r'output shape \(2, 4\)'],
            id='%s-shapes-logits=%s' % (_name, _logits)))

for _logits in (False, True):
    CASES.append(pytest.param(
        (lambda f: lambda K: K.sparse_categorical_crossentropy(ints(K, [[0, 1]]), var(K, 2, 3),
                                                               from_logits=f))(_logits),
        ValueError, ['^sparse_categorical_crossentropy:', r'expected a target of shape \(2,\)',
                     r'received target shape \(1, 2\)'],
        id='sparse_categorical_crossentropy-shapes-logits=%s' % _logits))
    CASES.append(pytest.param(
        (lambda f: lambda K: K.sparse_categorical_crossentropy(np.array([0, 3]), var(K, 2, 3),
                                                               from_logits=f))(_logits),
        ValueError, ['^sparse_categorical_crossentropy:', r'labels in \[0, 3\)', 'from 0 to 3'],
        id='sparse_categorical_crossentropy-label-range-logits=%s' % _logits))
    CASES.append(pytest.param(
        (lambda f: lambda K: K.sparse_categorical_crossentropy(np.array([-1, 0]), var(K, 2, 3),
                                                               from_logits=f))(_logits),
        ValueError, ['^sparse_categorical_crossentropy:', r'labels in \[0, 3\)', 'from -1 to 0'],
        id='sparse_categorical_crossentropy-negative-label-logits=%s' % _logits))


@case('tile-negative', ValueError, '^tile:', 'non-negative', r'received \[1, -1, 1\]')
def _(K):
    return K.tile(x3(K), [1, -1, 1])


@case('tile-float', ValueError, '^tile:', 'non-negative ints', r'received 2.0')
def _(K):
    return K.tile(x3(K), 2.0)


@case('repeat_elements-negative', ValueError, '^repeat_elements:', 'non-negative', 'received -1')
def _(K):
    return K.repeat_elements(x3(K), -1, 0)


@case('repeat_elements-axis', ValueError, '^repeat_elements:', 'received 3', *AXIS_RANGE)
def _(K):
    return K.repeat_elements(x3(K), 2, 3)


@case('repeat-negative', ValueError, '^repeat:', 'non-negative', 'received -1')
def _(K):
    return K.repeat(var(K, 2, 3), -1)


@case('concatenate-empty', ValueError, '^concatenate:', 'non-empty list', r'received \[\]')
def _(K):
    return K.concatenate([])


@case('stack-empty', ValueError, '^stack:', 'non-empty list', r'received \[\]')
def _(K):
    return K.stack([])


@case('arange-zero-step', ValueError, '^arange:', 'non-zero step', 'step=0')
def _(K):
    return K.arange(0, 5, 0)


@case('one_hot-negative-classes', ValueError, '^one_hot:', 'positive int', 'received -1')
def _(K):
    return K.one_hot(ints(K, [0, 1]), -1)


@case('one_hot-float-indices', ValueError, '^one_hot:', 'integer dtype', 'float32')
def _(K):
    return K.one_hot(var(K, 2), 3)


@case('gather-float-indices', ValueError, '^gather:', 'integer dtype', 'float32')
def _(K):
    return K.gather(var(K, 3, 2), var(K, 2))


@case('gather-out-of-range', ValueError, '^gather:', r'indices in \[0, 3\)', 'from 0 to 3')
def _(K):
    return K.gather(var(K, 3, 2), np.array([0, 3]))


@case('gather-negative', ValueError, '^gather:', r'indices in \[0, 3\)', 'from -1 to 1')
def _(K):
    return K.gather(var(K, 3, 2), [1, -1])


@case('gather-negative-int', ValueError, '^gather:', r'indices in \[0, 3\)', 'from -1 to -1')
def _(K):
    return K.gather(var(K, 3, 2), -1)


@case('slice-past-end', ValueError, '^slice:', 'past the end of axis 2', r'size 4', r'start \(0, 0, 1\)',
      r'size \(2, 3, 4\)')
def _(K):
    return K.slice(x3(K), (0, 0, 1), (2, 3, 4))


@case('slice-negative-start', ValueError, '^slice:', 'start >= 0', r'start \(0, -1, 0\)')
def _(K):
    return K.slice(x3(K), (0, -1, 0), (1, 1, 1))


@case('slice-bad-size', ValueError, '^slice:', 'size >= 0', r'size \(1, -2, 1\)')
def _(K):
    return K.slice(x3(K), (0, 0, 0), (1, -2, 1))


@case('conv2d-float-strides', ValueError, '^conv2d:', 'strides', r'\(1.5, 1\)', 'positive ints')
def _(K):
    return K.conv2d(var(K, 1, 5, 5, 2), var(K, 3, 3, 2, 4), strides=(1.5, 1))


@case('conv2d-integral-float-strides', ValueError, '^conv2d:', 'strides', r'\(2.0, 2.0\)', 'positive ints')
def _(K):
    return K.conv2d(var(K, 1, 5, 5, 2), var(K, 3, 3, 2, 4), strides=(2.0, 2.0))


@case('pool2d-float-pool-size', ValueError, '^pool2d:', 'pool_size', r'\(2.5, 2\)', 'positive ints')
def _(K):
    return K.pool2d(var(K, 1, 5, 5, 2), (2.5, 2))


@case('pool3d-float-strides', ValueError, '^pool3d:', 'strides', '1.5', 'positive ints')
def _(K):
    return K.pool3d(var(K, 1, 4, 4, 4, 2), (2, 2, 2), strides=1.5)


@case('ctc_batch_cost-input-length-beyond-time', ValueError, '^ctc_batch_cost:', 'input_length',
      r'at most 4', 'received 5')
def _(K):
    y_pred = K.variable(np.full((2, 4, 3), 1. / 3, 'float32'))
    return K.ctc_batch_cost(ints(K, [[0, 1], [1, 0]]), y_pred, np.array([[4], [5]]), np.array([[2], [2]]))


@case('ctc_batch_cost-label-longer-than-input', ValueError, '^ctc_batch_cost:', 'label_length',
      'input_length', r'received label_length 3')
def _(K):
    y_pred = K.variable(np.full((2, 4, 3), 1. / 3, 'float32'))
    return K.ctc_batch_cost(ints(K, [[0, 1, 0], [1, 0, 1]]), y_pred, np.array([[4], [2]]),
                            np.array([[2], [3]]))


@case('ctc_decode-input-length-beyond-time', ValueError, '^ctc_decode:', 'input_length', r'at most 4',
      'received 5')
def _(K):
    y_pred = K.variable(np.full((2, 4, 3), 1. / 3, 'float32'))
    return K.ctc_decode(y_pred, np.array([4, 5]))


@pytest.mark.parametrize('build, exc, fragments', CASES)
def test_bad_argument(K, build, exc, fragments):
    with pytest.raises(exc) as info:
        out = build(K)
        # A check that would only fire when the graph runs is not the contract: it must fire here.
        K.eval(out[0][0] if isinstance(out, tuple) else out)
        pytest.fail('no error raised when building the graph (nor when running it)')
    message = str(info.value)
    for fragment in fragments:
        assert re.search(fragment, message), 'message %r does not match %r' % (message, fragment)


# --- valid edge cases next to the errors ---------------------------------------------------------

def test_reduction_axes_valid(K):
    value = rand(2, 3, 4)
    x = K.variable(value)
    for axis in (None, -1, -3, 2, [0, -1], (1, 2), [], [-1, 0]):
        expected = value.sum(axis=tuple(axis) if isinstance(axis, list) else axis)
        assert_close(K.eval(K.sum(x, axis=axis)), expected)
    assert_close(K.eval(K.max(x, axis=-2, keepdims=True)), value.max(axis=-2, keepdims=True))
    assert_close(K.eval(K.argmax(x, axis=-3)), value.argmax(axis=-3))
    assert_close(K.eval(K.cumsum(x, axis=-1)), np.cumsum(value, axis=-1))
    assert_close(K.eval(K.argmax(x, axis=np.int64(1))), value.argmax(axis=1))


def test_new_axis_valid(K):
    value = rand(2, 3, 4)
    x = K.variable(value)
    assert K.int_shape(K.expand_dims(x, -4)) == (1, 2, 3, 4)
    assert K.int_shape(K.expand_dims(x, 3)) == (2, 3, 4, 1)
    assert_close(K.eval(K.stack([x, x], axis=-1)), np.stack([value, value], axis=-1))
    assert_close(K.eval(K.stack([x, x], axis=3)), np.stack([value, value], axis=3))
    assert_close(K.eval(K.concatenate([x, x], axis=-3)), np.concatenate([value, value], axis=0))
    assert_close(K.eval(K.permute_dimensions(x, [2, 0, 1])), value.transpose(2, 0, 1))
    assert_close(K.eval(K.reverse(x, [0, -1])), value[::-1, :, ::-1])
    assert_close(K.eval(K.softmax(x, axis=-2)), oracle.softmax(value, axis=-2))


def test_shapes_valid(K):
    value = rand(2, 3, 4)
    x = K.variable(value)
    assert K.int_shape(K.reshape(x, (-1, 4))) == (6, 4)
    assert_close(K.eval(K.maximum(x, K.variable(rand(3, 1)))), np.maximum(value, rand(3, 1)))
    assert_close(K.eval(K.minimum(x, 0.5)), np.minimum(value, 0.5))
    assert_close(K.eval(K.slice(x, (0, 1, 2), (2, -1, 2))), value[:, 1:, 2:4])
    assert_close(K.eval(K.slice(x, (1, 0, 0), (1, 3, 4))), value[1:])
    assert_close(K.eval(K.gather(K.variable(value[0]), np.array([2, 0]))), value[0][[2, 0]])
    assert_close(K.eval(K.gather(K.variable(value[0]), 2)), value[0][2])
    assert_close(K.eval(K.tile(x, [1, 2, 1])), np.tile(value, [1, 2, 1]))
    assert_close(K.eval(K.arange(5, 0, -2)), np.arange(5, 0, -2))
    assert_close(K.eval(K.one_hot(ints(K, [0, 2]), 3)), np.eye(3)[[0, 2]])
    assert_close(K.eval(K.dot(K.variable(rand(2, 3)), K.variable(rand(3, 5)))), rand(2, 3).dot(rand(3, 5)))
    assert_close(K.eval(K.dot(x, K.variable(rand(5, 4, 6)))), np.dot(value, rand(5, 4, 6)))


def test_losses_valid(K):
    output = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]], 'float32')
    for target in (np.array([1, 2]), np.array([[1], [2]])):
        loss = K.eval(K.sparse_categorical_crossentropy(K.variable(target.astype('float32')),
                                                        K.variable(output)))
        assert_close(loss, -np.log([0.5, 0.8]))
    assert_close(K.eval(K.sparse_categorical_crossentropy(np.array([1, 2]), K.variable(output))),
                 -np.log([0.5, 0.8]))


@pytest.mark.parametrize('from_logits', [False, True])
def test_fed_label_out_of_range_gives_nan(K, from_logits):
    """A fed label outside [0, classes) cannot be checked when the graph is built: its loss is NaN on
    every engine (never a silent 0); the other samples' losses are unchanged."""
    labels = K.placeholder(shape=(3,), dtype='int32')
    output = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]], 'float32')
    loss = K.sparse_categorical_crossentropy(labels, K.variable(output), from_logits=from_logits)
    value = K.function([labels], [loss])([np.array([1, 3, -1], 'int32')])[0]
    assert np.isnan(value[1]) and np.isnan(value[2]), value
    expected = (-np.log(0.5) if not from_logits else -np.log(np.exp(0.5) / np.exp(output[0]).sum()))
    assert_close(value[0], expected)



@pytest.mark.parametrize('bad', [-1, 3], ids=['negative', 'past-the-end'])
def test_fed_gather_index_out_of_range_is_never_a_silent_row(K, bad):
    """Fed gather indices are checked when the graph runs: TensorFlow raises its
    InvalidArgumentError, the Theano engines IndexError naming the range (a negative index is not
    counted from the end), CNTK gives NaN rows; no engine returns another row."""
    indices = K.placeholder(shape=(2,), dtype='int32')
    value = rand(3, 2)
    f = K.function([indices], [K.gather(K.variable(value), indices)])
    assert_close(f([np.array([2, 0], 'int32')])[0], value[[2, 0]])
    fed = [np.array([1, bad], 'int32')]
    if K.backend() == 'tensorflow':
        import tensorflow as tf
        with pytest.raises(tf.errors.InvalidArgumentError):
            f(fed)
    elif K.backend() == 'theano':
        with pytest.raises(IndexError, match=r'index|indices'):
            f(fed)
        if bad < 0:
            with pytest.raises(IndexError, match=r'gather: expected indices in \[0, 3\); received -1'):
                f(fed)
    else:
        out = f(fed)[0]
        assert_close(out[0], value[1])
        assert np.all(np.isnan(out[1])), out

def test_random_valid_edge_cases(K):
    assert_close(K.eval(K.random_uniform((2, 3), minval=1.0, maxval=1.0)), np.ones((2, 3)))
    assert_close(K.eval(K.random_normal((2, 3), mean=2.0, stddev=0.0)), np.full((2, 3), 2.0))
    assert K.dtype(K.random_normal((2,), dtype=None)) == K.floatx()
    assert K.dtype(K.random_binomial((2,), p=0.5, dtype='int32')) == 'int32'
    assert K.eval(K.random_uniform(np.array([2, 3]))).shape == (2, 3)  # a shape given as a NumPy array


def test_ctc_fed_lengths(K):
    """Fed CTC lengths are checked when the graph runs, the same on every engine: a label that no
    alignment of its input fits costs +inf (probability 0), an input_length beyond the time steps NaN."""
    y_true = K.placeholder(shape=(3, 3), dtype='int32')
    y_pred = K.placeholder(shape=(3, 4, 3))
    input_length = K.placeholder(shape=(3, 1), dtype='int32')
    label_length = K.placeholder(shape=(3, 1), dtype='int32')
    f = K.function([y_true, y_pred, input_length, label_length],
                   [K.ctc_batch_cost(y_true, y_pred, input_length, label_length)])
    cost = f([np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0]], 'int32'), np.full((3, 4, 3), 1. / 3, 'float32'),
              np.array([[4], [2], [4]], 'int32'), np.array([[2], [3], [3]], 'int32')])[0]
    assert cost.shape == (3, 1)
    assert np.isfinite(cost[0, 0]) and cost[1, 0] == np.inf and cost[2, 0] == np.inf, cost
    cost = f([np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], 'int32'), np.full((3, 4, 3), 1. / 3, 'float32'),
              np.array([[4], [5], [3]], 'int32'), np.array([[2], [2], [2]], 'int32')])[0]
    assert np.isfinite(cost[0, 0]) and np.isnan(cost[1, 0]) and np.isfinite(cost[2, 0]), cost


def test_ctc_decode_fed_length_beyond_time_decodes_every_step(K):
    y_pred = K.placeholder(shape=(1, 3, 3))
    lengths = K.placeholder(shape=(1,), dtype='int32')
    decoded = K.ctc_decode(y_pred, lengths)[0][0]
    f = K.function([y_pred, lengths], [decoded])
    probs = np.array([[[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1]]], 'float32')
    np.testing.assert_array_equal(f([probs, np.array([5], 'int32')])[0], f([probs, np.array([3], 'int32')])[0])
    np.testing.assert_array_equal(f([probs, np.array([3], 'int32')])[0], [[0, 1]])


@case('maximum-list-operand', ValueError, '^maximum:', 'broadcast', r'\(3,\)', r'\(2,\)')
def _(K):
    return K.maximum(var(K, 3), [1.0, 2.0])


@case('less-tuple-operand', ValueError, '^less:', 'broadcast', r'\(2,\)', r'\(2, 3\)')
def _(K):
    return K.less((1.0, 2.0), var(K, 2, 3))


@pytest.mark.parametrize('build, name', [
    (lambda K: var(K, 3) + var(K, 2), 'the operator __add__'),
    (lambda K: K.batch_normalization(var(K, 2, 3), var(K, 2), var(K, 2), var(K, 3), var(K, 3)),
     'batch_normalization'),
], ids=['operator', 'composite'])
def test_operands_that_do_not_broadcast(K, build, name):
    """A ValueError on every engine (when built, or on the Theano engines when run); on CNTK, whose
    own error is a RuntimeError with its C++ call stack, it names the user's call and both shapes."""
    with pytest.raises(ValueError) as info:
        K.eval(build(K))
    if K.backend() == 'cntk':
        message = str(info.value)
        assert message.startswith(name + ': expected shapes that broadcast together'), message
        assert '(3,)' in message and '(2,)' in message and 'CALL STACK' not in message, message


@case('in_top_k-rank', ValueError, '^in_top_k:', 'rank 2', r'received shape \(6,\)')
def _(K):
    return K.in_top_k(var(K, 6), ints(K, [0]), 1)


@case('in_top_k-float-k', ValueError, '^in_top_k:', 'k to be an int', 'received 1.5')
def _(K):
    return K.in_top_k(var(K, 2, 3), ints(K, [0, 1]), 1.5)


@case('bias_add-scalar-bias', ValueError, '^bias_add:', 'rank 1', r'shape \(\)')
def _(K):
    return K.bias_add(var(K, 2, 3), K.variable(2.0))


@pytest.mark.parametrize('call', ['map_fn', 'foldl', 'foldr', 'rnn'])
def test_a_function_argument_must_be_callable(K, call):
    """TypeError naming the function and the argument, as calling a non-callable would be (the
    engines raised AttributeError or their own errors)."""
    elems = var(K, 3, 2)
    build = {'map_fn': lambda: K.map_fn(3, elems), 'foldl': lambda: K.foldl(3, elems),
             'foldr': lambda: K.foldr(3, elems),
             'rnn': lambda: K.rnn('step', var(K, 2, 3, 4), [var(K, 2, 5)])}[call]
    arg = 'step_function' if call == 'rnn' else 'fn'
    with pytest.raises(TypeError, match=r'^%s: expected %s to be a callable; received' % (call, arg)):
        build()


# --- wrong kinds of argument (found by a fuzz of every function with bad values) ------------------

@case('bias_add-scalar-x', ValueError, '^bias_add:', 'at least one axis', 'scalar')
def _(K):
    return K.bias_add(3.0, var(K, 3))


@case('local_conv1d-scalar-kernel', ValueError, '^local_conv1d:', 'kernel', '3-D', r'shape \(\)')
def _(K):
    return K.local_conv1d(var(K, 2, 4, 3), -1, (2,), (1,))


@case('random_uniform_variable-low-None', ValueError, '^random_uniform_variable:', 'low', 'number',
      'received None')
def _(K):
    return K.random_uniform_variable((2, 3), None, 1.)


@case('random_normal_variable-shape-nan', ValueError, '^random_normal_variable:', 'shape', 'received nan')
def _(K):
    return K.random_normal_variable(float('nan'), 0., 1.)


@case('random_uniform-shape-bool', ValueError, '^random_uniform:', 'shape', 'received True')
def _(K):
    return K.random_uniform(True)


@case('arange-string-stop', ValueError, '^arange:', 'stop', 'finite number', "received 'a'")
def _(K):
    return K.arange('a')


@case('arange-nan-stop', ValueError, '^arange:', 'stop', 'finite number', 'received nan')
def _(K):
    return K.arange(0, float('nan'))


@case('arange-tuple-start', ValueError, '^arange:', 'start', r'received \(2, 3\)')
def _(K):
    return K.arange((2, 3), 5)


@case('slice-float-start', ValueError, '^slice:', 'start', 'ints', r'received \[0, 0.5\]')
def _(K):
    return K.slice(var(K, 2, 3), [0, 0.5], [1, 1])


@case('slice-float-tensor-start', ValueError, '^slice:', 'start', 'int vector tensor')
def _(K):
    return K.slice(var(K, 2, 3), K.variable(np.zeros(2)), [1, 1])


@case('slice-string-size', ValueError, '^slice:', 'size', "received 'abc'")
def _(K):
    return K.slice(var(K, 2, 3), [0, 0], 'abc')


@case('gather-scalar-reference', ValueError, '^gather:', 'at least 1 axis', 'scalar')
def _(K):
    return K.gather(K.variable(2.0), ints(K, [0]))


@case('dropout-level-None', ValueError, '^dropout:', 'level', r'\[0, 1\)', 'received None')
def _(K):
    return K.dropout(var(K, 2, 3), None)


@case('dropout-int-x', ValueError, '^dropout:', 'float dtype', 'int32')
def _(K):
    return K.dropout(ints(K, [1, 2, 3]), 0.5)


@case('switch-scalar-condition-branches-do-not-broadcast', ValueError, '^switch:', 'broadcast',
      r'\(2, 3\)', r'\(2,\)')
def _(K):
    return K.switch(K.variable(1.0) > 0, var(K, 2, 3), var(K, 2))


@pytest.mark.parametrize('value', [None, 'abc', object(), [var, 1]], ids=['None', 'str', 'object', 'list'])
def test_int_shape_of_what_is_not_a_tensor_or_numbers(K, value):
    """A TypeError saying what was expected (the engines raised AttributeError, or returned None or
    NumPy's shape of an object); numbers and arrays of them have NumPy's shape."""
    if isinstance(value, list):
        value = [K.variable(np.ones(2)), 1]
    with pytest.raises(TypeError, match='expected a tensor, a number or an array of numbers; received'):
        K.int_shape(value)
    assert K.int_shape([[1, 2, 3], [4, 5, 6]]) == (2, 3)
    assert K.int_shape(np.ones((2, 0))) == (2, 0)
    assert K.int_shape(2.5) == ()


def test_kinds_of_argument_valid(K):
    """The valid calls next to the errors above."""
    value = rand(2, 3)
    x = K.variable(value)
    # A scalar condition with a number as a branch: the number broadcasts, in x's dtype.
    assert_close(K.eval(K.switch(K.variable(1.0) > 0, x, 0)), value)
    assert_close(K.eval(K.switch(K.variable(-1.0) > 0, x, 0)), np.zeros((2, 3)))
    assert_close(K.eval(K.switch(K.variable(-1.0) > 0, 1.5, x)), value)
    # Dropout of a scalar keeps it (scaled by 1 / (1 - level)) or drops it.
    kept = K.eval(K.dropout(K.variable(3.0), 0.5, seed=1))
    assert np.shape(kept) == () and float(kept) in (0., 6.)
    # NumPy scalars and 0-d arrays are bounds; an int tensor is a slice start.
    assert_close(K.eval(K.arange(np.int64(3), np.array(9), 2)), np.arange(3, 9, 2))
    assert_close(K.eval(K.slice(x, K.constant(np.array([0, 1]), dtype='int32'), [2, 2])), value[:, 1:3])
    assert_close(K.eval(K.random_uniform_variable((2,), np.float32(1.), np.array(1.), seed=3)), np.ones(2))


def test_an_error_raised_while_a_cntk_graph_runs_is_the_original_one(K, capfd, monkeypatch):
    """CNTK reports an exception raised in a Python user function (kbackend's NumPy ops) as
    RuntimeError('SWIG director method error.'), after printing it through sys.excepthook; kbackend
    raises the original instead, once, and leaves the program's own hook in place."""
    if K.backend() != 'cntk':
        pytest.skip('CNTK runs kbackend ops written in NumPy as its user functions')
    hook_calls = []
    monkeypatch.setattr(sys, 'excepthook', lambda *args: hook_calls.append(args))
    reps = K.placeholder(shape=(2,), dtype='int32')
    f = K.function([reps], [K.tile(var(K, 2, 3), reps)])
    assert_close(f([np.array([2, 1], 'int32')])[0], np.tile(rand(2, 3), (2, 1)))
    capfd.readouterr()
    with pytest.raises(ValueError, match=r'^tile: expected non-negative reps; received \[-1, 1\]'):
        f([np.array([-1, 1], 'int32')])
    assert capfd.readouterr().err == '' and hook_calls == []
    assert sys.excepthook.__name__ == '<lambda>'
    with pytest.raises(NotImplementedError, match=r'^tile with reps \[0, 1\] is empty'):
        f([np.array([0, 1], 'int32')])
    assert_close(f([np.array([1, 2], 'int32')])[0], np.tile(rand(2, 3), (1, 2)))  # the function still works


@case('spatial_2d_padding-float', ValueError, '^spatial_2d_padding:', 'non-negative ints', r'1\.5')
def _(K):
    return K.spatial_2d_padding(var(K, 1, 3, 3, 2), ((1.5, 1), (1, 1)))


@case('temporal_padding-tensor', ValueError, '^temporal_padding:', 'non-negative ints')
def _(K):
    return K.temporal_padding(var(K, 1, 3, 2), (K.variable(1.0), 1))


@case('arange-matrix-stop', ValueError, '^arange:', 'stop', 'scalar tensor')
def _(K):
    return K.arange(var(K, 2, 3))


@case('one_hot-tuple-classes', ValueError, '^one_hot:', 'num_classes', 'positive int', r'received \(2, 3\)')
def _(K):
    return K.one_hot(ints(K, [0, 1]), (2, 3))


@pytest.mark.parametrize('call', ['sum', 'max', 'mean', 'logsumexp', 'categorical_crossentropy',
                                  'binary_crossentropy', 'sparse_categorical_crossentropy'])
def test_a_tensor_is_not_a_flag(K, call):
    """keepdims and from_logits are Python bools: a tensor is a TypeError naming the function (CNTK's
    tensors are always true, so it passed there silently; the other engines raised their own errors)."""
    flag = K.variable(1.0)
    x = K.variable(np.full((2, 3), 1. / 3, 'float32'))
    build = {'categorical_crossentropy': lambda: K.categorical_crossentropy(x, x, from_logits=flag),
             'binary_crossentropy': lambda: K.binary_crossentropy(x, x, from_logits=flag),
             'sparse_categorical_crossentropy':
                 lambda: K.sparse_categorical_crossentropy(ints(K, [0, 1]), x, from_logits=flag)}
    name = 'from_logits' if 'entropy' in call else 'keepdims'
    with pytest.raises(TypeError, match=r'^%s: expected %s to be a bool; received' % (call, name)):
        build.get(call, lambda: getattr(K, call)(x, axis=1, keepdims=flag))()
    assert_close(K.eval(K.sum(x, axis=1, keepdims=1)), np.ones((2, 1)))  # 0 and 1 are flags too


NAMED_CALLS = {
    'variable': lambda K, name: K.variable(np.ones(2), None, name),  # positional too
    'constant': lambda K, name: K.constant(1.0, name=name),
    'placeholder': lambda K, name: K.placeholder(shape=(2,), name=name),
    'zeros': lambda K, name: K.zeros((2,), name=name),
    'ones': lambda K, name: K.ones((2,), name=name),
    'eye': lambda K, name: K.eye(2, name=name),
    'zeros_like': lambda K, name: K.zeros_like(var(K, 2), name=name),
    'ones_like': lambda K, name: K.ones_like(var(K, 2), name=name),
    'identity': lambda K, name: K.identity(var(K, 2), name=name),
    'map_fn': lambda K, name: K.map_fn(lambda t: t * 2, var(K, 2), name=name),
    'foldl': lambda K, name: K.foldl(lambda a, t: a + t, var(K, 2), name=name),
    'foldr': lambda K, name: K.foldr(lambda a, t: a + t, var(K, 2), name=name),
    'random_uniform_variable': lambda K, name: K.random_uniform_variable((2,), 0, 1, name=name),
    'random_normal_variable': lambda K, name: K.random_normal_variable((2,), 0, 1, name=name),
}


@pytest.mark.parametrize('call', sorted(NAMED_CALLS))
def test_a_name_is_a_string(K, call):
    """`name` is a string or None: anything else is a TypeError naming the function (TensorFlow raised
    AttributeError or a graph error, CNTK a SWIG TypeError; the Theano engines kept it silently)."""
    assert sorted(NAMED_CALLS) == sorted(n for n in api.NAMES if n != 'name_scope' and
                                         'name' in inspect.signature(getattr(api, n)).parameters)
    for bad in [('a',), 3, K.variable(1.0)]:
        with pytest.raises(TypeError, match=r'^%s: expected name to be a string or None; received' % call):
            NAMED_CALLS[call](K, bad)
    assert K.is_tensor(NAMED_CALLS[call](K, 'fine_name')) and K.is_tensor(NAMED_CALLS[call](K, None))


def test_batch_get_and_set_value_take_lists(K):
    """A list (any iterable, zip() too) of variables, or of (variable, value) pairs; a tensor, None or a
    pair that is not one is a clear error (each engine failed its own way: iterating the tensor, a
    NoneType error, an unpacking error)."""
    v, w = K.variable(np.zeros(2)), K.variable(np.zeros(3))
    K.batch_set_value(zip([v, w], [np.ones(2), np.full(3, 2.0)]))
    got = K.batch_get_value((v, w))
    assert_close(got[0], np.ones(2))
    assert_close(got[1], np.full(3, 2.0))
    assert K.batch_get_value([]) == [] and K.batch_set_value([]) is None
    for bad in (v, None, 3):
        with pytest.raises(TypeError, match='^batch_get_value: expected a list of variables; received'):
            K.batch_get_value(bad)
        with pytest.raises(TypeError, match=r'^batch_set_value: expected a list of \(variable, value\) pairs'):
            K.batch_set_value(bad)
    for bad in ([v], [(v, np.ones(2), 3)]):
        with pytest.raises(ValueError, match=r'^batch_set_value: expected \(variable, value\) pairs; received'):
            K.batch_set_value(bad)
    assert_close(K.get_value(v), np.ones(2))  # nothing was set by the refused calls


@pytest.mark.parametrize('value', [None, 'abc', object()], ids=['None', 'str', 'object'])
@pytest.mark.parametrize('call', ['exp', 'sum', 'transpose', 'zeros_like', 'sigmoid', 'square'])
def test_what_cannot_be_a_tensor_is_a_type_or_value_error(K, call, value):
    """Never NotImplementedError, which means an engine limit (gaps.py): PyTensor raised it for a value
    it cannot make a tensor of. (TensorFlow holds strings: it transposes or zeroes one.)"""
    if value == 'abc' and call in ('transpose', 'zeros_like') and K.backend() == 'tensorflow':
        pytest.skip('TensorFlow has string tensors; these ops do not need numbers')
    with pytest.raises((TypeError, ValueError)):
        K.eval(getattr(K, call)(value))


@case('in_train_phase-string-training', ValueError, '^in_train_phase:', 'training', "received 'zzz'")
def _(K):
    return K.in_train_phase(var(K, 2), var(K, 2), training='zzz')


@case('in_train_phase-two-training', ValueError, '^in_train_phase:', 'training', 'received 2')
def _(K):
    return K.in_train_phase(var(K, 2), var(K, 2), training=2)


@case('arange-None-dtype', ValueError, '^arange:', 'dtype', 'received None')
def _(K):
    return K.arange(3, dtype=None)


@case('arange-tensor-dtype', ValueError, '^arange:', 'dtype')
def _(K):
    return K.arange(3, dtype=K.variable(1.0))


@case('random_uniform-None-maxval', ValueError, '^random_uniform:', 'maxval', 'number or a tensor',
      'received None')
def _(K):
    return K.random_uniform((2,), maxval=None)


@case('random_normal-tuple-mean', ValueError, '^random_normal:', 'mean', r'received \(1, 2\)')
def _(K):
    return K.random_normal((2,), mean=(1, 2))


@case('random_binomial-p-above-1', ValueError, '^random_binomial:', r'\[0, 1\]', 'received 1.5')
def _(K):
    return K.random_binomial((2,), p=1.5)


@case('random_binomial-bool-p', ValueError, '^random_binomial:', 'p', 'received True')
def _(K):
    return K.random_binomial((2,), p=True)
