"""kbackend: the Keras 2.2.4 backend API on TensorFlow, Theano/PyTensor and CNTK.

Importing this package imports no engine; ``from kbackend import backend as K`` imports the chosen one.
"""
__version__ = '0.1.0'
