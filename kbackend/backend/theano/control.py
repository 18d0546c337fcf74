"""theano engine: the control op family (see kbackend.backend.api.FAMILIES).

`rnn` itself is the shared composite (argument checks, the unrolled loop); its symbolic loop is
`_symbolic_rnn` below, a scan. Scan demands that a recurrent value has the same type (dtype and
static/broadcastable shape) at every step, so `_recurrent_types` gives each loop variable the
static shape that its initial value and its first computed value agree on.
"""
from ._engine import IS_PYTENSOR, T, ifelse, scan
from .core import int_shape as _int_shape, with_static_shape as _shaped
from .random import recording_samples
from ..shared.checks import check_broadcast, check_callable, check_switch_ranks, merged_shape

__all__ = ['switch', 'map_fn', 'foldl', 'foldr']


def _scan(fn, **kwargs):
    """The list of scan's outputs (never its updates)."""
    if IS_PYTENSOR:
        return scan(fn, return_list=True, return_updates=False, **kwargs)
    return scan(fn, return_list=True, **kwargs)[0]


def _static_shape(x):
    if IS_PYTENSOR:
        return tuple(x.type.shape)
    return tuple(1 if b else None for b in x.broadcastable)




def _with_static_shape(x, shape, dtype):
    """`x` as a `dtype` tensor of static shape exactly `shape` (a shape it already has at run time)."""
    x = T.as_tensor_variable(x)
    if x.dtype != dtype:
        x = T.cast(x, dtype)
    if _static_shape(x) == shape:
        return x
    if IS_PYTENSOR:
        return T.specify_shape(x, shape)
    return T.patternbroadcast(x, [s == 1 for s in shape])


def _recurrent_types(initial, first):
    """(static shape, dtype) per loop variable: what its initial value and first step's value agree on."""
    return [(merged_shape(_static_shape(i), _static_shape(T.as_tensor_variable(f))), i.dtype)
            for i, f in zip(initial, first)]


def _expand_right(condition, rank):
    return condition.dimshuffle(list(range(condition.ndim)) + ['x'] * (rank - condition.ndim))


def switch(condition, then_expression, else_expression):
    condition = T.as_tensor_variable(condition)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    then_expression = T.as_tensor_variable(then_expression)
    else_expression = T.as_tensor_variable(else_expression)
    check_broadcast('switch', _int_shape(then_expression), _int_shape(else_expression))
    if condition.ndim == 0 and then_expression.type == else_expression.type:
        return ifelse(condition, then_expression, else_expression)  # evaluates only the chosen branch
    rank = check_switch_ranks(condition.ndim, then_expression.ndim, else_expression.ndim)
    return T.switch(_expand_right(condition, rank), then_expression, else_expression)


def _mask_select(mask_t, new, old):
    return T.switch(_expand_right(mask_t, new.ndim), new, old)


def _symbolic_rnn(step_function, inputs, initial_states, go_backwards, mask, constants, input_length):
    """The scan of rnn (see shared/control.py); masked steps keep the previous output and states."""
    inputs = T.as_tensor_variable(inputs)
    input_shape = _int_shape(inputs)
    inputs = inputs.dimshuffle([1, 0] + list(range(2, inputs.ndim)))  # scan loops over axis 0
    states = [T.as_tensor_variable(s) for s in initial_states]
    n_states = len(states)
    # One step outside the loop gives the types the loop variables must keep (Keras does the same).
    # Random samples the step makes on its first call (a Keras cell's dropout masks, kept for the
    # later calls) go to scan as explicit inputs: as implicit ones, scan would redraw them inside the
    # loop, and legacy Theano then has no gradient ("Depends on a shared variable").
    with recording_samples() as samples:
        probe, probe_states = step_function(inputs[0], states + constants)
    probe = T.as_tensor_variable(probe)
    uses_learning_phase = [bool(getattr(probe, '_uses_learning_phase', False))]
    state_types = _recurrent_types(states, probe_states)
    output_type = (_static_shape(probe), probe.dtype)
    states = [_with_static_shape(s, *t) for s, t in zip(states, state_types)]

    def step(*args):
        x_t, args = args[0], list(args[1:])
        if mask is not None:
            mask_t, prev_output, args = args[0], args[1], args[2:]
        states_t, constants_t = args[:n_states], args[n_states:n_states + len(constants)]
        output, new_states = step_function(x_t, states_t + constants_t)
        if getattr(output, '_uses_learning_phase', False):
            uses_learning_phase[0] = True
        output = _with_static_shape(output, *output_type)
        new_states = [_with_static_shape(n, *t) for n, t in zip(new_states, state_types)]
        if mask is not None:
            output = _mask_select(mask_t, output, prev_output)
            new_states = [_mask_select(mask_t, n, s) for s, n in zip(states_t, new_states)]
        return [output] + new_states

    sequences = [inputs]
    outputs_info = [None]
    if mask is not None:
        sequences.append(T.as_tensor_variable(mask).T)
        outputs_info = [T.zeros_like(probe)]
    results = _scan(step, sequences=sequences, outputs_info=outputs_info + states,
                    non_sequences=constants + samples, go_backwards=go_backwards)
    outputs = results[0]
    last_output = outputs[-1]
    outputs = outputs.dimshuffle([1, 0] + list(range(2, outputs.ndim)))
    # The sizes known before the loop, for int_shape (scan's results keep none on legacy Theano).
    steps = input_length if input_shape[1] is None else input_shape[1]
    outputs = _shaped(outputs, (input_shape[0], steps) + tuple(_int_shape(probe)[1:]))
    return last_output, outputs, [s[-1] for s in results[1:]], uses_learning_phase[0]


def map_fn(fn, elems, name=None, dtype=None):
    check_callable('map_fn', 'fn', fn)
    outputs = _scan(fn, sequences=[elems], name=name)[0]
    return outputs if dtype is None else T.cast(outputs, dtype)


def _fold(fn, elems, initializer, name, go_backwards):
    check_callable('foldr' if go_backwards else 'foldl', 'fn', fn)
    elems = T.as_tensor_variable(elems)
    if initializer is None:
        initializer = elems[-1] if go_backwards else elems[0]
        elems = elems[:-1] if go_backwards else elems[1:]
    initializer = T.as_tensor_variable(initializer)
    acc_type = _recurrent_types([initializer], [fn(initializer, elems[0])])[0]

    def step(x, acc):
        return _with_static_shape(fn(acc, x), *acc_type)

    results = _scan(step, sequences=[elems], outputs_info=[_with_static_shape(initializer, *acc_type)],
                    go_backwards=go_backwards, name=name)
    return results[0][-1]


def foldl(fn, elems, initializer=None, name=None):
    return _fold(fn, elems, initializer, name, go_backwards=False)


def foldr(fn, elems, initializer=None, name=None):
    return _fold(fn, elems, initializer, name, go_backwards=True)
