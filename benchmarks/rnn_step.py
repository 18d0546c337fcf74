"""One SGD step of an LSTM through K.rnn: kbackend on each engine and raw loops, side by side.

    .venv/bin/python benchmarks/rnn_step.py                 # TF, PyTensor (+ Theano 1.0.5: .venv-theano)
    .venv/bin/python benchmarks/rnn_step.py --json          # also BENCH result lines (bench_schema)
    .venv/bin/python benchmarks/rnn_step.py --blas-threads 1  # also the Theano engines with 1 BLAS thread
    .venv/bin/python benchmarks/rnn_step.py --workers tensorflow  # only the TensorFlow worker
    .venv/bin/python benchmarks/rnn_step.py --baseline-tree DIR  # also kbackend from DIR (an old tree)
    .venv/bin/python benchmarks/rnn_step.py --profile pytensor   # the engine's profiler on the step
    KBACKEND_THEANO=theano .venv-theano/bin/python benchmarks/rnn_step.py --profile theano

The model (float32): inputs (batch 32, 50 steps, 64 features), an LSTM of 128 units written as a
K.rnn step function the way Keras 2.2.4's LSTMCell (implementation 2) writes it: per step
``z = dot(x_t, W) + dot(h, U) + b`` (W 64x512, U 128x512), the four gates sliced from z (input,
forget and output through sigmoid, the cell candidate through tanh), ``c = f * c + i * g``,
``h = o * tanh(c)``; then a dense 128->10 layer on the last output and the softmax cross-entropy.
One step is the forward pass, the gradients of the five parameters and the SGD update, built with
K.placeholder / K.rnn / K.gradients / K.update_sub / K.function. The initial states are zeros made
from the input (as Keras' layers make them).

Variants, each in a worker process of its engine's environment (TensorFlow, PyTensor and legacy
Theano 1.0.5 each in their own process, so per-process settings such as BLAS threads stay apart),
driven by one coordinator so that rounds interleave (each round times every variant once, in a
random order, so a busy machine slows them alike):

- kbackend/TensorFlow (the baseline of every ratio), kbackend/PyTensor, kbackend/Theano 1.0.5;
- raw while_loop, Keras-style: tf.compat.v1.while_loop over an input TensorArray, the same sliced
  step, and a per-step output TensorArray (what Keras 2.2.4's TensorFlow backend builds);
- raw while_loop: the leanest loop the LSTM needs: ``tf.split`` into the four gates and only the
  states carried (no per-step output array), the loss on the final h;
- raw scan (PyTensor, Theano 1.0.5): ``scan`` over the time-major inputs with W, U, b as
  non-sequences, the same sliced step, the loss on the last h.

Every variant starts from the same weights and data; the first step's losses are printed and must
agree (otherwise the command fails before timing anything). Reported: median ms/step with min-max over the rounds, the load
average before and after, and the ratio to kbackend/TensorFlow paired per round (the median over
rounds of the variant's time divided by kbackend/TensorFlow's in the same round).
"""
import argparse
import json
import os
import statistics
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import _bench  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BATCH, STEPS, N_IN, UNITS, N_OUT, LR = 32, 50, 64, 128, 10, 0.01
WORKLOAD = 'lstm_step'
BASELINE = 'kbackend/TensorFlow'


def data(seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, size=(BATCH, STEPS, N_IN)).astype('float32')
    y = np.eye(N_OUT, dtype='float32')[rng.randint(0, N_OUT, size=BATCH)]
    return x, y


def initial_weights(seed=1):
    rng = np.random.RandomState(seed)
    bias = np.zeros(4 * UNITS, 'float32')
    bias[UNITS:2 * UNITS] = 1.  # forget gate open
    return [rng.normal(0, 0.1, size=(N_IN, 4 * UNITS)).astype('float32'),
            rng.normal(0, 0.05, size=(UNITS, 4 * UNITS)).astype('float32'), bias,
            rng.normal(0, 0.1, size=(UNITS, N_OUT)).astype('float32'), np.zeros(N_OUT, 'float32')]


# --- the model through K -------------------------------------------------------------------------------

def k_lstm_step(K, W, U, b):
    n = UNITS

    def step(x_t, states):
        h, c = states[0], states[1]
        z = K.dot(x_t, W) + K.dot(h, U) + b
        i = K.sigmoid(z[:, :n])
        f = K.sigmoid(z[:, n:2 * n])
        g = K.tanh(z[:, 2 * n:3 * n])
        o = K.sigmoid(z[:, 3 * n:])
        c = f * c + i * g
        h = o * K.tanh(c)
        return h, [h, c]
    return step


