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

from ._engine import IS_PYTENSOR, T, theano  # noqa: F401  (T: for the tests)

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
