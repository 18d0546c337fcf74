"""One SGD step of a 784->256->10 softmax MLP (batch 64): kbackend's K.function versus raw engine code.

    .venv/bin/python benchmarks/mlp_step.py                       # TensorFlow
    .venv-theano/bin/python benchmarks/mlp_step.py --engine theano  # legacy Theano (or PyTensor in .venv)
    .venv-cntk/bin/python benchmarks/mlp_step.py --engine cntk      # CNTK 2.7 (CPython 3.6)

The step is built from placeholders, K.gradients, K.update_sub and K.function, with the math written
with K.dot/K.exp/K.log/K.sum/K.maximum/K.max (no nn-family dependency). In one process it measures the
median ms/step of:

- tensorflow: kbackend; ``Session.make_callable`` of kbackend's own graph and fetches (pure wrapper
  overhead); the same model written directly with tf.compat.v1 and run by make_callable; and
  tf_keras.backend when it is importable, in a subprocess (it needs eager execution disabled) that
  also times the raw tf.compat.v1 model and kbackend, so those ratios are measured in one process.
- theano: kbackend; the same model written directly with theano.function; and K.function's compile
  time, cold (first compile in the process) and warm (the same graph built and compiled again).
- cntk: kbackend; the same model trained with CNTK's own C.Trainer and C.sgd learner (inputs with
  CNTK's batch axis), and with a Trainer whose universal learner runs the update as a CNTK graph;
  the first step's loss of each, which must agree.

Every engine's process also times the same step written in NumPy (the floor: BLAS alone). The
first step's losses of the variants that start from the initial weights are compared before anything
is timed (the command fails when they differ). Variants run interleaved, round after round, in a
random order, so a busy machine slows them alike; ratios are reported. With --json the figures are
also printed as `BENCH {...}` lines (medians, min-max and ratios paired per round, see
benchmarks/_bench.py), which benchmarks/suite.py collects.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import _bench  # noqa: E402

BATCH, N_IN, N_HIDDEN, N_OUT, LR = 64, 784, 256, 10, 0.01


def data(seed=0, batch=BATCH):
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 1, size=(batch, N_IN)).astype('float32')
    y = np.eye(N_OUT, dtype='float32')[rng.randint(0, N_OUT, size=batch)]
    return x, y


def initial_weights(seed=1):
    rng = np.random.RandomState(seed)
    return [rng.normal(0, 0.05, size=(N_IN, N_HIDDEN)).astype('float32'), np.zeros(N_HIDDEN, 'float32'),
            rng.normal(0, 0.05, size=(N_HIDDEN, N_OUT)).astype('float32'), np.zeros(N_OUT, 'float32')]


# --- the model through K -------------------------------------------------------------------------------

def k_loss(K, x, y, params, batch=BATCH):
    w1, b1, w2, b2 = params
    hidden = K.maximum(K.dot(x, w1) + b1, 0.)
    logits = K.dot(hidden, w2) + b2
    e = K.exp(logits - K.max(logits, axis=-1, keepdims=True))
    probs = e / K.sum(e, axis=-1, keepdims=True)
    return -K.sum(y * K.log(probs + 1e-7)) / batch


def k_step(K, batch=BATCH):
    x = K.placeholder(shape=(None, N_IN))
    y = K.placeholder(shape=(None, N_OUT))
    params = [K.variable(w) for w in initial_weights()]
    loss = k_loss(K, x, y, params, batch)
    grads = K.gradients(loss, params)
    updates = [K.update_sub(p, LR * g) for p, g in zip(params, grads)]
    return K.function([x, y], [loss], updates=updates)


# --- NumPy: the floor ---------------------------------------------------------------------------------

def numpy_step(batch=BATCH):
    """The same step in NumPy (forward, the exact gradient of the same loss, in-place SGD update):
    what BLAS alone costs. Returns step(x, y) -> loss."""
    params = initial_weights()
    lr = np.float32(LR)

    def step(x, y):
        w1, b1, w2, b2 = params  # updated in place below
        pre = x.dot(w1) + b1
        hidden = np.maximum(pre, 0)
        logits = hidden.dot(w2) + b2
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probs = e / e.sum(axis=-1, keepdims=True)
        loss = -np.sum(y * np.log(probs + np.float32(1e-7))) / np.float32(batch)
        g_probs = -y / (probs + np.float32(1e-7)) / np.float32(batch)
        g_logits = probs * (g_probs - np.sum(g_probs * probs, axis=-1, keepdims=True))
        g_hidden = g_logits.dot(w2.T) * (pre > 0)
        w2 -= lr * hidden.T.dot(g_logits)
        b2 -= lr * g_logits.sum(axis=0)
        w1 -= lr * x.T.dot(g_hidden)
        b1 -= lr * g_hidden.sum(axis=0)
        return loss
    return step


# --- timing (benchmarks/_bench.py) -----------------------------------------------------------------

def interleaved(variants, steps, rounds):
    """{name: median ms/step over `rounds`}, each round timing every variant once."""
    return _bench.medians(_bench.interleaved(variants, steps, rounds))


def report(medians, baseline, extra=None):
    out = {'ms_per_step': {k: round(v, 4) for k, v in medians.items()},
           'ratio_to_%s' % baseline: {k: round(v / medians[baseline], 4) for k, v in medians.items()}}
    if extra:
        out.update(extra)
    print(json.dumps(out, indent=2))
    return out


def tiny_graph_times(K, rounds, calls=2000):
    """({variant: [ms per call, one per round]}, the name of the engine's own callable): K.function
    against the engine's own callable of the same graph, on a 4-element graph (x + 1 with one
    update), where the wrapper's cost is not hidden behind the math."""
    x = K.placeholder(shape=(4,))
    v = K.variable(np.zeros(4))
    f = K.function([x], [x + 1], updates=[K.update_add(v, x)])
    a = np.ones(4, dtype='float32')
    f([a])
    if K.backend() == 'tensorflow':
        own = K.get_session().make_callable(f._all_fetches, feed_list=f._feed_list)
        variants = {'kbackend': lambda: f([a]), 'make_callable_same_graph': lambda: own(a)}
    elif K.backend() == 'cntk':
        graph, wanted = f._graph.graph, f._graph.wanted_set
        variants = {'kbackend': lambda: f([a]), 'cntk_forward_same_graph':
                    lambda: graph.forward({x: a}, outputs=wanted)}
    else:
        variants = {'kbackend': lambda: f([a]), 'theano_function_same_graph': lambda: f.function(a)}
    own_name = [k for k in variants if k != 'kbackend'][0]
    return _bench.interleaved(variants, calls, rounds), own_name


