"""The benchmark suite: every workload on every installed engine, beside the installed peers, in one command.

    .venv/bin/python benchmarks/suite.py             # all of it; rewrites the results in docs/benchmarks.md
    .venv/bin/python benchmarks/suite.py --quick     # few rounds, end to end; prints, writes nothing
    .venv/bin/python benchmarks/suite.py --only mlp_step,first_use --no-write
    .venv/bin/python benchmarks/suite.py --from-log DIR/bench.jsonl   # the table again from saved lines

It runs the workload scripts of benchmarks/ as subprocesses, each in its environment (.venv for
TensorFlow and PyTensor, .venv-theano with KBACKEND_THEANO=theano for Theano 1.0.5, .venv-cntk for
CNTK 2.7; a missing environment is skipped and said so), and collects the `BENCH {...}` lines they
print with --json (benchmarks/_bench.py): medians with min-max over interleaved rounds and ratios
paired per round, measured inside each script, after its first-step losses were compared. The
workloads: the MLP step and the tiny-graph per-call cost (mlp_step.py), the CNN step (cnn_step.py),
the K.rnn LSTM step (rnn_step.py) and the per-call cost (call_overhead.py) when those scripts exist
and take --json, MLP batch-size scaling (batch_scaling.py), first use and peak memory in fresh
processes (first_use.py). It prints the Markdown table and writes it between the markers
`<!-- suite:begin -->` and `<!-- suite:end -->` of docs/benchmarks.md (not with --quick unless
--write), with the machine, the engine versions, the date and the load average. Each job's output
and all BENCH lines (bench.jsonl) are kept in --log-dir.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import _bench  # noqa: E402

DOC = os.path.join(ROOT, 'docs', 'benchmarks.md')
BEGIN, END = '<!-- suite:begin -->', '<!-- suite:end -->'
META = 'SUITE '

ENVS = {'.venv': {}, '.venv-theano': {'KBACKEND_THEANO': 'theano'}, '.venv-cntk': {}}
ENGINE_ENV = {'tensorflow': ('.venv', {}), 'pytensor': ('.venv', {'KBACKEND_THEANO': 'pytensor'}),
              'theano': ('.venv-theano', {'KBACKEND_THEANO': 'theano'}), 'cntk': ('.venv-cntk', {})}
ENGINE_LABELS = {'tensorflow': 'TensorFlow', 'pytensor': 'PyTensor', 'theano': 'Theano 1.0.5',
                 'cntk': 'CNTK', 'numpy': 'NumPy'}
ENGINE_ORDER = ['tensorflow', 'pytensor', 'theano', 'cntk', 'numpy']

# workload: (title, the script that measures it)
WORKLOADS = [
    ('mlp_step', 'MLP step: one SGD step of a 784-256-10 softmax MLP, batch 64', 'mlp_step.py'),
    ('cnn_step', 'CNN step: batch 32, 28x28x1, two 3x3 convs + 2x2 max pools + dense, SGD',
     'cnn_step.py'),
    ('lstm_step', 'LSTM step through K.rnn', 'rnn_step.py'),
    ('tiny_graph_call', 'Per-call cost on a tiny graph (4 elements, one update): K.function against '
     "the engine's own callable of the same graph", 'mlp_step.py'),
    ('call_overhead_tiny', 'Per-call cost of K.function on a tiny graph, against the same function '
     "without its fed-value checks and the engine's own compiled step", 'call_overhead.py'),
    ('call_overhead_mlp', 'Per-call cost of K.function on the MLP step, with and without its fed-value '
     'checks', 'call_overhead.py'),
    ('call_overhead_layer', "kbackend's own work per K.function call (the engine step stubbed out, "
     'thread CPU time), with and without the fed-value checks', 'call_overhead.py'),
    ('mlp_batch_scaling', 'MLP step, batch size 16 to 1024', 'batch_scaling.py'),
    ('first_use', 'First use: a fresh process imports the engine, builds and compiles the MLP step and '
     'computes its first loss (compile cache on disk, warm)', 'first_use.py'),
    ('first_use (empty compile cache)', 'First use with an empty compile cache (a fresh machine)',
     'first_use.py'),
    ('kfunction_compile', 'K.function compile of the MLP step inside one process (Theano engines, '
     'compile cache on disk)', 'mlp_step.py'),
    ('peak_memory', 'Peak memory: ru_maxrss of a fresh process running the MLP step', 'first_use.py'),
]
TITLES = {w: t for w, t, _ in WORKLOADS}


class Job(object):
    """One run of a workload script in one environment."""

    def __init__(self, name, script, env, args, quick_args, engine_alias=None, extra_env=None):
        self.name, self.script, self.env = name, script, env
        self.args, self.quick_args = args, quick_args
        self.engine_alias = engine_alias or {}  # engine names in its BENCH lines to rename
        self.extra_env = dict(ENVS.get(env, {}), **(extra_env or {}))

    def command(self, quick):
        return [python_of(self.env), os.path.join(HERE, self.script), '--json'] + \
            (self.quick_args if quick else self.args)


def python_of(env):
    return os.path.join(ROOT, env, 'bin', 'python')


def env_ready(env):
    return os.path.exists(python_of(env))


def script_help(python, script):
    """The script's --help text, or None when it does not exist or fails."""
    path = os.path.join(HERE, script)
    if not os.path.exists(path):
        return None
    try:
        proc = subprocess.run([python, path, '--help'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=300, cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=ROOT))
    except subprocess.TimeoutExpired:
        return None
    return proc.stdout if proc.returncode == 0 else None


