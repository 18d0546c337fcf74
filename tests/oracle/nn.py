"""Oracle for the nn family: independent NumPy/SciPy definitions (float64 inside, input dtype out).

Infinite inputs give the limit where one exists (docs/numerics.md): softsign(+-inf) = +-1; softmax
shares the probability among a row's +inf entries (a row of only -inf has none: NaN); the
crossentropies take 0 * log(0) as 0. `GRADIENTS` holds analytic gradients (float64) with kbackend's
conventions at kinks and infinities: ``GRADIENTS[name](g, *inputs, **kwargs)`` is the list of
gradients of sum(g * name(*inputs)) w.r.t. the float inputs.
"""
import numpy as np
from scipy import special

__all__ = ['normalize_batch_in_training', 'batch_normalization', 'relu', 'elu', 'softmax',
           'softplus', 'softsign', 'categorical_crossentropy', 'sparse_categorical_crossentropy',
           'binary_crossentropy', 'sigmoid', 'hard_sigmoid', 'tanh', 'dropout', 'l2_normalize',
           'in_top_k', 'bias_add', 'classification_error']

EPSILON = 1e-7  # kbackend's default epsilon()
L2_FLOOR = 1e-12


def _f64(x):
    return np.asarray(x, dtype='float64')


def _clip_probabilities(p, dtype):
    """p clipped to [eps, 1 - eps] in the tensor's dtype (1 - eps rounds there), as float64."""
    dtype = np.dtype(dtype if np.dtype(dtype).kind == 'f' else 'float32')
    return np.clip(np.asarray(p, dtype), dtype.type(EPSILON), dtype.type(1 - EPSILON)).astype('float64')


def _like(result, x):
    x = np.asarray(x)
    return np.asarray(result).astype(x.dtype if x.dtype.kind == 'f' else 'float32')


# --- activations -----------------------------------------------------------------------------------

