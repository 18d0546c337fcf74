"""First use and peak memory: a fresh process per variant imports its engine, builds mlp_step.py's
MLP step, compiles it and computes the first result; then it runs the step and reports its peak RSS.

    .venv/bin/python benchmarks/first_use.py                    # every installed environment
    .venv/bin/python benchmarks/first_use.py --rounds 1 --json  # BENCH lines for benchmarks/suite.py
    .venv/bin/python benchmarks/first_use.py --empty-cache      # Theano engines: an empty compile cache

Variants (each in its environment; missing environments and peers are reported and skipped):
kbackend on TensorFlow (.venv), PyTensor (.venv), legacy Theano 1.0.5 (.venv-theano) and CNTK 2.7
(.venv-cntk); the same model written with raw tf.compat.v1, tf_keras.backend (eager disabled; when
tf_keras is installed in .venv), raw pytensor.function, raw theano.function and CNTK's C.Trainer; and
NumPy. The raw PyTensor / Theano variants get the flags kbackend would add (PyTensor's C linker
`linker=cvm` and OpenBLAS), so both compile the same way.

- first use: seconds from the coordinator starting the process to the first step's loss in hand
  (interpreter start, imports, graph building, compiling, the first call), and the import part alone;
- peak memory: the process's ru_maxrss (MiB) after `--steps` more steps.

Rounds interleave: each round runs every variant once, in a random order; ratios are paired per round
against the raw engine of the same environment. The first losses of all variants must agree. The
Theano engines' compile cache is the one on disk (warm after a first run) unless --empty-cache gives
each process a new, empty compile directory (the first use on a fresh machine).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MARK = 'FIRSTUSE '

# variant: (environment, engine, BENCH variant name, baseline variant or None)
VARIANTS = {
    'kbackend-tensorflow': ('.venv', 'tensorflow', 'kbackend', 'raw-tf'),
    'raw-tf': ('.venv', 'tensorflow', 'raw tf.compat.v1', None),
    'tf_keras': ('.venv', 'tensorflow', 'tf_keras', 'raw-tf'),
    'kbackend-pytensor': ('.venv', 'pytensor', 'kbackend', 'raw-pytensor'),
    'raw-pytensor': ('.venv', 'pytensor', 'raw pytensor.function', None),
    'kbackend-theano': ('.venv-theano', 'theano', 'kbackend', 'raw-theano'),
    'raw-theano': ('.venv-theano', 'theano', 'raw theano.function', None),
    'kbackend-cntk': ('.venv-cntk', 'cntk', 'kbackend', 'cntk-trainer'),
    'cntk-trainer': ('.venv-cntk', 'cntk', 'cntk Trainer (C.sgd)', None),
    'numpy': ('.venv', 'numpy', 'numpy', None),
}


# --- the child: one variant in a fresh process ----------------------------------------------------------

def _openblas():
    import ctypes.util
    return ctypes.util.find_library('openblas') is not None


def child(variant, spawned, steps):
    start = time.time()
    env, engine = VARIANTS[variant][:2]
    sys.path.insert(0, HERE)
    if variant.startswith('kbackend-'):
        os.environ['KERAS_BACKEND'] = 'theano' if engine in ('pytensor', 'theano') else engine
        if engine in ('pytensor', 'theano'):
            os.environ['KBACKEND_THEANO'] = engine
        from kbackend import backend as K
        K.placeholder  # the first engine function looked up loads the engine
        imported = time.time()
        import mlp_step
        xs, ys = mlp_step.data()
        f = mlp_step.k_step(K)
        step = lambda: f([xs, ys])[0]  # noqa: E731
    elif variant == 'tf_keras':
        import tensorflow as tf
        import tf_keras.backend as KK
        tf.compat.v1.disable_eager_execution()
        imported = time.time()
        import mlp_step
        xs, ys = mlp_step.data()
        f = mlp_step.k_step(KK)
        step = lambda: f([xs, ys])[0]  # noqa: E731
    elif variant == 'raw-tf':
        __import__('tensorflow')
        imported = time.time()
        import mlp_step
        xs, ys = mlp_step.data()
        raw = mlp_step.raw_tf_step()
        step = lambda: raw(xs, ys)[0]  # noqa: E731
    elif variant in ('raw-pytensor', 'raw-theano'):
        import importlib
        if variant == 'raw-pytensor':
            flags = ['linker=cvm'] + (['blas__ldflags=-lopenblas'] if _openblas() else [])
            var, name = 'PYTENSOR_FLAGS', 'pytensor'
        else:
            flags = ['blas.ldflags=-lopenblas'] if _openblas() else []
            var, name = 'THEANO_FLAGS', 'theano'
        os.environ[var] = ','.join([f for f in [os.environ.get(var, '')] + flags if f])
        theano = importlib.import_module(name)
        T = importlib.import_module(name + '.tensor')
        imported = time.time()
        import mlp_step
        xs, ys = mlp_step.data()
        raw = mlp_step.raw_theano_step(theano=theano, T=T)
        step = lambda: raw(xs, ys)[0]  # noqa: E731
    elif variant == 'cntk-trainer':
        import cntk as C
        imported = time.time()
        import mlp_step
        xs, ys = mlp_step.data()
        raw = mlp_step.native_cntk_step(C=C)
        step = lambda: mlp_step.cntk_loss(raw(xs, ys))  # noqa: E731
    else:  # numpy
        __import__('numpy')
        imported = time.time()
        import mlp_step
        xs, ys = mlp_step.data()
        floor = mlp_step.numpy_step()
        step = lambda: floor(xs, ys)  # noqa: E731
    built = time.time()
    loss = float(step())
    done = time.time()
    for _ in range(steps):
        step()
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    print(MARK + json.dumps({'variant': variant, 'first_use_s': done - spawned,
                             'import_s': imported - spawned, 'build_s': built - imported,
                             'first_call_s': done - built, 'in_process_s': done - start,
                             'loss': loss, 'peak_mib': rss}))
    return 0


# --- the coordinator ------------------------------------------------------------------------------------

def python_of(env):
    path = os.path.join(ROOT, env, 'bin', 'python')
    return path if os.path.exists(path) else None


def has_module(python, name):
    code = 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(%r) else 1)' % name
    return subprocess.call([python, '-c', code], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0


def available(wanted=None):
    """({variant: python}, {variant: why it is skipped})."""
    ok, skipped = {}, {}
    for variant, (env, engine, _, _) in sorted(VARIANTS.items()):
        if wanted and variant not in wanted:
            continue
        python = python_of(env)
        if python is None:
            skipped[variant] = '%s is not set up' % env
        elif variant == 'tf_keras' and not has_module(python, 'tf_keras'):
            skipped[variant] = 'tf_keras is not installed in .venv (pip install --no-deps tf-keras)'
        else:
            ok[variant] = python
    return ok, skipped


def run_child(variant, python, steps, cache_root=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', PYTHONPATH=ROOT)
    for var in ('KERAS_BACKEND', 'KBACKEND_THEANO'):
        env.pop(var, None)
    if cache_root is not None:
        cache = tempfile.mkdtemp(prefix='first_use_', dir=cache_root)
        env['PYTENSOR_FLAGS'] = ','.join(f for f in [env.get('PYTENSOR_FLAGS', ''),
                                                      'base_compiledir=' + cache] if f)
        env['THEANO_FLAGS'] = ','.join(f for f in [env.get('THEANO_FLAGS', ''),
                                                    'base_compiledir=' + cache] if f)
    spawned = time.time()
    proc = subprocess.run([python, os.path.abspath(__file__), '--child', variant, '--spawned',
                           repr(spawned), '--steps', str(steps)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, env=env, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    raise RuntimeError('first_use child %s failed (status %d): %s' % (
        variant, proc.returncode, (proc.stderr.strip().splitlines() or ['no output'])[-1]))


def coordinate(args):
    sys.path.insert(0, HERE)
    import _bench
    ok, skipped = available(args.variants)
    results = {v: [] for v in ok}
    rng = random.Random(0)
    cache_root = tempfile.mkdtemp(prefix='kbackend_first_use_') if args.empty_cache else None
    try:
        for _ in range(args.rounds):
            order = sorted(ok)
            rng.shuffle(order)
            for v in order:
                results[v].append(run_child(v, ok[v], args.steps, cache_root))
            losses = {v: r[-1]['loss'] for v, r in results.items()}
            _bench.check_losses(losses, 'first_use')
    finally:
        if cache_root:
            shutil.rmtree(cache_root, ignore_errors=True)
    workload = 'first_use (empty compile cache)' if args.empty_cache else 'first_use'
    recs = []
    for v in sorted(results):
        env, engine, name, base = VARIANTS[v]
        base = base if base in results else None
        first = [r['first_use_s'] for r in results[v]]
        phases = {p: round(statistics.median(r[p] for r in results[v]), 3)
                  for p in ('import_s', 'build_s', 'first_call_s')}
        recs.append(_bench.record(
            workload, engine, name, first, VARIANTS[base][2] if base else None,
            [r['first_use_s'] for r in results[base]] if base else None, unit='s', digits=3,
            first_loss=round(results[v][0]['loss'], 6), **phases))
        if not args.empty_cache:
            recs.append(_bench.record(
                'peak_memory', engine, name, [r['peak_mib'] for r in results[v]],
                VARIANTS[base][2] if base else None,
                [r['peak_mib'] for r in results[base]] if base else None, unit='MiB', digits=1,
                steps=args.steps))
    return recs, skipped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--steps', type=int, default=50, help='steps after the first, before ru_maxrss')
    parser.add_argument('--variants', type=lambda s: s.split(','), help='comma-separated, default all: '
                        + ','.join(sorted(VARIANTS)))
    parser.add_argument('--empty-cache', action='store_true',
                        help='a new, empty compile directory for each process (Theano engines)')
    parser.add_argument('--json', action='store_true', help='also print BENCH lines')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--spawned', type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.spawned, args.steps)
    if args.variants:
        unknown = sorted(set(args.variants) - set(VARIANTS))
        if unknown:
            parser.error('unknown variants %s; expected some of %s' % (unknown, sorted(VARIANTS)))
    recs, skipped = coordinate(args)
    for v, why in sorted(skipped.items()):
        print('skipped %s: %s' % (v, why))
    print('| workload | engine | variant | median (min-max) | ratio to the raw engine (paired) |')
    print('|---|---|---|---|---|')
    for r in recs:
        ratio = '%.2f (%.2f-%.2f)' % (r['ratio_median'], r['ratio_min'], r['ratio_max']) \
            if r['ratio_median'] is not None else '-'
        print('| %s | %s | %s | %s %s (%s-%s) | %s |' % (r['workload'], r['engine'], r['variant'],
                                                      r['median'], r['unit'], r['min'], r['max'], ratio))
    if args.json:
        import _bench
        _bench.emit(recs)
    return 0


if __name__ == '__main__':
    sys.exit(main())
