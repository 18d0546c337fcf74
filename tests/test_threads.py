"""Threads on every engine: one K.function shared by 8 threads, first calls at once, graph building
and compiling in several threads, the learning phase. Results are compared with NumPy; any
exception in a thread fails the test (DESIGN: results never mix between threads)."""
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

THREADS = 8


def run_threads(work, n=THREADS):
    """Runs work(i) in n threads started together; returns the exceptions raised (with the thread)."""
    errors, barrier = [], threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(60)
            work(i)
        except BaseException as e:  # noqa: BLE001  (reported by the caller)
            errors.append((i, e))
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # frequent thread switches: races show up in a short test
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    finally:
        sys.setswitchinterval(interval)
    assert not any(t.is_alive() for t in threads), 'a thread did not finish'
    return errors


def close(a, b):
    return a is not None and np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.fixture
def fresh(K):
    K.clear_session()  # a small graph: a new function's cost on TensorFlow grows with the graph
    yield K
    K.clear_session()


def _shared_function(K):
    w = np.arange(12, dtype='float32').reshape(4, 3) / 10
    x = K.placeholder(shape=(None, 4))
    v = K.variable(w)
    f = K.function([x], [K.dot(x, v) + 1, K.sum(x, axis=1)])
    return f, w


def test_one_shared_function_from_threads(fresh):
    """8 threads x 150 calls of one function, each with its own inputs (batch sizes differ too)."""
    K = fresh
    f, w = _shared_function(K)
    wrong = []

    def work(i):
        rng = np.random.RandomState(i)
        for call in range(150):
            a = rng.uniform(-1, 1, size=(1 + (i + call) % 5, 4)).astype('float32')
            out, total = f([a])
            if not (close(out, a.dot(w) + 1) and close(total, a.sum(axis=1))):
                wrong.append((i, call))
    errors = run_threads(work)
    assert not errors, errors[:3]
    assert not wrong, '%d of %d results wrong (another thread\'s?)' % (len(wrong), THREADS * 150)


def test_first_call_from_threads_at_once(fresh):
    """The first call of a function (which prepares it on every engine) made by 8 threads at once."""
    K = fresh
    for trial in range(3):
        x = K.placeholder(shape=(None, 3))
        v = K.variable(np.full((3,), trial + 1.0, dtype='float32'))
        f = K.function([x], [x * v - trial])
        results = {}

        def work(i):
            results[i] = f([np.full((2, 3), i, dtype='float32')])[0]
        errors = run_threads(work)
        assert not errors, errors[:3]
        for i in range(THREADS):
            assert close(results[i], np.full((2, 3), i * (trial + 1.0) - trial)), (trial, i)


def test_graph_building_compiling_and_calls_in_threads(fresh):
    """Each thread builds its own graph (variables, ops, gradients, updates) and functions, compiles
    and runs them, while every thread also calls one shared function and evaluates a shared tensor."""
    K = fresh
    shared, w = _shared_function(K)
    c = K.variable(np.array([1.0, -2.0, 3.0], dtype='float32'))
    shared_expr = K.exp(c) * 2
    expected_expr = np.exp([1.0, -2.0, 3.0]) * 2
    wrong = []
    builds, steps = 2, 6

    def work(i):
        rng = np.random.RandomState(100 + i)
        for b in range(builds):
            start = rng.uniform(-1, 1, size=(3,)).astype('float32')
            x = K.placeholder(shape=(None, 3))
            v = K.variable(start)
            loss = K.sum(K.square(x * v - 1.0))
            grad = K.gradients(loss, [v])[0]
            step = K.function([x], [loss], updates=[K.update_sub(v, 0.01 * grad)])
            predict = K.function([x], [K.tanh(x * v) + float(b)])
            expected = start.astype('float64')
            for _ in range(steps):
                a = rng.uniform(-1, 1, size=(2, 3)).astype('float32')
                got = step([a])[0]
                r = a * expected - 1.0
                if not close(got, np.sum(r ** 2)):
                    wrong.append(('loss', i, b))
                expected = expected - 0.01 * np.sum(2 * r * a, axis=0)
                p = shared([a[:, :2].repeat(2, axis=1)])[0]
                if not close(p, a[:, :2].repeat(2, axis=1).dot(w) + 1):
                    wrong.append(('shared', i, b))
            if not close(K.get_value(v), expected):
                wrong.append(('variable', i, b))
            a = rng.uniform(-1, 1, size=(1 + i % 3, 3)).astype('float32')
            if not close(predict([a])[0], np.tanh(a * expected) + b):
                wrong.append(('predict', i, b))
            if not close(K.eval(shared_expr), expected_expr):
                wrong.append(('eval', i, b))
    errors = run_threads(work)
    assert not errors, errors[:3]
    assert not wrong, wrong[:10]


