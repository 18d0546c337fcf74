"""K.function with None among its outputs, the same on every engine.

K.gradients gives None for a variable the loss does not reach through a differentiable path (not at
all, or only through stop_gradient, round, argmax/argmin or comparisons), as TensorFlow does. Such a
None passed on to K.function comes back as None in the results; the other outputs are computed as
usual.
"""


class _WithNoneOutputs(object):
    """An engine function for the outputs that are not None; returns None in the others' places."""

    def __init__(self, function, outputs):
        self.function = function
        self.outputs = outputs

    def __call__(self, *args, **kwargs):
        values = iter(self.function(*args, **kwargs) if self.function is not None else [])
        return [None if o is None else next(values) for o in self.outputs]

    def __getattr__(self, name):
        return getattr(self.__dict__['function'], name)


def build_function(make, inputs, outputs, updates, kwargs):
    """make(inputs, outputs, updates=updates, **kwargs), wrapped when `outputs` holds None."""
    listed = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    if not any(o is None for o in listed):
        return make(inputs, outputs, updates=updates, **kwargs)
    computed = [o for o in listed if o is not None]
    if not computed and not updates:
        return _WithNoneOutputs(None, listed)  # nothing to run
    return _WithNoneOutputs(make(inputs, computed, updates=updates, **kwargs), listed)
