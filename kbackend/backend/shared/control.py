"""Composite control ops written once on K.* (bound per engine by shared.bind).

`rnn` checks its arguments and runs the unrolled loop here; the symbolic loop is the engine's
``K.control._symbolic_rnn(step_function, inputs, initial_states, go_backwards, mask, constants,
input_length)`` (TF while_loop, Theano scan), which returns (last_output, outputs, states,
uses_learning_phase) with the same masking rule as the unrolled loop below.
"""
import numbers

from kbackend.backend.shared import checks

__all__ = ['rnn', 'in_train_phase', 'in_test_phase']


def _check_rnn_args(inputs, mask, unroll, input_length):
    """The number of steps an unrolled loop takes (None when not unrolled)."""
    ndim = K.ndim(inputs)  # noqa: F821
    if ndim is None or ndim < 3:
        raise ValueError('rnn: expected inputs of at least 3 dimensions (samples, time, ...); received '
                         'a tensor of rank %s.' % ndim)
    if mask is not None and K.ndim(mask) != 2:  # noqa: F821
        raise ValueError('rnn: expected a mask of shape (samples, time); received a mask of rank %s.'
                         % K.ndim(mask))  # noqa: F821
    if mask is not None:
        mask_steps, input_steps = K.int_shape(mask)[1], K.int_shape(inputs)[1]  # noqa: F821
        if mask_steps is not None and input_steps is not None and mask_steps != input_steps:
            raise ValueError('rnn: expected a mask with as many time steps as the inputs (%d, inputs '
                             'of shape %s); received a mask of %d time steps (shape %s).'
                             % (input_steps, K.int_shape(inputs), mask_steps,  # noqa: F821
                                K.int_shape(mask)))  # noqa: F821
    if input_length is not None and not isinstance(input_length, numbers.Integral):
        raise ValueError('rnn: expected input_length to be None or an int (the number of time steps); '
                         'received %r.' % (input_length,))
    if not unroll:
        return None
    steps = K.int_shape(inputs)[1]  # noqa: F821
    if steps is None:
        steps = input_length
    if steps is None:
        raise ValueError('rnn: unroll=True needs the number of time steps: give inputs a static time '
                         'dimension or pass input_length.')
    return int(steps)


def _unrolled_rnn(step_function, inputs, states, go_backwards, mask, constants, steps):
    outputs = []
    uses_learning_phase = False
    for t in (reversed(range(steps)) if go_backwards else range(steps)):
        output, new_states = step_function(inputs[:, t], states + constants)
        uses_learning_phase = uses_learning_phase or getattr(output, '_uses_learning_phase', False)
        new_states = list(new_states)
        if mask is not None:
            # A masked step keeps the previous output (zeros before the first step) and states.
            mask_t = mask[:, t]
            output = K.switch(mask_t, output, outputs[-1] if outputs else K.zeros_like(output))  # noqa: F821
            new_states = [K.switch(mask_t, new, old) for old, new in zip(states, new_states)]  # noqa: F821
        outputs.append(output)
        states = new_states
    return outputs[-1], K.stack(outputs, axis=1), states, uses_learning_phase  # noqa: F821


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None):
    checks.check_callable('rnn', 'step_function', step_function)
    steps = _check_rnn_args(inputs, mask, unroll, input_length)
    states = list(initial_states)
    constants = list(constants or [])
    with K.name_scope('rnn'):  # noqa: F821  (TF: builds in kbackend's graph)
        if unroll:
            last_output, outputs, states, uses_learning_phase = _unrolled_rnn(
                step_function, inputs, states, go_backwards, mask, constants, steps)
        else:
            last_output, outputs, states, uses_learning_phase = K.control._symbolic_rnn(  # noqa: F821
                step_function, inputs, states, go_backwards, mask, constants, input_length)
    last_output._uses_learning_phase = uses_learning_phase
    return last_output, outputs, states


def _static_phase(training):
    """True/False for a phase known now (0, 1, True, False), None for a symbolic one."""
    if isinstance(training, (bool, numbers.Integral)) and training in (0, 1):
        return bool(training)
    if isinstance(training, (numbers.Number, str, bytes, list, tuple)) or not hasattr(training, 'dtype'):
        raise ValueError('in_train_phase: expected training to be None, 0, 1, a bool or a scalar tensor; '
                         'received %r.' % (training,))
    return None


def in_train_phase(x, alt, training=None):
    uses_learning_phase = training is None
    if uses_learning_phase:
        training = K.learning_phase()  # noqa: F821
    phase = _static_phase(training)
    if phase is not None:
        chosen = x if phase else alt
        # A branch is lazy when it is a callable that is not a tensor (CNTK tensors are callable).
        return chosen() if callable(chosen) and not K.is_tensor(chosen) else chosen  # noqa: F821
    result = K.switch(training, x, alt)  # noqa: F821  (callables stay lazy where the engine allows)
    if uses_learning_phase:
        result._uses_learning_phase = True
    return result


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)