def other_script_jobs(script, notes):
    """Jobs for a script written elsewhere (rnn_step.py, call_overhead.py): run per engine when its
    --help shows --engine, else once in .venv; --quick or --rounds 3 in quick mode when it has them."""
    help_text = script_help(python_of('.venv'), script)
    if help_text is None:
        notes.append('benchmarks/%s: not available (%s)' % (script, 'no such script' if not os.path.exists(
            os.path.join(HERE, script)) else '--help failed'))
        return []
    if '--json' not in help_text:
        notes.append('benchmarks/%s: not available (no --json option)' % script)
        return []
    quick = ['--quick'] if '--quick' in help_text else (['--rounds', '3'] if '--rounds' in help_text else [])
    name = script[:-3]
    if '--engine' not in help_text:
        return [Job(name, script, '.venv', [], quick)]
    jobs = []
    for engine in ('tensorflow', 'pytensor', 'theano', 'cntk'):
        flag = 'theano' if engine == 'pytensor' else engine
        if flag not in help_text.split('--engine', 1)[1]:
            continue
        env, extra = ENGINE_ENV[engine]
        alias = {'theano': 'pytensor'} if engine == 'pytensor' else {}
        jobs.append(Job('%s-%s' % (name, engine), script, env, ['--engine', flag],
                        quick + ['--engine', flag], alias, extra))
    return jobs


def jobs_for(only, notes):
    jobs = []
    for engine in ('tensorflow', 'pytensor', 'theano', 'cntk'):
        env, extra = ENGINE_ENV[engine]
        flag = 'theano' if engine == 'pytensor' else engine
        jobs.append(Job('mlp_step-' + engine, 'mlp_step.py', env, ['--engine', flag],
                        ['--engine', flag, '--steps', '20', '--rounds', '3'], extra_env=extra))
    jobs.append(Job('cnn_step', 'cnn_step.py', '.venv', [], ['--steps', '3', '--rounds', '3']))
    jobs += other_script_jobs('rnn_step.py', notes)
    jobs += other_script_jobs('call_overhead.py', notes)
    for engine in ('tensorflow', 'pytensor', 'theano', 'cntk'):
        env, extra = ENGINE_ENV[engine]
        flag = 'theano' if engine == 'pytensor' else engine
        jobs.append(Job('batch_scaling-' + engine, 'batch_scaling.py', env, ['--engine', flag],
                        ['--engine', flag, '--steps', '10', '--rounds', '2'], extra_env=extra))
    jobs.append(Job('first_use', 'first_use.py', '.venv', [], ['--rounds', '1', '--steps', '10']))
    if only:
        jobs = [j for j in jobs if any(j.name == o or j.name.startswith(o + '-') or j.script == o + '.py'
                                       for o in only)]
    ready = []
    for job in jobs:
        if env_ready(job.env):
            ready.append(job)
        else:
            notes.append('%s: not run (%s is not set up)' % (job.name, job.env))
    return ready


# --- the machine -------------------------------------------------------------------------------------

VERSIONS_CODE = r'''
import json, platform, sys
out = {"python": platform.python_version()}
try:
    from importlib.metadata import version
except ImportError:
    import pkg_resources
    version = lambda name: pkg_resources.get_distribution(name).version
for name in ("numpy", "tensorflow", "tensorflow-cpu", "tf_keras", "pytensor", "theano", "cntk"):
    try:
        out[name] = version(name)
    except Exception:
        pass
print(json.dumps(out))
'''


