"""cntk engine: the control op family (see kbackend.backend.api.FAMILIES).

`rnn` is the shared composite (argument checks, the unrolled loop); its symbolic loop is
`_symbolic_rnn`, a recurrence on CNTK's sequence axis: the inputs become one sequence per sample
(``to_batch`` then ``to_sequence``) and each state a placeholder closed by ``sequence.past_value``.
The step function is called once, on tensors that carry CNTK's batch and sequence axes, so the Keras
batch axis is hidden there (`_tensor.hidden_batch`): K ops that use axes >= 1 or negative axes work
unchanged, and an op that needs the whole batch raises ValueError. Then the loop is unrolled when the
number of steps is known, else a ValueError says why the loop cannot run.

Measured CNTK 2.7 facts this relies on:
- ``past_value(p, initial_state=s)`` with a per-sample (batch-axis) ``s`` fails at run time ("FrameRange's
  dynamic axis is inconsistent with data"); the initial state is instead selected at the first step
  from ``sequence.broadcast_as(s, xs)``, which works and carries the gradient to ``s``.
- ``to_sequence`` needs at least one static axis per step, so a (samples, time) mask gets a size-1 axis
  that is dropped again inside the loop. Dynamic axes line up only between tensors of one dtype.
- Constants of the step are per sample when their first axis is the batch: a free first dim, or the
  inputs' known number of samples. Those are broadcast along the sequence; others pass unchanged.

map_fn, foldl and foldr build `fn` once on stand-in inputs without dynamic axes shaped like one
element (so K ops inside `fn` see the element's own Keras shape), then clone that graph with the
elements substituted: map_fn on CNTK's batch axis (one batch item per element, ``unpack_batch``
stacks them), the folds as a sequence recurrence over a batch of one. A `fn` that CNTK cannot apply
to all elements at once (see `_per_element`) is applied element by element when their number is known.

CNTK tensors are callable (a call clones them, or fails when they have inputs): `switch` (and the
shared in_train_phase) call a branch only when it is not a tensor.
"""
import importlib

import numpy as np

from ..shared.checks import check_callable, check_switch_ranks
from . import _tensor as T
from ._engine import C
from .core import cast

__all__ = ['switch', 'map_fn', 'foldl', 'foldr']

_BATCH_AXIS_OPS = ('ToBatchAxis', 'UnpackBatchAxis')


def _adapter():
    """The CNTK adapter package (for rnn with unroll=True, and stack)."""
    return importlib.import_module(__package__)


def _ndim(x):
    return T.ndim(x) if T.is_tensor(x) else np.ndim(x)


def _zero(storage):
    return C.constant(0, dtype=T.np_storage(storage))


def _hint(x, keras_shape, dtype):
    """x tagged with its Keras dtype and, where CNTK's shape has free dims, the known Keras shape."""
    x._keras_shape = tuple(keras_shape)
    return T.tag(x, dtype)


# --- switch ----------------------------------------------------------------------------------------

def _expand_right(condition, rank, branches):
    """`condition` with trailing size-1 axes up to Keras rank `rank`, so that its axes line up with
    the branches' first axes (a scalar broadcasts as it is)."""
    if T.ndim(condition) == 0:
        return condition
    if not T.hidden_batch(condition) and any(T.hidden_batch(b) for b in branches):
        raise ValueError('switch: inside a symbolic rnn step on CNTK a condition without the step\'s '
                         'batch axis cannot select samples; received a condition of shape %s.'
                         % (T.keras_shape(condition),))
    for _ in range(rank - T.ndim(condition)):
        condition = T.insert_axis(condition, len(condition.shape))
    return condition


def _called(branch):
    """A lazy branch's value (CNTK tensors are callable themselves: those are values already)."""
    return branch() if callable(branch) and not T.is_tensor(branch) else branch


def switch(condition, then_expression, else_expression):
    then_expression = _called(then_expression)
    else_expression = _called(else_expression)
    condition = T.as_tensor(condition)
    rank = check_switch_ranks(T.ndim(condition), _ndim(then_expression), _ndim(else_expression))
    then_expression, else_expression, dtype = T.unify(then_expression, else_expression)
    condition = _expand_right(condition, rank, (then_expression, else_expression))
    condition = T.cast_storage(condition, T.cntk_dtype(then_expression))
    return T.tag(C.element_select(condition, then_expression, else_expression), dtype)


# --- rnn -------------------------------------------------------------------------------------------

class _NotPerSample(ValueError):
    """The step function cannot run on CNTK's sequence axis (it needs the whole batch per step)."""


def _reverse_time(x):
    return T.same(x, C.slice(x, 1, 0, 0, -1))


