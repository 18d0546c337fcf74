"""The control family (rnn, switch, in_train/test_phase, map_fn, foldl, foldr) against the oracle."""
import types

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import oracle
from harness import assert_close, check_gradient, rand, to_numpy

UNITS, EXTRA = 4, 3  # widths of the two states of the two-state cell
NUMPY_OPS = types.SimpleNamespace(dot=np.dot, tanh=np.tanh)


def cell_weights(input_dim, dtype='float32'):
    return {'W': rand(input_dim, UNITS, dtype=dtype, seed=1), 'U': rand(UNITS, UNITS, dtype=dtype, seed=2),
            'V': rand(EXTRA, UNITS, dtype=dtype, seed=3), 'P': rand(UNITS, EXTRA, dtype=dtype, seed=4)}


def make_step(ops, w, n_states, n_constants=0):
    """A step function written with `ops` (K or NumPy): 0, 1 or 2 states of different widths."""
    def step(x, states):
        assert len(states) == n_states + n_constants
        pre = ops.dot(x, w['W'])
        if n_states >= 1:
            pre = pre + ops.dot(states[0], w['U'])
        if n_states >= 2:
            pre = pre + ops.dot(states[1], w['V'])
        for c in states[n_states:]:
            pre = pre + c
        output = ops.tanh(pre)
        new_states = [output] if n_states >= 1 else []
        if n_states >= 2:
            new_states.append(states[1] * 0.5 + ops.dot(output, w['P']))
        return output, new_states
    return step


def elementwise_step(ops):
    """A step on (samples, a, b) slices, for inputs of rank 4."""
    def step(x, states):
        output = ops.tanh(x * 0.7 + states[0] * 0.3)
        return output, [output]
    return step


def initial_states(n_states, samples=2, dtype='float32'):
    return [rand(samples, UNITS, dtype=dtype, seed=5), rand(samples, EXTRA, dtype=dtype, seed=6)][:n_states]


MASK = np.array([[0, 1, 1, 0, 1], [1, 1, 0, 0, 1]], dtype='float32')  # sample 0 starts masked


def run_rnn(K, step, inputs, states, mask=None, constants=None, **kwargs):
    last, outputs, new_states = K.rnn(
        step, K.variable(inputs), [K.variable(s) for s in states],
        mask=None if mask is None else K.variable(mask),
        constants=None if constants is None else [K.variable(c) for c in constants], **kwargs)
    return to_numpy(K, [last, outputs] + list(new_states))


@pytest.mark.parametrize('unroll', [False, True], ids=['symbolic', 'unrolled'])
@pytest.mark.parametrize('go_backwards', [False, True], ids=['forwards', 'backwards'])
@pytest.mark.parametrize('n_states,masked', [(0, False), (1, False), (1, True), (2, False), (2, True)],
                         ids=['no-state', 'one-state', 'one-state-masked', 'two-states', 'two-states-masked'])
def test_rnn(K, n_states, masked, go_backwards, unroll):
    inputs = rand(2, 5, 3)
    w = cell_weights(3)
    states = initial_states(n_states)
    mask = MASK if masked else None
    actual = run_rnn(K, make_step(K, w, n_states), inputs, states, mask=mask,
                     go_backwards=go_backwards, unroll=unroll)
    last, outputs, new_states = oracle.rnn(make_step(NUMPY_OPS, w, n_states), inputs, states, mask=mask,
                                           go_backwards=go_backwards)
    assert_close(actual, [last, outputs] + new_states, msg='rnn')


def test_rnn_masked_without_states(K):
    inputs = rand(2, 5, 3)
    w = cell_weights(3)
    for unroll in (False, True):
        actual = run_rnn(K, make_step(K, w, 0), inputs, [], mask=MASK, unroll=unroll)
        last, outputs, _ = oracle.rnn(make_step(NUMPY_OPS, w, 0), inputs, [], mask=MASK)
        assert_close(actual, [last, outputs], msg='unroll=%s' % unroll)


@pytest.mark.parametrize('unroll', [False, True], ids=['symbolic', 'unrolled'])
def test_rnn_constants(K, unroll):
    inputs = rand(2, 4, 3)
    w = cell_weights(3)
    constants = [rand(UNITS, seed=8), rand(2, UNITS, seed=9)]
    states = initial_states(2)
    actual = run_rnn(K, make_step(K, w, 2, 2), inputs, states, constants=constants, mask=MASK[:, :4],
                     unroll=unroll)
    last, outputs, new_states = oracle.rnn(make_step(NUMPY_OPS, w, 2, 2), inputs, states,
                                           constants=constants, mask=MASK[:, :4])
    assert_close(actual, [last, outputs] + new_states, msg='rnn with constants')


