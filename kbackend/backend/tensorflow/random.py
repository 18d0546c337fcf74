"""tensorflow engine: the random op family (see kbackend.backend.api.FAMILIES).

Stateful tf.compat.v1 random ops: each run of the same tensor draws a new sample; the op seed alone
fixes the sequence (TensorFlow pairs it with its default graph seed).
"""
from ..shared import checks
from ..shared.random import draw_seed
from ._graph import graph_scope, tf1

__all__ = ['random_normal', 'random_uniform', 'truncated_normal']


@graph_scope
def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = checks.check_random_args('random_normal', shape, dtype, mean=mean, stddev=stddev)
    return tf1.random_normal(shape, mean, stddev, dtype=dtype, seed=draw_seed(seed))


@graph_scope
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = checks.check_random_args('random_uniform', shape, dtype, minval=minval, maxval=maxval)
    return tf1.random_uniform(shape, minval, maxval, dtype=dtype, seed=draw_seed(seed))


@graph_scope
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    # TensorFlow redraws values beyond 2 stddev.
    dtype = checks.check_random_args('truncated_normal', shape, dtype, mean=mean, stddev=stddev)
    return tf1.truncated_normal(shape, mean, stddev, dtype=dtype, seed=draw_seed(seed))