def k_step(K, **function_kwargs):
    x = K.placeholder(shape=(None, STEPS, N_IN))
    y = K.placeholder(shape=(None, N_OUT))
    params = [K.variable(w) for w in initial_weights()]
    W, U, b, V, c = params
    zeros = K.tile(K.expand_dims(K.sum(K.zeros_like(x), axis=(1, 2))), [1, UNITS])
    last, _, _ = K.rnn(k_lstm_step(K, W, U, b), x, [zeros, zeros])
    logits = K.dot(last, V) + c
    e = K.exp(logits - K.max(logits, axis=-1, keepdims=True))
    probs = e / K.sum(e, axis=-1, keepdims=True)
    loss = -K.sum(y * K.log(probs + 1e-7)) / BATCH
    grads = K.gradients(loss, params)
    updates = [K.update_sub(p, LR * g) for p, g in zip(params, grads)]
    f = K.function([x, y], [loss], updates=updates, **function_kwargs)
    xs, ys = data()

    def run():
        return f([xs, ys])[0]
    run.function = f
    return run


# --- raw TensorFlow ------------------------------------------------------------------------------------

def raw_tf_step(lean):
    """The LSTM on tf.compat.v1.while_loop; lean: tf.split gates and no per-step output array."""
    import tensorflow as tf
    tf1 = tf.compat.v1
    graph = tf.Graph()
    n = UNITS
    with graph.as_default():
        x = tf1.placeholder('float32', (None, STEPS, N_IN))
        y = tf1.placeholder('float32', (None, N_OUT))
        params = [tf1.Variable(w, use_resource=True) for w in initial_weights()]
        W, U, b, V, c0 = params
        xt = tf.transpose(x, [1, 0, 2])
        time_steps = tf.shape(xt)[0]
        input_ta = tf.TensorArray('float32', size=time_steps, element_shape=xt.shape[1:]).unstack(xt)
        zeros = tf.zeros([tf.shape(x)[0], n])

        def cell(x_t, h, c):
            z = tf.matmul(x_t, W) + tf.matmul(h, U) + b
            if lean:
                zi, zf, zg, zo = tf.split(z, 4, axis=1)
            else:
                zi, zf, zg, zo = z[:, :n], z[:, n:2 * n], z[:, 2 * n:3 * n], z[:, 3 * n:]
            c = tf.sigmoid(zf) * c + tf.sigmoid(zi) * tf.tanh(zg)
            h = tf.sigmoid(zo) * tf.tanh(c)
            return h, c

        if lean:
            def body(t, h, c):
                h, c = cell(input_ta.read(t), h, c)
                return t + 1, h, c
            _, last, _ = tf1.while_loop(lambda t, *_: t < time_steps, body, (0, zeros, zeros))
        else:
            output_ta = tf.TensorArray('float32', size=time_steps, element_shape=zeros.shape)

            def body(t, out_ta, h, c):
                h, c = cell(input_ta.read(t), h, c)
                return t + 1, out_ta.write(t, h), h, c
            final = tf1.while_loop(lambda t, *_: t < time_steps, body, (0, output_ta, zeros, zeros),
                                   parallel_iterations=32, swap_memory=True)
            outputs = final[1].stack()
            last = outputs[-1]
        logits = tf.matmul(last, V) + c0
        e = tf.exp(logits - tf.reduce_max(logits, axis=-1, keepdims=True))
        probs = e / tf.reduce_sum(e, axis=-1, keepdims=True)
        loss = -tf.reduce_sum(y * tf.math.log(probs + 1e-7)) / BATCH
        grads = tf1.gradients(loss, params)
        deltas = [LR * g for g in grads]
        with tf.control_dependencies([loss] + deltas):
            train = tf.group(*[p.assign_sub(d, read_value=False) for p, d in zip(params, deltas)])
        session = tf1.Session(graph=graph)
        session.run(tf1.global_variables_initializer())
    run = session.make_callable([loss, train], feed_list=[x, y])
    xs, ys = data()
    return lambda: run(xs, ys)[0]


# --- raw scan (PyTensor / Theano 1.0.5) ----------------------------------------------------------------

