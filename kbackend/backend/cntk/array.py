"""cntk engine: the array op family (see kbackend.backend.api.FAMILIES)."""

__all__ = []
