"""Core composites, written once on K.* calls (see kbackend.backend.shared)."""
import numbers

import numpy as np

from kbackend.backend.common import floatx
from kbackend.backend.shared.checks import UnfedPlaceholders
from kbackend.backend.shared.feeds import check_dtype

__all__ = ['is_keras_tensor', 'eye', 'moving_average_update', 'get_variable_shape', 'count_params']


def is_keras_tensor(x):
    if not K.is_tensor(x):  # noqa: F821
        raise ValueError('Unexpectedly found an instance of type `%s`. Expected a symbolic tensor '
                         'instance.' % type(x))
    return hasattr(x, '_keras_history')


def eye(size, dtype=None, name=None):
    dtype = check_dtype('eye', dtype, floatx())
    rows, cols = (size, size) if np.ndim(size) == 0 else size
    return K.variable(np.eye(rows, cols), dtype=dtype, name=name)  # noqa: F821


def moving_average_update(x, value, momentum):
    # DESIGN: x * momentum + value * (1 - momentum) on every engine, not zero-debiased. A Python
    # momentum takes x's dtype (Theano would round it to floatX, which loses float64 precision).
    if isinstance(momentum, numbers.Number):
        momentum = np.asarray(momentum, dtype=K.dtype(x))  # noqa: F821
    return K.update(x, x * momentum + value * (1. - momentum))  # noqa: F821


def get_variable_shape(x):
    return K.int_shape(x)  # noqa: F821


def count_params(x):
    dims = K.int_shape(x)  # noqa: F821
    if dims is None or any(d is None for d in dims):
        try:
            dims = K.eval(K.shape(x))  # noqa: F821  (a shape known only at run time)
        except UnfedPlaceholders as error:
            raise ValueError('count_params: expected a tensor whose shape is known without fed values (a '
                             'variable); received one whose shape %s depends on the placeholder(s) %s.'
                             % (dims, ', '.join(map(repr, error.names)))) from None
    return np.prod(dims, dtype='int64')
