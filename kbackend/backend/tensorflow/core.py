"""tensorflow engine: the core op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