def raw_scan_step():
    from kbackend.backend.theano._engine import IS_PYTENSOR, T, theano
    n = UNITS
    x, y = T.tensor3('x', dtype='float32'), T.matrix('y', dtype='float32')
    params = [theano.shared(w) for w in initial_weights()]
    W, U, b, V, c0 = params

    sigmoid = T.sigmoid if IS_PYTENSOR else T.nnet.sigmoid

    def step(x_t, h, c, W, U, b):
        z = T.dot(x_t, W) + T.dot(h, U) + b
        c = sigmoid(z[:, n:2 * n]) * c + sigmoid(z[:, :n]) * T.tanh(z[:, 2 * n:3 * n])
        return sigmoid(z[:, 3 * n:]) * T.tanh(c), c

    zeros = T.zeros((x.shape[0], n), dtype='float32')
    kwargs = dict(sequences=[x.dimshuffle(1, 0, 2)], outputs_info=[zeros, zeros], non_sequences=[W, U, b])
    if IS_PYTENSOR:
        (hs, _) = theano.scan(step, return_updates=False, **kwargs)
    else:
        (hs, _), _ = theano.scan(step, **kwargs)
    logits = T.dot(hs[-1], V) + c0
    e = T.exp(logits - T.max(logits, axis=-1, keepdims=True))
    probs = e / T.sum(e, axis=-1, keepdims=True)
    loss = -T.sum(y * T.log(probs + np.float32(1e-7))) / np.float32(BATCH)
    grads = T.grad(loss, params)
    fn = theano.function([x, y], [loss], updates=[(p, p - np.float32(LR) * g)
                                                  for p, g in zip(params, grads)])
    xs, ys = data()
    return lambda: fn(xs, ys)[0]


# --- the worker: builds its variants, then times them on request -------------------------------------

def engine_label():
    from kbackend.backend.theano import _engine
    return 'PyTensor' if _engine.IS_PYTENSOR else 'Theano 1.0.5'


def build_variants(engine, suffix=''):
    from kbackend.backend import loader
    variants = {}
    if engine == 'tensorflow':
        K = loader.load_engine('tensorflow')
        variants['kbackend/TensorFlow' + ('' if suffix == ' [baseline only]' else suffix)] = k_step(K)
        if not suffix:
            variants['raw while_loop, Keras-style'] = raw_tf_step(lean=False)
            variants['raw while_loop'] = raw_tf_step(lean=True)
    else:
        K = loader.load_engine('theano')
        label = engine_label()
        variants['kbackend/' + label + suffix] = k_step(K)
        if suffix != ' [baseline]':
            variants['raw scan (%s)%s' % (label, suffix)] = raw_scan_step()
    return variants


def worker(args):
    return _bench.serve(build_variants(args.worker, args.label_suffix), warmup=2)


def start_worker(python, engine, env=None, suffix=''):
    cmd = [python, os.path.abspath(__file__), '--worker', engine]
    if suffix:
        cmd += ['--label-suffix', suffix]
    return _bench.Worker(cmd, ROOT, env)


def blas_env(n):
    return {'OMP_NUM_THREADS': str(n), 'OPENBLAS_NUM_THREADS': str(n)}


def coordinate(args):
    python = sys.executable
    legacy = None if args.no_legacy else _bench.legacy_theano_python(ROOT, args.theano_python)
    specs = [(python, 'tensorflow', {}, ''), (python, 'pytensor', {'KBACKEND_THEANO': 'pytensor'}, '')]
    if legacy:
        specs.append((legacy, 'theano', {'KBACKEND_THEANO': 'theano'}, ''))
    specs = [s for s in specs if s[1] in args.workers]  # kbackend/TensorFlow is always the baseline
    if 'tensorflow' not in args.workers:
        specs.insert(0, (python, 'tensorflow', {}, ' [baseline only]'))
    if args.blas_threads:
        suffix = ' [%d BLAS thread%s]' % (args.blas_threads, '' if args.blas_threads == 1 else 's')
        specs += [(p, e, dict(env, **blas_env(args.blas_threads)), suffix)
                  for p, e, env, _ in list(specs) if e != 'tensorflow']
    if args.baseline_tree:  # the same kbackend variants from another source tree, e.g. an older commit
        tree = {'PYTHONPATH': os.path.abspath(args.baseline_tree)}
        specs += [(p, e, dict(env, **tree), ' [baseline]') for p, e, env, s in list(specs) if not s]
    workers = [start_worker(p, 'tensorflow' if e == 'tensorflow' else 'theano', env, suffix)
               for p, e, env, suffix in specs]
    first = {v: w.first_loss[v] for w in workers for v in w.variants}
    losses = list(first.values())
    if max(losses) - min(losses) > 1e-4 * max(1.0, abs(losses[0])):  # nothing is timed then
        for w in workers:
            w.close()
        return first, None, []
    times = _bench.timed_rounds(workers, {v: args.steps for v in first}, args.rounds)
    for w in workers:
        w.close()
    sources = sorted(set('%s: kbackend from %s%s' % (
        os.path.basename(os.path.dirname(os.path.dirname(w.python))) or w.python, w.kbackend,
        ''.join(' %s=%s' % kv for kv in sorted(w.env.items()) if kv[0] != 'KBACKEND_THEANO'))
        for w in workers))
    return first, times, sources


