"""tensorflow engine: the control op family (see kbackend.backend.api.FAMILIES).

`rnn` itself is the shared composite (argument checks, the unrolled loop); its symbolic loop is
`_symbolic_rnn` below, a tf.while_loop over TensorArrays in kbackend's graph.
"""
import functools


from ..shared.checks import check_broadcast, check_callable, check_switch_ranks
from ._graph import all_intermediates, graph_scope, tf, tf1

__all__ = ['switch', 'map_fn', 'foldl', 'foldr']


def _differentiable(build):
    """Builds the while/cond v2 ops of `build` with all their intermediates as outputs.

    kbackend takes gradients in the outer graph after the loop is built (legacy graph mode), which
    needs the loop's intermediates; TensorFlow does the same for Keras layers in graph mode.
    """
    @functools.wraps(build)
    def built(*args, **kwargs):
        with all_intermediates():
            return build(*args, **kwargs)
    return built


def _as_tensor(x):
    return x if tf.is_tensor(x) else tf.convert_to_tensor(x)


def _expand_right(condition, rank):
    """`condition` with trailing size-1 axes up to `rank`, so it broadcasts against a rank-`rank` tensor."""
    extra = rank - condition.shape.ndims
    if extra <= 0:
        return condition
    return tf.reshape(condition, tf.concat([tf.shape(condition), tf.ones([extra], 'int32')], 0))


def _call_if_callable(x):
    return x() if callable(x) else x


@graph_scope
def switch(condition, then_expression, else_expression):
    condition = _as_tensor(condition)
    if condition.dtype != tf.bool:
        condition = tf.cast(condition, tf.bool)
    if condition.shape.ndims == 0 and (callable(then_expression) or callable(else_expression)):
        # A scalar condition: tf.cond, so that callable branches are only built inside their branch.
        with all_intermediates():
            return tf.cond(condition,
                           then_expression if callable(then_expression) else lambda: then_expression,
                           else_expression if callable(else_expression) else lambda: else_expression)
    then_expression, else_expression = _branches(_call_if_callable(then_expression),
                                                 _call_if_callable(else_expression))
    check_broadcast('switch', then_expression.shape.as_list(), else_expression.shape.as_list())
    rank = check_switch_ranks(condition.shape.ndims, then_expression.shape.ndims,
                              else_expression.shape.ndims)
    return tf.where(_expand_right(condition, rank), then_expression, else_expression)


def _branches(then_expression, else_expression):
    """Both branches as tensors: a branch given as numbers takes the other branch's dtype (as the
    Theano engines and CNTK do), so `switch(c, x, 0)` selects from x and zeros."""
    if tf.is_tensor(then_expression) and not tf.is_tensor(else_expression):
        return then_expression, tf.convert_to_tensor(else_expression, dtype=then_expression.dtype)
    if tf.is_tensor(else_expression) and not tf.is_tensor(then_expression):
        return tf.convert_to_tensor(then_expression, dtype=else_expression.dtype), else_expression
    return _as_tensor(then_expression), _as_tensor(else_expression)


def _mask_select(mask_t, new, old):
    """`new` where the per-sample step mask is on, else `old` (mask_t: (samples,) bool)."""
    return tf.where(_expand_right(mask_t, new.shape.ndims), new, old)


@graph_scope
@_differentiable
def _symbolic_rnn(step_function, inputs, initial_states, go_backwards, mask, constants, input_length):
    """The while_loop of rnn; inputs (samples, time, ...), mask None or (samples, time) bool.

    Returns (last_output, outputs, states, uses_learning_phase). Masked steps keep the previous
    output (zeros before the first step) and state, exactly like the unrolled loop.
    """
    inputs = _as_tensor(inputs)
    axes = [1, 0] + list(range(2, inputs.shape.ndims))
    inputs = tf.transpose(inputs, axes)  # time-major, as TensorArray.unstack wants
    if mask is not None:
        mask = tf.transpose(tf.cast(mask, tf.bool), [1, 0])
    if go_backwards:
        inputs = tf.reverse(inputs, [0])
        if mask is not None:
            mask = tf.reverse(mask, [0])
    states = tuple(_as_tensor(s) for s in initial_states)
    constants = list(constants)
    time_steps = tf.shape(inputs)[0]
    # One step outside the loop gives the output's dtype and static shape (Keras does the same).
    probe, _ = step_function(inputs[0], list(states) + constants)
    probe = _as_tensor(probe)
    uses_learning_phase = [bool(getattr(probe, '_uses_learning_phase', False))]
    input_ta = tf.TensorArray(inputs.dtype, size=time_steps, element_shape=inputs.shape[1:],
                              tensor_array_name='input_ta').unstack(inputs)
    output_ta = tf.TensorArray(probe.dtype, size=time_steps, element_shape=probe.shape,
                               tensor_array_name='output_ta')
    mask_ta = None
    if mask is not None:
        mask_ta = tf.TensorArray(tf.bool, size=time_steps, tensor_array_name='mask_ta').unstack(mask)

    def step(time, output_ta_t, prev_output, *states_t):
        output, new_states = step_function(input_ta.read(time), list(states_t) + constants)
        output = _as_tensor(output)
        if getattr(output, '_uses_learning_phase', False):
            uses_learning_phase[0] = True
        new_states = [tf.cast(_as_tensor(n), s.dtype) for s, n in zip(states_t, new_states)]
        for state, new_state in zip(states_t, new_states):
            new_state.set_shape(state.shape)
        if mask_ta is not None:
            mask_t = mask_ta.read(time)
            output = _mask_select(mask_t, output, prev_output)
            new_states = [_mask_select(mask_t, n, s) for s, n in zip(states_t, new_states)]
        output.set_shape(probe.shape)
        return (time + 1, output_ta_t.write(time, output), output) + tuple(new_states)

    time = tf.constant(0, dtype='int32', name='time')
    final = tf1.while_loop(
        cond=lambda time, *_: time < time_steps,
        body=step,
        loop_vars=(time, output_ta, tf.zeros_like(probe)) + states,
        parallel_iterations=32,
        swap_memory=True,
        maximum_iterations=input_length)
    outputs = final[1].stack()
    outputs.set_shape(inputs.shape[:1].concatenate(probe.shape))  # keep a static time dim
    outputs = tf.transpose(outputs, [1, 0] + list(range(2, outputs.shape.ndims)))
    return final[2], outputs, list(final[3:]), uses_learning_phase[0]


@graph_scope
@_differentiable
def map_fn(fn, elems, name=None, dtype=None):
    check_callable('map_fn', 'fn', fn)
    return tf.map_fn(fn, elems, name=name, fn_output_signature=dtype)  # (`dtype` is deprecated there)


@graph_scope
@_differentiable
def foldl(fn, elems, initializer=None, name=None):
    check_callable('foldl', 'fn', fn)
    return tf.foldl(fn, elems, initializer=initializer, name=name)


@graph_scope
@_differentiable
def foldr(fn, elems, initializer=None, name=None):
    check_callable('foldr', 'fn', fn)
    return tf.foldr(fn, elems, initializer=initializer, name=name)
