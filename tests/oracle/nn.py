"""Oracle for the nn family: independent NumPy/SciPy definitions (float64 inside, input dtype out)."""
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
    return _like(y - alpha * np.maximum(threshold - v, 0.), x)


def elu(x, alpha=1.0):
    v = _f64(x)
    return _like(np.where(v > 0, v, alpha * np.expm1(np.minimum(v, 0))), x)


def softmax(x, axis=-1):
    return _like(special.softmax(_f64(x), axis=axis), x)


def softplus(x):
    return _like(np.logaddexp(0., _f64(x)), x)


def softsign(x):
    v = _f64(x)
    return _like(v / (1 + np.abs(v)), x)


def sigmoid(x):
    return _like(special.expit(_f64(x)), x)


def hard_sigmoid(x):
    return _like(np.clip(0.2 * _f64(x) + 0.5, 0, 1), x)


def tanh(x):
    return _like(np.tanh(_f64(x)), x)


# --- losses ----------------------------------------------------------------------------------------

def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    o = _f64(output)
    if from_logits:
        log_p = special.log_softmax(o, axis=axis)
    else:
        log_p = np.log(_clip_probabilities(o / o.sum(axis=axis, keepdims=True), np.asarray(output).dtype))
    return _like(-(_f64(target) * log_p).sum(axis=axis), output)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    o = np.moveaxis(_f64(output), axis, -1)
    labels = np.asarray(target).astype('int64').reshape(o.shape[:-1])
    if from_logits:
        log_p = special.log_softmax(o, axis=-1)
    else:
        log_p = np.log(_clip_probabilities(o / o.sum(axis=-1, keepdims=True), np.asarray(output).dtype))
    picked = np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    return _like(-picked, output)


def binary_crossentropy(target, output, from_logits=False):
    t, o = _f64(target), _f64(output)
    if from_logits:
        # log sigmoid(x) = -log(1 + exp(-x)), log(1 - sigmoid(x)) = -log(1 + exp(x))
        result = t * np.logaddexp(0, -o) + (1 - t) * np.logaddexp(0, o)
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