def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2.2.4's rule: x where x > threshold (else 0), clipped to [0, max_value] when max_value
    is given, minus alpha * (threshold - x) where x is below the threshold."""
    v = _f64(x)
    y = np.where(v > threshold, v, 0.)
    if max_value is not None:
        y = np.clip(y, 0., max_value)
    if alpha:  # (alpha * inf would be NaN for alpha 0 at x = -inf)
        y = y - alpha * np.maximum(threshold - v, 0.)
    return _like(y, x)


def elu(x, alpha=1.0):
    v = _f64(x)
    return _like(np.where(v > 0, v, alpha * np.expm1(np.minimum(v, 0))), x)


def _log_softmax(v, axis):
    """float64 log-softmax, shifted by the max (SciPy 1.5's subtracts a rounded logsumexp). A row's
    +inf entries share its probability: log(1/k) there, -inf elsewhere; a row of only -inf is NaN."""
    top = np.isposinf(v)
    v = np.where(top.any(axis=axis, keepdims=True), np.where(top, 0., -np.inf), v)
    with np.errstate(invalid='ignore', divide='ignore'):
        shifted = v - v.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax(v, axis):
    """float64 softmax with _log_softmax's infinities."""
    top = np.isposinf(v)
    v = np.where(top.any(axis=axis, keepdims=True), np.where(top, 0., -np.inf), v)
    with np.errstate(invalid='ignore'):
        e = np.exp(v - v.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def softmax(x, axis=-1):
    return _like(_softmax(_f64(x), axis), x)


def softplus(x):
    return _like(np.logaddexp(0., _f64(x)), x)


def softsign(x):
    v = _f64(x)
    with np.errstate(invalid='ignore'):
        return _like(np.where(np.isinf(v), np.sign(v), v / (1 + np.abs(v))), x)


def sigmoid(x):
    return _like(special.expit(_f64(x)), x)


def hard_sigmoid(x):
    return _like(np.clip(0.2 * _f64(x) + 0.5, 0, 1), x)


def tanh(x):
    return _like(np.tanh(_f64(x)), x)


# --- losses ----------------------------------------------------------------------------------------

def _xlogy(t, log_p):
    """t * log_p with 0 * -inf = 0."""
    with np.errstate(invalid='ignore'):
        return np.where(t == 0, 0., t * log_p)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    o = _f64(output)
    if from_logits:
        log_p = _log_softmax(o, axis)
    else:
        log_p = np.log(_clip_probabilities(o / o.sum(axis=axis, keepdims=True), np.asarray(output).dtype))
    return _like(-_xlogy(_f64(target), log_p).sum(axis=axis), output)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    o = np.moveaxis(_f64(output), axis, -1)
    labels = np.asarray(target).astype('int64').reshape(o.shape[:-1])
    if from_logits:
        log_p = _log_softmax(o, -1)
    else:
        log_p = np.log(_clip_probabilities(o / o.sum(axis=-1, keepdims=True), np.asarray(output).dtype))
    picked = np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    return _like(-picked, output)


def binary_crossentropy(target, output, from_logits=False):
    t, o = _f64(target), _f64(output)
    if from_logits:
        # log sigmoid(x) = -log(1 + exp(-x)), log(1 - sigmoid(x)) = -log(1 + exp(x)); 0 * inf = 0
        result = -_xlogy(t, -np.logaddexp(0, -o)) - _xlogy(1 - t, -np.logaddexp(0, o))
    else:
        p = _clip_probabilities(o, np.asarray(output).dtype)
        result = -(t * np.log(p) + (1 - t) * np.log1p(-p))
    return _like(result, output)


# --- normalisation ---------------------------------------------------------------------------------

def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=0.001):
    y = (_f64(x) - _f64(mean)) / np.sqrt(_f64(var) + epsilon)
    if gamma is not None:
        y = y * _f64(gamma)
    if beta is not None:
        y = y + _f64(beta)
    return _like(y, x)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=0.001):
    v = _f64(x)
    axes = tuple(a % v.ndim for a in reduction_axes)
    kept = [a for a in range(v.ndim) if a not in axes]
    mean, var = v.mean(axis=axes), v.var(axis=axes)
    # Put the per-kept-axis vectors back in x's layout, with size-1 reduced axes.
    broadcast = [v.shape[a] if a in kept else 1 for a in range(v.ndim)]

    def spread(t):
        return None if t is None else _f64(t).reshape(broadcast)
    normed = batch_normalization(v, spread(mean), spread(var), spread(beta), spread(gamma),
                                 epsilon=epsilon)
    return [_like(normed, x), _like(mean, x), _like(var, x)]


