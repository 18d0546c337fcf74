"""theano engine: the random op family (see kbackend.backend.api.FAMILIES).

One random generator per random tensor, seeded with `seed` (or a seed drawn from NumPy): PyTensor's
shared Generator, or Theano 1.0.5's RandomStreams. Its state variable carries a default update, so
every compiled function (K.function, K.eval) advances it: each evaluation is a new sample.
"""
import contextlib
import math
import threading
import warnings

from ..shared import checks
from ..shared.random import draw_seed
from ._engine import IS_PYTENSOR, T, theano

__all__ = ['random_normal', 'random_uniform', 'truncated_normal']

_RECORDING = threading.local()


@contextlib.contextmanager
def recording_samples():
    """Collects the random samples made in this thread meanwhile (rnn passes those its step function
    makes to scan as explicit inputs, see control._symbolic_rnn)."""
    previous = getattr(_RECORDING, 'samples', None)
    _RECORDING.samples = made = []
    try:
        yield made
    finally:
        _RECORDING.samples = previous


def _gradient_free(sample):
    # A sample has no gradient. Saying so keeps the graph behind it (generator state, size) out of
    # differentiation: a dropout mask made inside an rnn step function otherwise makes the scan's
    # gradient fail on PyTensor (no `shape` on a generator).
    sample = theano.gradient.disconnected_grad(sample)
    made = getattr(_RECORDING, 'samples', None)
    if made is not None:
        made.append(sample)
    return sample


if IS_PYTENSOR:
    from pytensor.tensor.random.variable import shared_rng

    def _sample(distribution, shape, dtype, seed, *params):
        rng = shared_rng(seed=seed)
        next_rng, sample = getattr(rng, distribution)(*params, size=shape, dtype=dtype)
        with warnings.catch_warnings():
            # PyTensor 3 deprecates default updates (it wants explicit updates), but they are what
            # lets K.function and K.eval advance the generator without the caller's help.
            warnings.simplefilter('ignore', DeprecationWarning)
            rng.default_update = next_rng
        return _gradient_free(sample)
else:
    from theano.tensor.shared_randomstreams import RandomStreams

    _PARAM_NAMES = {'normal': ('avg', 'std'), 'uniform': ('low', 'high')}

    def _sample(distribution, shape, dtype, seed, *params):
        streams = RandomStreams(seed)
        kwargs = dict(zip(_PARAM_NAMES[distribution], params))
        return _gradient_free(getattr(streams, distribution)(size=shape, dtype=dtype, **kwargs))


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = checks.check_random_args('random_normal', shape, dtype, mean=mean, stddev=stddev)
    return _sample('normal', shape, dtype, draw_seed(seed), mean, stddev)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = checks.check_random_args('random_uniform', shape, dtype, minval=minval, maxval=maxval)
    return _sample('uniform', shape, dtype, draw_seed(seed), minval, maxval)


# A standard normal lies in (-2, 2) with probability erf(sqrt(2)).
_TRUNCATED_MASS = math.erf(math.sqrt(2.))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    # Exact inverse-CDF sampling of the normal cut at +-2 stddev (neither engine has a truncated
    # normal generator): x = sqrt(2) * erfinv(u) with u uniform in (-erf(sqrt 2), erf(sqrt 2)).
    dtype = checks.check_random_args('truncated_normal', shape, dtype, mean=mean, stddev=stddev)
    work_dtype = 'float64' if dtype == 'float64' else 'float32'  # erfinv has no float16 kernel
    u = _sample('uniform', shape, work_dtype, draw_seed(seed), -_TRUNCATED_MASS, _TRUNCATED_MASS)
    sample = mean + stddev * (math.sqrt(2.) * T.erfinv(u))
    return T.cast(sample, dtype) if sample.dtype != dtype else sample