def tiny_graph_overhead(K, rounds, calls=2000):
    """us/call of K.function against the engine's own callable on a 4-element graph (x + 1 with
    one update), where the wrapper's cost is not hidden behind the math."""
    times, _ = tiny_graph_times(K, rounds, calls)
    return {k: round(ms * 1000.0, 2) for k, ms in _bench.medians(times).items()}


# BENCH variant names of the variants above
NAMES = {'kbackend': 'kbackend', 'make_callable_same_graph': 'Session.make_callable, same graph',
         'raw_tf_compat_v1': 'raw tf.compat.v1', 'numpy': 'numpy',
         'raw_theano_function': None,  # 'raw pytensor.function' or 'raw theano.function'
         'native_trainer_sgd': 'cntk Trainer (C.sgd)',
         'native_trainer_update_graph': 'cntk Trainer (update as a graph)',
         'cntk_forward_same_graph': 'cntk Function.forward, same graph',
         'theano_function_same_graph': None}  # its compiled function called directly


def bench_records(engine, times, baseline, tiny=None, names=None, losses=None):
    """BENCH records of the MLP step's `times` (paired with `baseline`, with each variant's first loss
    from `losses`) and of the tiny graph."""
    names = dict(NAMES, **(names or {}))
    named = {names[k] or k: t for k, t in times.items()}
    recs = _bench.records('mlp_step', engine, named, names[baseline] or baseline, batch=BATCH)
    by_name = {names[k] or k: v for k, v in (losses or {}).items()}
    for rec in recs:
        if rec['variant'] in by_name:
            rec['first_loss'] = by_name[rec['variant']]
    if tiny:
        tiny_times, own = tiny
        named = {names[k] or k: t for k, t in tiny_times.items()}
        recs += _bench.records('tiny_graph_call', engine, named, names[own] or own, unit='us',
                               scale=1000.0, digits=2)
    return recs


def first_losses(steps):
    """{name: float(first call's loss)} of `steps` ({name: () -> loss})."""
    return {name: round(float(np.asarray(step())), 6) for name, step in steps.items()}


# --- tensorflow ----------------------------------------------------------------------------------------