@pytest.mark.parametrize('unroll', [False, True], ids=['symbolic', 'unrolled'])
@pytest.mark.parametrize('go_backwards', [False, True], ids=['forwards', 'backwards'])
def test_rnn_rank4_input(K, go_backwards, unroll):
    inputs = rand(2, 5, 3, 2)
    states = [rand(2, 3, 2, seed=11)]
    actual = run_rnn(K, elementwise_step(K), inputs, states, mask=MASK, go_backwards=go_backwards,
                     unroll=unroll)
    last, outputs, new_states = oracle.rnn(elementwise_step(NUMPY_OPS), inputs, states, mask=MASK,
                                           go_backwards=go_backwards)
    assert_close(actual, [last, outputs] + new_states, msg='rank-4 rnn')


@pytest.mark.parametrize('go_backwards', [False, True], ids=['forwards', 'backwards'])
def test_rnn_unrolled_equals_symbolic(K, go_backwards):
    inputs = rand(3, 6, 3)
    w = cell_weights(3)
    states = initial_states(2, samples=3)
    mask = np.array([[1, 1, 0, 1, 0, 1], [0, 1, 1, 1, 1, 0], [1, 0, 0, 0, 1, 1]], 'float32')
    symbolic = run_rnn(K, make_step(K, w, 2), inputs, states, mask=mask, go_backwards=go_backwards)
    unrolled = run_rnn(K, make_step(K, w, 2), inputs, states, mask=mask, go_backwards=go_backwards,
                       unroll=True)
    assert_close(unrolled, symbolic, rtol=1e-6, atol=1e-6, msg='unrolled vs symbolic')


def test_rnn_input_length(K):
    """input_length bounds the symbolic loop and lets an unrolled loop run over an unknown time dim."""
    inputs = rand(2, 5, 3)
    w = cell_weights(3)
    states = initial_states(1)
    expected = oracle.rnn(make_step(NUMPY_OPS, w, 1), inputs, states)
    x = K.placeholder(shape=(2, None, 3))
    for unroll in (False, True):
        last, outputs, new_states = K.rnn(make_step(K, w, 1), x, [K.constant(states[0])],
                                          unroll=unroll, input_length=5)
        actual = K.function([x], [last, outputs] + list(new_states))([inputs])
        assert_close(actual, [expected[0], expected[1]] + expected[2], msg='unroll=%s' % unroll)


@pytest.mark.parametrize('unroll', [False, True], ids=['symbolic', 'unrolled'])
@pytest.mark.parametrize('masked', [False, True], ids=['unmasked', 'masked'])
def test_rnn_gradient(K, masked, unroll):
    w = cell_weights(3, dtype='float64')
    mask = MASK[:, :4].astype('float64') if masked else None

    def fn(x, h0, c0):
        _, outputs, states = K.rnn(make_step(K, w, 2), x, [h0, c0], unroll=unroll,
                                   mask=None if mask is None else K.constant(mask, dtype='float64'))
        return K.concatenate([outputs[:, 0], outputs[:, -1], states[0], states[1]], axis=1)
    check_gradient(K, fn, rand(2, 4, 3, dtype='float64'), *initial_states(2, dtype='float64'))


@pytest.mark.parametrize('unroll', [False, True], ids=['symbolic', 'unrolled'])
def test_rnn_step_with_a_dropout_mask_made_inside(K, unroll):
    """A Keras-2.2.4-style cell: its dropout mask is made on the step's first call (inside K.rnn)
    and reused; the loop runs in both phases and is differentiable."""
    w = cell_weights(3)
    weight = K.variable(w['W'])
    made = []

    def step(x, states):
        if not made:
            made.append(K.in_train_phase(K.dropout(K.ones_like(x), 0.5), K.ones_like(x)))
        output = K.tanh(K.dot(x * made[0], weight) + K.dot(states[0], w['U']))
        return output, [output]
    inputs, h0 = rand(2, 5, 3), initial_states(1)[0]
    x = K.placeholder(shape=(None, 5, 3))
    h = K.placeholder(shape=(None, UNITS))
    last, _, _ = K.rnn(step, x, [h], unroll=unroll)
    phase = K.learning_phase()
    f = K.function([x, h, phase], [last] + K.gradients(K.sum(last), [weight]))
    test_out, test_grad = f([inputs, h0, 0])
    expected = oracle.rnn(make_step(NUMPY_OPS, w, 1), inputs, [h0])[0]
    assert_close(test_out, expected, msg='test phase: no dropout')
    train_outs = [f([inputs, h0, 1]) for _ in range(4)]
    assert any(not np.allclose(out, expected) for out, _ in train_outs)  # units were dropped
    for _, grad in train_outs + [(None, test_grad)]:
        assert grad.shape == w['W'].shape and np.all(np.isfinite(grad))
    assert np.any(test_grad != 0)
    assert any(np.any(grad != 0) for _, grad in train_outs)  # (one draw may drop every input)


