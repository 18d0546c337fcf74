"""The benchmark suite's bookkeeping (benchmarks/suite.py, benchmarks/_bench.py) on canned BENCH lines:
paired ratios, parsing, the generated Markdown and its place in docs/benchmarks.md. Nothing is timed
here (timings are benchmarks, never tests)."""
import importlib.util
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
BENCH_DIR = os.path.join(ROOT, 'benchmarks')


def load(name):
    if BENCH_DIR not in sys.path:
        sys.path.insert(0, BENCH_DIR)
    spec = importlib.util.spec_from_file_location('bench_' + name, os.path.join(BENCH_DIR, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def suite():
    return load('suite')


@pytest.fixture(scope='module')
def bench():
    return load('_bench')


CANNED = '''\
some human-readable output
BENCH {"workload": "mlp_step", "engine": "tensorflow", "variant": "raw tf.compat.v1", "baseline": null, "unit": "ms", "median": 1.2, "min": 1.1, "max": 1.5, "ratio_median": null, "ratio_min": null, "ratio_max": null, "rounds": 15, "loadavg": [1.0, 1.0, 1.0], "batch": 64}
BENCH {"workload": "mlp_step", "engine": "tensorflow", "variant": "kbackend", "baseline": "raw tf.compat.v1", "unit": "ms", "median": 1.02, "min": 0.95, "max": 1.3, "ratio_median": 0.85, "ratio_min": 0.8, "ratio_max": 0.9, "rounds": 15, "loadavg": [1.0, 1.0, 1.0], "batch": 64}
BENCH {"workload": "mlp_step", "engine": "theano", "variant": "kbackend", "baseline": "raw theano.function", "unit": "ms", "median": 0.409, "min": 0.39, "max": 0.5, "ratio_median": 1.03, "ratio_min": 0.97, "ratio_max": 1.1, "rounds": 15, "loadavg": [3.9, 2.0, 1.0], "batch": 64}
  BENCH {"workload": "lstm_step", "engine": "pytensor", "variant": "kbackend", "baseline": "kbackend/tensorflow", "unit": "ms", "median": 41.2, "min": 39.8, "max": 45.1, "ratio_median": 2.05, "ratio_min": 1.9, "ratio_max": 2.3, "rounds": 15, "loadavg": [1.2, 1.1, 1.0]}
BENCH {"workload": "mlp_batch_scaling", "engine": "cntk", "variant": "kbackend", "baseline": "cntk Trainer (C.sgd)", "unit": "ms", "median": 12.5, "min": 12.0, "max": 14.0, "ratio_median": 1.4, "ratio_min": 1.3, "ratio_max": 1.6, "rounds": 9, "loadavg": [1.0, 1.0, 1.0], "batch": 1024, "first_loss": 2.339447}
BENCH {"workload": "mlp_batch_scaling", "engine": "cntk", "variant": "kbackend", "baseline": "cntk Trainer (C.sgd)", "unit": "ms", "median": 1.5, "min": 1.4, "max": 1.9, "ratio_median": 1.5, "ratio_min": 1.2, "ratio_max": 1.7, "rounds": 9, "loadavg": [1.0, 1.0, 1.0], "batch": 16, "first_loss": 2.339447}
BENCH {"workload": "first_use", "engine": "pytensor", "variant": "kbackend", "baseline": "raw pytensor.function", "unit": "s", "median": 2.5, "min": 2.0, "max": 3.0, "ratio_median": 1.1, "ratio_min": 1.0, "ratio_max": 1.2, "rounds": 5, "import_s": 1.25, "build_s": 0.8, "first_call_s": 0.004}
BENCH {"workload": "brand_new", "engine": "tensorflow", "variant": "a | b", "baseline": null, "unit": "us", "median": 250.0, "min": 200.0, "max": 300.0, "rounds": 3}
not BENCH {"workload": "ignored"}
'''

META = {'date': '2026-12-02 04:00 UTC', 'command': '.venv/bin/python benchmarks/suite.py', 'took_s': 600,
        'machine': {'cpu': 'Intel(R) Xeon(R) Processor', 'cores': 2, 'os': 'Linux 6.1',
                    'versions': {'.venv': {'python': '3.11.9', 'tensorflow-cpu': '2.21.0', 'pytensor': '3.0.7',
                                           'numpy': '2.1.0'},
                                 '.venv-cntk': {'python': '3.6.15', 'cntk': '2.7', 'numpy': '1.16.0'}}},
        'loadavg': {'start': [3.5, 3.0, 2.5], 'end': [4.0, 3.2, 2.6]},
        'notes': ['tf_keras: not installed in .venv, so not measured',
                  'benchmarks/call_overhead.py: not available (no such script)']}


def test_records_pair_the_ratios_round_by_round(bench):
    # ratios 2, 4, 2 per round: median 2 (the ratio of the medians would be 4 / 1 = 4)
    rec = bench.record('w', 'tensorflow', 'v', [2.0, 4.0, 6.0], 'b', [1.0, 1.0, 3.0], unit='ms')
    assert (rec['median'], rec['min'], rec['max']) == (4.0, 2.0, 6.0)
    assert (rec['ratio_median'], rec['ratio_min'], rec['ratio_max']) == (2.0, 2.0, 4.0)
    assert rec['rounds'] == 3 and rec['baseline'] == 'b'
    with pytest.raises(ValueError, match='as many rounds'):
        bench.record('w', 'tensorflow', 'v', [1.0, 2.0], 'b', [1.0])
    recs = bench.records('w', 'theano', {'kbackend': [2.0, 2.0], 'raw': [1.0, 4.0]}, 'raw', unit='us',
                         scale=1000.0, batch=16)
    by = {r['variant']: r for r in recs}
    assert by['raw']['ratio_median'] is None and by['raw']['baseline'] is None
    assert by['kbackend']['ratio_min'] == 0.5 and by['kbackend']['ratio_max'] == 2.0
    assert by['kbackend']['median'] == 2000.0 and by['kbackend']['batch'] == 16


def test_bench_lines_round_trip_and_bad_lines_are_refused(bench):
    rec = bench.record('w', 'cntk', 'kbackend', [1.0], unit='s')
    assert bench.parse('noise\n' + bench.line(rec) + '\n') == [rec]
    assert list(bench.FIELDS) == list(rec)[:len(bench.FIELDS)]
    with pytest.raises(ValueError, match='median'):
        bench.parse('BENCH {"workload": "w", "engine": "e", "variant": "v", "unit": "ms"}')


def test_losses_must_agree(bench):
    assert bench.losses_agree({'a': 2.339447, 'b': 2.339449, 'c': None})
    assert not bench.losses_agree({'a': 2.339447, 'b': 2.35})
    with pytest.raises(SystemExit, match='differ'):
        bench.check_losses({'a': 1.0, 'b': 2.0}, 'mlp_step')


def test_table_from_canned_lines(suite, bench):
    recs = bench.parse(CANNED)
    assert len(recs) == 8
    md = suite.render(recs, META)
    assert suite.BEGIN not in md and suite.END not in md
    assert md.startswith('<!-- generated by benchmarks/suite.py')
    assert 'Generated on 2026-12-02 04:00 UTC by `.venv/bin/python benchmarks/suite.py` in 10 min.' in md
    assert 'Machine: Intel(R) Xeon(R) Processor, 2 cores, Linux 6.1.' in md
    assert '- `.venv`: Python 3.11.9, TensorFlow 2.21.0, PyTensor 3.0.7, NumPy 2.1.0' in md
    assert '- `.venv-cntk`: Python 3.6.15, CNTK 2.7, NumPy 1.16.0' in md
    assert 'at the start: 3.50, 3.00, 2.50; at the end: 4.00, 3.20, 2.60' in md
    assert '**The machine was busy** (load up to 4.0 on 2 cores' in md
    assert '- tf_keras: not installed in .venv, so not measured' in md
    assert '- benchmarks/call_overhead.py: not available (no such script)' in md

    sections = md.split('\n#### ')[1:]
    titles = [s.splitlines()[0] for s in sections]
    assert titles[0].startswith('MLP step') and titles[1].startswith('LSTM step')
    assert titles[2].startswith('MLP step, batch size') and titles[3].startswith('First use')
    assert titles[4] == 'brand_new'
    mlp = sections[0]
    assert '`benchmarks/mlp_step.py`' in mlp
    rows = [l for l in mlp.splitlines() if l.startswith('| ')]
    assert rows[0] == ('| engine | variant | median (min–max) | ratio to baseline, paired: median (min–max) '
                       '| baseline | rounds |')
    assert rows[1:] == [
        '| TensorFlow | **kbackend** | 1.02 ms (0.950–1.30) | **0.85 (0.80–0.90)** | raw tf.compat.v1 | 15 |',
        '| TensorFlow | raw tf.compat.v1 | 1.20 ms (1.10–1.50) | - | - | 15 |',
        '| Theano 1.0.5 | **kbackend** | 0.409 ms (0.390–0.500) | **1.03 (0.97–1.10)** | raw theano.function | 15 |']
    assert all(l.count('|') == rows[0].count('|') for l in mlp.splitlines() if l.startswith('|'))

    scaling = [l for l in sections[2].splitlines() if l.startswith('| ')]
    assert rows[0].split(' | ')[:1] == scaling[0].split(' | ')[:1]
    assert '| batch |' in scaling[0] and '| first loss |' in scaling[0]
    assert scaling[1].startswith('| CNTK | 16 | **kbackend** | 1.50 ms') and scaling[1].endswith('| 2.339447 | 9 |')
    assert scaling[2].startswith('| CNTK | 1024 | **kbackend** | 12.5 ms')
    first_use = [l for l in sections[3].splitlines() if l.startswith('| ')]
    assert first_use[0].endswith('| of which: start + import (s) | build (s) | first call (s) | rounds |')
    assert first_use[1] == ('| PyTensor | **kbackend** | 2.50 s (2.00–3.00) | **1.10 (1.00–1.20)** | '
                            'raw pytensor.function | 1.25 | 0.800 | 0.004 | 5 |')
    assert '| a \\| b |' in sections[4] and '250 us (200–300)' in sections[4]
    assert 'No figures this run: cnn_step, tiny_graph_call' in md


def test_the_table_replaces_only_what_lies_between_the_markers(suite, tmp_path):
    page = tmp_path / 'benchmarks.md'
    before = '# Benchmarks\n\nintro\n\n%s\nold table\n%s\n\n## appended by someone else\n\ntext\n' % (
        suite.BEGIN, suite.END)
    page.write_text(before)
    suite.write_doc('new table\n', str(page))
    assert page.read_text() == before.replace('old table', 'new table')
    suite.write_doc('newer\n', str(page))
    assert page.read_text() == before.replace('old table', 'newer')
    for bad in ('no markers', suite.END + suite.BEGIN, suite.BEGIN + suite.BEGIN + suite.END):
        with pytest.raises(ValueError, match='expected one'):
            suite.replace_between_markers(bad, 'x')


def test_docs_page_has_the_markers_once(suite):
    with open(os.path.join(ROOT, 'docs', 'benchmarks.md')) as f:
        text = f.read()
    suite.replace_between_markers(text, 'x')  # raises without exactly one pair
    assert 'benchmarks/suite.py' in text.split(suite.BEGIN)[0]  # the command is documented
