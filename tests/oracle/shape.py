"""Oracle for the shape family."""
import numpy as np  # noqa: F401

__all__ = []