def test_rnn_rejects_bad_arguments(K):
    step = make_step(K, cell_weights(3), 1)
    h0 = [K.variable(initial_states(1)[0])]
    with pytest.raises(ValueError, match='at least 3 dimensions'):
        K.rnn(step, K.variable(rand(2, 3)), h0)
    with pytest.raises(ValueError, match='mask of shape'):
        K.rnn(step, K.variable(rand(2, 5, 3)), h0, mask=K.variable(rand(2, 5, 1)))
    with pytest.raises(ValueError, match='unroll=True needs the number of time steps'):
        K.rnn(step, K.placeholder(shape=(2, None, 3)), h0, unroll=True)


@pytest.mark.parametrize('unroll', [False, True], ids=['symbolic', 'unrolled'])
@pytest.mark.parametrize('mask_steps', [4, 6])
def test_rnn_rejects_a_mask_of_other_steps(K, unroll, mask_steps):
    step = make_step(K, cell_weights(3), 1)
    h0 = [K.variable(initial_states(1)[0])]
    with pytest.raises(ValueError, match=r'as many time steps as the inputs \(5, inputs of shape '
                       r'\(2, 5, 3\)\); received a mask of %d time steps \(shape \(2, %d\)\)'
                       % (mask_steps, mask_steps)):
        K.rnn(step, K.variable(rand(2, 5, 3)), h0, mask=K.variable(MASK[:, :1].repeat(mask_steps, 1)),
              unroll=unroll)
    with pytest.raises(ValueError, match='received a mask of %d time steps' % mask_steps):
        K.rnn(step, K.placeholder(shape=(None, 5, 3)), h0,
              mask=K.placeholder(shape=(None, mask_steps)), unroll=unroll)


def test_rnn_accepts_a_mask_whose_steps_are_known_on_one_side_only(K):
    w = cell_weights(3)
    inputs, states = rand(2, 5, 3), initial_states(1)
    x = K.placeholder(shape=(None, None, 3))
    h0 = K.placeholder(shape=(None, UNITS))
    last, _, _ = K.rnn(make_step(K, w, 1), x, [h0], mask=K.constant(MASK))
    expected = oracle.rnn(make_step(NUMPY_OPS, w, 1), inputs, states, mask=MASK)[0]
    assert_close(K.function([x, h0], [last])([inputs, states[0]])[0], expected, msg='rnn, mask static')


@pytest.mark.parametrize('unroll', [False, True], ids=['symbolic', 'unrolled'])
def test_rnn_results_keep_the_static_batch_size_for_a_stateful_update(K, unroll):
    # A stateful Keras RNN with batch_shape (2, 5, 3) updates its (2, UNITS) state variables with the
    # final states, and Keras's losses reduce its (2, 5, UNITS) outputs against (None, None, UNITS)
    # targets: the results keep the known sizes (CNTK's sequence ops had left them free).
    w = cell_weights(3)
    inputs, states = rand(2, 5, 3), initial_states(1)
    x = K.placeholder(shape=(2, 5, 3))
    h = K.variable(states[0])
    last, outputs, new_states = K.rnn(make_step(K, w, 1), x, [h], unroll=unroll)
    if not unroll:  # the loop's own results (legacy Theano keeps no static sizes through K.dot)
        assert K.int_shape(outputs)[:2] == (2, 5)
    target = K.placeholder(shape=(None, None, UNITS))
    loss = K.mean(K.mean(K.square(outputs - target), axis=-1), axis=1)
    f = K.function([x, target], [loss], updates=[K.update(h, new_states[0])])
    expected_last, expected_outputs, _ = oracle.rnn(make_step(NUMPY_OPS, w, 1), inputs, states)
    zeros = np.zeros((2, 5, UNITS), 'float32')
    assert_close(f([inputs, zeros])[0], np.mean(np.square(expected_outputs), axis=(1, 2)))
    assert_close(K.get_value(h), expected_last)