def _to_steps(x, like=None):
    """A (samples, time, ...) tensor as one sequence per sample (a step: CNTK shape `...`)."""
    scalar_steps = len(x.shape) == 2
    if scalar_steps:  # to_sequence needs a static axis per step: add one, drop it in the loop
        x = T.insert_axis(x, 2)
    samples = C.to_batch(x)
    steps = C.to_sequence(samples) if like is None else C.to_sequence_like(samples, like)
    return T.drop_axis(steps, 0) if scalar_steps else steps


def _per_sample(x, samples):
    """Whether the first axis of constant x is the batch (a free dim, or the known sample count)."""
    shape = T.static_shape(x)
    return bool(shape) and (shape[0] is None or (samples is not None and shape[0] == samples))


def _layout(steps, storage):
    """`steps` in storage dtype `storage` (CNTK lines up dynamic axes only between equal dtypes)."""
    return steps if T.cntk_dtype(steps) == storage else C.cast(steps, T.np_storage(storage))


def _along_steps(x, steps):
    """A per-sample tensor (samples, ...) repeated at every step of `steps` (batch + sequence axes)."""
    repeated = C.sequence.broadcast_as(C.to_batch(x), _layout(steps, T.cntk_dtype(x)))
    return _hint(repeated, (None,) + T.keras_shape(x)[1:], T.keras_dtype(x))


def _recurrent(initial, steps):
    """(placeholder, value at each step): `initial` at the first step, else the placeholder's previous
    value (the placeholder is later replaced by the new value, closing the loop)."""
    placeholder = C.placeholder(shape=initial.shape[1:], dynamic_axes=steps.dynamic_axes)
    previous = C.sequence.past_value(placeholder, initial_state=_zero(T.cntk_dtype(initial)))
    first = T.cast_storage(C.sequence.is_first(steps), T.cntk_dtype(initial))
    value = C.element_select(first, _along_steps(initial, steps), previous)
    return placeholder, _hint(value, (None,) + T.keras_shape(initial)[1:], T.keras_dtype(initial))


def _check_per_step(what, value, placeholder=None):
    if not T.is_tensor(value) or not T.hidden_batch(value):
        raise _NotPerSample('rnn: the %s of the step function does not depend on the step inputs or '
                            'states, so it cannot run on CNTK\'s sequence axis.' % what)
    if placeholder is not None and tuple(value.shape) != tuple(placeholder.shape):
        raise _NotPerSample('rnn: the step function returned a state of shape %s for a state of shape '
                            '%s.' % (T.keras_shape(value), (None,) + T.static_shape(placeholder)))


def _masked(mask_t, new, old):
    return T.same(new, C.element_select(T.cast_storage(mask_t, T.cntk_dtype(new)), new, old))


def _sequence_rnn(step_function, inputs, initial_states, go_backwards, mask, constants, input_length):
    shape = T.keras_shape(inputs)
    samples = shape[0]
    initial_states = [T.as_tensor(s) for s in initial_states]
    if go_backwards:  # Keras wants the outputs in processing order: run forwards on reversed time
        inputs = _reverse_time(inputs)
        mask = None if mask is None else _reverse_time(mask)
    steps = _hint(_to_steps(inputs), (None,) + shape[2:], T.keras_dtype(inputs))
    loops = [_recurrent(s, steps) for s in initial_states]
    states = [value for _, value in loops]
    constants = [_along_steps(c, steps) if _per_sample(c, samples) else c
                 for c in (T.as_tensor(c) for c in constants)]
    output, new_states = step_function(steps, states + constants)
    new_states = list(new_states)
    uses_learning_phase = bool(getattr(output, '_uses_learning_phase', False))
    _check_per_step('output', output, None)
    for new, (placeholder, _) in zip(new_states, loops):
        _check_per_step('state', new, placeholder)
    replacements = {}
    if mask is not None:
        mask_t = _to_steps(T.cast_storage(mask, T.cntk_dtype(steps)), like=steps)
        # A masked step keeps the previous output (zeros before the first step) and states.
        out_placeholder = C.placeholder(shape=output.shape, dynamic_axes=steps.dynamic_axes)
        previous = C.sequence.past_value(out_placeholder, initial_state=_zero(T.cntk_dtype(output)))
        output = _masked(mask_t, output, previous)
        replacements[out_placeholder] = output.output
        new_states = [_masked(mask_t, new, old) for new, old in zip(new_states, states)]
    for new, (placeholder, _) in zip(new_states, loops):
        replacements[placeholder] = new.output if isinstance(new, T.FUNCTION) else new
    graph = C.combine([output] + new_states)
    used = set(p.uid for p in graph.placeholders)  # a state the step ignores has no placeholder left
    replacements = dict((p, v) for p, v in replacements.items() if p.uid in used)
    if replacements:
        graph.replace_placeholders(replacements)
    return _results(output, new_states, initial_states, shape, input_length, uses_learning_phase)


