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

Variants run interleaved, round after round, so a busy machine slows them alike; ratios are reported.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import numpy as np  # noqa: E402

BATCH, N_IN, N_HIDDEN, N_OUT, LR = 64, 784, 256, 10, 0.01


def data(seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 1, size=(BATCH, N_IN)).astype('float32')
    y = np.eye(N_OUT, dtype='float32')[rng.randint(0, N_OUT, size=BATCH)]
    return x, y


def initial_weights(seed=1):
    rng = np.random.RandomState(seed)
    return [rng.normal(0, 0.05, size=(N_IN, N_HIDDEN)).astype('float32'), np.zeros(N_HIDDEN, 'float32'),
            rng.normal(0, 0.05, size=(N_HIDDEN, N_OUT)).astype('float32'), np.zeros(N_OUT, 'float32')]


# --- the model through K -------------------------------------------------------------------------------

def k_loss(K, x, y, params):
    w1, b1, w2, b2 = params
    hidden = K.maximum(K.dot(x, w1) + b1, 0.)
    logits = K.dot(hidden, w2) + b2
    e = K.exp(logits - K.max(logits, axis=-1, keepdims=True))
    probs = e / K.sum(e, axis=-1, keepdims=True)
    return -K.sum(y * K.log(probs + 1e-7)) / BATCH


def k_step(K):
    x = K.placeholder(shape=(None, N_IN))
    y = K.placeholder(shape=(None, N_OUT))
    params = [K.variable(w) for w in initial_weights()]
    loss = k_loss(K, x, y, params)
    grads = K.gradients(loss, params)
    updates = [K.update_sub(p, LR * g) for p, g in zip(params, grads)]
    return K.function([x, y], [loss], updates=updates)


# --- timing ------------------------------------------------------------------------------------------

def per_step_ms(step, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) * 1000.0 / steps


def interleaved(variants, steps, rounds):
    """{name: median ms/step over `rounds`}, each round timing every variant once."""
    times = {name: [] for name in variants}
    for name, step in variants.items():  # warm-up
        for _ in range(10):
            step()
    for _ in range(rounds):
        for name, step in variants.items():
            times[name].append(per_step_ms(step, steps))
    return {name: statistics.median(t) for name, t in times.items()}


def report(medians, baseline, extra=None):
    out = {'ms_per_step': {k: round(v, 4) for k, v in medians.items()},
           'ratio_to_%s' % baseline: {k: round(v / medians[baseline], 4) for k, v in medians.items()}}
    if extra:
        out.update(extra)
    print(json.dumps(out, indent=2))
    return out


def tiny_graph_overhead(K, rounds, calls=2000):
    """us/call of K.function against the engine's own callable on a 4-element graph (x + 1 with
    one update), where the wrapper's cost is not hidden behind the math."""
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
    medians = interleaved(variants, calls, rounds)
    return {k: round(ms * 1000.0, 2) for k, ms in medians.items()}


# --- tensorflow ----------------------------------------------------------------------------------------

