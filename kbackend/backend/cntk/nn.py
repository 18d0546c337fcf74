"""cntk engine: the nn op family (see kbackend.backend.api.FAMILIES).

CNTK's own kernels for the activations (exact and stable at extreme inputs in float16/32/64, with
TensorFlow's gradients at the kinks) and for softmax and log-softmax along any axis, including the
free batch axis. Everything else comes from kbackend/backend/shared/nn.py, which these functions also
call for the cases a kernel does not cover. Not used, as measured: ``C.cross_entropy_with_softmax``
(wrong shape with a free batch), ``C.batch_normalization`` (crashes on inputs without CNTK's batch
axis) and ``C.dropout`` (the identity under ``eval``).
"""
import numbers
import sys

from ..common import floatx
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

def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    if _number(threshold) and threshold == 0 and _number(alpha):
        x = _float(x)
        if max_value is None:
            # C.leaky_relu is x for x > 0 and alpha * x otherwise, for any alpha (also above 1).
            return T.same(x, C.relu(x) if alpha == 0 else C.leaky_relu(x, alpha))
        if alpha == 0 and _number(max_value):
            cap = T.constant(max_value, T.keras_dtype(x))
            return T.same(x, C.element_min(C.relu(x), cap))
    return _composite().relu(x, alpha, max_value, threshold)


def elu(x, alpha=1.0):
    if not _number(alpha):
        return _composite().elu(x, alpha)
    x = _float(x)
    return T.same(x, C.elu(x, alpha))


def softmax(x, axis=-1):
    x = _float(x)
    return T.same(x, C.softmax(x, axis=T.static_axis(x, axis, 'softmax')))


def softplus(x):
    x = _float(x)
    return T.same(x, C.softplus(x))


def softsign(x):
    x = _float(x)
    return T.same(x, C.softsign(x))


def sigmoid(x):
    x = _float(x)
    return T.same(x, C.sigmoid(x))


def hard_sigmoid(x):
    x = _float(x)
    if T.cntk_dtype(x) == 'float64':
        # The kernel keeps its slope and offset in float32 (0.2 off by 3e-9): exact composite instead.
        return _composite().hard_sigmoid(x)
    return T.same(x, C.hard_sigmoid(x, 0.2, 0.5))


def tanh(x):
    x = _float(x)
    return T.same(x, C.tanh(x))


# --- losses ----------------------------------------------------------------------------------------

def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if not from_logits:
        return _composite().categorical_crossentropy(target, output, from_logits, axis)
    target, logits, dtype = T.unify(target, _float(output))
    a = T.static_axis(logits, axis, 'categorical_crossentropy')
    # log_softmax is computed shifted by the max: finite for huge logits.
    loss = C.negate(C.reduce_sum(C.element_times(target, C.log_softmax(logits, axis=a)), axis=a))
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