def _results(output, new_states, initial_states, shape, input_length, uses_learning_phase):
    """(last output, outputs, final states, uses_learning_phase) back in static (samples, ...) form."""
    dtype = T.keras_dtype(output)
    step_shape = T.keras_shape(output)[1:]
    time = shape[1] if shape[1] is not None else input_length
    outputs = C.unpack_batch(C.sequence.unpack(output, 0, no_mask_output=True))
    outputs = _known(outputs, (shape[0], time) + step_shape, dtype)
    last_output = _known(C.unpack_batch(C.sequence.last(output)), (shape[0],) + step_shape, dtype)
    states = [_known(C.unpack_batch(C.sequence.last(new)), T.keras_shape(s), T.keras_dtype(s))
              for new, s in zip(new_states, initial_states)]
    return last_output, outputs, states, uses_learning_phase


def _known(x, keras_shape, dtype):
    """x (whose batch and time dims CNTK's sequence ops left free) with the sizes the inputs had
    statically, so that e.g. a stateful layer's state update matches its (batch, units) variable."""
    target = tuple(-1 if d is None else int(d) for d in keras_shape)
    free = [i for i, d in enumerate(x.shape) if d == T.FREE]
    if target.count(-1) <= 1 and any(target[i] != -1 for i in free):
        x = C.reshape(x, target)
    return _hint(x, keras_shape, dtype)


def _unrolled_rnn(step_function, inputs, initial_states, go_backwards, mask, constants, steps):
    last, outputs, states = _adapter().rnn(step_function, inputs, initial_states, go_backwards=go_backwards,
                                           mask=mask, constants=constants, unroll=True, input_length=steps)
    return last, outputs, states, last._uses_learning_phase


def _symbolic_rnn(step_function, inputs, initial_states, go_backwards, mask, constants, input_length):
    inputs = T.as_tensor(inputs)
    mask = None if mask is None else T.as_tensor(mask)
    steps = T.keras_shape(inputs)[1]
    steps = input_length if steps is None else steps
    try:
        if T.hidden_batch(inputs):
            raise _NotPerSample('rnn: inside a symbolic rnn step on CNTK, a nested rnn cannot run on '
                                'the sequence axis.')
        return _sequence_rnn(step_function, inputs, initial_states, go_backwards, mask, constants,
                             input_length)
    except ValueError as error:
        if steps is None:
            raise ValueError('%s A symbolic rnn on CNTK runs the step function on one sample at a '
                             'time (CNTK\'s sequence axis), so the step can use only per-sample ops '
                             '(axes >= 1 or negative axes); otherwise the loop is unrolled, which '
                             'needs the number of time steps: give inputs a static time dimension '
                             'or pass input_length.' % error)
    return _unrolled_rnn(step_function, inputs, initial_states, go_backwards, mask, constants, steps)


# --- map_fn, foldl, foldr --------------------------------------------------------------------------

def _input_like(shape, dtype):
    """A stand-in input without dynamic axes, of Keras shape `shape` and dtype `dtype`."""
    x = C.input_variable(tuple(T.FREE if d is None else d for d in shape), dtype=T.np_storage(dtype),
                         dynamic_axes=[], needs_gradient=True)
    return _hint(x, shape, dtype)


def _per_element(out, stand_ins):
    """Whether the graph `out`, built on `stand_ins`, can be cloned onto values with CNTK's batch (and
    sequence) axes. Not when a batch-axis op (convolution, pooling) applies to a stand-in: it needs a
    tensor without dynamic axes. Not with a user function anywhere: cloning copies it, and a gradient
    node cannot be copied while a random one would draw once for all the elements."""
    uids = set(s.uid for s in stand_ins)

    def blocks(node):
        if not isinstance(node, T.FUNCTION) or not node.is_primitive:
            return False
        if node.op_name == 'UserFunction':
            return True
        return node.op_name in _BATCH_AXIS_OPS and any(a.uid in uids for a in C.as_composite(node).arguments)
    return not C.logging.graph.depth_first_search(out, blocks, depth=-1)


def _as_function(out):
    """`out` as a CNTK Function (a result that is a variable, e.g. the stand-in itself, gets `+ 0`)."""
    out = T.as_tensor(out)
    if isinstance(out, T.VARIABLE):
        out = T.same(out, C.plus(out, _zero(T.cntk_dtype(out))))
    return out


def _clone_onto(out, substitutions):
    """`out` rebuilt with each stand-in input replaced by a value (other inputs kept, not copied)."""
    subs = dict((stand_in, value) for stand_in, value in substitutions if stand_in in out.arguments)
    subs.update((a, a) for a in out.arguments if a not in subs)
    return out.clone(C.CloneMethod.share, subs)


