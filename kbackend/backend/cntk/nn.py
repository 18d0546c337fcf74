"""cntk engine: the nn op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
