"""Graph-building overhead on TensorFlow: N ops built through K versus raw tf calls, same graph.

    .venv/bin/python benchmarks/graph_build.py [--n 300] [--repeats 5]

Each round builds N copies of (dot, sum, conv2d, softmax) into kbackend's graph, once through K.* and
once through the raw tf.compat.v1 calls (inside `graph.as_default()`, entered once). The reported
ratio is the median K time over the median raw time; the goal is <= 1.3.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
os.environ['KERAS_BACKEND'] = 'tensorflow'

import numpy as np  # noqa: E402

from kbackend.backend import loader  # noqa: E402


def build_with_k(K, x, w, img, kernel, n):
    for _ in range(n):
        K.dot(x, w)
        K.sum(x, axis=1)
        K.conv2d(img, kernel, padding='same')
        K.softmax(x)


def build_raw(tf, x, w, img, kernel, n):
    for _ in range(n):
        tf.matmul(x, w)
        tf.reduce_sum(x, axis=1)
        tf.nn.conv2d(img, kernel, strides=[1, 1, 1, 1], padding='SAME')
        tf.nn.softmax(x)


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--n', type=int, default=300)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args(argv)
    K = loader.load_engine('tensorflow')
    from kbackend.backend.tensorflow._graph import STATE, tf
    x = K.placeholder(shape=(None, 32))
    w = K.variable(np.ones((32, 16)))
    img = K.placeholder(shape=(None, 8, 8, 3))
    kernel = K.variable(np.ones((3, 3, 3, 4)))
    k_times, raw_times = [], []
    for _ in range(args.repeats):
        k_times.append(timed(lambda: build_with_k(K, x, w, img, kernel, args.n)))
        with STATE.graph.as_default():
            raw_times.append(timed(lambda: build_raw(tf, x, w, img, kernel, args.n)))
    k_ms, raw_ms = statistics.median(k_times) * 1e3, statistics.median(raw_times) * 1e3
    ops = 4 * args.n
    print('graph building, %d ops per round, median of %d rounds' % (ops, args.repeats))
    print('  kbackend K.*   %8.1f ms  (%.1f us/op)' % (k_ms, k_ms * 1e3 / ops))
    print('  raw tf         %8.1f ms  (%.1f us/op)' % (raw_ms, raw_ms * 1e3 / ops))
    print('  ratio K / raw  %8.2f   (goal <= 1.3)' % (k_ms / raw_ms))
    return 0


if __name__ == '__main__':
    sys.exit(main())
