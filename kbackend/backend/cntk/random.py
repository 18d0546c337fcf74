"""cntk engine: the random op family (see kbackend.backend.api.FAMILIES).

A random tensor is a node (`_Sampler`, a CNTK user function) that draws its sample with NumPy every
time it is evaluated, from a generator it owns, seeded with `seed` (or one drawn from NumPy's global
generator). CNTK's own random ops keep their state per compiled graph: every new ``C.combine`` of
the same node (each K.eval, each K.function) restarts from the seed and repeats the first draw.
A dim known only at run time (an entry of ``K.shape(x)``) is read from the size of x's axis when
the node runs. The random variables come from the shared composites (NumPy samples, the same values
on every engine).
"""
import numbers

import numpy as np

from ..shared import checks
from ..shared.random import draw_seed
from . import _tensor as T
from ._engine import C

__all__ = ['random_normal', 'random_uniform', 'random_binomial', 'truncated_normal']


# --- the sampling node -----------------------------------------------------------------------------

class _Sampler(T.UserOp):
    """Outputs law(generator, shape) as `storage` floats, drawn anew at each evaluation. Its inputs are
    a tick (`_tick`; its value is not used) and one zero vector per run-time dim, whose length gives
    that dim."""

    def __init__(self, inputs, shape, storage, law, generator, name='random'):
        super(_Sampler, self).__init__(list(inputs), name=name)
        self.shape = tuple(shape)  # ints, T.FREE for the run-time dims
        self.storage = storage
        self.law = law
        self.generator = generator

    def infer_outputs(self):
        return [C.output_variable(self.shape, T.np_storage(self.storage), [], needs_gradient=False)]

    def forward(self, arguments, device=None, outputs_to_retain=None):
        lines = iter(arguments[1:] if isinstance(arguments, (list, tuple)) else [])
        shape = tuple(d if d >= 0 else len(next(lines)) for d in self.shape)
        sample = self.law(self.generator, shape)
        return None, np.asarray(sample, dtype=T.np_storage(self.storage), order="C")

    def backward(self, state, root_gradients, variables=None):
        # Never reached: no input needs a gradient (the sample does not depend on their values).
        raise NotImplementedError('a random sample has no gradient with respect to its shape.')

    def clone(self, cloned_inputs):
        # A clone is the same random op in another graph: it continues the same stream.
        return _Sampler(cloned_inputs, self.shape, self.storage, self.law, self.generator)


def _sample(law, shape, dtype, seed, fn):
    """A tensor of Keras dtype `dtype` and shape `shape` drawn by law(generator, shape)."""
    dims = _shape_dims(shape, fn)
    storage = T.storage_of(dtype)
    # CNTK gives a user function's output the element type of its inputs: all are `storage`.
    inputs = [_in_storage(_tick(seed), storage)] + [
        _in_storage(_line(tensor, axis), storage) for tensor, axis in
        (d for d in dims if not isinstance(d, int))]
    shape = tuple(d if isinstance(d, int) else T.FREE for d in dims)
    generator = np.random.Generator(np.random.PCG64(seed))
    node = C.user_function(_Sampler(inputs, shape, storage, law, generator, name=fn))
    return T.tag(node, dtype)


def _in_storage(x, storage):
    return x if T.cntk_dtype(x) == storage else C.cast(x, T.np_storage(storage))


def _tick(seed):
    # CNTK recomputes a node only when an input changed; its own random ops count as changed at every
    # evaluation. A scalar one as the sampler's first input makes the sampler draw at every evaluation
    # (with only constant inputs, a graph would compute it once and reuse the value).
    return C.random.uniform((), seed=seed)


def _line(tensor, axis):
    """A zero vector as long as static axis `axis` of `tensor` (only its size is used)."""
    line = C.stop_gradient(tensor)
    for other in range(len(tensor.shape)):
        if other != axis:
            line = C.slice(line, other, 0, 1)
    for other in reversed(range(len(tensor.shape))):
        if other != axis:
            line = T.drop_axis(line, other)
    return C.zeros_like(line)


