"""Long-running use: does a new K.function cost more after many were built before it?

    .venv/bin/python benchmarks/function_scaling.py                          # TensorFlow, 2000 functions
    .venv/bin/python benchmarks/function_scaling.py --engine theano --n 500  # PyTensor
    KBACKEND_THEANO=theano .venv-theano/bin/python benchmarks/function_scaling.py --engine theano --n 500
    .venv-cntk/bin/python benchmarks/function_scaling.py --engine cntk

A loop builds N small functions, as a hyper-parameter search builds models: each is a placeholder, a
variable, ``tanh(dot(x, w) + 1)`` (about 8 graph nodes) and a K.function, called once. Each
function's cost is the time from building its graph to the end of its first call; the report gives
the median over a window of functions at several points of the loop, each as a ratio to the
window at the start (the very first function, which also warms the engine up, is left out). The goal
is a ratio <= 2 at the end: the cost of a new function does not depend on how many came before.

It also times the steady-state call of the first and of the last function (200 calls each): calls
must not slow down as the graph grows. ``--clear-every K`` calls K.clear_session() every K
functions, Keras's own advice for loops that build models.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import numpy as np  # noqa: E402

from kbackend.backend import loader  # noqa: E402

DATA = np.linspace(-1, 1, 16, dtype='float32').reshape(2, 8)


def new_function(K, i):
    x = K.placeholder(shape=(None, 8))
    w = K.variable(np.full((8, 4), 0.01 * (i % 7), dtype='float32'))
    f = K.function([x], [K.tanh(K.dot(x, w) + 1.0)])
    out = f([DATA])[0]
    expected = np.tanh(DATA.dot(np.full((8, 4), 0.01 * (i % 7))) + 1.0)
    if not np.allclose(out, expected, atol=1e-5):
        raise AssertionError('function %d gave a wrong result' % i)
    return f


def call_time(f, calls=200):
    f([DATA])
    start = time.perf_counter()
    for _ in range(calls):
        f([DATA])
    return (time.perf_counter() - start) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--engine', default=os.environ.get('KERAS_BACKEND') or 'tensorflow')
    parser.add_argument('--n', type=int, default=2000, help='functions to build (default 2000)')
    parser.add_argument('--window', type=int, default=20, help='functions per median (default 20)')
    parser.add_argument('--clear-every', type=int, default=0,
                        help='call K.clear_session() every this many functions (default: never)')
    args = parser.parse_args(argv)
    if args.n < 2 * args.window + 1:
        parser.error('--n must be at least 2 * --window + 1')
    K = loader.load_engine(args.engine)
    K.clear_session()
    costs, first_call, last_fn = [], None, None
    start = time.perf_counter()
    for i in range(args.n):
        if args.clear_every and i and i % args.clear_every == 0:
            K.clear_session()
        t0 = time.perf_counter()
        f = new_function(K, i)
        costs.append(time.perf_counter() - t0)
        if i == 1:
            first_call = call_time(f)
        last_fn = f
    total = time.perf_counter() - start
    last_call = call_time(last_fn)

    w = args.window
    base = statistics.median(costs[1:1 + w])
    points = sorted(set([1 + w] + [max(1 + w, int(args.n * p)) for p in (0.1, 0.25, 0.5, 0.75)] + [args.n]))
    print('%s: %d functions in %.1f s%s' % (args.engine, args.n, total,
                                            ', K.clear_session() every %d' % args.clear_every
                                            if args.clear_every else ''))
    print('  the very first function (engine warm-up included): %.1f ms' % (costs[0] * 1e3))
    print('  new function (build + K.function + first call), median of %d:' % w)
    for end in points:
        ms = statistics.median(costs[end - w:end]) * 1e3
        print('    functions %5d-%-5d %8.1f ms   ratio %5.2f' % (end - w + 1, end, ms, ms / (base * 1e3)))
    ratio = statistics.median(costs[-w:]) / base
    print('  ratio last / first window: %.2f   (goal <= 2: %s)' % (ratio, 'met' if ratio <= 2 else 'NOT met'))
    print('  steady call: function 2 %.1f us, function %d %.1f us (ratio %.2f)'
          % (first_call * 1e6, args.n, last_call * 1e6, last_call / first_call))
    return 0


if __name__ == '__main__':
    sys.exit(main())