def versions():
    out = {}
    for env in ENVS:
        if env_ready(env):
            try:
                proc = subprocess.run([python_of(env), '-c', VERSIONS_CODE], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
                out[env] = json.loads(proc.stdout.strip().splitlines()[-1])
            except Exception as e:  # noqa: BLE001 -- the table says what is unknown
                out[env] = {'error': str(e)}
    return out


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def machine():
    return {'cpu': cpu_model(), 'cores': os.cpu_count(), 'os': '%s %s' % (platform.system(), platform.release()),
            'versions': versions()}


# --- running ---------------------------------------------------------------------------------------------

def run_job(job, quick, log_dir, timeout):
    """(BENCH records, a note or None). Its output goes to log_dir/<name>.log."""
    cmd = job.command(quick)
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL='2', **job.extra_env)
    start = time.time()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              cwd=ROOT, env=env, timeout=timeout)
        out, err, status = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as e:
        out, err, status = e.stdout or '', (e.stderr or '') + '\ntimed out after %d s' % timeout, None
        out, err = [s.decode() if isinstance(s, bytes) else s for s in (out, err)]
    took = time.time() - start
    with open(os.path.join(log_dir, job.name + '.log'), 'w') as f:
        f.write('$ %s\n(%s, %.0f s, status %s)\n\n--- stdout\n%s\n--- stderr\n%s\n' % (
            ' '.join(cmd), ' '.join('%s=%s' % kv for kv in sorted(job.extra_env.items())), took, status,
            out, err))
    recs = _bench.parse(out)
    for rec in recs:
        rec['engine'] = job.engine_alias.get(rec['engine'], rec['engine'])
        rec['job'] = job.name
    note = None
    if status != 0:
        last = [l for l in (err or out).strip().splitlines() if l.strip()]
        note = '%s: failed (status %s): %s' % (job.name, status, last[-1] if last else 'no output')
    elif not recs:
        note = '%s: printed no BENCH lines' % job.name
    return recs, note, took


def tf_keras_note():
    if not env_ready('.venv'):
        return None
    code = 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("tf_keras") else 1)'
    if subprocess.call([python_of('.venv'), '-c', code]) != 0:
        return ('tf_keras: not installed in .venv, so not measured (install it with '
                '`.venv/bin/pip install --no-deps tf-keras`; mlp_step.py and first_use.py then time it '
                'in its own process, eager disabled)')
    return None


# --- the table -------------------------------------------------------------------------------------------

def fmt(v):
    if v is None:
        return '-'
    a = abs(v)
    if a >= 100:
        return '%.0f' % v
    if a >= 10:
        return '%.1f' % v
    if a >= 1:
        return '%.2f' % v
    return '%.3f' % v


def fmt_range(median, lo, hi, unit='', f=fmt):
    if median is None:
        return '-'
    return '%s%s (%s–%s)' % (f(median), (' ' + unit) if unit else '', f(lo), f(hi))


def fmt_ratio(v):
    return '-' if v is None else '%.2f' % v


PHASES = [('import_s', 'of which: start + import (s)'), ('build_s', 'build (s)'),
          ('first_call_s', 'first call (s)')]


def row_key(rec):
    engine = rec['engine']
    order = ENGINE_ORDER.index(engine) if engine in ENGINE_ORDER else len(ENGINE_ORDER)
    return (order, engine, rec.get('batch') or 0, rec['variant'] != 'kbackend', rec['variant'],
            rec.get('baseline') or '')


