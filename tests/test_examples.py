"""The examples (examples/*.py) train on every engine with their loss falling, use only K, print
progress lines (a tqdm bar when tqdm is installed) and save a loss plot when matplotlib is installed.

The runs here are small (CI time): the examples' own defaults train longer. The engines run in the
suite's compile mode (scripts/test.sh: PyTensor and Theano in FAST_COMPILE, no cold C compile).
"""
import ast
import importlib
import os
import re
import subprocess
import sys

import pytest

EXAMPLES = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, 'examples'))
STEP_LINE = re.compile(r'^step\s+(\d+)/(\d+)\s+loss ([\d.]+)$', re.M)

# example: (small-run arguments, the line that reports the trained model)
RUNS = {
    'cnn_images': (['--steps', '30', '--batch-size', '16'], r'test \(learning phase 0.*accuracy [\d.]+'),
    'sequence_rnn': (['--steps', '60', '--batch-size', '32'], r'test: loss [\d.]+  accuracy [\d.]+'),
    'ctc_sequences': (['--steps', '60', '--batch-size', '16'], r'test: sequence accuracy [\d.]+'),
}


def has_module(name):
    try:
        importlib.import_module(name)
        return True
    except ImportError:
        return False


def run_example(K, name, tmp_path, *args):
    env = dict(os.environ, KERAS_BACKEND=K.backend(), KERAS_HOME=str(tmp_path / 'kh'))
    env.pop('KBACKEND_ENGINE', None)
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name + '.py')] + list(args), env=env,
                          cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.mark.parametrize('name', sorted(RUNS))
def test_example_trains_with_its_loss_falling(K, name, tmp_path):
    args, final = RUNS[name]
    plot = tmp_path / 'loss.png'
    proc = run_example(K, name, tmp_path, *(args + ['--plot', str(plot)]))
    out = proc.stdout
    assert out.startswith('engine: %s' % K.backend())
    rows = [(int(step), int(total), float(loss)) for step, total, loss in STEP_LINE.findall(out)]
    steps = int(args[args.index('--steps') + 1])
    assert rows[0][:2] == (1, steps) and rows[-1][:2] == (steps, steps) and len(rows) >= 5, out
    losses = [loss for _, _, loss in rows]
    half = len(losses) // 2
    assert losses[-1] < 0.75 * losses[0], losses
    assert sum(losses[half:]) / (len(losses) - half) < sum(losses[:half]) / half, losses
    assert re.search(final, out), out
    if has_module('matplotlib'):
        assert 'loss plot: %s' % plot in out
        with open(str(plot), 'rb') as f:
            assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    else:
        assert 'pip install matplotlib' in out and not plot.exists()


def example_sources():
    return sorted(f for f in os.listdir(EXAMPLES) if f.endswith('.py'))


@pytest.mark.parametrize('filename', example_sources())
def test_examples_use_only_k_numpy_and_the_standard_library(filename):
    """No engine import: the examples run unchanged on every engine."""
    with open(os.path.join(EXAMPLES, filename)) as f:
        tree = ast.parse(f.read())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or '').split('.')[0])
    engines = {'tensorflow', 'theano', 'pytensor', 'cntk', 'keras', 'tf_keras'}
    if filename != 'keras224_models.py':  # that one is Keras 2.2.4 running on kbackend
        assert not imported & engines, imported


def test_every_example_is_run_by_a_test():
    tested = set(RUNS) | {'softmax_classifier', 'keras224_models', 'example_tools'}
    assert {f[:-3] for f in example_sources()} <= tested


@pytest.fixture
def tools(monkeypatch):
    monkeypatch.syspath_prepend(EXAMPLES)
    import example_tools  # imports kbackend.backend only: no engine until a K op is used
    return example_tools


def test_progress_without_tqdm_prints_plain_lines(tools, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, 'tqdm', None)  # `from tqdm import tqdm` raises ImportError
    progress = tools.Progress(4, 'demo', every=2)
    assert progress.bar is None
    for loss in (4.0, 3.0, 2.0, 1.0):
        progress.update(loss)
    progress.close()
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ['step    1/4  loss 4.0000', 'step    2/4  loss 3.0000', 'step    4/4  loss 1.5000']
    assert lines[3].startswith('trained 4 steps in ')
    assert progress.losses == [4.0, 3.0, 2.0, 1.0]


def test_progress_with_tqdm_writes_the_same_lines(tools, capsys):
    pytest.importorskip('tqdm')
    progress = tools.Progress(2, 'demo', every=1)
    assert progress.bar is not None
    progress.update(2.0)
    progress.update(1.0)
    progress.close()
    out = capsys.readouterr().out
    assert 'step    1/2  loss 2.0000' in out and 'step    2/2  loss 1.0000' in out


def test_loss_plot_is_skipped_with_a_hint_without_matplotlib(tools, monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, 'matplotlib', None)
    assert tools.save_loss_plot([3.0, 2.0], str(tmp_path / 'p.png'), 'title') is None
    assert 'pip install matplotlib' in capsys.readouterr().out and not (tmp_path / 'p.png').exists()