def _known_length(elems, fn_name):
    n = T.keras_shape(elems)[0]
    if n is None:
        raise ValueError('%s: the function uses ops that CNTK cannot apply to all the elements at '
                         'once (convolutions, pooling, random draws, gradients), and the number of '
                         'elements is not known when the graph is built, so it cannot be applied '
                         'one element at a time either.' % fn_name)
    return n


def _check_elems(elems, fn_name):
    elems = T.as_tensor(elems)
    if T.ndim(elems) < 1:
        raise ValueError('%s: expected a tensor of at least 1 dimension to iterate over; received a '
                         'scalar.' % fn_name)
    if T.hidden_batch(elems):
        raise ValueError('%s: inside a symbolic rnn step on CNTK the elements cannot be iterated '
                         'over the batch axis.' % fn_name)
    return elems


def map_fn(fn, elems, name=None, dtype=None):
    check_callable('map_fn', 'fn', fn)
    elems = _check_elems(elems, 'map_fn')
    shape = T.keras_shape(elems)
    element = _input_like(shape[1:], T.keras_dtype(elems))
    out = _as_function(fn(element))
    if _per_element(out, [element]):
        items = C.to_batch(elems)
        if element in out.arguments:
            mapped = _clone_onto(out, [(element, items)])
        else:  # fn ignores its argument: one copy of the result per element
            mapped = C.plus(out, T.cast_storage(C.reduce_sum(C.zeros_like(C.stop_gradient(items)),
                                                             axis=C.Axis.all_static_axes()),
                                                T.cntk_dtype(out)))
        result = _hint(C.unpack_batch(mapped), shape[:1] + T.keras_shape(out), T.keras_dtype(out))
    else:
        n = _known_length(elems, 'map_fn')
        result = _adapter().stack([fn(elems[i]) for i in range(n)], axis=0)
    return result if dtype is None else cast(result, dtype)


def _fold_sequence(fn, elems, initializer, fn_name):
    """The final acc of acc = fn(acc, x) over the elements: a recurrence over a batch of one."""
    shape = T.keras_shape(elems)
    acc_in = _input_like(T.keras_shape(initializer), T.keras_dtype(initializer))
    element = _input_like(shape[1:], T.keras_dtype(elems))
    out = _as_function(fn(acc_in, element))
    if not _per_element(out, [acc_in, element]):
        return None
    if tuple(out.shape) != tuple(acc_in.shape) or T.cntk_dtype(out) != T.cntk_dtype(acc_in):
        raise ValueError('%s: the function must return an accumulator like the one it receives (shape '
                         '%s, dtype %s); received shape %s, dtype %s.'
                         % (fn_name, T.keras_shape(acc_in), T.keras_dtype(acc_in), T.keras_shape(out),
                            T.keras_dtype(out)))
    if acc_in not in out.arguments and element not in out.arguments:
        return out  # fn ignores both: every step gives the same value
    steps = _to_steps(T.insert_axis(elems, 0))  # one sample whose time axis is the elements
    initial = T.insert_axis(initializer, 0)
    placeholder, acc = _recurrent(initial, steps)
    new = _clone_onto(out, [(acc_in, acc), (element, steps)])
    if placeholder.uid in set(p.uid for p in new.placeholders):  # fn may ignore acc
        new.replace_placeholders({placeholder: new.output})
    final = T.drop_axis(C.unpack_batch(C.sequence.last(new)), 0)
    return _hint(final, T.keras_shape(out), T.keras_dtype(out))


def _fold(fn, elems, initializer, fn_name, backwards):
    check_callable(fn_name, 'fn', fn)
    elems = _check_elems(elems, fn_name)
    n = T.keras_shape(elems)[0]
    if backwards:
        elems = T.same(elems, C.slice(elems, 0, 0, 0, -1))
    if initializer is None:
        if n == 0:
            raise ValueError('%s: expected at least one element when no initializer is given; '
                             'received an empty tensor.' % fn_name)
        initializer = elems[0]
        if n == 1:
            return initializer
        elems = elems[1:]
        n = None if n is None else n - 1
    initializer = T.as_tensor(initializer, T.keras_dtype(elems))
    if n == 0:
        return initializer
    result = _fold_sequence(fn, elems, initializer, fn_name)
    if result is None:
        acc = initializer
        for i in range(_known_length(elems, fn_name)):
            acc = fn(acc, elems[i])
        result = acc
    return result


def foldl(fn, elems, initializer=None, name=None):
    return _fold(fn, elems, initializer, 'foldl', backwards=False)


def foldr(fn, elems, initializer=None, name=None):
    return _fold(fn, elems, initializer, 'foldr', backwards=True)
