"""Oracle for the nn family."""
import numpy as np  # noqa: F401

__all__ = []
