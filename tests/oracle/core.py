"""Oracle for the core family."""
import numpy as np  # noqa: F401

__all__ = []
