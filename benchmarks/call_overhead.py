"""Per-call overhead of K.function, the cost of its fed-value checks, and the PyTensor engine's first use.

    .venv/bin/python benchmarks/call_overhead.py                          # TensorFlow
    .venv/bin/python benchmarks/call_overhead.py --engine theano          # PyTensor (.venv)
    KBACKEND_THEANO=theano .venv-theano/bin/python benchmarks/call_overhead.py --engine theano
    .venv-cntk/bin/python benchmarks/call_overhead.py --engine cntk
    .venv/bin/python benchmarks/call_overhead.py --first-use              # PyTensor engine, fresh processes
    ... --before DIR     # also measure the kbackend tree in DIR (e.g. `git archive` of an older commit)
    ... --json           # BENCH result lines (docs/benchmarks.md's schema) after the table

In one process, variants interleaved round after round (a busy machine slows them alike):

- tiny graph (x + 1 with one update of a 4-element variable, fed a float32 array): kbackend's K.function;
  the same K.function with its fed-value checks replaced by the plain conversion it did before them
  (`np.asarray(value, dtype)`); and the engine's own compiled step of the same graph called directly
  (TensorFlow: the prebuilt Callable kbackend made; Theano engines: the compiled function; CNTK: the
  graph's forward), the floor. Overhead = kbackend - floor, in us per call.
- kbackend's own work per call: the same K.function with the engine's step replaced by a stub
  (TensorFlow, Theano engines), timed by the calling thread's CPU time (`time.thread_time`), with
  and without the fed-value checks; this is what a loaded machine blurs least.
- MLP step (784-256-10 SGD, batch 64, benchmarks/mlp_step.py's graph): kbackend with and without the
  fed-value checks; the checks must cost < 5 % of a step.

Ratios are paired: each round's time divided by the baseline's time in the same round; medians with
min-max over the rounds. `--before DIR` runs the same measurement in a child process importing kbackend
from DIR (no check-free variant there when DIR predates the checks); `--first-use` times
`import kbackend` + loading the PyTensor engine in fresh processes (median of 5, alternating with DIR's
tree when --before is given) and reports whether pytensor.sparse was imported.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

HERE = os.path.dirname(os.path.abspath(__file__))


def _use_tree(argv):
    """`--tree DIR` (internal, for --before): import kbackend from DIR; done before any import."""
    if '--tree' in argv:
        tree = os.path.abspath(argv[argv.index('--tree') + 1])
        sys.path.insert(0, tree)
        while HERE in sys.path:  # the script's folder must not shadow the tree
            sys.path.remove(HERE)
        sys.path.append(HERE)


_use_tree(sys.argv)

import numpy as np  # noqa: E402

import _bench  # noqa: E402
from _bench import loadavg  # noqa: E402

ENGINE_FLOOR = {'tensorflow': 'raw tf.compat.v1 callable', 'pytensor': 'raw pytensor.function',
                'theano': 'raw theano.function', 'cntk': 'raw cntk forward'}


class _Plain(object):
    """The conversion K.function did before its fed-value checks (np.asarray to the placeholder's
    dtype; on the Theano engines the value went to the compiled function as it was)."""

    __slots__ = ('dtype', 'order')

    def __init__(self, dtype, order=None):
        self.dtype, self.order = dtype, order

    def convert(self, value):
        if self.dtype is None:
            return value
        return np.asarray(value, dtype=self.dtype, order=self.order)


def without_checks(f, engine):
    """`f` with its fed-value checks replaced by the plain conversion; None if `f` has none."""
    feeds = getattr(f, '_feeds', None)
    if feeds is None:
        return None
    if engine == 'cntk':
        f._feeds = [None if s is None else _Plain(s.target, 'C') for s in feeds]
    elif engine == 'tensorflow':
        f._feeds = [None if s is None else _Plain(s.target) for s in feeds]
    else:
        f._feeds = [None if s is None else _Plain(None) for s in feeds]
    return f


def stub_engine(f, engine):
    """`f` with the engine's compiled step replaced by a stub returning a fixed result, so that a
    call times kbackend's own Python work alone (what a loaded machine's thread scheduling blurs in
    the real call); None where not supported (CNTK)."""
    result = [np.zeros(4, 'float32')]
    stub = lambda *values, **kwargs: result  # noqa: E731
    if engine == 'tensorflow':
        prebuilt = f._prebuilt
        if len(prebuilt) == 4:  # (session, keys, run, takes run_metadata)
            f._prebuilt = (prebuilt[0], prebuilt[1], stub, prebuilt[3])
        else:  # before the per-call work: run was a closure around the callable; stub that
            cells = [c for c in (prebuilt[2].__closure__ or ()) if callable(c.cell_contents)
                     and type(c.cell_contents).__name__ == '_Callable']
            if not cells:
                return None
            cells[0].cell_contents = stub
        return f
    if engine == 'theano':
        f.function = stub
        return f
    return None


def engine_step(K, f, x, engine):
    """The engine's own compiled step of f's graph, called directly (the floor)."""
    if engine == 'tensorflow':
        f_run = f._prebuilt[2]
        return lambda *values: f_run(*values)
    if engine == 'cntk':
        graph, wanted = f._graph.graph, f._graph.wanted_set
        return lambda a: graph.forward({x: a}, outputs=wanted)
    return f.function


# kbackend's own work is pure Python in the calling thread: timed by that thread's CPU time, which
# a loaded machine's scheduling does not inflate (wall time does, by 2-5x at a load average of 9).
THREAD_CLOCK = getattr(time, 'thread_time', time.process_time)


def interleaved(variants, calls, rounds, clock=time.perf_counter):
    """{name: [seconds per call, one per round]}, each round timing every variant once."""
    times = {name: [] for name in variants}
    for step in variants.values():  # warm-up
        for _ in range(max(10, calls // 20)):
            step()
    names = list(variants)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # rotate who goes first
        for name in order:
            step = variants[name]
            start = clock()
            for _ in range(calls):
                step()
            times[name].append((clock() - start) / calls)
    return times


def summarise(workload, engine, times, baseline, unit, scale):
    return _bench.records(workload, engine, times, baseline, unit=unit, scale=scale, digits=3)


def engine_name(engine):
    if engine != 'theano':
        return engine
    from kbackend.backend.theano import _engine
    return _engine.IMPL


def tiny_graph(K, engine, calls, rounds):
    x = K.placeholder(shape=(4,))
    v = K.variable(np.zeros(4))
    make = lambda: K.function([x], [x + 1], updates=[K.update_add(v, x)])  # noqa: E731
    f, g, fs, gs = make(), make(), make(), make()
    a = np.ones(4, dtype='float32')
    for h in (f, g, fs, gs):
        h([a])
    name = engine_name(engine)
    variants = {'kbackend': lambda: f([a])}
    if without_checks(g, engine) is not None:
        variants['kbackend without feed checks'] = lambda: g([a])
    raw = engine_step(K, f, x, engine)
    variants[ENGINE_FLOOR[name]] = lambda: raw(a)
    times = interleaved(variants, calls, rounds)
    rows = summarise('call_overhead_tiny', name, times, ENGINE_FLOOR[name], 'us', 1e6)
    # kbackend's own work alone: the engine step stubbed out.
    layer = {}
    if stub_engine(fs, engine) is not None:
        layer['kbackend layer (engine step stubbed)'] = lambda: fs([a])
        if without_checks(gs, engine) is not None and stub_engine(gs, engine) is not None:
            layer['kbackend layer without feed checks'] = lambda: gs([a])
    if layer:
        times = interleaved(layer, calls * 5, rounds, THREAD_CLOCK)
        base = 'kbackend layer without feed checks' if len(layer) == 2 else None
        rows += summarise('call_overhead_layer', name, times, base, 'us', 1e6)
    return rows


def mlp(K, engine, steps, rounds):
    sys.path.insert(0, HERE)
    import mlp_step
    xs, ys = mlp_step.data()
    f, g = mlp_step.k_step(K), mlp_step.k_step(K)
    f([xs, ys])
    g([xs, ys])
    variants = {'kbackend': lambda: f([xs, ys])}
    if without_checks(g, engine) is None:
        return []
    variants['kbackend without feed checks'] = lambda: g([xs, ys])
    times = interleaved(variants, steps, rounds)
    return summarise('call_overhead_mlp', engine_name(engine), times, 'kbackend without feed checks',
                     'ms', 1e3)


def print_table(rows, title):
    print(title)
    print('| workload | variant | median | min-max | ratio to baseline (min-max) | baseline |')
    print('|---|---|---|---|---|---|')
    for r in rows:
        ratio = '-' if r['ratio_median'] is None else '%.3f (%.3f-%.3f)' % (
            r['ratio_median'], r['ratio_min'], r['ratio_max'])
        print('| %s | %s | %.2f %s | %.2f-%.2f | %s | %s |' % (
            r['workload'], r['variant'], r['median'], r['unit'], r['min'], r['max'], ratio,
            r['baseline'] or '-'))
    tiny = dict((r['variant'].split(' (')[0], r) for r in rows if r['workload'] == 'call_overhead_tiny')
    floor = [r for r in tiny.values() if r['baseline'] is None]
    print()
    if floor and 'kbackend' in tiny:
        floor = floor[0]['median']
        print('kbackend overhead over the engine step (medians): %.2f us/call'
              % (tiny['kbackend']['median'] - floor))
        if 'kbackend without feed checks' in tiny:
            print('fed-value checks (medians): %.2f us/call' % (
                tiny['kbackend']['median'] - tiny['kbackend without feed checks']['median']))
    layer = dict((r['variant'].split(' (')[0] if 'stubbed' not in r['variant'] else
                  'kbackend layer', r) for r in rows if r['workload'] == 'call_overhead_layer')
    if 'kbackend layer' in layer:
        print("kbackend's own work per call (engine step stubbed): median %.2f us, min %.2f us"
              % (layer['kbackend layer']['median'], layer['kbackend layer']['min']))
        if 'kbackend layer without feed checks' in layer:
            other = layer['kbackend layer without feed checks']
            print('of which fed-value checks: %.2f us (median), %.2f us (min)'
                  % (layer['kbackend layer']['median'] - other['median'],
                     layer['kbackend layer']['min'] - other['min']))
    print('load average: %s\n' % (loadavg(),))


def run_before(args):
    """The same measurement in a child importing kbackend from args.before; its rows."""
    cmd = [sys.executable, os.path.abspath(__file__), '--engine', args.engine, '--calls', str(args.calls),
           '--steps', str(args.steps), '--rounds', str(args.rounds), '--json', '--tree', args.before]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                         cwd='/', env=dict(os.environ, PYTHONPATH=args.before))
    rows = _bench.parse(out.stdout)
    if out.returncode or not rows:
        print('--before %s failed: %s' % (args.before, (out.stderr.strip().splitlines() or ['?'])[-1]))
    for r in rows:
        r['variant'] = '%s (%s)' % (r['variant'], os.path.basename(os.path.normpath(args.before)))
    return rows


_FIRST_USE = r'''
import sys, time
start = time.perf_counter()
import kbackend
from kbackend.backend import loader
K = loader.load_engine('theano')
took = time.perf_counter() - start
from kbackend.backend.theano import _engine
print('FIRST_USE %r %s %s %s' % (took, _engine.IMPL, 'pytensor.sparse' in sys.modules,
                                 'scipy.sparse' in sys.modules))
'''


def first_use(args):
    trees = [('this tree', os.path.dirname(HERE))]
    if args.before:
        trees.append((os.path.basename(os.path.normpath(args.before)), os.path.abspath(args.before)))
    results = dict((label, []) for label, _ in trees)
    flags = {}
    for _ in range(args.processes):
        for label, tree in trees:  # alternating, so load changes hit both alike
            env = dict(os.environ, PYTHONPATH=tree, KBACKEND_THEANO=os.environ.get('KBACKEND_THEANO',
                                                                                     'pytensor'))
            out = subprocess.run([sys.executable, '-c', _FIRST_USE], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, universal_newlines=True, cwd='/', env=env)
            line = [ln for ln in out.stdout.splitlines() if ln.startswith('FIRST_USE ')]
            if not line:
                raise SystemExit('first-use child failed: %s' % out.stderr.strip()[-500:])
            took, impl, sparse_loaded, scipy_sparse = line[0].split()[1:]
            results[label].append(float(took))
            flags[label] = (impl, sparse_loaded, scipy_sparse)
    print('first use of the Theano-API engine (import kbackend + load engine), fresh processes')
    print('| tree | engine | median s | min-max s | engine sparse module imported | scipy.sparse imported |')
    print('|---|---|---|---|---|---|')
    rows = []
    for label, _ in trees:
        t = results[label]
        impl, sparse_loaded, scipy_sparse = flags[label]
        print('| %s | %s | %.3f | %.3f-%.3f | %s | %s |' % (label, impl, statistics.median(t), min(t),
                                                          max(t), sparse_loaded, scipy_sparse))
        rows.append(_bench.record('first_use_engine', impl,
                                  'kbackend' if label == 'this tree' else 'kbackend (%s)' % label, t,
                                  unit='s'))
    if args.before:
        ratios = [a / b for a, b in zip(results['this tree'], results[trees[1][0]])]
        print('\nratio this tree / %s (paired by process pair): median %.3f (%.3f-%.3f)'
              % (trees[1][0], statistics.median(ratios), min(ratios), max(ratios)))
    print('load average: %s' % (loadavg(),))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--engine', choices=('tensorflow', 'theano', 'cntk'), default='tensorflow')
    parser.add_argument('--calls', type=int, default=2000, help='calls per round, tiny graph')
    parser.add_argument('--steps', type=int, default=100, help='steps per round, MLP')
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--processes', type=int, default=5, help='fresh processes per tree (--first-use)')
    parser.add_argument('--first-use', action='store_true')
    parser.add_argument('--before', metavar='DIR', help='also measure the kbackend tree in DIR')
    parser.add_argument('--no-mlp', action='store_true', help='only the tiny graph')
    parser.add_argument('--json', action='store_true', help='print BENCH result lines')
    parser.add_argument('--tree', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.first_use:
        rows = first_use(args)
    else:
        os.environ['KERAS_BACKEND'] = args.engine
        from kbackend.backend import loader
        K = loader.load_engine(args.engine)
        rows = tiny_graph(K, args.engine, args.calls, args.rounds)
        if not args.no_mlp:
            rows += mlp(K, args.engine, args.steps, args.rounds)
        if not args.tree:
            print_table(rows, 'K.function per-call cost, %s (%d rounds)' % (engine_name(args.engine),
                                                                          args.rounds))
        if args.before:
            before = run_before(args)
            print_table(before, 'the same in a child process importing kbackend from %s' % args.before)
            rows += before
    if args.json or args.tree:
        _bench.emit(rows)
    return 0


if __name__ == '__main__':
    sys.exit(main())
