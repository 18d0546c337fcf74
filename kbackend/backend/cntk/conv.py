"""cntk engine: the conv op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