def raw_tf_step():
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
        loss = -tf.reduce_sum(y * tf.math.log(probs + 1e-7)) / BATCH
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
    f([xs, ys])  # builds the callable
    own = K.get_session().make_callable(f._all_fetches, feed_list=f._feed_list)
    raw = raw_tf_step()
    variants = {
        'kbackend': lambda: f([xs, ys]),
        'make_callable_same_graph': lambda: own(xs, ys),
        'raw_tf_compat_v1': lambda: raw(xs, ys),
    }
    medians = interleaved(variants, args.steps, args.rounds)
    extra = {'tiny_graph_us_per_call': tiny_graph_overhead(K, args.rounds)}
    child = subprocess.run([sys.executable, __file__, '--tf-keras-child', '--steps', str(args.steps),
                            '--rounds', str(args.rounds)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
    line = child.stdout.strip().splitlines()[-1] if child.stdout.strip() else ''
    if child.returncode == 0 and line.startswith('{'):
        theirs = json.loads(line)
        extra['tf_keras_backend (own process, eager disabled)'] = {
            'ms_per_step': round(theirs['tf_keras'], 4),
            'raw_tf_compat_v1_same_process_ms_per_step': round(theirs['raw'], 4),
            'ratio_tf_keras_to_raw': round(theirs['tf_keras'] / theirs['raw'], 4),
            'kbackend_same_process_ms_per_step': round(theirs['kbackend'], 4),
            'ratio_kbackend_to_tf_keras': round(theirs['kbackend'] / theirs['tf_keras'], 4)}
    else:
        reason = line or (child.stderr.strip().splitlines() or ['no output'])[-1]
        extra['tf_keras_backend'] = 'not measured: ' + reason
    return report(medians, 'make_callable_same_graph', extra)


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
    medians = interleaved({'tf_keras': lambda: f([xs, ys]), 'kbackend': lambda: ours([xs, ys]),
                           'raw': lambda: raw(xs, ys)}, args.steps, args.rounds)
    print(json.dumps(medians))
    return 0


# --- theano ------------------------------------------------------------------------------------------

def raw_theano_step():
    from kbackend.backend.theano._engine import T, theano
    x, y = T.matrix('x', dtype='float32'), T.matrix('y', dtype='float32')
    params = [theano.shared(w) for w in initial_weights()]
    w1, b1, w2, b2 = params
    hidden = T.maximum(T.dot(x, w1) + b1, np.float32(0))
    logits = T.dot(hidden, w2) + b2
    e = T.exp(logits - T.max(logits, axis=-1, keepdims=True))
    probs = e / T.sum(e, axis=-1, keepdims=True)
    loss = -T.sum(y * T.log(probs + np.float32(1e-7))) / np.float32(BATCH)
    grads = T.grad(loss, params)
    fn = theano.function([x, y], [loss], updates=[(p, p - np.float32(LR) * g)
                                                  for p, g in zip(params, grads)])
    return fn


def theano_main(args):
    from kbackend.backend import loader
    K = loader.load_engine('theano')
    from kbackend.backend.theano import _engine
    xs, ys = data()
    start = time.perf_counter()
    f = k_step(K)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        k_step(K)
        warm.append(time.perf_counter() - start)
    raw = raw_theano_step()
    variants = {'kbackend': lambda: f([xs, ys]), 'raw_theano_function': lambda: raw(xs, ys)}
    medians = interleaved(variants, args.steps, args.rounds)
    return report(medians, 'raw_theano_function', {
        'tiny_graph_us_per_call': tiny_graph_overhead(K, args.rounds),
        'engine': '%s %s' % (_engine.IMPL, _engine.VERSION),
        'K.function_compile_s': {'cold (first in process)': round(cold, 3),
                                 'warm (same graph rebuilt, median of 3)': round(statistics.median(warm), 3)},
    })


# --- cntk ----------------------------------------------------------------------------------------------

def native_cntk_step(update_graph=False):
    """The same model and SGD step written with CNTK's own training API: inputs with CNTK's batch
    axis, a per-sample loss whose minibatch sum is the K model's loss, C.Trainer with C.sgd (a fused
    C++ update) or, with `update_graph`, with a universal learner running the update p - lr * g as a
    CNTK graph (how CNTK runs an update rule written as expressions, e.g. Keras 2.2.4's optimizers)."""
    from kbackend.backend.cntk._engine import C
    x, y = C.input_variable(N_IN, np.float32), C.input_variable(N_OUT, np.float32)
    params = [C.parameter(init=w) for w in initial_weights()]
    w1, b1, w2, b2 = params
    hidden = C.element_max(C.times(x, w1) + b1, 0.)
    logits = C.times(hidden, w2) + b2
    e = C.exp(logits - C.reduce_max(logits, axis=0))
    probs = e / C.reduce_sum(e, axis=0)
    loss = -C.reduce_sum(y * C.log(probs + 1e-7)) / BATCH
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


def cntk_main(args):
    from kbackend.backend import loader
    K = loader.load_engine('cntk')
    xs, ys = data()
    f = k_step(K)
    native, native_graph = native_cntk_step(), native_cntk_step(update_graph=True)
    first = [float(f([xs, ys])[0])] + [float(np.sum(list(n(xs, ys)[1].values())[0]))
                                        for n in (native, native_graph)]
    variants = {'kbackend': lambda: f([xs, ys]), 'native_trainer_sgd': lambda: native(xs, ys),
                'native_trainer_update_graph': lambda: native_graph(xs, ys)}
    medians = interleaved(variants, args.steps, args.rounds)
    from kbackend.backend.cntk import _engine
    return report(medians, 'native_trainer_sgd', {
        'engine': 'CNTK %s' % _engine.VERSION,
        'ratio_to_native_trainer_update_graph': round(medians['kbackend'] /
                                                      medians['native_trainer_update_graph'], 4),
        'first_step_loss (kbackend, sgd, update graph)': [round(v, 6) for v in first],
        'gradient_step_fast_path': f._step is not None,
        'tiny_graph_us_per_call': tiny_graph_overhead(K, args.rounds),
    })


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--engine', choices=('tensorflow', 'theano', 'cntk'), default='tensorflow')
    parser.add_argument('--steps', type=int, default=100)
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--tf-keras-child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tf_keras_child:
        return tf_keras_child(args)
    os.environ['KERAS_BACKEND'] = args.engine
    if args.engine == 'tensorflow':
        tensorflow_main(args)
    elif args.engine == 'cntk':
        cntk_main(args)
    else:
        theano_main(args)
    return 0


if __name__ == '__main__':
    sys.exit(main())
