"""Argument checks shared by every engine, so the same bad input gives the same error everywhere.

Plain functions of Python values (no engine, no ``K``): each returns the normalised value or raises
``ValueError`` saying what was expected and what was received.
"""
from ..common import normalize_data_format  # noqa: F401  (re-exported for the adapters)


def check_choice(name, value, allowed):
    """`value` when it is one of `allowed`, else ValueError naming the argument."""
    if value not in allowed:
        raise ValueError('Bad %s: %r; expected one of %s.'
                         % (name, value, ', '.join(repr(a) for a in allowed)))
    return value


def check_padding(padding, allowed=('valid', 'same')):
    if not isinstance(padding, str):
        raise ValueError('Bad padding: %r; expected one of %s.'
                         % (padding, ', '.join(repr(a) for a in allowed)))
    return check_choice('padding', padding.lower(), allowed)


def check_pool_mode(pool_mode):
    return check_choice('pool_mode', pool_mode, ('max', 'avg'))


def int_tuple(name, value, n):
    """An int or a sequence of `n` ints as an n-tuple of positive ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * n
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError('Bad %s: %r; expected an int or a tuple of %d ints.' % (name, value, n))
    if len(value) != n or any(v < 1 for v in value):
        raise ValueError('Bad %s: %r; expected %d positive ints.' % (name, value, n))
    return value
