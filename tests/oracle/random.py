"""Oracle for the random family."""
import numpy as np  # noqa: F401

__all__ = []
