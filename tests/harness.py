"""Helpers shared by the engine tests: compare an engine to the NumPy oracle, check gradients."""
import numpy as np

import oracle

RTOL = {'float16': 1e-2, 'float32': 1e-4, 'float64': 1e-7}
ATOL = {'float16': 1e-2, 'float32': 1e-5, 'float64': 1e-8}


def rng(seed=0):
    return np.random.RandomState(seed)


def rand(*shape, **kwargs):
    """A float array of `shape` from a fixed seed (dtype keyword, default float32)."""
    dtype = kwargs.pop('dtype', 'float32')
    low, high = kwargs.pop('low', -1.0), kwargs.pop('high', 1.0)
    seed = kwargs.pop('seed', sum(shape) + len(shape))
    return rng(seed).uniform(low, high, size=shape).astype(dtype)


def to_numpy(K, value):
    if isinstance(value, (list, tuple)):
        return [to_numpy(K, v) for v in value]
    if K.is_tensor(value) or K.is_sparse(value):
        return K.eval(value)
    return np.asarray(value)


def run(K, name, *arrays, **kwargs):
    """K.<name> applied to the arrays (as K.variable, keeping their dtype), evaluated to NumPy."""
    tensors = [K.variable(a, dtype=str(a.dtype)) if isinstance(a, np.ndarray) else a for a in arrays]
    return to_numpy(K, getattr(K, name)(*tensors, **kwargs))


def assert_close(actual, expected, dtype='float32', rtol=None, atol=None, msg=''):
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), msg
        for a, e in zip(actual, expected):
            assert_close(a, e, dtype, rtol, atol, msg)
        return
    expected = np.asarray(expected)
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, '%s shape %s != oracle %s' % (msg, actual.shape, expected.shape)
    np.testing.assert_allclose(actual.astype('float64') if actual.dtype != bool else actual,
                               expected.astype('float64') if expected.dtype != bool else expected,
                               rtol=RTOL[dtype] if rtol is None else rtol,
                               atol=ATOL[dtype] if atol is None else atol, err_msg=msg)


def check_op(K, name, *arrays, **kwargs):
    """Asserts that K.<name> on `arrays` matches oracle.<name> (tolerances from the first array's dtype)."""
    rtol, atol = kwargs.pop('rtol', None), kwargs.pop('atol', None)
    dtype = next((str(a.dtype) for a in arrays if isinstance(a, np.ndarray) and a.dtype.kind == 'f'),
                 'float32')
    expected = getattr(oracle, name)(*arrays, **kwargs)
    actual = run(K, name, *arrays, **kwargs)
    assert_close(actual, expected, dtype, rtol, atol, msg='%s(%s)' % (name, kwargs))
    return actual


def numeric_gradient(f, arrays, index, eps=1e-4):
    """Central finite differences of the scalar f(*arrays) with respect to arrays[index]."""
    x = arrays[index].astype('float64')
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(*[x if j == index else a for j, a in enumerate(arrays)])
        x[i] = old - eps
        down = f(*[x if j == index else a for j, a in enumerate(arrays)])
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def check_gradient(K, fn, *arrays, **kwargs):
    """Asserts that K.gradients of sum(fn(*inputs) * w) matches finite differences, in float64.

    `fn` maps K tensors to a K tensor; `wrt` (default: all) lists the indices of the differentiated
    inputs. A fixed random weight w makes every output element count.
    """
    wrt = kwargs.pop('wrt', range(len(arrays)))
    rtol, atol, eps = kwargs.pop('rtol', 1e-4), kwargs.pop('atol', 1e-6), kwargs.pop('eps', 1e-5)
    arrays = [np.asarray(a, dtype='float64') for a in arrays]
    inputs = [K.placeholder(shape=a.shape, dtype='float64') for a in arrays]
    out = fn(*inputs)
    out_shape = np.shape(K.function(inputs, [out])(arrays)[0])
    weights = rand(*out_shape, dtype='float64', seed=7)
    loss = K.sum(out * K.constant(weights, dtype='float64'))
    forward = K.function(inputs, [loss])
    grads = K.function(inputs, K.gradients(loss, [inputs[i] for i in wrt]))(arrays)

    def f(*values):
        return float(forward(list(values))[0])
    for i, grad in zip(wrt, grads):
        expected = numeric_gradient(f, arrays, i, eps)
        assert_close(grad, expected, 'float64', rtol, atol, msg='gradient wrt input %d' % i)


_GRADIENT_GRAPHS = {}


def run_with_gradients(K, name, arrays, wrt, weights, **kwargs):
    """[K.<name>(*inputs, **kwargs), then the gradients of sum(output * weights) w.r.t. the inputs
    listed in `wrt`], evaluated to NumPy through one K.function of placeholders (cached per engine,
    case, dtypes and shapes, so that property tests compile once per case). A gradient K.gradients
    gives as None comes back as None."""
    key = (K.backend(), id(K), name, repr(sorted(kwargs.items())), tuple(wrt),
           tuple((a.dtype.str, a.shape) for a in arrays))
    if key not in _GRADIENT_GRAPHS:
        inputs = [K.placeholder(shape=a.shape, dtype=str(a.dtype)) for a in arrays]
        out = getattr(K, name)(*inputs, **kwargs)
        w = K.placeholder(shape=np.shape(weights), dtype=K.dtype(out))
        grads = K.gradients(K.sum(out * w), [inputs[i] for i in wrt])
        _GRADIENT_GRAPHS[key] = K.function(inputs + [w], [out] + list(grads))
    return _GRADIENT_GRAPHS[key](list(arrays) + [np.asarray(weights, arrays[wrt[0]].dtype)])


def check_op_and_gradients(K, name, gradients, *arrays, **kwargs):
    """Asserts that K.<name> on `arrays` and its gradients (w.r.t. the inputs listed in `wrt`, by
    default the float ones) match oracle.<name> and the oracle's analytic `gradients[name]`, with the
    first float array's dtype tolerances (rtol/atol override them)."""
    wrt = kwargs.pop('wrt', [i for i, a in enumerate(arrays) if a.dtype.kind == 'f'])
    rtol, atol = kwargs.pop('rtol', None), kwargs.pop('atol', None)
    dtype = str(arrays[wrt[0]].dtype)
    expected = getattr(oracle, name)(*arrays, **kwargs)
    weights = rng(11).uniform(0.5, 1.5, size=np.shape(expected)) * rng(12).choice([-1, 1], np.shape(expected))
    weights = weights.astype(dtype)
    results = run_with_gradients(K, name, arrays, wrt, weights, **kwargs)
    msg = '%s(%s) of %s' % (name, kwargs, [a.tolist() for a in arrays])
    assert_close(results[0], expected, dtype, rtol, atol, msg=msg)
    for i, actual, grad in zip(wrt, results[1:], gradients[name](weights, *arrays, **kwargs)):
        assert actual is not None, '%s: no gradient w.r.t. input %d' % (msg, i)
        with np.errstate(over='ignore'):
            grad = np.asarray(grad).astype(dtype)  # the exact gradient rounded to the dtype (inf beyond)
        assert_close(actual, grad, dtype, rtol, atol, msg='%s: gradient w.r.t. input %d' % (msg, i))
