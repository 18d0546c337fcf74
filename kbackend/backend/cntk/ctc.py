"""cntk engine: the ctc op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