@pytest.mark.parametrize('unroll', [False, True], ids=['symbolic', 'unrolled'])
def test_rnn_marks_learning_phase_use(K, unroll):
    def marking_step(x, states):
        output = x * 2.
        output._uses_learning_phase = True
        return output, [output]
    inputs = K.variable(rand(2, 3, 4))
    plain_last, _, _ = K.rnn(lambda x, s: (x * 2., [x]), inputs, [K.variable(rand(2, 4))], unroll=unroll)
    marked_last, _, _ = K.rnn(marking_step, inputs, [K.variable(rand(2, 4))], unroll=unroll)
    assert plain_last._uses_learning_phase is False
    assert marked_last._uses_learning_phase is True


# --- switch, in_train_phase, in_test_phase ---------------------------------------------------------

SWITCH_CASES = {
    # name: (condition, then, else)
    'scalar-true': (np.array(True), rand(2, 3), rand(2, 3, seed=1)),
    'scalar-false': (np.array(False), rand(2, 3), rand(2, 3, seed=1)),
    'same-rank': (np.array([[1, 0, 1], [0, 0, 1]], 'float32'), rand(2, 3), rand(2, 3, seed=1)),
    'rank1-selects-rows': (np.array([1, 0, 1], 'float32'), rand(3, 4), rand(3, 4, seed=1)),
    'rank2-of-rank3': (np.array([[1, 0], [0, 1], [1, 1]], 'float32'), rand(3, 2, 4), rand(3, 2, 4, seed=1)),
}


@pytest.mark.parametrize('case', sorted(SWITCH_CASES))
def test_switch(K, case):
    condition, then, other = SWITCH_CASES[case]
    expected = oracle.switch(condition, then, other)
    actual = K.eval(K.switch(K.constant(condition, dtype=str(condition.dtype)), K.variable(then),
                             K.variable(other)))
    assert_close(actual, expected, msg='switch %s' % case)


@pytest.mark.parametrize('value', [True, False], ids=['true', 'false'])
def test_switch_scalar_condition_with_callable_branches(K, value):
    then, other = rand(2, 3), rand(2, 3, seed=1)
    built = []

    def branch(array, tag):
        def build():
            built.append(tag)
            return K.variable(array) * 2.
        return build
    condition = K.variable(np.array(value))
    out = K.switch(condition, branch(then, 'then'), branch(other, 'else'))
    assert_close(K.eval(out), 2 * (then if value else other), msg='switch with callables')
    assert sorted(built) == ['else', 'then']  # both branches are built (inside their branch on TF)


def test_switch_rejects_condition_of_higher_rank(K):
    with pytest.raises(ValueError, match='rank of condition'):
        K.switch(K.variable(np.ones((2, 3, 4), 'float32')), K.variable(rand(2, 3)), K.variable(rand(2, 3)))


@pytest.mark.parametrize('training', [1, True, 0, False], ids=['1', 'True', '0', 'False'])
def test_in_train_phase_static(K, training):
    x, alt = K.variable(rand(2, 3)), K.variable(rand(2, 3, seed=1))
    assert K.in_train_phase(x, alt, training=training) is (x if training else alt)
    assert K.in_test_phase(x, alt, training=training) is (alt if training else x)
    assert K.in_train_phase(lambda: x, lambda: alt, training=training) is (x if training else alt)


@pytest.mark.parametrize('phase', [0, 1])
def test_in_train_phase_follows_learning_phase(K, phase):
    x, alt = rand(2, 3), rand(2, 3, seed=1)
    train = K.in_train_phase(K.variable(x), lambda: K.variable(alt) * 1.)
    test = K.in_test_phase(K.variable(x), K.variable(alt))
    assert train._uses_learning_phase is True and test._uses_learning_phase is True
    values = K.function([K.learning_phase()], [train, test])([phase])
    assert_close(values, [oracle.in_train_phase(x, alt, phase), oracle.in_test_phase(x, alt, phase)],
                 msg='learning phase %d' % phase)


def test_in_train_phase_with_symbolic_training_is_not_marked(K):
    phase = K.learning_phase()
    out = K.in_train_phase(K.variable(rand(2, 3)), K.variable(rand(2, 3, seed=1)), training=phase)
    assert not getattr(out, '_uses_learning_phase', False)


# --- map_fn, foldl, foldr --------------------------------------------------------------------------

def test_map_fn(K):
    elems = rand(4, 3)
    actual = K.eval(K.map_fn(lambda x: x * x + 1., K.variable(elems)))
    assert_close(actual, oracle.map_fn(lambda x: x * x + 1., elems), msg='map_fn')