def summarize(first, times):
    load_after = ' '.join('%.2f' % v for v in os.getloadavg())
    lines = ['load average before / after: %s / %s' % (LOAD_BEFORE, load_after),
             '', '| variant | first-step loss | ms/step median (min-max) | ratio to kbackend/TensorFlow '
             '(paired median, min-max) |', '|---|---|---|---|']
    result = {}
    base = times[BASELINE]
    for v in sorted(times):
        t = times[v]
        ratios = [a / b for a, b in zip(t, base)]
        result[v] = {'median_ms': statistics.median(t), 'min_ms': min(t), 'max_ms': max(t),
                     'ratio_median': statistics.median(ratios), 'ratio_min': min(ratios),
                     'ratio_max': max(ratios), 'first_loss': first[v], 'rounds': len(t)}
        lines.append('| %s | %.6f | %.2f (%.2f-%.2f) | %s |' % (
            v, first[v], statistics.median(t), min(t), max(t),
            '-' if v == BASELINE else '%.2f (%.2f-%.2f)' % (statistics.median(ratios), min(ratios),
                                                             max(ratios))))
    return '\n'.join(lines), result


def bench_fields(variant):
    """(engine, variant name) of the bench schema for one of this script's variants."""
    name, _, suffix = variant.partition(' [')
    suffix = (' [' + suffix) if suffix else ''
    engine = ('tensorflow' if 'TensorFlow' in name or 'while_loop' in name else
              'pytensor' if 'PyTensor' in name else 'theano')
    if name.startswith('kbackend/'):
        return engine, 'kbackend' + suffix
    if name.startswith('raw scan'):
        return engine, 'raw scan' + suffix
    return engine, name + suffix


def bench_lines(result):
    load = [round(v, 2) for v in os.getloadavg()]
    lines = []
    for v in sorted(result):
        r = result[v]
        engine, variant = bench_fields(v)
        is_base = v == BASELINE
        lines.append('BENCH ' + json.dumps({
            'workload': WORKLOAD, 'engine': engine, 'variant': variant,
            'baseline': None if is_base else 'kbackend/tensorflow', 'unit': 'ms',
            'median': round(r['median_ms'], 3), 'min': round(r['min_ms'], 3),
            'max': round(r['max_ms'], 3),
            'ratio_median': None if is_base else round(r['ratio_median'], 3),
            'ratio_min': None if is_base else round(r['ratio_min'], 3),
            'ratio_max': None if is_base else round(r['ratio_max'], 3),
            'rounds': r['rounds'], 'loadavg': load}))
    return lines


LOAD_BEFORE = ' '.join('%.2f' % v for v in os.getloadavg())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=5, help='steps per variant per round')
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--workers', type=lambda s: s.split(','),
                        default=['tensorflow', 'pytensor', 'theano'],
                        help='comma-separated workers to run among tensorflow, pytensor, theano '
                             '(default all; kbackend/TensorFlow always runs as the baseline)')
    parser.add_argument('--no-legacy', action='store_true', help='skip legacy Theano 1.0.5')
    parser.add_argument('--theano-python', help='interpreter with Theano 1.0.5 (default .venv-theano)')
    parser.add_argument('--blas-threads', type=int,
                        help='also run the Theano-engine variants with OMP_NUM_THREADS and '
                             'OPENBLAS_NUM_THREADS set to this number')
    parser.add_argument('--profile', choices=('pytensor', 'theano'),
                        help="print the engine's profile of the LSTM step (run it with that engine's "
                             'interpreter)')
    parser.add_argument('--baseline-tree', help='also run the kbackend variants with kbackend imported '
                        'from this source tree (e.g. a checkout of an older commit), labelled [baseline]')
    parser.add_argument('--json', action='store_true',
                        help='also print one BENCH line per variant (see the benchmark schema)')
    parser.add_argument('--label-suffix', default='', help=argparse.SUPPRESS)
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.profile:
        return _bench.profile_theano_step(k_step, args.profile, args.steps)
    first, times, sources = coordinate(args)
    if times is None:
        print('ERROR: the first-step losses differ, nothing was timed: %s' % json.dumps(first, indent=1))
        return 1
    table, result = summarize(first, times)
    print('\n'.join(sources))
    print(table)
    if args.json:
        print('\n'.join(bench_lines(result)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