def workload_table(recs):
    """The Markdown table of one workload's records."""
    show_batch = len(set(r.get('batch') for r in recs)) > 1
    phases = [(k, label) for k, label in PHASES if any(k in r for r in recs)]
    show_loss = any('first_loss' in r for r in recs)
    head = ['engine'] + (['batch'] if show_batch else []) + ['variant', 'median (min–max)',
                                                            'ratio to baseline, paired: median (min–max)',
                                                            'baseline']
    head += [label for _, label in phases] + (['first loss'] if show_loss else [])
    head += ['rounds']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in sorted(recs, key=row_key):
        cells = [ENGINE_LABELS.get(r['engine'], r['engine'])]
        if show_batch:
            cells.append(str(r.get('batch', '')))
        mine = r['variant'].startswith('kbackend')
        variant = '**%s**' % r['variant'] if mine else r['variant']
        bold = '**%s**' if mine else '%s'
        cells += [variant, fmt_range(r['median'], r.get('min'), r.get('max'), r['unit']),
                  (bold % fmt_range(r.get('ratio_median'), r.get('ratio_min'), r.get('ratio_max'),
                                    f=fmt_ratio)
                   if r.get('ratio_median') is not None else '-'),
                  r.get('baseline') or '-']
        cells += [fmt(r.get(k)) for k, _ in phases]
        if show_loss:
            cells.append('%.6f' % r['first_loss'] if r.get('first_loss') is not None else '-')
        cells.append(str(r.get('rounds', '')))
        lines.append('| ' + ' | '.join(c.replace('|', '\\|') for c in cells) + ' |')
    return '\n'.join(lines)


def machine_lines(meta):
    m = meta.get('machine', {})
    lines = ['Machine: %s, %s cores, %s.' % (m.get('cpu', '?'), m.get('cores', '?'), m.get('os', '?'))]
    names = [('tensorflow', 'TensorFlow'), ('tensorflow-cpu', 'TensorFlow'), ('tf_keras', 'tf_keras'),
             ('pytensor', 'PyTensor'), ('theano', 'Theano'), ('cntk', 'CNTK'), ('numpy', 'NumPy')]
    for env, v in sorted(m.get('versions', {}).items()):
        parts = ['Python %s' % v['python']] if 'python' in v else []
        parts += ['%s %s' % (label, v[key]) for key, label in names if key in v]
        if 'error' in v:
            parts.append('versions unknown: %s' % v['error'])
        lines.append('- `%s`: %s' % (env, ', '.join(parts)))
    return lines


def render(recs, meta):
    """The generated Markdown (without the markers) from BENCH records and the run's meta data."""
    load = meta.get('loadavg') or {}
    cores = (meta.get('machine') or {}).get('cores') or 1
    lines = ['<!-- generated by benchmarks/suite.py: do not edit by hand, run the suite again -->',
             '',
             'Generated on %s by `%s`%s.' % (meta.get('date', '?'), meta.get('command', 'benchmarks/suite.py'),
                                            ' in %.0f min' % (meta['took_s'] / 60.0) if meta.get('took_s') else '')]
    lines += [''] + machine_lines(meta) + ['']
    start, end = load.get('start'), load.get('end')
    if start or end:
        text = 'Load average (1, 5, 15 min) at the start: %s; at the end: %s.' % (
            ', '.join('%.2f' % v for v in start) if start else '?', ', '.join('%.2f' % v for v in end) if end else '?')
        peak = max([v for v in (start or []) + (end or [])] + [max((r.get('loadavg') or [0])[:1]) for r in recs])
        if peak > cores * 0.75:
            text += (' **The machine was busy** (load up to %.1f on %s cores, from other jobs): absolute '
                     'times are inflated and vary between rounds; the ratios, paired per round inside one '
                     'process, are what to compare.' % (peak, cores))
        lines += [text, '']
    lines.append('Every figure is a median over interleaved rounds with its min–max; a ratio is the variant '
                 "over its baseline in the same round (below 1: faster than the baseline). The scripts "
                 "compared the variants' first-step losses before timing.")
    notes = meta.get('notes') or []
    if notes:
        lines += ['', 'Not measured or incomplete:', '']
        lines += ['- %s' % n for n in notes]
    by_workload = {}
    for r in recs:
        by_workload.setdefault(r['workload'], []).append(r)
    known = [w for w, _, _ in WORKLOADS if w in by_workload]
    order = known + sorted(w for w in by_workload if w not in TITLES)
    for w in order:
        script = [s for name, _, s in WORKLOADS if name == w]
        title = TITLES.get(w, w)
        lines += ['', '#### %s' % title, '']
        if script:
            lines += ['`benchmarks/%s`' % script[0], '']
        lines.append(workload_table(by_workload[w]))
    missing = [w for w, _, s in WORKLOADS if w not in by_workload and w != 'first_use (empty compile cache)']
    if missing:
        lines += ['', 'No figures this run: %s.' % ', '.join(missing)]
    return '\n'.join(lines) + '\n'


