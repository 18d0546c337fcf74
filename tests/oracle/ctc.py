"""Oracle for the ctc family."""
import numpy as np  # noqa: F401

__all__ = []