def test_map_fn_dtype(K):
    elems = rand(4, 3)
    out = K.map_fn(lambda x: x * 2., K.variable(elems), dtype='float32')
    assert K.dtype(out) == 'float32'
    assert_close(K.eval(out), oracle.map_fn(lambda x: x * 2., elems), msg='map_fn dtype')


def halve_and_add(acc, x):  # order-sensitive, so foldl and foldr differ
    return acc * 0.5 + x


@pytest.mark.parametrize('fold', ['foldl', 'foldr'])
@pytest.mark.parametrize('initial', [False, True], ids=['no-initializer', 'initializer'])
def test_fold(K, fold, initial):
    elems = rand(5, 3)
    initializer = rand(3, seed=3) if initial else None
    actual = K.eval(getattr(K, fold)(halve_and_add, K.variable(elems),
                                     initializer=None if initializer is None else K.variable(initializer)))
    expected = getattr(oracle, fold)(halve_and_add, elems, initializer=initializer)
    assert_close(actual, expected, msg=fold)


@pytest.mark.parametrize('fold', ['foldl', 'foldr'])
def test_fold_to_scalar(K, fold):
    elems = rand(6)
    actual = K.eval(getattr(K, fold)(halve_and_add, K.variable(elems)))
    assert_close(actual, getattr(oracle, fold)(halve_and_add, elems), msg=fold)


def test_map_fn_and_fold_with_K_ops_and_variables(K):
    """fn calls K functions on captured variables: they must be built inside the loop body."""
    elems, w = rand(4, 3), rand(3, 2, seed=5)
    kernel = K.variable(w)
    mapped = K.eval(K.map_fn(lambda x: K.tanh(K.dot(K.expand_dims(x, 0), kernel))[0], K.variable(elems)))
    assert_close(mapped, oracle.map_fn(lambda x: np.tanh(np.dot(x, w)), elems), msg='map_fn with K ops')
    folded = K.eval(K.foldl(lambda acc, x: acc + K.sum(kernel) * x, K.variable(elems)))
    assert_close(folded, oracle.foldl(lambda acc, x: acc + w.sum() * x, elems), msg='foldl with K ops')


@pytest.mark.parametrize('fold', ['foldl', 'foldr'])
def test_fold_gradient(K, fold):
    check_gradient(K, lambda x: getattr(K, fold)(lambda acc, e: acc * e + e, x), rand(4, 3, dtype='float64'))


def test_map_fn_gradient(K):
    check_gradient(K, lambda x: K.map_fn(lambda e: e * e * 0.5 + e, x), rand(4, 3, dtype='float64'))


_RNN_GRAPHS = {}


def rnn_graph(K, go_backwards):
    """A masked two-state symbolic rnn on placeholders of unknown samples and time, built once."""
    key = (K.backend(), go_backwards)
    if key not in _RNN_GRAPHS:
        w = cell_weights(3)
        x, mask = K.placeholder(shape=(None, None, 3)), K.placeholder(shape=(None, None))
        h0, c0 = K.placeholder(shape=(None, UNITS)), K.placeholder(shape=(None, EXTRA))
        last, outputs, states = K.rnn(make_step(K, w, 2), x, [h0, c0], mask=mask, go_backwards=go_backwards)
        _RNN_GRAPHS[key] = (w, K.function([x, mask, h0, c0], [last, outputs] + list(states)))
    return _RNN_GRAPHS[key]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.integers(1, 4), st.integers(1, 7), st.booleans(), st.integers(0, 1000))
def test_rnn_random_shapes_and_masks(K, samples, steps, go_backwards, seed):
    w, run = rnn_graph(K, go_backwards)
    r = np.random.RandomState(seed)
    inputs = r.uniform(-1, 1, (samples, steps, 3)).astype('float32')
    mask = (r.uniform(size=(samples, steps)) > 0.3).astype('float32')
    states = [r.uniform(-1, 1, (samples, UNITS)).astype('float32'),
              r.uniform(-1, 1, (samples, EXTRA)).astype('float32')]
    last, outputs, new_states = oracle.rnn(make_step(NUMPY_OPS, w, 2), inputs, states, mask=mask,
                                           go_backwards=go_backwards)
    assert_close(run([inputs, mask] + states), [last, outputs] + new_states, msg='random rnn')


@pytest.mark.parametrize('case', ['scalar-true', 'rank1-selects-rows'])
def test_switch_gradient(K, case):
    condition, then, other = SWITCH_CASES[case]
    check_gradient(K, lambda a, b: K.switch(K.constant(condition, dtype=str(condition.dtype)), a * a, b * 3.),
                   then.astype('float64'), other.astype('float64'))
