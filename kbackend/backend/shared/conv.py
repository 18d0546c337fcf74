"""Composite conv ops written once on K.* (bound per engine by shared.bind)."""

__all__ = []
