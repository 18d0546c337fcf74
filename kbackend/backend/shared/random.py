"""Composite random ops written once on K.* (bound per engine by shared.bind).

`draw_seed` is a plain function of Python values: the engine random modules import it from here too
(``kbackend.backend.shared.random``), so every engine turns ``seed=None`` into a seed the same way.
"""
import numbers

import numpy as np

from kbackend.backend.common import floatx
from kbackend.backend.shared import checks

__all__ = ['random_binomial', 'random_uniform_variable', 'random_normal_variable']

# Seeds drawn for seed=None lie in [1, SEED_LIMIT) (Keras 2.2.4 drew from randint(10e6)).
SEED_LIMIT = 10000000


def draw_seed(seed):
    """`seed` as an int, or, when it is None, one drawn from NumPy's global generator, so that
    ``np.random.seed`` makes graphs built with ``seed=None`` repeatable."""
    if seed is None:
        return int(np.random.randint(1, SEED_LIMIT))
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or not 0 <= seed < 2 ** 32:
        raise ValueError('Bad seed: %r; expected None or an int in [0, 2**32).' % (seed,))
    return int(seed)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    # 1 with probability p: a uniform sample in [0, 1) is below p with probability p.
    dtype = checks.check_random_args('random_binomial', shape, dtype, floats_only=False, p=p)
    draw = dtype if dtype in checks.FLOAT_DTYPES else floatx()
    uniform = K.random_uniform(shape, 0., 1., dtype=draw, seed=seed)  # noqa: F821
    return K.cast(K.less(uniform, p), dtype)  # noqa: F821


def _check_variable_args(fn, shape, dtype, **params):
    """The values are drawn by NumPy when the variable is made: the shape and the distribution's
    parameters must be numbers, not tensors."""
    if not (checks.is_int(shape) or isinstance(shape, (list, tuple))):
        raise ValueError('%s: expected a shape (a tuple of non-negative ints); received %r.' % (fn, shape))
    checks.check_random_shape(fn, shape)
    checks.random_dtype(fn, dtype, floats_only=False)
    for name in sorted(params):
        value = params[name]
        try:
            if value is None or isinstance(value, (str, bytes)):
                raise TypeError
            np.asarray(value, dtype='float64')
        except (TypeError, ValueError, NotImplementedError):
            raise ValueError('%s: expected %s to be a number; received %r.' % (fn, name, value))


# The variables are drawn with NumPy (seeded), so every engine gives the same initial values.

def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    _check_variable_args('random_uniform_variable', shape, dtype, low=low, high=high)
    if checks.is_number(low) and checks.is_number(high) and not low <= high:
        raise ValueError('random_uniform_variable: expected low <= high; received low=%r, high=%r.'
                         % (low, high))
    value = np.random.RandomState(draw_seed(seed)).uniform(low, high, size=shape)
    return K.variable(value, dtype=dtype or floatx(), name=name)  # noqa: F821


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    _check_variable_args('random_normal_variable', shape, dtype, mean=mean, scale=scale)
    if checks.is_number(scale) and not scale >= 0:
        raise ValueError('random_normal_variable: expected scale >= 0; received %r.' % (scale,))
    value = np.random.RandomState(draw_seed(seed)).normal(mean, scale, size=shape)
    return K.variable(value, dtype=dtype or floatx(), name=name)  # noqa: F821
