"""Oracle for the conv family."""
import numpy as np  # noqa: F401

__all__ = []
