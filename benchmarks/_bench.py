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


def interleaved(variants, steps, rounds, warmup=10, seed=0):
    """{name: [ms per call, one per round]}: each round times every variant once, in a random order
    (the same order for the same seed), so a busy machine slows them alike. `steps` is a number or a
    {name: number} dict."""
    for step in variants.values():
        for _ in range(warmup):
            step()
    times = {name: [] for name in variants}
    rng = random.Random(seed)
    for _ in range(rounds):
        order = sorted(variants)
        rng.shuffle(order)
        for name in order:
            n = steps[name] if isinstance(steps, dict) else steps
            times[name].append(per_step_ms(variants[name], n))
    return times


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
