"""cntk engine: the control op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
