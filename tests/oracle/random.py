"""Oracle for the random family: NumPy/SciPy samples of the same laws as the engines' random ops.

The engines' generators differ from NumPy's, so the random tensors are compared by distribution
(moments, Kolmogorov-Smirnov); the random variables are drawn with NumPy from the seed on every engine,
so they are compared value for value.
"""
import numpy as np
from scipy import stats

__all__ = ['random_normal', 'random_uniform', 'random_binomial', 'truncated_normal',
           'random_uniform_variable', 'random_normal_variable', 'TRUNCATED_STD']

# The standard deviation of a standard normal cut at +-2: sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)).
TRUNCATED_STD = float(stats.truncnorm(-2, 2).std())


def _dtype(dtype):
    return dtype or 'float32'


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return np.random.RandomState(seed).normal(mean, stddev, size=shape).astype(_dtype(dtype))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return np.random.RandomState(seed).uniform(minval, maxval, size=shape).astype(_dtype(dtype))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    return np.random.RandomState(seed).binomial(1, p, size=shape).astype(_dtype(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    law = stats.truncnorm(-2, 2, loc=mean, scale=stddev)
    return law.rvs(size=shape, random_state=np.random.RandomState(seed)).astype(_dtype(dtype))


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    return np.random.RandomState(seed).uniform(low, high, size=shape).astype(_dtype(dtype))


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    return np.random.RandomState(seed).normal(mean, scale, size=shape).astype(_dtype(dtype))