def l2_normalize(x, axis=None):
    v = _f64(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    floor = max(L2_FLOOR, np.finfo(np.asarray(x).dtype).tiny)  # 1e-12, or float16's smallest normal
    norm = np.sqrt(np.maximum((v * v).sum(axis=axis, keepdims=True), floor))
    return _like(v / norm, x)


# --- other -----------------------------------------------------------------------------------------

def dropout(x, level, noise_shape=None, seed=None):
    """A sample of inverted dropout with NumPy's generator: same law as the engines, other draws."""
    v = _f64(x)
    rs = np.random.RandomState(seed)
    keep = rs.uniform(size=v.shape if noise_shape is None else noise_shape) >= level
    return _like(v * keep / (1 - level), x)


def in_top_k(predictions, targets, k):
    p = _f64(predictions)
    t = np.asarray(targets).astype('int64').reshape(-1)
    target_scores = p[np.arange(p.shape[0]), t]
    strictly_higher = (p > target_scores[:, None]).sum(axis=1)
    return strictly_higher < k


def bias_add(x, bias, data_format=None):
    v, b = _f64(x), _f64(bias)
    if data_format == 'channels_first' and v.ndim > 2:
        if b.ndim == 1:
            b = b.reshape((1, b.shape[0]) + (1,) * (v.ndim - 2))
        else:  # a full bias in channels-last layout, reshaped (not transposed), as Keras does
            b = b.reshape((1, b.shape[-1]) + b.shape[:-1])
    return _like(v + b, x)


def classification_error(target, output, axis=-1):
    wrong = np.argmax(_f64(output), axis=axis) != np.argmax(_f64(target), axis=axis)
    return np.asarray(wrong.mean(), dtype='float32')


# --- analytic gradients (TensorFlow's conventions at kinks; limits at infinities) -----------------

def _relu_grad(g, x, alpha=0.0, max_value=None, threshold=0.0):
    """TensorFlow's kernels' choice at the kinks: slope 1 only strictly inside (threshold, cap) and
    above 0 when capped; alpha at and below the threshold."""
    v, g = _f64(x), _f64(g)
    inside = v > threshold
    if max_value is not None:
        inside &= (v > 0) & (v < max(max_value, 0.))
    return [g * (inside + alpha * (v <= threshold))]


def _elu_grad(g, x, alpha=1.0):
    v = _f64(x)
    return [_f64(g) * np.where(v > 0, 1., alpha * np.exp(np.minimum(v, 0.)))]


def _softsign_grad(g, x):
    v = _f64(x)
    with np.errstate(over='ignore'):
        return [_f64(g) / (1 + np.abs(v)) ** 2]


def _hard_sigmoid_grad(g, x):
    v = _f64(x)
    return [_f64(g) * np.where((v >= -2.5) & (v <= 2.5), 0.2, 0.)]


def _softmax_grad(g, x, axis=-1):
    """p * (g - sum(p * g)); 0 at +inf entries (their probability does not move)."""
    v, g = _f64(x), _f64(g)
    p = _softmax(v, axis)
    grad = p * (g - (p * g).sum(axis=axis, keepdims=True))
    return [np.where(np.isposinf(v), 0., grad)]


def _categorical_grad(g, target, output, from_logits=True, axis=-1):
    """w.r.t. the target: -log p (0 where the target is 0 and log p is -inf as the output's dtype
    holds it: x - max(x) can overflow, e.g. -3e38 - 3e38 in float32); w.r.t. the logits:
    p * sum(t) - t (0 at +inf logits)."""
    t, v = _f64(target), _f64(output)
    g = np.expand_dims(_f64(g), axis)
    log_p = _log_softmax(v, axis)
    with np.errstate(over='ignore'):
        log_p_in_dtype = log_p.astype(np.asarray(output).dtype)
    d_target = np.where((t == 0) & np.isneginf(log_p_in_dtype), 0., -log_p)
    d_logits = np.exp(log_p) * t.sum(axis=axis, keepdims=True) - t
    return [g * d_target, g * np.where(np.isposinf(v), 0., d_logits)]


def _sparse_categorical_grad(g, target, output, from_logits=True, axis=-1):
    v = _f64(output)
    classes = v.shape[axis]
    labels = np.asarray(target).astype('int64').reshape(np.delete(v.shape, axis % v.ndim))
    one_hot = np.moveaxis(np.eye(classes)[labels], -1, axis)
    return [_categorical_grad(g, one_hot, v, axis=axis)[1]]


def _binary_grad(g, target, output, from_logits=True):
    """w.r.t. the logits: sigmoid(x) - t; w.r.t. the target: softplus(-x) - softplus(x) = -x, each
    term 0 where its weight (t, 1 - t) is 0 and the softplus infinite."""
    t, v, g = _f64(target), _f64(output), _f64(g)
    with np.errstate(invalid='ignore'):
        down = np.where((t == 0) & np.isneginf(v), 0., np.logaddexp(0, -v))
        up = np.where((t == 1) & np.isposinf(v), 0., np.logaddexp(0, v))
    return [g * (down - up), g * (special.expit(v) - t)]


GRADIENTS = {
    'relu': _relu_grad,
    'elu': _elu_grad,
    'softplus': lambda g, x: [_f64(g) * special.expit(_f64(x))],
    'sigmoid': lambda g, x: [_f64(g) * special.expit(_f64(x)) * special.expit(-_f64(x))],
    'tanh': lambda g, x: [_f64(g) * (1 - np.tanh(_f64(x)) ** 2)],
    'softsign': _softsign_grad,
    'hard_sigmoid': _hard_sigmoid_grad,
    'softmax': _softmax_grad,
    'categorical_crossentropy': _categorical_grad,
    'sparse_categorical_crossentropy': _sparse_categorical_grad,
    'binary_crossentropy': _binary_grad,
}
