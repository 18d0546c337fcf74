"""Elementwise kernels with faster C code than the engines' own (PyTensor and Theano 1.0.5).

The engines' C code for ``tanh`` calls libm's scalar ``tanh`` on doubles: about 15 ns an element
here (``tanhf`` is 12 ns), which made ``tanh`` the largest part of an LSTM step's time on these
engines (a 32×512 float32 ``tanh`` took 250 µs, NumPy's vectorised one 5 µs). For float32, `FastTanh`
evaluates Eigen's rational approximation, the kind TensorFlow's CPU kernel uses (the input clamped
to ±7.905, then x·P(x²)/Q(x²); relative error below 4e-7, exact at 0, ±1 at ±inf, NaN kept, about 5
ns an element; within 4e-7 of TensorFlow's values). float64 keeps libm's ``tanh``.
The gradient is ``1 - y²`` of the op's own output (PyTensor: no second ``tanh``; Theano 1.0.5's
fused gradient recomputes y with this same kernel); the Python implementation,
used by the engines' Python linker (``K.eval``), is NumPy's ``tanh``.
"""
import importlib

from ._engine import IS_PYTENSOR, T, register_specialize, theano  # noqa: F401  (T: for the tests)

_scalar = importlib.import_module(theano.__name__ + '.scalar.basic')
_elemwise = importlib.import_module(theano.__name__ + '.tensor.elemwise')

# Eigen's float tanh: odd numerator coefficients alpha_1 .. alpha_13, even denominator beta_0 .. beta_6.
_CLAMP = '7.90531110763549805f'
_ALPHA = ('-2.76076847742355e-16f', '2.00018790482477e-13f', '-8.60467152213735e-11f',
          '5.12229709037114e-08f', '1.48572235717979e-05f', '6.37261928875436e-04f',
          '4.89352455891786e-03f')
_BETA = ('1.19825839466702e-06f', '1.18534705686654e-04f', '2.26843463243900e-03f',
         '4.89352518554385e-03f')


def _horner(var, coefficients, x2):
    lines = ['float %s = %s;' % (var, coefficients[0])]
    lines += ['%s = %s * %s + %s;' % (var, var, x2, c) for c in coefficients[1:]]
    return ' '.join(lines)


class FastTanh(_scalar.Tanh):

    def c_code(self, node, name, inputs, outputs, sub):
        (x,), (z,) = inputs, outputs
        if node.outputs[0].type.dtype != 'float32' or node.inputs[0].type.dtype not in (
                'float32', 'float16', 'int8', 'uint8', 'int16', 'uint16'):
            return super(FastTanh, self).c_code(node, name, inputs, outputs, sub)
        # Comparisons, not fminf/fmaxf, for the clamp: a NaN stays NaN.
        return ('{ float v_ = (float)%(x)s; '
                'v_ = v_ < -%(c)s ? -%(c)s : (v_ > %(c)s ? %(c)s : v_); '
                'float x2_ = v_ * v_; %(p)s p_ = p_ * v_; %(q)s '
                '%(z)s = p_ / q_; }'
                % dict(x=x, z=z, c=_CLAMP, p=_horner('p_', _ALPHA, 'x2_'), q=_horner('q_', _BETA, 'x2_')))

    def c_code_cache_version(self):
        return ('kbackend-fast-tanh', 1) + tuple(super(FastTanh, self).c_code_cache_version())

    def _dy(self, x, y, gz):
        if x.type in _scalar.complex_types or y.type in _scalar.discrete_types:
            return None
        return gz * (1 - y * y)

    if IS_PYTENSOR:
        def pullback(self, inputs, outputs, gout):
            grad = self._dy(inputs[0], outputs[0], gout[0])
            return super(FastTanh, self).pullback(inputs, outputs, gout) if grad is None else (grad,)
    else:
        # Theano 1.0.5's Tanh defines L_op (which wins over grad) as 1 - sqr(tanh(x)) with its own
        # libm tanh: that recomputation cost 3.4 ms of an LSTM step's gradient, 40x this op's.
        def L_op(self, inputs, outputs, gout):
            grad = self._dy(inputs[0], outputs[0], gout[0])
            return super(FastTanh, self).L_op(inputs, outputs, gout) if grad is None else (grad,)


