"""cntk engine: the random op family (see kbackend.backend.api.FAMILIES).

CNTK's random nodes (``C.random.uniform/normal/bernoulli``) draw a new sample at every evaluation and
repeat their first draw for a given seed. They take a static shape; a shape with a dim known only at
run time (from ``K.shape(x)``) is sampled with the ``*_like`` variant of a zero tensor of that shape.
They sample only float32/float64: float16 results are drawn in float32 and cast. The random
variables come from the shared composites (NumPy samples, the same values on every engine).
"""
import numbers

import numpy as np

from ..common import floatx
from ..shared.checks import check_float_dtypes
from ..shared.random import draw_seed
from . import _tensor as T
from ._engine import C

__all__ = ['random_normal', 'random_uniform', 'random_binomial', 'truncated_normal']


# --- shapes ----------------------------------------------------------------------------------------

def _shape_dims(shape, fn):
    """The dims of a shape argument (ints, a sequence of ints and 1-element shape tensors, or a shape
    tensor): an int per known dim, a (tensor, static axis) pair per dim known only at run time."""
    if isinstance(shape, (numbers.Integral, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if T.is_tensor(shape):
        refs = T.dim_refs(shape)
        if refs is None:
            raise ValueError('%s: expected a shape of ints or one made of K.shape() entries; received '
                             'the tensor %r, whose values CNTK cannot know when the graph is built.'
                             % (fn, shape))
        items = [_ref_dim(ref) for ref in refs]
    else:
        try:
            items = [_item_dim(d, shape, fn) for d in shape]
        except TypeError:
            raise ValueError('%s: expected a shape (a tuple of ints); received %r.' % (fn, shape))
    if any(d == 0 for d in items if isinstance(d, int)):
        raise NotImplementedError('%s: CNTK 2.7 cannot sample an empty tensor (its random ops raise '
                                  '"operation has 0 elements"); received shape %r.' % (fn, shape))
    return items


def _ref_dim(ref):
    tensor, axis, size = ref
    return int(size) if size is not None else (tensor, axis)


def _item_dim(d, shape, fn):
    if T.is_tensor(d):
        refs = T.dim_refs(d)
        if refs is None or len(refs) != 1:
            raise ValueError('%s: expected each dim to be an int or an entry of K.shape(); received %r.'
                             % (fn, shape))
        return _ref_dim(refs[0])
    if isinstance(d, bool) or not isinstance(d, (numbers.Integral, np.integer)) or d < 0:
        raise ValueError('%s: expected a shape of non-negative ints; received %r.' % (fn, shape))
    return int(d)


def _run_time_zeros(tensor, axis, position, rank, storage):
    """Zeros of shape (1, ..., n, ..., 1) (rank `rank`, n at `position`), n the run-time size of
    static axis `axis` of `tensor`."""
    line = C.stop_gradient(tensor)
    for other in range(len(tensor.shape)):
        if other != axis:
            line = C.slice(line, other, 0, 1)
    for other in reversed(range(len(tensor.shape))):
        if other != axis:
            line = T.drop_axis(line, other)
    line = C.zeros_like(line)
    if T.cntk_dtype(line) != storage:
        line = C.cast(line, T.np_storage(storage))
    for _ in range(position):
        line = T.insert_axis(line, 0)
    for _ in range(rank - position - 1):
        line = T.insert_axis(line, len(line.shape))
    return line


def _template(dims, storage):
    """A zero tensor of the shape `dims` describes (for the *_like random ops)."""
    known = tuple(d if isinstance(d, int) else 1 for d in dims)
    out = C.constant(np.zeros(known, T.np_storage(storage)))
    for position, d in enumerate(dims):
        if not isinstance(d, int):
            out = C.plus(out, _run_time_zeros(d[0], d[1], position, len(dims), storage))
    return out


def _draw(kind, dims, storage, seed, **params):
    """One CNTK random node of distribution `kind` ('uniform', 'normal', 'bernoulli')."""
    if all(isinstance(d, int) for d in dims):
        return getattr(C.random, kind)(tuple(dims), dtype=T.np_storage(storage), seed=seed, **params)
    return getattr(C.random, kind + '_like')(_template(dims, storage), seed=seed, **params)


# --- dtypes and parameters -------------------------------------------------------------------------

def _float_dtype(dtype, fn):
    dtype = T.check_dtype(floatx() if dtype is None else dtype, fn)
    check_float_dtypes(fn, dtype=dtype)
    return dtype


def _sampling_storage(dtype):
    # CNTK's random ops sample only float32 and float64.
    return 'float64' if dtype == 'float64' else 'float32'


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _finish(sample, dtype):
    """A float sample in the storage of Keras dtype `dtype`, tagged with it."""
    return T.tag(T.cast_storage(sample, T.storage_of(dtype)), dtype)


def _affine(standard, shift, scale):
    """shift + scale * standard for parameters that are tensors (Python operators unify dtypes)."""
    return standard * scale + shift


# --- the random tensors ----------------------------------------------------------------------------

def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, 'random_normal')
    seed = draw_seed(seed)
    dims = _shape_dims(shape, 'random_normal')
    storage = _sampling_storage(dtype)
    if _is_number(mean) and _is_number(stddev):
        sample = _draw('normal', dims, storage, seed, mean=float(mean), scale=float(stddev))
    else:
        sample = _affine(_draw('normal', dims, storage, seed), mean, stddev)
    return _finish(sample, dtype)


def _below(value, dtype):
    """The largest number of `dtype` below `value` (the top of a half-open interval [.., value))."""
    rounded = np.asarray(value, dtype)
    return rounded if rounded < value else np.nextafter(rounded, np.asarray(-np.inf, dtype))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, 'random_uniform')
    seed = draw_seed(seed)
    dims = _shape_dims(shape, 'random_uniform')
    storage = _sampling_storage(dtype)
    if not (_is_number(minval) and _is_number(maxval)):
        return _finish(_affine(_draw('uniform', dims, storage, seed), minval, maxval - minval), dtype)
    sample = _finish(_draw('uniform', dims, storage, seed, low=float(minval), high=float(maxval)), dtype)
    if maxval <= minval:
        return sample
    # minval + (maxval - minval) * u can round up to maxval (more often after the cast to float16):
    # such values become the largest number of the dtype below maxval, so maxval stays excluded.
    top = C.constant(_below(maxval, dtype))
    return T.tag(C.element_min(sample, top), dtype)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    dtype = T.check_dtype(floatx() if dtype is None else dtype, 'random_binomial')
    seed = draw_seed(seed)
    dims = _shape_dims(shape, 'random_binomial')
    storage = _sampling_storage(dtype)
    if _is_number(p):
        return _finish(_draw('bernoulli', dims, storage, seed, mean=float(p)), dtype)
    # a tensor p: 1 where a uniform sample in [0, 1) is below p
    uniform = T.tag(_draw('uniform', dims, storage, seed), storage)
    return _finish(T.less(uniform, p), dtype)


