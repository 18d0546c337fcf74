"""cntk engine: the nn op family (see kbackend.backend.api.FAMILIES).

CNTK's own kernels for the activations (stable at extreme inputs in float16/32/64) and for softmax
and log-softmax along any axis, including the free batch axis. Everything else comes from
kbackend/backend/shared/nn.py, which these functions also call for the cases a kernel does not
cover. Where CNTK's kernels differ from TensorFlow's answers (docs/numerics.md, measured):
``C.relu`` is NaN at -inf in float32 and 0 for NaN in float16/float64; ``C.leaky_relu`` and
``C.elu(alpha)`` take the right-hand slope at 0 (TensorFlow: alpha); ``C.hard_sigmoid`` has gradient
0 at its bounds (TensorFlow: 0.2); ``C.softsign`` gives 0.99999994 at the largest float32 and NaN at
inf; ``C.softmax`` and ``C.log_softmax`` give NaN with a +inf entry. Not used, as measured:
``C.cross_entropy_with_softmax`` (wrong shape with a free batch), ``C.batch_normalization`` (crashes
on inputs without CNTK's batch axis) and ``C.dropout`` (the identity under ``eval``).
"""
import numbers
import sys

import numpy as np

from ..common import floatx
from ..shared.checks import check_flag
from ..shared.random import draw_seed
from . import _tensor as T
from ._engine import C
from .core import cast

__all__ = ['relu', 'elu', 'softmax', 'softplus', 'softsign', 'sigmoid', 'hard_sigmoid', 'tanh',
           'categorical_crossentropy', 'dropout']


def _composite():
    """The shared nn composites bound to this engine (installed by the package's __init__)."""
    return sys.modules[__package__ + '._shared_nn']


def _float(x):
    """x as a float tensor: an integer or boolean tensor becomes floatx (CNTK would keep the tag)."""
    x = T.as_tensor(x)
    return x if T.is_float(T.keras_dtype(x)) else cast(x, floatx())


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# --- activations -----------------------------------------------------------------------------------

def _relu(x):
    """C.relu, whose kernels differ by dtype at the edges (measured): in float32 relu(-inf) is NaN
    (x * (x > 0)), in float16/float64 relu(NaN) is 0. Fixed to 0 and NaN, as TensorFlow's."""
    out = C.relu(x)
    if T.cntk_dtype(x) == 'float32':
        like = T.keras_dtype(x)
        return C.element_select(C.equal(x, T.constant(-np.inf, like)), T.constant(0, like), out)
    return C.element_select(C.equal(x, x), out, x)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    if _number(threshold) and threshold == 0 and _number(alpha):
        x = _float(x)
        if max_value is None:
            if alpha == 0:
                return T.same(x, _relu(x))
            # Not C.leaky_relu: its gradient at 0 is 1, TensorFlow's (and the composite's) alpha.
            leak = C.element_times(x, T.constant(alpha, T.keras_dtype(x)))
            return T.same(x, C.element_select(C.greater(x, T.constant(0, T.keras_dtype(x))), x, leak))
        if alpha == 0 and _number(max_value):
            cap = T.constant(max_value, T.keras_dtype(x))
            return T.same(x, C.element_min(_relu(x), cap))
    return _composite().relu(x, alpha, max_value, threshold)


def elu(x, alpha=1.0):
    if not _number(alpha) or alpha != 1:
        return _composite().elu(x, alpha)  # C.elu(x, alpha)'s gradient at 0 is 1, not alpha
    x = _float(x)
    return T.same(x, C.elu(x))


def _largest(x):
    return T.constant(np.finfo(T.cntk_dtype(x)).max, T.keras_dtype(x))


def softmax(x, axis=-1):
    x = _float(x)
    # +inf entries share the probability (the limit) where the kernel gives NaN. The bound first:
    # element_min(a, b) is `a if a < b else b`, which keeps a NaN in b.
    top = C.element_min(_largest(x), x)
    return T.same(x, C.softmax(top, axis=T.static_axis(x, axis, 'softmax')))


def softplus(x):
    x = _float(x)
    return T.same(x, C.softplus(x))


def softsign(x):
    return _composite().softsign(_float(x))  # exactly +-1 at +-inf (C.softsign: NaN)


def sigmoid(x):
    x = _float(x)
    return T.same(x, C.sigmoid(x))


def hard_sigmoid(x):
    # Not C.hard_sigmoid: its gradient at the bounds is 0 (TensorFlow's clip: 0.2), and in float64 it
    # keeps its slope and offset in float32 (0.2 off by 3e-9).
    return _composite().hard_sigmoid(_float(x))


def tanh(x):
    x = _float(x)
    return T.same(x, C.tanh(x))


# --- losses ----------------------------------------------------------------------------------------

def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if not check_flag('categorical_crossentropy', 'from_logits', from_logits):
        return _composite().categorical_crossentropy(target, output, from_logits, axis)
    _composite().check_loss('categorical_crossentropy', target, output)
    target, logits, dtype = T.unify(target, _float(output))
    a = T.static_axis(logits, _composite().check_axis('categorical_crossentropy', logits, axis),
                      'categorical_crossentropy')
    like = T.keras_dtype(logits)
    zero, inf = T.constant(0, like), T.constant(np.inf, like)
    # log_softmax is computed shifted by the max: exact for huge logits. Shifted first here with
    # +inf - +inf taken as 0, so +inf logits share the probability (the kernel: NaN).
    top = C.stop_gradient(C.reduce_max(logits, axis=a))
    log_probs = C.log_softmax(C.element_select(C.equal(logits, inf), zero, C.minus(logits, top)), axis=a)
    # 0 * log(0) = 0: a -inf log-probability with target 0 adds nothing (as the shared times_no_nan).
    at_zero = C.element_select(C.equal(log_probs, C.negate(inf)), zero, log_probs)
    terms = C.element_times(target, C.element_select(C.equal(target, zero), at_zero, log_probs))
    loss = C.negate(C.reduce_sum(terms, axis=a))
    return T.tag(T.drop_axis(loss, a), dtype)


# --- dropout -----------------------------------------------------------------------------------------

def dropout(x, level, noise_shape=None, seed=None):
    x = T.as_tensor(x)
    if not (T.hidden_batch(x) and noise_shape is None and _number(level)):
        return _composite().dropout(x, level, noise_shape, seed)
    # Inside a symbolic rnn step (a Keras cell's dropout mask) the batch is not a tensor axis, so the
    # composite's K.shape cannot size the noise: CNTK's uniform_like follows x's dynamic axes.
    _composite()._check_dropout_level(level)
    if level == 0:
        return x
    like = x if T.cntk_dtype(x) != 'float16' else C.cast(x, 'float32')  # no float16 random kernel
    keep = C.greater_equal(C.random.uniform_like(like, seed=draw_seed(seed)), level)
    scale = T.constant(1. / (1. - level), T.keras_dtype(x))
    return T.same(x, C.element_times(x, C.element_times(T.cast_storage(keep, T.cntk_dtype(x)), scale)))