def raw_tf_step(batch=BATCH):
    import tensorflow as tf
    tf1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder('float32', (None, N_IN))
        y = tf1.placeholder('float32', (None, N_OUT))
        params = [tf1.Variable(w, use_resource=True) for w in initial_weights()]
        w1, b1, w2, b2 = params
        hidden = tf.maximum(tf.matmul(x, w1) + b1, 0.)
        logits = tf.matmul(hidden, w2) + b2
        e = tf.exp(logits - tf.reduce_max(logits, axis=-1, keepdims=True))
        probs = e / tf.reduce_sum(e, axis=-1, keepdims=True)
        loss = -tf.reduce_sum(y * tf.math.log(probs + 1e-7)) / batch
        grads = tf1.gradients(loss, params, colocate_gradients_with_ops=True)
        deltas = [LR * g for g in grads]
        with tf.control_dependencies([loss] + deltas):
            train = tf.group(*[p.assign_sub(d, read_value=False) for p, d in zip(params, deltas)])
        session = tf1.Session(graph=graph)
        session.run(tf1.global_variables_initializer())
    return session.make_callable([loss, train], feed_list=[x, y])


def tensorflow_main(args):
    from kbackend.backend import loader
    K = loader.load_engine('tensorflow')
    xs, ys = data()
    f = k_step(K)
    raw, floor = raw_tf_step(), numpy_step()
    losses = first_losses({'kbackend': lambda: f([xs, ys])[0],  # also builds the callable
                           'raw_tf_compat_v1': lambda: raw(xs, ys)[0], 'numpy': lambda: floor(xs, ys)})
    _bench.check_losses(losses, 'mlp_step (tensorflow)')
    own = K.get_session().make_callable(f._all_fetches, feed_list=f._feed_list)
    variants = {
        'kbackend': lambda: f([xs, ys]),
        'make_callable_same_graph': lambda: own(xs, ys),
        'raw_tf_compat_v1': lambda: raw(xs, ys),
        'numpy': lambda: floor(xs, ys),
    }
    times = _bench.interleaved(variants, args.steps, args.rounds)
    tiny = tiny_graph_times(K, args.rounds)
    extra = {'first_step_loss': losses,
             'tiny_graph_us_per_call': {k: round(ms * 1000.0, 2)
                                        for k, ms in _bench.medians(tiny[0]).items()}}
    recs = bench_records('tensorflow', times, 'raw_tf_compat_v1', tiny, losses=losses)
    child = subprocess.run([sys.executable, __file__, '--tf-keras-child', '--steps', str(args.steps),
                            '--rounds', str(args.rounds)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
    line = child.stdout.strip().splitlines()[-1] if child.stdout.strip() else ''
    if child.returncode == 0 and line.startswith('{'):
        theirs = json.loads(line)
        t, m = theirs['times'], _bench.medians(theirs['times'])
        extra['tf_keras_backend (own process, eager disabled)'] = {
            'ms_per_step': round(m['tf_keras'], 4),
            'raw_tf_compat_v1_same_process_ms_per_step': round(m['raw'], 4),
            'ratio_tf_keras_to_raw': round(m['tf_keras'] / m['raw'], 4),
            'kbackend_same_process_ms_per_step': round(m['kbackend'], 4),
            'ratio_kbackend_to_tf_keras': round(m['kbackend'] / m['tf_keras'], 4),
            'first_step_loss': theirs['first_loss']}
        named = {'tf_keras': t['tf_keras'], 'kbackend (tf_keras process)': t['kbackend'],
                 'raw tf.compat.v1 (tf_keras process)': t['raw']}
        recs += _bench.records('mlp_step', 'tensorflow', named, 'raw tf.compat.v1 (tf_keras process)',
                               batch=BATCH, first_loss=theirs['first_loss']['tf_keras'])
        recs.append(_bench.record('mlp_step', 'tensorflow', 'kbackend (tf_keras process)', t['kbackend'],
                                  'tf_keras', t['tf_keras'], batch=BATCH))
    else:
        reason = line or (child.stderr.strip().splitlines() or ['no output'])[-1]
        extra['tf_keras_backend'] = 'not measured: ' + reason
    out = report(_bench.medians(times), 'make_callable_same_graph', extra)
    return out, recs


def tf_keras_child(args):
    try:
        import tf_keras.backend as KK
    except ImportError as e:
        print('tf_keras is not importable (%s)' % e)
        return 1
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    from kbackend.backend import loader
    xs, ys = data()
    f = k_step(KK)
    ours = k_step(loader.load_engine('tensorflow'))  # kbackend beside tf_keras, in one process
    raw = raw_tf_step()
    losses = first_losses({'tf_keras': lambda: f([xs, ys])[0], 'kbackend': lambda: ours([xs, ys])[0],
                           'raw': lambda: raw(xs, ys)[0]})
    _bench.check_losses(losses, 'mlp_step (tf_keras process)')
    times = _bench.interleaved({'tf_keras': lambda: f([xs, ys]), 'kbackend': lambda: ours([xs, ys]),
                                'raw': lambda: raw(xs, ys)}, args.steps, args.rounds)
    print(json.dumps({'times': times, 'first_loss': losses}))
    return 0


# --- theano ------------------------------------------------------------------------------------------

def raw_theano_step(batch=BATCH, theano=None, T=None):
    """The model written with the engine's own API, compiled by its `function`: legacy Theano's or
    PyTensor's, as kbackend imports it, unless the `theano` and `T` modules are given."""
    if theano is None:
        from kbackend.backend.theano._engine import T, theano
    x, y = T.matrix('x', dtype='float32'), T.matrix('y', dtype='float32')
    params = [theano.shared(w) for w in initial_weights()]
    w1, b1, w2, b2 = params
    hidden = T.maximum(T.dot(x, w1) + b1, np.float32(0))
    logits = T.dot(hidden, w2) + b2
    e = T.exp(logits - T.max(logits, axis=-1, keepdims=True))
    probs = e / T.sum(e, axis=-1, keepdims=True)
    loss = -T.sum(y * T.log(probs + np.float32(1e-7))) / np.float32(batch)
    grads = T.grad(loss, params)
    fn = theano.function([x, y], [loss], updates=[(p, p - np.float32(LR) * g)
                                                  for p, g in zip(params, grads)])
    return fn


def theano_engine_name():
    from kbackend.backend.theano import _engine
    return ('pytensor', 'raw pytensor.function') if _engine.IS_PYTENSOR else \
        ('theano', 'raw theano.function')


def theano_main(args):
    from kbackend.backend import loader
    K = loader.load_engine('theano')
    from kbackend.backend.theano import _engine
    engine, raw_name = theano_engine_name()
    xs, ys = data()
    start = time.perf_counter()
    f = k_step(K)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        k_step(K)
        warm.append(time.perf_counter() - start)
    raw, floor = raw_theano_step(), numpy_step()
    losses = first_losses({'kbackend': lambda: f([xs, ys])[0], 'raw_theano_function': lambda: raw(xs, ys)[0],
                           'numpy': lambda: floor(xs, ys)})
    _bench.check_losses(losses, 'mlp_step (%s)' % engine)
    variants = {'kbackend': lambda: f([xs, ys]), 'raw_theano_function': lambda: raw(xs, ys),
                'numpy': lambda: floor(xs, ys)}
    times = _bench.interleaved(variants, args.steps, args.rounds)
    tiny = tiny_graph_times(K, args.rounds)
    own = 'raw %s, same graph' % ('pytensor.function' if _engine.IS_PYTENSOR else 'theano.function')
    recs = bench_records(engine, times, 'raw_theano_function', tiny,
                         {'raw_theano_function': raw_name, 'theano_function_same_graph': own}, losses)
    recs.append(_bench.record('kfunction_compile', engine, 'kbackend, first K.function in the process',
                              [cold], unit='s', digits=3))
    recs.append(_bench.record('kfunction_compile', engine, 'kbackend, same graph built and compiled again',
                              warm, unit='s', digits=3))
    out = report(_bench.medians(times), 'raw_theano_function', {
        'first_step_loss': losses,
        'tiny_graph_us_per_call': {k: round(ms * 1000.0, 2) for k, ms in _bench.medians(tiny[0]).items()},
        'engine': '%s %s' % (_engine.IMPL, _engine.VERSION),
        'K.function_compile_s': {'cold (first in process)': round(cold, 3),
                                 'warm (same graph rebuilt, median of 3)': round(statistics.median(warm), 3)},
    })
    return out, recs


# --- cntk ----------------------------------------------------------------------------------------------

def native_cntk_step(update_graph=False, batch=BATCH, C=None):
    """The same model and SGD step written with CNTK's own training API: inputs with CNTK's batch
    axis, a per-sample loss whose minibatch sum is the K model's loss, C.Trainer with C.sgd (a fused
    C++ update) or, with `update_graph`, with a universal learner running the update p - lr * g as a
    CNTK graph (how CNTK runs an update rule written as expressions, e.g. Keras 2.2.4's optimizers).
    `C` is the cntk module (default: as kbackend imports it)."""
    if C is None:
        from kbackend.backend.cntk._engine import C
    x, y = C.input_variable(N_IN, np.float32), C.input_variable(N_OUT, np.float32)
    params = [C.parameter(init=w) for w in initial_weights()]
    w1, b1, w2, b2 = params
    hidden = C.element_max(C.times(x, w1) + b1, 0.)
    logits = C.times(hidden, w2) + b2
    e = C.exp(logits - C.reduce_max(logits, axis=0))
    probs = e / C.reduce_sum(e, axis=0)
    loss = -C.reduce_sum(y * C.log(probs + 1e-7)) / batch
    if update_graph:
        grads = [C.constant(np.zeros(p.shape, np.float32)) for p in params]
        updates = C.combine([C.assign(p, p - LR * g) for p, g in zip(params, grads)])
        learner = C.cntk_py.universal_learner(params, grads, updates)
    else:
        learner = C.sgd(params, lr=C.learning_parameter_schedule(LR))
    trainer = C.Trainer(loss, (loss, None), [learner])

    def step(xs, ys):
        return trainer.train_minibatch({x: xs, y: ys}, outputs=[loss.output])
    return step


def cntk_loss(result):
    """The minibatch loss from a native step's result (the per-sample losses, summed)."""
    return float(np.sum(list(result[1].values())[0]))


def cntk_main(args):
    from kbackend.backend import loader
    K = loader.load_engine('cntk')
    xs, ys = data()
    f = k_step(K)
    native, native_graph, floor = native_cntk_step(), native_cntk_step(update_graph=True), numpy_step()
    losses = first_losses({'kbackend': lambda: f([xs, ys])[0],
                           'native_trainer_sgd': lambda: cntk_loss(native(xs, ys)),
                           'native_trainer_update_graph': lambda: cntk_loss(native_graph(xs, ys)),
                           'numpy': lambda: floor(xs, ys)})
    _bench.check_losses(losses, 'mlp_step (cntk)')
    variants = {'kbackend': lambda: f([xs, ys]), 'native_trainer_sgd': lambda: native(xs, ys),
                'native_trainer_update_graph': lambda: native_graph(xs, ys),
                'numpy': lambda: floor(xs, ys)}
    times = _bench.interleaved(variants, args.steps, args.rounds)
    medians = _bench.medians(times)
    tiny = tiny_graph_times(K, args.rounds)
    recs = bench_records('cntk', times, 'native_trainer_sgd', tiny, losses=losses)
    recs.append(_bench.record('mlp_step', 'cntk', 'kbackend', times['kbackend'],
                              NAMES['native_trainer_update_graph'], times['native_trainer_update_graph'],
                              batch=BATCH))
    from kbackend.backend.cntk import _engine
    out = report(medians, 'native_trainer_sgd', {
        'engine': 'CNTK %s' % _engine.VERSION,
        'ratio_to_native_trainer_update_graph': round(medians['kbackend'] /
                                                      medians['native_trainer_update_graph'], 4),
        'first_step_loss (kbackend, sgd, update graph, numpy)': [
            losses[k] for k in ('kbackend', 'native_trainer_sgd', 'native_trainer_update_graph', 'numpy')],
        'gradient_step_fast_path': f._step is not None,
        'tiny_graph_us_per_call': {k: round(ms * 1000.0, 2) for k, ms in _bench.medians(tiny[0]).items()},
    })
    return out, recs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--engine', choices=('tensorflow', 'theano', 'cntk'), default='tensorflow')
    parser.add_argument('--steps', type=int, default=100)
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--json', action='store_true',
                        help='also print the figures as BENCH lines (for benchmarks/suite.py)')
    parser.add_argument('--tf-keras-child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tf_keras_child:
        return tf_keras_child(args)
    os.environ['KERAS_BACKEND'] = args.engine
    if args.engine == 'tensorflow':
        _, recs = tensorflow_main(args)
    elif args.engine == 'cntk':
        _, recs = cntk_main(args)
    else:
        _, recs = theano_main(args)
    if args.json:
        _bench.emit(recs)
    return 0


if __name__ == '__main__':
    sys.exit(main())
