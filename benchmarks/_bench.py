"""Helpers shared by the benchmark scripts: interleaved timing, paired ratios and `BENCH` result lines.

Every workload script run with ``--json`` prints one line per variant,

    BENCH {"workload": ..., "engine": ..., "variant": ..., "baseline": ..., "unit": ..., "median": ...,
           "min": ..., "max": ..., "ratio_median": ..., "ratio_min": ..., "ratio_max": ...,
           "rounds": ..., "loadavg": [...]}

(on one line; see docs/benchmarks.md), which benchmarks/suite.py collects. A ratio is always the
variant's figure divided by its baseline's *in the same round* (paired), summarised over the rounds.
Runs on CPython 3.6 (the CNTK environment) too.
"""
import json
import os
import random
import statistics
import subprocess
import sys
import time

PREFIX = 'BENCH '
FIELDS = ('workload', 'engine', 'variant', 'baseline', 'unit', 'median', 'min', 'max',
          'ratio_median', 'ratio_min', 'ratio_max', 'rounds', 'loadavg')


def loadavg():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def per_step_ms(step, steps):
    """Mean ms per call of `step` over `steps` calls."""
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) * 1000.0 / steps


# Worker threads keep spinning for a while after a step (OpenBLAS's, TensorFlow's pools): a short
# pause before each timed variant lets those of the previous variant's process go idle instead of
# taking CPU from the next one (on 2 cores, TensorFlow's LSTM step measured 14.5 ms alone and 20-25
# ms right after a Theano worker's step). The coordinators then run one untimed step, since threads
# that went to sleep make the first step after the pause slow.
SETTLE_SECONDS = 0.3


def settle():
    time.sleep(SETTLE_SECONDS)


# --- a coordinator and its worker processes (one per engine environment: cnn_step, rnn_step) ---------

def serve(variants, warmup):
    """The worker's side: first losses, `warmup` calls each, one hello line on stdout, then one
    ``{"ms": ...}`` line per request ``{"variant": ..., "steps": ...}`` read from stdin."""
    first = {name: float(step()) for name, step in variants.items()}
    for step in variants.values():
        for _ in range(warmup):
            step()
    import kbackend
    out = sys.stdout
    out.write(json.dumps({'variants': sorted(variants), 'first_loss': first,
                          'kbackend': os.path.dirname(os.path.abspath(kbackend.__file__))}) + '\n')
    out.flush()
    for request in sys.stdin:
        request = json.loads(request)
        out.write(json.dumps({'ms': per_step_ms(variants[request['variant']], request['steps'])}) + '\n')
        out.flush()
    return 0


class Worker(object):
    """The coordinator's handle on a worker process started with `cmd` (see `serve`)."""

    def __init__(self, cmd, cwd, env=None):
        self.python, self.env = cmd[0], env or {}
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     universal_newlines=True, cwd=cwd, env=dict(os.environ, **self.env))
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError('worker %s failed to start' % ' '.join(cmd))
        hello = json.loads(line)
        self.variants, self.first_loss = hello['variants'], hello['first_loss']
        self.kbackend = hello['kbackend']

    def time(self, variant, steps):
        self.proc.stdin.write(json.dumps({'variant': variant, 'steps': steps}) + '\n')
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())['ms']

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def timed_rounds(workers, steps, rounds, seed=0):
    """{variant: [ms per step, one per round]} over the workers' variants (see `interleave`), each
    timing after a pause (`settle`) and one untimed step. `steps`: {variant: steps}."""
    owner = {v: w for w in workers for v in w.variants}

    def time_one(v):
        settle()
        owner[v].time(v, 1)  # wakes the worker's threads up (untimed)
        return owner[v].time(v, steps[v])
    return interleave(owner, time_one, rounds, seed)


def interleave(names, time_one, rounds, seed=0):
    """{name: [time_one(name), one per round]}: each round times every name once, in a random order
    (the same order for the same seed), so a busy machine slows them alike."""
    times = {name: [] for name in names}
    rng = random.Random(seed)
    for _ in range(rounds):
        order = sorted(names)
        rng.shuffle(order)
        for name in order:
            times[name].append(time_one(name))
    return times


