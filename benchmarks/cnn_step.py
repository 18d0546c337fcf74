"""One SGD step of a small CNN: kbackend on each engine and the raw engines, side by side.

    .venv/bin/python benchmarks/cnn_step.py              # TF, PyTensor (+ Theano 1.0.5: .venv-theano)
    .venv/bin/python benchmarks/cnn_step.py --cpus 1     # every worker pinned to CPU 1
    .venv/bin/python benchmarks/cnn_step.py --ops        # also each conv-family op on its own
    .venv/bin/python benchmarks/cnn_step.py --baseline-tree DIR  # also kbackend from DIR (an old tree)
    .venv/bin/python benchmarks/cnn_step.py --profile pytensor   # the engine's profiler on the step
    KBACKEND_THEANO=theano .venv-theano/bin/python benchmarks/cnn_step.py --profile theano

The model (batch 32, 28x28x1 channels-last, float32): conv 3x3 (1->32, 'same') + bias + relu, max
pool 2x2 / 2, conv 3x3 (32->64, 'same') + bias + relu, max pool 2x2 / 2, dense 3136->10, softmax
cross-entropy; one step is the forward pass, the gradients of the six parameters and the SGD update,
built with K.placeholder / K.conv2d / K.pool2d / K.gradients / K.update_sub / K.function.

Variants, each in the process of its engine's environment, driven by one coordinator so that rounds
interleave across processes (each round times every variant once, in a random order, so a busy
machine slows them alike):

- worker `.venv` (this interpreter): kbackend/TensorFlow, the same model written with raw
  tf.compat.v1 (tf.nn.conv2d, tf.nn.max_pool2d) run by Session.make_callable, and kbackend/PyTensor
  (PyTensor has no conv op of its own, so there is no raw PyTensor variant);
- worker `.venv-theano` (legacy Theano 1.0.5, when that interpreter exists): kbackend/Theano and the
  same model with Theano's own `nnet.conv2d` (channels-first, filter_flip=False) and `pool_2d`.

Every variant starts from the same weights and data; the first step's losses are compared before
anything is timed and must agree (the command fails otherwise). Reported: median ms/step with
min-max over the rounds, the load average, and the ratio to kbackend/TensorFlow paired per round (the median over rounds of the
variant's time divided by kbackend/TensorFlow's in the same round). The engines run in their default
mode (PyTensor with kbackend's `linker=cvm`, Theano's C linker) and BLAS threads.

With --ops, each conv-family op (conv1d, conv2d, conv3d with the 2-D case's channels and with
fewer, the transposes, depthwise and separable conv2d, pool2d max / avg) is timed alone: the sum of
its output and the gradient of the sum of its squared output with respect to every input, on
kbackend/TensorFlow and each Theano engine, so the ratios of the ops can be compared.

With --json the figures are also printed as `BENCH {...}` lines (see benchmarks/_bench.py), which
benchmarks/suite.py collects; --json FILE also writes them, keyed by variant, to FILE.
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
BATCH, SIDE, C1, C2, N_OUT, LR = 32, 28, 32, 64, 10, 0.01
FLAT = (SIDE // 4) * (SIDE // 4) * C2


def data(seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 1, size=(BATCH, SIDE, SIDE, 1)).astype('float32')
    y = np.eye(N_OUT, dtype='float32')[rng.randint(0, N_OUT, size=BATCH)]
    return x, y


def initial_weights(seed=1):
    rng = np.random.RandomState(seed)
    return [rng.normal(0, 0.3, size=(3, 3, 1, C1)).astype('float32'), np.zeros(C1, 'float32'),
            rng.normal(0, 0.06, size=(3, 3, C1, C2)).astype('float32'), np.zeros(C2, 'float32'),
            rng.normal(0, 0.02, size=(FLAT, N_OUT)).astype('float32'), np.zeros(N_OUT, 'float32')]


# --- the model through K -------------------------------------------------------------------------------

def k_loss(K, x, y, params):
    k1, b1, k2, b2, w3, b3 = params
    h = K.maximum(K.conv2d(x, k1, padding='same', data_format='channels_last') + b1, 0.)
    h = K.pool2d(h, (2, 2), strides=(2, 2), data_format='channels_last')
    h = K.maximum(K.conv2d(h, k2, padding='same', data_format='channels_last') + b2, 0.)
    h = K.pool2d(h, (2, 2), strides=(2, 2), data_format='channels_last')
    logits = K.dot(K.reshape(h, (-1, FLAT)), w3) + b3
    e = K.exp(logits - K.max(logits, axis=-1, keepdims=True))
    probs = e / K.sum(e, axis=-1, keepdims=True)
    return -K.sum(y * K.log(probs + 1e-7)) / BATCH


def k_step(K, **function_kwargs):
    x = K.placeholder(shape=(None, SIDE, SIDE, 1))
    y = K.placeholder(shape=(None, N_OUT))
    params = [K.variable(w) for w in initial_weights()]
    loss = k_loss(K, x, y, params)
    grads = K.gradients(loss, params)
    updates = [K.update_sub(p, LR * g) for p, g in zip(params, grads)]
    f = K.function([x, y], [loss], updates=updates, **function_kwargs)
    xs, ys = data()

    def step():
        return f([xs, ys])[0]
    step.function = f
    return step


# --- raw engines ---------------------------------------------------------------------------------------

def raw_tf_step():
    import tensorflow as tf
    tf1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder('float32', (None, SIDE, SIDE, 1))
        y = tf1.placeholder('float32', (None, N_OUT))
        params = [tf1.Variable(w, use_resource=True) for w in initial_weights()]
        k1, b1, k2, b2, w3, b3 = params
        h = tf.maximum(tf.nn.conv2d(x, k1, strides=1, padding='SAME') + b1, 0.)
        h = tf.nn.max_pool2d(h, 2, 2, 'VALID')
        h = tf.maximum(tf.nn.conv2d(h, k2, strides=1, padding='SAME') + b2, 0.)
        h = tf.nn.max_pool2d(h, 2, 2, 'VALID')
        logits = tf.matmul(tf.reshape(h, (-1, FLAT)), w3) + b3
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


def raw_legacy_theano_step():
    """The model with legacy Theano's own conv and pooling ops (channels-first inside)."""
    from kbackend.backend.theano._engine import T, theano
    from theano.tensor.nnet import conv2d
    from theano.tensor.signal.pool import pool_2d
    x, y = T.tensor4('x', dtype='float32'), T.matrix('y', dtype='float32')
    params = [theano.shared(w) for w in initial_weights()]
    k1, b1, k2, b2, w3, b3 = params
    h = x.dimshuffle(0, 3, 1, 2)
    h = conv2d(h, k1.dimshuffle(3, 2, 0, 1), border_mode='half', filter_flip=False,
               input_shape=(None, 1, SIDE, SIDE), filter_shape=(C1, 1, 3, 3))
    h = T.maximum(h + b1.dimshuffle('x', 0, 'x', 'x'), np.float32(0))
    h = pool_2d(h, (2, 2), ignore_border=True, mode='max')
    h = conv2d(h, k2.dimshuffle(3, 2, 0, 1), border_mode='half', filter_flip=False,
               filter_shape=(C2, C1, 3, 3))
    h = T.maximum(h + b2.dimshuffle('x', 0, 'x', 'x'), np.float32(0))
    h = pool_2d(h, (2, 2), ignore_border=True, mode='max')
    logits = T.dot(h.dimshuffle(0, 2, 3, 1).reshape((-1, FLAT)), w3) + b3
    e = T.exp(logits - T.max(logits, axis=-1, keepdims=True))
    probs = e / T.sum(e, axis=-1, keepdims=True)
    loss = -T.sum(y * T.log(probs + np.float32(1e-7))) / np.float32(BATCH)
    grads = T.grad(loss, params)
    fn = theano.function([x, y], [loss], updates=[(p, p - np.float32(LR) * g)
                                                  for p, g in zip(params, grads)])
    xs, ys = data()
    return lambda: fn(xs, ys)[0]


