"""A cheaper gradient for unit-stride slices (``x[:, a:b]``) in kbackend's graphs, same values.

TensorFlow builds every ``x[...]`` as a ``StridedSlice`` and differentiates it with its
``StridedSliceGrad`` kernel, which is slow on CPU. An LSTM step written the Keras-2 way (the four
gates sliced from one matrix) ran its K.rnn training step in 18-20 ms against 13-14 ms for the
same loop with ``tf.split`` gates (benchmarks/rnn_step.py). For a slice with unit strides, constant
bounds and no ellipsis/new axis, the gradient is exactly the incoming gradient zero-padded back to
the input's shape: one ``Pad`` with constant paddings, which is what ops of kbackend's graphs (and
of loop bodies nested in them) get; with it the step takes 15 ms. Every other slice, and every op
outside kbackend's graphs, keeps TensorFlow's own gradient.
"""
from tensorflow.python.framework import ops as _ops
from tensorflow.python.framework import tensor_util as _tensor_util

from ._graph import STATE, tf

_TENSORFLOW_GRADIENT = None


def _in_kbackend_graph(graph):
    while graph is not None:
        if graph is STATE.graph:
            return True
        graph = getattr(graph, 'outer_graph', None)
    return False


def _bit(mask, d):
    return bool(mask & (1 << d))


def _dim_bounds(begin, end, size, d, masks):
    """(start, stop) of dimension d in the input (stop None: to the end), or None if unknown."""
    begin_mask, end_mask, shrink_mask = masks
    if _bit(shrink_mask, d):
        start = int(begin[d])
        if size is None:  # a negative index, or an index past the end, needs the size
            return None
        start = start + size if start < 0 else start
        if not 0 <= start < size:
            return None  # the forward op raises; let TensorFlow's gradient say so
        return start, start + 1
    start = 0 if _bit(begin_mask, d) else int(begin[d])
    if size is None:  # only the whole dimension is safe without its size
        return (0, None) if start == 0 and _bit(end_mask, d) else None
    stop = size if _bit(end_mask, d) else int(end[d])
    start = min(max(start + size if start < 0 else start, 0), size)
    stop = min(max(stop + size if stop < 0 else stop, start), size)
    return start, stop


def _paddings(op):
    """([[before, after], ...] per input dimension, the shrunk axes); None if not a plain slice."""
    if op.get_attr('ellipsis_mask') or op.get_attr('new_axis_mask'):
        return None
    shape = op.inputs[0].shape
    if shape.rank is None:
        return None
    begin, end, strides = (_tensor_util.constant_value(t) for t in op.inputs[1:4])
    if begin is None or end is None or strides is None or any(int(s) != 1 for s in strides):
        return None
    masks = (op.get_attr('begin_mask'), op.get_attr('end_mask'), op.get_attr('shrink_axis_mask'))
    paddings, shrunk = [], []
    for d, size in enumerate(shape.as_list()):
        if d >= len(begin):
            paddings.append([0, 0])
            continue
        bounds = _dim_bounds(begin, end, size, d, masks)
        if bounds is None:
            return None
        start, stop = bounds
        paddings.append([start, 0 if stop is None else size - stop])
        if _bit(masks[2], d):
            shrunk.append(d)
    return paddings, shrunk


def _strided_slice_gradient(op, grad):
    if _in_kbackend_graph(op.graph):
        plan = _paddings(op)
        if plan is not None:
            paddings, shrunk = plan
            grad = tf.convert_to_tensor(grad)
            for axis in shrunk:  # increasing order: each axis is its final position
                grad = tf.expand_dims(grad, axis)
            return [tf.pad(grad, paddings), None, None, None]
    return _TENSORFLOW_GRADIENT(op, grad)


def install():
    """Puts the gradient above in TensorFlow's registry for StridedSlice (once per process)."""
    global _TENSORFLOW_GRADIENT
    entry = getattr(_ops._gradient_registry, '_registry', {}).get('StridedSlice')
    if _TENSORFLOW_GRADIENT is not None or not isinstance(entry, dict) or 'type' not in entry:
        return  # done already, or TensorFlow's registry changed: keep TensorFlow's gradient
    _TENSORFLOW_GRADIENT = entry['type']
    entry['type'] = _strided_slice_gradient
