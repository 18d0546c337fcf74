"""The README's example trains on every engine: its loss falls and its accuracy is high."""
import os
import re
import subprocess
import sys

EXAMPLE = os.path.join(os.path.dirname(__file__), os.pardir, 'examples', 'softmax_classifier.py')


def default_mode_flags(flags):
    """The engine flags without a test-only mode, so the example runs the engine's default linker."""
    return ','.join(f for f in flags.split(',') if f and not f.startswith('mode='))


def test_softmax_classifier_example_learns(K, tmp_path):
    env = dict(os.environ, KERAS_BACKEND=K.backend(), KERAS_HOME=str(tmp_path))
    for var in ('PYTENSOR_FLAGS', 'THEANO_FLAGS'):
        env[var] = default_mode_flags(env.get(var, ''))
    out = subprocess.run([sys.executable, EXAMPLE], env=env, stdout=subprocess.PIPE,
                         universal_newlines=True, timeout=600, check=True).stdout
    rows = [tuple(map(float, m)) for m in re.findall(r'loss ([\d.]+)\s+accuracy ([\d.]+)', out)]
    assert out.startswith('engine: %s' % K.backend())
    losses = [loss for loss, _ in rows]
    assert len(rows) >= 5 and losses == sorted(losses, reverse=True) and losses[-1] < 0.2 * losses[0]
    assert rows[-1][1] > 0.95
