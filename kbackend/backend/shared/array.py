"""Composite array ops (reshaping, joining, padding) written once on K.* (bound per engine by shared.bind)."""
# K is set by shared.bind.
# flake8: noqa: F821
import numpy as np

from kbackend.backend.shared import checks

__all__ = ['resize_images', 'resize_volumes', 'repeat', 'flatten', 'batch_flatten']


def _along(axis, ndim, index):
    """An index tuple applying `index` (a slice) to `axis` of a `ndim`-D tensor."""
    return tuple(index if i == axis else slice(None) for i in range(ndim))


def _upsample_bilinear(x, axis, factor):
    """TensorFlow's legacy resize_bilinear (align_corners=False, half_pixel_centers=False) along one
    axis at an integer factor: output i*f + r is x[i] + (x[i+1] - x[i]) * r/f, x[i+1] clamped at the
    edge. It is separable, so resize_images applies it per spatial axis."""
    if factor == 1:
        return x
    ndim = K.ndim(x)
    following = K.concatenate([x[_along(axis, ndim, slice(1, None))],
                               x[_along(axis, ndim, slice(-1, None))]], axis=axis)
    # One broadcast op builds a new axis of the `factor` phases r after `axis`; merging the two axes
    # interleaves them. The weights are made in x's dtype (a Python 1/f could be rounded to float32).
    weights = K.constant(np.arange(factor).reshape([factor if i == axis + 1 else 1 for i in range(ndim + 1)])
                         / float(factor), dtype=K.dtype(x))
    phases = K.expand_dims(x, axis + 1) + K.expand_dims(following - x, axis + 1) * weights
    return K.reshape(phases, _scaled_shape(x, axis, factor))


def _scaled_shape(x, axis, factor):
    """x's shape with `axis` times `factor`: known dims as ints, so the engines keep them static."""
    static = K.int_shape(x)
    dynamic = K.shape(x) if None in static else None
    dims = [dynamic[i] if d is None else d for i, d in enumerate(static)]
    dims[axis] = -1 if static[axis] is None else static[axis] * factor
    return dims


def _upsample(x, factors, axes, interpolation):
    for axis, factor in zip(axes, factors):
        if interpolation == 'bilinear':
            x = _upsample_bilinear(x, axis, factor)
        elif factor != 1:
            x = K.repeat_elements(x, factor, axis)
    return x


def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    factors, axes = checks.resize_args('resize_images', K.ndim(x), (height_factor, width_factor),
                                       data_format, interpolation)
    return _upsample(x, factors, axes, interpolation)


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    factors, axes = checks.resize_args('resize_volumes', K.ndim(x),
                                       (depth_factor, height_factor, width_factor), data_format)
    return _upsample(x, factors, axes, 'nearest')


def repeat(x, n):
    checks.check_count('repeat', 'n', n)
    if K.ndim(x) != 2:
        raise ValueError('repeat: expected a 2-D input (batch, dim); received a %d-D tensor.' % K.ndim(x))
    return K.tile(K.expand_dims(x, 1), [1, n, 1])


def flatten(x):
    return K.reshape(x, (-1,))


def batch_flatten(x):
    rest = K.int_shape(x)[1:]
    if None not in rest:
        size = 1
        for d in rest:
            size *= d
        return K.reshape(x, (-1, size))
    return K.reshape(x, K.stack([-1, K.prod(K.shape(x)[1:])]))
