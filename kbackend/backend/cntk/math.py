"""cntk engine: the math op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
