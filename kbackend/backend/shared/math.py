"""Composite math ops written once on K.* (bound per engine by shared.bind)."""

__all__ = ['std']


def std(x, axis=None, keepdims=False):
    return K.sqrt(K.var(x, axis=axis, keepdims=keepdims))  # noqa: F821  (K is set by shared.bind)
