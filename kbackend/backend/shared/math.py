"""Composite math ops written once on K.* (bound per engine by shared.bind)."""

from kbackend.backend.shared import checks

__all__ = ['std']


def std(x, axis=None, keepdims=False):
    axis = checks.check_axes('std', axis, K.ndim(x))  # noqa: F821
    return K.sqrt(K.var(x, axis=axis, keepdims=keepdims))  # noqa: F821  (K is set by shared.bind)