def replace_between_markers(text, generated):
    """`text` with what lies between BEGIN and END replaced by `generated`; ValueError without them."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError('expected one %s before one %s' % (BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return head + BEGIN + '\n' + generated.strip('\n') + '\n' + END + tail


def write_doc(generated, path=DOC):
    with open(path) as f:
        text = f.read()
    new = replace_between_markers(text, generated)
    with open(path, 'w') as f:
        f.write(new)


def read_log(path):
    meta, recs = {}, []
    with open(path) as f:
        text = f.read()
    for line in text.splitlines():
        if line.startswith(META):
            meta = json.loads(line[len(META):])
    recs = _bench.parse(text)
    return recs, meta


# --- main ------------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='few rounds and steps (an end-to-end check)')
    parser.add_argument('--only', type=lambda s: s.split(','), help='comma-separated jobs or scripts, '
                        'e.g. mlp_step,cnn_step,batch_scaling-tensorflow,first_use')
    parser.add_argument('--empty-cache', action='store_true',
                        help='also time first use with an empty Theano/PyTensor compile cache (1 round)')
    write = parser.add_mutually_exclusive_group()
    write.add_argument('--write', dest='write', action='store_true', default=None,
                       help='write the table into docs/benchmarks.md (the default without --quick)')
    write.add_argument('--no-write', dest='write', action='store_false')
    parser.add_argument('--doc', default=DOC, help='the page to write (default docs/benchmarks.md)')
    parser.add_argument('--log-dir', help='where each job\'s output and bench.jsonl go '
                        '(default /tmp/kbackend-bench-DATE)')
    parser.add_argument('--timeout', type=int, default=3600, help='seconds per job')
    parser.add_argument('--from-log', help='render the table from a bench.jsonl of an earlier run')
    args = parser.parse_args(argv)
    write_it = (not args.quick) if args.write is None else args.write

    if args.from_log:
        recs, meta = read_log(args.from_log)
        generated = render(recs, meta)
        print(generated)
        if write_it:
            write_doc(generated, args.doc)
            print('written: %s' % os.path.relpath(args.doc, ROOT))
        return 0

    now = datetime.datetime.utcnow()
    log_dir = args.log_dir or os.path.join('/tmp', 'kbackend-bench-' + now.strftime('%Y%m%d-%H%M%S'))
    if not os.path.isdir(log_dir):
        os.makedirs(log_dir)
    notes = []
    note = tf_keras_note()
    if note:
        notes.append(note)
    jobs = jobs_for(args.only, notes)
    meta = {'date': now.strftime('%Y-%m-%d %H:%M UTC'),
            'command': '.venv/bin/python benchmarks/suite.py' + (' --quick' if args.quick else '')
            + (' --empty-cache' if args.empty_cache else '') + (' --only ' + ','.join(args.only)
                                                                 if args.only else ''),
            'machine': machine(), 'loadavg': {'start': _bench.loadavg()}}
    if args.empty_cache:
        jobs.append(Job('first_use-empty-cache', 'first_use.py', '.venv',
                        ['--empty-cache', '--rounds', '1', '--steps', '5',
                         '--variants', 'kbackend-pytensor,raw-pytensor,kbackend-theano,raw-theano'],
                        ['--empty-cache', '--rounds', '1', '--steps', '5',
                         '--variants', 'kbackend-pytensor,raw-pytensor']))
    print('benchmark suite: %d jobs, logs in %s; load average %s' % (len(jobs), log_dir, meta['loadavg']['start']))
    for n in notes:
        print('  note: ' + n)
    recs, start = [], time.time()
    for job in jobs:
        sys.stdout.write('  %-28s ' % job.name)
        sys.stdout.flush()
        got, note, took = run_job(job, args.quick, log_dir, args.timeout)
        recs += got
        if note:
            notes.append(note)
        print('%3d figures, %5.0f s, load %s%s' % (len(got), took, _bench.loadavg(),
                                                  ('  (%s)' % note) if note else ''))
    meta.update(took_s=time.time() - start, notes=notes)
    meta['loadavg']['end'] = _bench.loadavg()
    with open(os.path.join(log_dir, 'bench.jsonl'), 'w') as f:
        f.write(META + json.dumps(meta) + '\n')
        for rec in recs:
            f.write(_bench.line(rec) + '\n')
    generated = render(recs, meta)
    print('')
    print(generated)
    if write_it:
        write_doc(generated, args.doc)
        print('written: %s (between %s and %s)' % (os.path.relpath(args.doc, ROOT), BEGIN, END))
    return 1 if any('failed' in n for n in notes) else 0


if __name__ == '__main__':
    sys.exit(main())