tanh = _elemwise.Elemwise(FastTanh(_scalar.upgrade_to_float, name='tanh'), name='tanh')


# --- sigmoid --------------------------------------------------------------------------------------
# The engines' float32 sigmoid is 1 / (1 + exp(-x)) through libm's exp, one call an element: the
# gates of an LSTM step (three sigmoids on 32x128) took 62 us of its 120 us forward step on PyTensor.
# `FastSigmoid` evaluates exp(-x) inline (Cody-Waite range reduction to |r| <= ln2/2, a degree-7
# Taylor polynomial, 2^k put into the exponent bits: relative error about 1e-7, no call, so the
# compiler can vectorise the loop); x < -88 gives 0 as Theano 1.0.5's kernel does (exp would
# overflow), NaN stays NaN. It is not what K.sigmoid builds: the engines' stability rewrites
# (log(sigmoid(x)) -> -softplus(-x), ...) match their own sigmoid op, so the swap is a rewrite of
# the specialize stage, after those have run (`install`). float64 keeps the engine's code.

if IS_PYTENSOR:
    _EngineSigmoid = importlib.import_module('pytensor.scalar.math').Sigmoid
else:
    _EngineSigmoid = importlib.import_module('theano.tensor.nnet.sigm').ScalarSigmoid

_EXP_COEFFICIENTS = ('1.9841269841e-4f', '1.3888888889e-3f', '8.3333333333e-3f', '4.1666666667e-2f',
                     '1.6666666667e-1f', '0.5f', '1.0f', '1.0f')  # 1/7!, 1/6!, ..., 1/1!, 1/0!


class FastSigmoid(_EngineSigmoid):
    def c_code(self, node, name, inputs, outputs, sub):
        (x,), (z,) = inputs, outputs
        if node.outputs[0].type.dtype != 'float32' or node.inputs[0].type.dtype != 'float32':
            return super(FastSigmoid, self).c_code(node, name, inputs, outputs, sub)
        horner = ' '.join(['float p_ = %s;' % _EXP_COEFFICIENTS[0]] +
                          ['p_ = p_ * r_ + %s;' % c for c in _EXP_COEFFICIENTS[1:]])
        return ('{ float v_ = (float)%(x)s; '
                'float t_ = v_ == v_ ? -v_ : 0.0f; '  # exp(t_) with t_ = -x, NaN handled below
                't_ = t_ < -88.0f ? -88.0f : (t_ > 88.0f ? 88.0f : t_); '
                # k_ = round(t_ / ln 2) by the 1.5 * 2^23 trick (no call), r_ = t_ - k_ ln 2 in two
                # parts (ln 2 = 0.693359375 - 2.12194440e-4, the first exact in few bits)
                'float k_ = t_ * 1.44269504088896341f + 12582912.0f; k_ -= 12582912.0f; '
                'float r_ = t_ - k_ * 0.693359375f; r_ = r_ + k_ * 2.12194440e-4f; '
                '%(horner)s '
                'int bits_ = ((int)k_ + 127) << 23; float scale_; '
                'memcpy(&scale_, &bits_, sizeof(float)); '
                '%(z)s = v_ != v_ ? v_ : (v_ < -88.0f ? 0.0f : 1.0f / (1.0f + p_ * scale_)); }'
                % dict(x=x, z=z, horner=horner))

    def c_headers(self, **kwargs):
        return ['<string.h>'] + list(super(FastSigmoid, self).c_headers(**kwargs))

    def c_code_cache_version(self):
        return ('kbackend-fast-sigmoid', 1) + tuple(super(FastSigmoid, self).c_code_cache_version())


fast_sigmoid = _elemwise.Elemwise(FastSigmoid(_scalar.upgrade_to_float, name='sigmoid'), name='sigmoid')


def _is_engine_sigmoid(node):
    op = node.op
    return (isinstance(op, _elemwise.Elemwise) and type(op.scalar_op) is _EngineSigmoid
            and not op.inplace_pattern and node.outputs[0].type.dtype == 'float32')


def _fast_sigmoid_of(node):
    return [fast_sigmoid(*node.inputs)] if _is_engine_sigmoid(node) else None


def install():
    """Registers the specialize-stage swap of float32 sigmoids for FastSigmoid."""
    register_specialize('kbackend_fast_sigmoid', [_elemwise.Elemwise], _fast_sigmoid_of)
