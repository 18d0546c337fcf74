"""The README's example trains on every engine, with the loss curve of the same training in NumPy."""
import importlib.util
import os
import re
import subprocess
import sys

import numpy as np

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
    # The same loss curve on every engine: the training's own NumPy replica.
    expected = numpy_losses()
    epochs = [int(e) for e in re.findall(r'epoch\s+(\d+)\s+loss', out)]
    for epoch, loss in zip(epochs, losses):
        assert abs(loss - expected[epoch]) < 2e-4, (epoch, loss, expected[epoch])


def numpy_losses(epochs=40, learning_rate=0.3):
    """The example's full-batch gradient descent on its own data, in float64 NumPy."""
    spec = importlib.util.spec_from_file_location('softmax_classifier_example', EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)  # defines functions only (main runs under __main__)
    x, y = example.make_blobs()
    x, y = x.astype('float64'), y.astype('float64')
    w, b = np.zeros((x.shape[1], y.shape[1])), np.zeros(y.shape[1])
    losses = []
    for _ in range(epochs):
        logits = x.dot(w) + b
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        losses.append(-np.mean(np.sum(y * np.log(p), axis=1)))
        delta = (p - y) / len(x)  # d(mean crossentropy)/d(logits)
        w, b = w - learning_rate * x.T.dot(delta), b - learning_rate * delta.sum(axis=0)
    return losses
