"""Run-time checks the Theano engines do not make themselves.

``NonNegativeIndices``: the indices of ``gather`` when they are known only at run time (fed). The
engines index like NumPy, so a negative index counts from the end: ``gather(x, [-1])`` would silently
return the last row where every other engine refuses it or flags it (TensorFlow raises, CNTK gives
NaN rows); an index past the end already raises ``IndexError`` in the engines. The Op passes the
indices through (a view) after checking them in NumPy: about one NumPy ``min`` per call.
"""
import numpy as np

from ._engine import IS_PYTENSOR, T, theano

if IS_PYTENSOR:
    from pytensor.graph.basic import Apply as _Apply
    from pytensor.graph.op import Op as _Op
else:
    _Apply = theano.gof.Apply
    _Op = theano.gof.Op


class NonNegativeIndices(_Op):
    """indices -> the same indices, or IndexError naming the smallest when one is negative."""
    __props__ = ('what', 'size')
    view_map = {0: [0]}

    def __init__(self, what, size=None):
        self.what = what
        self.size = size

    def make_node(self, indices):
        indices = T.as_tensor_variable(indices)
        return _Apply(self, [indices], [indices.type()])

    def perform(self, node, inputs, output_storage, params=None):
        indices, = inputs
        if indices.size and indices.min() < 0:
            allowed = '[0, %d)' % self.size if self.size is not None else 'non-negative'
            raise IndexError('%s: expected indices in %s; received %d (negative indices are not '
                             'counted from the end).' % (self.what, allowed, int(indices.min())))
        output_storage[0][0] = indices

    def infer_shape(self, *args):
        return [args[-1][0]]

    def connection_pattern(self, node):
        return [[False]]

    if IS_PYTENSOR:
        def pullback(self, inputs, outputs, cotangents):
            return [theano.gradient.disconnected_type()]
    else:
        def grad(self, inputs, output_grads):
            return [theano.gradient.DisconnectedType()()]


def non_negative_indices(indices, what, size=None):
    return NonNegativeIndices(what, size)(indices)


