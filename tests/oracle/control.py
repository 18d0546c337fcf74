"""Oracle for the control family: plain Python loops over NumPy arrays.

The functions that take a callable (rnn's step_function, map_fn/foldl/foldr's fn, lazy switch
branches) expect one written with NumPy.
"""
import numpy as np

__all__ = ['rnn', 'switch', 'in_train_phase', 'in_test_phase', 'map_fn', 'foldl', 'foldr']


def _right_expanded(condition, ndim):
    condition = np.asarray(condition).astype(bool)
    return condition.reshape(condition.shape + (1,) * (ndim - condition.ndim))


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None):
    """A Python loop over axis 1; a masked step repeats the previous output (zeros at first) and states."""
    states = [np.asarray(s) for s in initial_states]
    constants = list(constants or [])
    steps = inputs.shape[1]
    outputs = []
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        output, new_states = step_function(inputs[:, t], states + constants)
        new_states = [np.asarray(s) for s in new_states]
        if mask is not None:
            previous = outputs[-1] if outputs else np.zeros_like(output)
            output = np.where(_right_expanded(mask[:, t], np.ndim(output)), output, previous)
            new_states = [np.where(_right_expanded(mask[:, t], new.ndim), new, old)
                          for old, new in zip(states, new_states)]
        outputs.append(np.asarray(output))
        states = new_states
    return outputs[-1], np.stack(outputs, axis=1), states


def switch(condition, then_expression, else_expression):
    then_expression = then_expression() if callable(then_expression) else then_expression
    else_expression = else_expression() if callable(else_expression) else else_expression
    ndim = max(np.ndim(then_expression), np.ndim(else_expression))
    return np.where(_right_expanded(condition, ndim), then_expression, else_expression)


def in_train_phase(x, alt, training=None):
    chosen = x if bool(np.asarray(training)) else alt
    return chosen() if callable(chosen) else np.asarray(chosen)


def in_test_phase(x, alt, training=None):
    chosen = alt if bool(np.asarray(training)) else x
    return chosen() if callable(chosen) else np.asarray(chosen)


def map_fn(fn, elems, name=None, dtype=None):
    out = np.stack([np.asarray(fn(e)) for e in elems])
    return out if dtype is None else out.astype(dtype)


def foldl(fn, elems, initializer=None, name=None):
    items = list(elems)
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return np.asarray(acc)


def foldr(fn, elems, initializer=None, name=None):
    items = list(elems)[::-1]
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return np.asarray(acc)
