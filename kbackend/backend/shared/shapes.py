"""Static output shapes of shape-changing ops, from the static shapes of their inputs.

Plain functions of tuples (ints, None for unknown): an engine whose graph does not keep static shapes
(legacy Theano 1.0.5) records these as ``_keras_shape`` so that K.int_shape keeps every known dim, as
TensorFlow's shape inference does.
"""


def _times(d, n):
    return None if d is None or n is None else d * n


def _sum(dims):
    return None if any(d is None for d in dims) else sum(dims)


def expand_dims(shape, axis):
    shape = list(shape)
    shape.insert(axis % (len(shape) + 1), 1)
    return tuple(shape)


def squeeze(shape, axis):
    return tuple(d for i, d in enumerate(shape) if i != axis % len(shape))


def tile(shape, reps):
    """np.tile's rule; reps already as long as the result's rank (ints, or None when symbolic)."""
    shape = (1,) * (len(reps) - len(shape)) + tuple(shape)
    return tuple(_times(d, r if isinstance(r, int) else None) for d, r in zip(shape, reps))


def repeat_elements(shape, rep, axis):
    shape = list(shape)
    shape[axis] = _times(shape[axis], rep if isinstance(rep, int) else None)
    return tuple(shape)


def reshape(shape, target):
    """A reshape to `target` (ints, -1 for the inferred dim, None for a symbolic entry)."""
    target = [None if t is None else int(t) for t in target]
    if target.count(-1) == 1:
        known = [t for t in target if t != -1]
        if None not in known and None not in shape:
            size = 1
            for d in shape:
                size *= d
            rest = 1
            for t in known:
                rest *= t
            target[target.index(-1)] = size // rest if rest else None
        else:
            target[target.index(-1)] = None
    return tuple(target)


def padded(shape, widths):
    """Each axis grown by its (before, after) pair."""
    return tuple(None if d is None else d + before + after for d, (before, after) in zip(shape, widths))


def gather(reference_shape, indices_shape):
    return tuple(indices_shape) + tuple(reference_shape[1:])


def permute(shape, pattern):
    return tuple(shape[p] for p in pattern)


def concatenate(shapes, axis):
    out = list(_merged(shapes))
    out[axis] = _sum([s[axis] for s in shapes])
    return tuple(out)


def _merged(shapes):
    """One shape from several that must agree: each dim known in any of them."""
    return tuple(next((d for d in dims if d is not None), None) for dims in zip(*shapes))


def stack(shapes, axis):
    merged = _merged(shapes)
    axis %= len(merged) + 1
    return merged[:axis] + (len(shapes),) + merged[axis:]


def one_hot(indices_shape, num_classes):
    return tuple(indices_shape) + (num_classes if isinstance(num_classes, int) else None,)


def dot(x_shape, y_shape):
    """np.dot's rule (Keras's for N-D): x's dims but the last, then y's but the second-to-last."""
    if len(y_shape) == 1:
        return tuple(x_shape[:-1])
    return tuple(x_shape[:-1]) + tuple(y_shape[:-2]) + tuple(y_shape[-1:])


def reduced(shape, axis, keepdims):
    """A reduction over `axis` (None: all; an int or a sequence)."""
    rank = len(shape)
    axes = range(rank) if axis is None else [a % rank for a in (axis if isinstance(axis, (list, tuple))
                                                                  else [axis])]
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)
