"""Oracle for the math family."""
import numpy as np  # noqa: F401

__all__ = []