# --- per-op cases (--ops) ------------------------------------------------------------------------------

def op_cases():
    """name: (K function name, input shapes, keyword arguments); batch 32 (16 for the 3-D case with
    the 2-D case's channels, 32 -> 64), sizes near the CNN's."""
    return {
        'conv1d': ('conv1d', [(BATCH, 196, 32), (3, 32, 64)], dict(padding='same')),
        'conv2d': ('conv2d', [(BATCH, 14, 14, 32), (3, 3, 32, 64)], dict(padding='same')),
        'conv3d': ('conv3d', [(BATCH // 2, 6, 6, 6, 32), (3, 3, 3, 32, 64)], dict(padding='same')),
        'conv3d-16to32': ('conv3d', [(BATCH, 6, 6, 6, 16), (3, 3, 3, 16, 32)], dict(padding='same')),
        'conv2d_transpose': ('conv2d_transpose', [(BATCH, 7, 7, 64), (3, 3, 32, 64)],
                             dict(output_shape=(BATCH, 14, 14, 32), strides=(2, 2), padding='same')),
        'conv3d_transpose': ('conv3d_transpose', [(BATCH, 3, 3, 3, 32), (3, 3, 3, 16, 32)],
                             dict(output_shape=(BATCH, 6, 6, 6, 16), strides=(2, 2, 2), padding='same')),
        'depthwise_conv2d': ('depthwise_conv2d', [(BATCH, 14, 14, 32), (3, 3, 32, 2)],
                             dict(padding='same')),
        'separable_conv2d': ('separable_conv2d', [(BATCH, 14, 14, 32), (3, 3, 32, 1), (1, 1, 32, 64)],
                             dict(padding='same')),
        'pool2d-max': ('pool2d', [(BATCH, 28, 28, 32)], dict(pool_size=(2, 2), strides=(2, 2))),
        'pool2d-avg-same': ('pool2d', [(BATCH, 28, 28, 32)],
                            dict(pool_size=(3, 3), strides=(2, 2), padding='same', pool_mode='avg')),
    }


def k_op_step(K, case):
    name, shapes, kwargs = op_cases()[case]
    rng = np.random.RandomState(0)
    arrays = [rng.uniform(-1, 1, size=s).astype('float32') for s in shapes]
    inputs = [K.placeholder(shape=s) for s in shapes]
    out = getattr(K, name)(*inputs, **kwargs)
    f = K.function(inputs, [K.sum(out)] + K.gradients(K.sum(out * out), inputs))
    return lambda: f(arrays)[0]


# --- the worker: builds its variants, then times them on request -------------------------------------

def build_variants(engines, ops, suffix=''):
    from kbackend.backend import loader
    variants = {}
    for engine in engines:
        if engine == 'tensorflow':
            K = loader.load_engine('tensorflow')
            variants['kbackend/TensorFlow'] = k_step(K)
            variants['raw tf.compat.v1'] = raw_tf_step()
            label = 'TensorFlow'
        else:
            K = loader.load_engine('theano')
            from kbackend.backend.theano import _engine
            label = 'PyTensor' if _engine.IS_PYTENSOR else 'Theano 1.0.5'
            variants['kbackend/' + label + suffix] = k_step(K)
            if not _engine.IS_PYTENSOR and not suffix:
                variants['raw Theano nnet.conv2d + pool_2d'] = raw_legacy_theano_step()
        for case in ops:
            variants['%s: kbackend/%s%s' % (case, label, suffix)] = k_op_step(K, case)
    return variants


def worker(args):
    if args.cpus:
        os.sched_setaffinity(0, [int(c) for c in args.cpus.split(',')])
    return _bench.serve(build_variants(args.worker.split(','), args.op_cases, args.label_suffix), warmup=3)


def start_worker(python, engines, ops, env=None, suffix='', cpus=None):
    cmd = [python, os.path.abspath(__file__), '--worker', ','.join(engines)]
    if cpus:
        cmd += ['--cpus', cpus]
    if ops:
        cmd += ['--op-cases', ','.join(ops)]
    if suffix:
        cmd += ['--label-suffix', suffix]
    return _bench.Worker(cmd, ROOT, env)


def coordinate(args):
    ops = sorted(op_cases()) if args.ops else []
    workers = [start_worker(sys.executable, ['tensorflow', 'theano'], ops, {'KBACKEND_THEANO': 'pytensor'},
                            cpus=args.cpus)]
    legacy = _bench.legacy_theano_python(ROOT, args.theano_python)
    if legacy and not args.no_legacy:
        workers.append(start_worker(legacy, ['theano'], ops, {'KBACKEND_THEANO': 'theano'}, cpus=args.cpus))
    if args.baseline_tree:  # the same kbackend variants from another source tree, e.g. an older commit
        env = {'PYTHONPATH': os.path.abspath(args.baseline_tree)}
        workers.append(start_worker(sys.executable, ['theano'], ops, dict(env, KBACKEND_THEANO='pytensor'),
                                    ' [baseline]', args.cpus))
        if legacy and not args.no_legacy:
            workers.append(start_worker(legacy, ['theano'], ops, dict(env, KBACKEND_THEANO='theano'),
                                        ' [baseline]', args.cpus))
    first = {v: w.first_loss[v] for w in workers for v in w.variants}
    if not _bench.losses_agree({v: first[v] for v in first if ': ' not in v}):
        for w in workers:
            w.close()
        return first, None, []
    steps = {v: (args.steps if ':' not in v else args.op_steps) for v in first}
    times = _bench.timed_rounds(workers, steps, args.rounds)
    for w in workers:
        w.close()
    sources = sorted(set('%s: kbackend from %s' % (os.path.basename(os.path.dirname(os.path.dirname(
        w.python))) or w.python, w.kbackend) for w in workers))
    return first, times, sources


def baseline_of(variant):
    return (variant.split(': ')[0] + ': kbackend/TensorFlow') if ': ' in variant else 'kbackend/TensorFlow'


def summarize(first, times):
    load_after = ' '.join('%.2f' % v for v in os.getloadavg())
    lines = ['load average before / after: %s / %s' % (LOAD_BEFORE, load_after),
             '', '| variant | first-step loss | ms/step median (min-max) | ratio to kbackend/TensorFlow |',
             '|---|---|---|---|']
    result = {}
    for v in sorted(times, key=lambda v: (v.split(': ')[0] if ': ' in v else '', v)):
        t = times[v]
        base = times.get(baseline_of(v))
        ratio = statistics.median(_bench.paired_ratios(t, base)) if base else None
        result[v] = {'median_ms': statistics.median(t), 'min_ms': min(t), 'max_ms': max(t),
                     'ratio_to_tf': ratio, 'first_loss': first[v]}
        lines.append('| %s | %.6f | %.2f (%.2f-%.2f) | %s |' % (
            v, first[v], statistics.median(t), min(t), max(t), '%.2f' % ratio if ratio else '-'))
    return '\n'.join(lines), result


ENGINES = {'TensorFlow': 'tensorflow', 'PyTensor': 'pytensor', 'Theano 1.0.5': 'theano'}


def bench_name(variant):
    """(workload, engine, BENCH variant name) of a variant label of this script."""
    workload, label = 'cnn_step', variant
    if ': ' in variant:
        case, label = variant.split(': ', 1)
        workload = 'cnn_op ' + case
    suffix = ' [baseline]' if label.endswith(' [baseline]') else ''
    label = label[:len(label) - len(suffix)]
    if label.startswith('kbackend/'):
        return workload, ENGINES[label[len('kbackend/'):]], 'kbackend' + suffix
    if label.startswith('raw tf'):
        return workload, 'tensorflow', label + suffix
    return workload, 'theano', label + suffix  # raw Theano 1.0.5


def bench_records(first, times):
    """BENCH records: every variant paired with kbackend/TensorFlow (of its op case) per round."""
    recs = []
    for v in sorted(times):
        workload, engine, name = bench_name(v)
        base = baseline_of(v)
        paired = base in times and v != base
        recs.append(_bench.record(workload, engine, name, times[v], 'kbackend/tensorflow' if paired else None,
                                  times[base] if paired else None, first_loss=round(first[v], 6),
                                  batch=BATCH))
    return recs


LOAD_BEFORE = ' '.join('%.2f' % v for v in os.getloadavg())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=10, help='steps per variant per round (CNN)')
    parser.add_argument('--op-steps', type=int, default=10, help='steps per op case per round')
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--ops', action='store_true', help='also time each conv-family op alone')
    parser.add_argument('--no-legacy', action='store_true', help='skip legacy Theano 1.0.5')
    parser.add_argument('--theano-python', help='interpreter with Theano 1.0.5 (default .venv-theano)')
    parser.add_argument('--profile', choices=('pytensor', 'theano'),
                        help="print the engine's profile of the CNN step (run it with that engine's "
                             'interpreter)')
    parser.add_argument('--baseline-tree', help='also run the Theano-engine variants with kbackend '
                        'imported from this source tree (e.g. a checkout of an older commit), labelled '
                        '[baseline]')
    parser.add_argument('--cpus', help='pin every worker to these CPUs (comma-separated numbers), '
                        'e.g. 0 to compare the engines on one core')
    parser.add_argument('--json', nargs='?', const='', metavar='FILE',
                        help='also print the figures as BENCH lines (for benchmarks/suite.py) and, '
                        'given FILE, write them to FILE')
    parser.add_argument('--label-suffix', default='', help=argparse.SUPPRESS)
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--op-cases', type=lambda s: s.split(','), default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.profile:
        return _bench.profile_theano_step(k_step, args.profile, args.steps)
    first, times, sources = coordinate(args)
    if times is None:
        print('the first-step losses differ, nothing timed: %s' % json.dumps(first))
        return 1
    table, result = summarize(first, times)
    print('\n'.join(sources))
    print(table)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    if args.json is not None:
        _bench.emit(bench_records(first, times))
    return 0


if __name__ == '__main__':
    sys.exit(main())
