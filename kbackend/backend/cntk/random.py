"""cntk engine: the random op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