# Candidates drawn per element by truncated_normal: all of them fall beyond 2 stddev with probability
# 0.0455 ** n (below float32's resolution for 6, float64's order of magnitude is not reachable, so 10
# keeps it at 4e-14).
_CANDIDATES = {'float32': 6, 'float64': 10}


def _candidate_seeds(seed, count):
    # Independent streams per candidate (seed, seed + 1, ... would share draws between nearby seeds).
    return [int(s) for s in np.random.RandomState(seed).randint(1, 2 ** 31 - 1, size=count)]


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, 'truncated_normal')
    seed = draw_seed(seed)
    dims = _shape_dims(shape, 'truncated_normal')
    storage = _sampling_storage(dtype)
    # Rejection sampling, exact for the normal cut at +-2: each element is the first of n standard
    # normal candidates inside (-2, 2). When all n fall outside (probability 0.0455 ** n), the last
    # one, clipped, is used, so the result never leaves the interval.
    candidates = [_draw('normal', dims, storage, s)
                  for s in _candidate_seeds(seed, _CANDIDATES[storage])]
    standard = C.clip(candidates[-1], -2., 2.)
    for z in reversed(candidates[:-1]):
        standard = C.element_select(C.less(C.abs(z), 2.), z, standard)
    if _is_number(mean) and _is_number(stddev):
        sample = C.plus(C.element_times(standard, float(stddev)), float(mean))
    else:
        sample = _affine(T.tag(standard, storage), mean, stddev)
    return _finish(sample, dtype)
