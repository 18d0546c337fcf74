"""theano engine: the nn op family (see kbackend.backend.api.FAMILIES).

Only the elementwise kernels both Theano-API engines have natively live here (PyTensor has them in
``tensor``, Theano 1.0.5 in ``tensor.nnet``, which PyTensor lacks); everything else comes from the
shared composites in kbackend/backend/shared/nn.py, so PyTensor and Theano 1.0.5 share one path.
"""
from ._engine import T
from ._scalar_ops import tanh as _tanh

__all__ = ['sigmoid', 'softplus', 'tanh']

# Numerically stable scalar kernels (softplus switches to x / exp(x) for large |x|).
_sigmoid = getattr(T, 'sigmoid', None) or T.nnet.sigmoid
_softplus = getattr(T, 'softplus', None) or T.nnet.softplus


def sigmoid(x):
    return _sigmoid(x)


def softplus(x):
    return _softplus(x)


def tanh(x):
    return _tanh(x)  # TensorFlow's float32 approximation, ~3x libm's speed (see _scalar_ops)
