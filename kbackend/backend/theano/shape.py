"""theano engine: the shape op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