def legacy_theano_python(root, given=None):
    """The interpreter of the Theano 1.0.5 environment (`given` or root/.venv-theano), or None."""
    path = given or os.path.join(root, '.venv-theano', 'bin', 'python')
    return path if os.path.exists(path) else None


def interleaved(variants, steps, rounds, warmup=10, seed=0):
    """{name: [ms per call, one per round]} of in-process variants (see `interleave`), after
    `warmup` calls each. `steps` is a number or a {name: number} dict."""
    for step in variants.values():
        for _ in range(warmup):
            step()
    return interleave(variants, lambda name: per_step_ms(
        variants[name], steps[name] if isinstance(steps, dict) else steps), rounds, seed)


def medians(times):
    return {name: statistics.median(t) for name, t in times.items()}


def paired_ratios(times, base):
    """The per-round ratios times[i] / base[i]."""
    if len(times) != len(base):
        raise ValueError('paired ratios need as many rounds on both sides, got %d and %d'
                         % (len(times), len(base)))
    return [a / b for a, b in zip(times, base)]


def record(workload, engine, variant, times, baseline=None, baseline_times=None, unit='ms',
           scale=1.0, digits=4, **extra):
    """One BENCH record from per-round figures (`times`, multiplied by `scale` for the unit) and,
    with a baseline, the paired ratio to `baseline_times` (same rounds)."""
    t = [v * scale for v in times]
    out = {'workload': workload, 'engine': engine, 'variant': variant, 'baseline': baseline,
           'unit': unit, 'median': round(statistics.median(t), digits), 'min': round(min(t), digits),
           'max': round(max(t), digits), 'ratio_median': None, 'ratio_min': None, 'ratio_max': None,
           'rounds': len(t), 'loadavg': loadavg()}
    if baseline is not None and baseline_times is not None:
        r = paired_ratios(times, baseline_times)
        out.update(ratio_median=round(statistics.median(r), 4), ratio_min=round(min(r), 4),
                   ratio_max=round(max(r), 4))
    out.update(extra)
    return out


def records(workload, engine, times, baseline=None, unit='ms', scale=1.0, **extra):
    """BENCH records for every variant of `times` ({variant: per-round figures}), each paired with
    `baseline` (a variant name of `times`, which gets no ratio itself)."""
    base = times.get(baseline) if baseline else None
    return [record(workload, engine, name, t, baseline if (base and name != baseline) else None,
                   base if name != baseline else None, unit=unit, scale=scale, **extra)
            for name, t in sorted(times.items())]


def line(rec):
    return PREFIX + json.dumps(rec, sort_keys=False)


def emit(recs, out=None):
    import sys
    out = out or sys.stdout
    for rec in recs:
        out.write(line(rec) + '\n')
    out.flush()


def parse(text):
    """The BENCH records in `text` (other lines ignored)."""
    out = []
    for raw in text.splitlines():
        raw = raw.strip()
        if raw.startswith(PREFIX):
            rec = json.loads(raw[len(PREFIX):])
            missing = [f for f in ('workload', 'engine', 'variant', 'unit', 'median') if f not in rec]
            if missing:
                raise ValueError('BENCH line without %s: %s' % (', '.join(missing), raw))
            out.append(rec)
    return out


def losses_agree(losses, rtol=1e-4):
    """True when every value of `losses` ({name: first-step loss}) is within rtol of the others."""
    values = [v for v in losses.values() if v is not None]
    if not values:
        return True
    return max(values) - min(values) <= rtol * max(1.0, abs(values[0]))


def check_losses(losses, what, rtol=1e-4):
    """Raises SystemExit (status 1) naming the losses when they differ: nothing is timed then."""
    if not losses_agree(losses, rtol):
        raise SystemExit('%s: the first-step losses differ, nothing timed: %s' % (what, json.dumps(losses)))


def profile_theano_step(k_step, engine, steps):
    """A step built by `k_step(K, profile=True)` on a Theano engine ('theano' for Theano 1.0.5, else
    PyTensor), run `steps` times; prints the engine's profile of its compiled function."""
    os.environ['KBACKEND_THEANO'] = 'theano' if engine == 'theano' else 'pytensor'
    from kbackend.backend import loader
    step = k_step(loader.load_engine('theano'), profile=True)
    for _ in range(steps):
        step()
    step.function.function.profile.summary()
    return 0
