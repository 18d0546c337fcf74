"""Explicit compatibility steps for running old Keras-2 code on today's Python and NumPy.

Nothing here is applied by importing kbackend: call it yourself, before importing the old code.
"""
