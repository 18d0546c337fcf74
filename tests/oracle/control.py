"""Oracle for the control family."""
import numpy as np  # noqa: F401

__all__ = []