def test_per_thread_functions_called_concurrently(fresh):
    """Functions built in one thread each, then all called at once, many times."""
    K = fresh
    fns = []
    for i in range(THREADS):
        x = K.placeholder(shape=(None, 2))
        fns.append(K.function([x], [K.relu(x - i) * (i + 1)]))
    wrong = []

    def work(i):
        rng = np.random.RandomState(i)
        for call in range(100):
            a = rng.uniform(0, 2 * THREADS, size=(1 + call % 3, 2)).astype('float32')
            if not close(fns[i]([a])[0], np.maximum(a - i, 0) * (i + 1)):
                wrong.append((i, call))
    errors = run_threads(work)
    assert not errors, errors[:3]
    assert not wrong, wrong[:10]


def test_gradients_shared_by_functions_in_threads(fresh):
    """Two functions reading one gradient graph (w.r.t. a variable and an intermediate tensor),
    called from 8 threads at once."""
    K = fresh
    w = np.array([0.5, -1.0, 2.0], dtype='float32')
    x = K.placeholder(shape=(None, 3))
    v = K.variable(w)
    h = x * v
    loss = K.sum(K.square(h))
    grad_h, grad_v = K.gradients(loss, [h])[0], K.gradients(loss, [v])[0]
    fns = [K.function([x], [grad_h]), K.function([x], [grad_h * 1.0, grad_v])]
    wrong = []

    def work(i):
        rng = np.random.RandomState(i)
        for call in range(40):
            a = rng.uniform(-1, 1, size=(1 + call % 3, 3)).astype('float32')
            out = fns[i % 2]([a])
            if not close(out[0], 2 * a * w):
                wrong.append(('h', i, call))
            if i % 2 and not close(out[1], np.sum(2 * a * w * a, axis=0)):
                wrong.append(('v', i, call))
    errors = run_threads(work)
    assert not errors, errors[:3]
    assert not wrong, wrong[:10]


def test_learning_phase_is_global(fresh):
    """set_learning_phase is global (Keras 2.2.4's rule): what one thread sets, every thread reads,
    and a function that reads the learning phase sees it."""
    K = fresh
    x = K.placeholder(shape=(2,))
    K.set_learning_phase(1)
    f = K.function([x], [K.in_train_phase(x * 2, x * 3)])
    seen = {}

    def work(i):
        seen[i] = (K.learning_phase(), f([np.ones(2, dtype='float32')])[0])
    errors = run_threads(work)
    assert not errors, errors[:3]
    for phase, out in seen.values():
        assert phase == 1 and close(out, [2.0, 2.0])


def test_errors_in_some_threads_do_not_reach_others(fresh, monkeypatch):
    """Calls of one function from 8 threads, a third of them with a bad fed value: each bad call raises
    its own clear error in its own thread, every other call returns its right result. On CNTK the bad
    value fails while the graph runs (inside a kbackend NumPy op), where kbackend also keeps CNTK from
    printing the error through sys.excepthook; the program's hook is left in place and never called."""
    K = fresh
    hook_calls = []
    monkeypatch.setattr(sys, 'excepthook', lambda *args: hook_calls.append(args))
    my_hook = sys.excepthook
    x = K.placeholder(shape=(None, 3))
    reps = K.placeholder(shape=(2,), dtype='int32')
    at_run_time = K.backend() == 'cntk'  # tile's reps in a tensor are a NumPy op on CNTK
    f = K.function([x, reps], [K.tile(x, reps) if at_run_time else K.sum(x, axis=0) * 2])
    wrong = []

    def work(i):
        for call in range(60):
            a = np.full((2, 3), i + call, dtype='float32')
            bad = (i + call) % 3 == 0
            value = a if not bad or at_run_time else np.ones((2, 4), dtype='float32')
            r = np.array([-1 if bad else 2, 1], dtype='int32')
            try:
                out = f([value, r])[0]
            except ValueError as e:
                expected = 'non-negative reps' if at_run_time else 'expects a value of shape (None, 3)'
                if not bad or expected not in str(e):
                    wrong.append((i, call, repr(e)))
                continue
            want = np.tile(a, (2, 1)) if at_run_time else a.sum(axis=0) * 2
            if bad or not close(out, want):
                wrong.append((i, call))
    errors = run_threads(work)
    assert not errors, errors[:3]
    assert not wrong, wrong[:5]
    assert sys.excepthook is my_hook and not hook_calls


_FIRST_USE = textwrap.dedent('''
    import threading
    import numpy as np
    from kbackend import backend as K
    barrier, errors, results = threading.Barrier(8), [], {}

    def work(i):
        try:
            barrier.wait(60)
            x = K.placeholder(shape=(2,))       # the first K call of the process: loads the engine
            results[i] = K.function([x], [x * 2])([np.full(2, i, dtype='float32')])[0]
        except BaseException as e:
            errors.append(repr(e))
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors[:2]
    assert all(np.allclose(results[i], [2 * i, 2 * i]) for i in range(8)), results
    print('ok')
''')


def test_first_use_of_the_engine_from_threads(K, tmp_path):
    """8 threads make the process's first K call at once: the engine loads once, none fails."""
    env = dict(os.environ, KERAS_HOME=str(tmp_path), KERAS_BACKEND=K.backend())
    env.pop('KBACKEND_ENGINE', None)
    out = subprocess.run([sys.executable, '-c', _FIRST_USE], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
    assert out.returncode == 0 and out.stdout.strip().endswith('ok'), out.stderr[-3000:]