# --- arguments -------------------------------------------------------------------------------------

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
        return [_ref_dim(ref) for ref in refs]
    try:
        dims = [_item_dim(d, shape, fn) for d in shape]
    except TypeError:
        raise ValueError('%s: expected a shape (a tuple of ints); received %r.' % (fn, shape))
    if 0 in dims:
        raise NotImplementedError('%s: CNTK 2.7 cannot hold an empty tensor (its nodes raise "operation '
                                  'has 0 elements"); received shape %r.' % (fn, shape))
    return dims


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


def _float_dtype(dtype, fn, shape, **params):
    return checks.check_random_args(fn, shape, dtype, **params)


def _work_dtype(dtype):
    # NumPy's generator draws float32 and float64; float16 is drawn in float32 and rounded.
    return np.float64 if dtype == 'float64' else np.float32


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _affine(standard, shift, scale):
    """shift + scale * standard for parameters that are tensors (Python operators unify dtypes)."""
    return standard * scale + shift


# --- the random tensors ----------------------------------------------------------------------------

def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, 'random_normal', shape, mean=mean, stddev=stddev)
    seed = draw_seed(seed)
    numbers_given = _is_number(mean) and _is_number(stddev)
    loc, scale = (mean, stddev) if numbers_given else (0., 1.)
    work = _work_dtype(dtype)

    def law(generator, size):
        return generator.standard_normal(size, dtype=work) * work(scale) + work(loc)
    sample = _sample(law, shape, dtype, seed, 'random_normal')
    return sample if numbers_given else _affine(sample, mean, stddev)


def _below(value, dtype):
    """The largest number of `dtype` below `value` (the top of the half-open interval [.., value))."""
    rounded = np.asarray(value, dtype)
    return rounded if rounded < value else np.nextafter(rounded, np.asarray(-np.inf, dtype))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, 'random_uniform', shape, minval=minval, maxval=maxval)
    seed = draw_seed(seed)
    numbers_given = _is_number(minval) and _is_number(maxval)
    low, high = (minval, maxval) if numbers_given else (0., 1.)
    work = _work_dtype(dtype)

    def law(generator, size):
        sample = (generator.random(size, dtype=work) * work(high - low) + work(low)).astype(dtype)
        # low + (high - low) * u can round up to high (more often in float16): such values become
        # the largest number of the dtype below high, so high stays excluded.
        return np.minimum(sample, _below(high, dtype)) if high > low else sample
    sample = _sample(law, shape, dtype, seed, 'random_uniform')
    return sample if numbers_given else _affine(sample, minval, maxval - minval)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    dtype = checks.check_random_args('random_binomial', shape, dtype, floats_only=False, p=p)
    seed = draw_seed(seed)
    if not _is_number(p):
        # a tensor p: 1 where a uniform sample in [0, 1) is below p
        uniform = random_uniform(shape, dtype=T.storage_of(dtype), seed=seed)
        return T.tag(C.less(*T.unify(uniform, p)[:2]), dtype)

    def law(generator, size):
        # u < p with u uniform in [0, 1): exactly all zeros for p = 0 and all ones for p = 1
        return generator.random(size) < p
    return _sample(law, shape, dtype, seed, 'random_binomial')


_TRUNCATION = 2.


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, 'truncated_normal', shape, mean=mean, stddev=stddev)
    seed = draw_seed(seed)
    numbers_given = _is_number(mean) and _is_number(stddev)
    loc, scale = (mean, stddev) if numbers_given else (0., 1.)
    work = _work_dtype(dtype)

    def law(generator, size):
        # Rejection sampling, exact: standard normal values outside (-2, 2) are redrawn.
        z = generator.standard_normal(size, dtype=work)
        outside = np.abs(z) >= _TRUNCATION
        while outside.any():
            z[outside] = generator.standard_normal(int(outside.sum()), dtype=work)
            outside = np.abs(z) >= _TRUNCATION
        return z * work(scale) + work(loc)
    sample = _sample(law, shape, dtype, seed, 'truncated_normal')
    return sample if numbers_given else _affine(sample, mean, stddev)
