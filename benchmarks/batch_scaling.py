"""The MLP step of mlp_step.py at batch sizes 16 -> 1024: kbackend against the raw engine and NumPy.

    .venv/bin/python benchmarks/batch_scaling.py                      # TensorFlow
    .venv/bin/python benchmarks/batch_scaling.py --engine theano      # PyTensor
    KBACKEND_THEANO=theano .venv-theano/bin/python benchmarks/batch_scaling.py --engine theano
    .venv-cntk/bin/python benchmarks/batch_scaling.py --engine cntk   # CNTK 2.7 (its C.sgd Trainer)

In one process, for every batch size, the step through kbackend, the same model written with the
engine's own API (raw tf.compat.v1 / pytensor.function / theano.function / CNTK's Trainer with C.sgd)
and in NumPy. Every (batch size, variant) pair is timed once per round, all pairs in a random order
each round; steps per timing shrink as the batch grows (`--steps` at batch 64). The first step's
losses of the variants are compared, per batch size, before anything is timed. Reported per batch
size: median ms/step (min-max) and the ratio to the raw engine paired per round; with --json as
BENCH lines (workload `mlp_batch_scaling`, with a `batch` field) for benchmarks/suite.py.
"""
import argparse
import os
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _bench  # noqa: E402
import mlp_step  # noqa: E402

BATCHES = (16, 64, 256, 1024)


def engine_steps(engine, batch):
    """(engine name, {variant: (x, y) -> loss-ish}, {variant: (x, y) -> float loss}, raw name)."""
    from kbackend.backend import loader
    K = loader.load_engine(engine)
    f = mlp_step.k_step(K, batch)
    floor = mlp_step.numpy_step(batch)
    if engine == 'tensorflow':
        name, raw = 'raw tf.compat.v1', mlp_step.raw_tf_step(batch)
        loss_of = {name: lambda x, y: raw(x, y)[0]}
    elif engine == 'cntk':
        name, raw = mlp_step.NAMES['native_trainer_sgd'], mlp_step.native_cntk_step(batch=batch)
        loss_of = {name: lambda x, y: mlp_step.cntk_loss(raw(x, y))}
    else:
        engine, name = mlp_step.theano_engine_name()
        raw = mlp_step.raw_theano_step(batch)
        loss_of = {name: lambda x, y: raw(x, y)[0]}
    steps = {'kbackend': lambda x, y: f([x, y]), name: raw, 'numpy': floor}
    loss_of.update({'kbackend': lambda x, y: f([x, y])[0], 'numpy': floor})
    return engine, steps, loss_of, name


def run(args):
    variants, counts, losses, raw_name, engine = {}, {}, {}, None, args.engine
    for batch in args.batches:
        xs, ys = mlp_step.data(batch=batch)
        engine, steps, loss_of, raw_name = engine_steps(args.engine, batch)
        first = {name: round(float(loss(xs, ys)), 6) for name, loss in loss_of.items()}
        _bench.check_losses(first, 'mlp_batch_scaling (%s, batch %d)' % (engine, batch))
        losses[batch] = first
        for name, step in steps.items():
            key = '%d|%s' % (batch, name)
            variants[key] = (lambda s, x, y: lambda: s(x, y))(step, xs, ys)
            counts[key] = max(2, args.steps * 64 // batch)
    times = _bench.interleaved(variants, counts, args.rounds, warmup=3)
    recs = []
    for batch in args.batches:
        mine = {key.split('|', 1)[1]: t for key, t in times.items() if key.startswith('%d|' % batch)}
        recs += _bench.records('mlp_batch_scaling', engine, mine, raw_name, batch=batch,
                               first_loss=losses[batch]['kbackend'])
    return engine, recs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--engine', choices=('tensorflow', 'theano', 'cntk'), default='tensorflow')
    parser.add_argument('--batches', type=lambda s: [int(b) for b in s.split(',')], default=list(BATCHES),
                        help='comma-separated batch sizes (default %s)' % ','.join(map(str, BATCHES)))
    parser.add_argument('--steps', type=int, default=50, help='steps per timing at batch 64 '
                        '(scaled by 64 / batch, at least 2)')
    parser.add_argument('--rounds', type=int, default=9)
    parser.add_argument('--json', action='store_true', help='also print BENCH lines')
    args = parser.parse_args(argv)
    os.environ['KERAS_BACKEND'] = args.engine
    engine, recs = run(args)
    print('load average: %s' % (_bench.loadavg(),))
    print('| batch | variant | ms/step median (min-max) | ratio to the raw engine (paired) |')
    print('|---|---|---|---|')
    for r in recs:
        ratio = '%.2f (%.2f-%.2f)' % (r['ratio_median'], r['ratio_min'], r['ratio_max']) \
            if r['ratio_median'] is not None else '-'
        print('| %d | %s/%s | %.3f (%.3f-%.3f) | %s |' % (r['batch'], r['variant'], engine, r['median'],
                                                        r['min'], r['max'], ratio))
    if args.json:
        _bench.emit(recs)
    return 0


if __name__ == '__main__':
    sys.exit(main())
