"""Helpers shared by the examples: a progress bar, a loss plot, Adam written with K.* calls, and
Glorot-uniform initial weights. Only numpy and kbackend are required: tqdm draws the progress bar
when it is installed (plain lines otherwise), matplotlib saves the loss plot when it is installed.
"""
import argparse
import time

import numpy as np

from kbackend import backend as K


def arguments(description, steps, batch_size, plot):
    """The command line every example takes (sizes default to a run of a minute or less)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--steps', type=int, default=steps, help='training steps (default %(default)s)')
    parser.add_argument('--batch-size', type=int, default=batch_size,
                        help='samples per step (default %(default)s)')
    parser.add_argument('--seed', type=int, default=0, help='NumPy seed for data and weights')
    parser.add_argument('--plot', default=plot,
                        help='where to save the loss plot when matplotlib is installed (default %(default)s)')
    parser.add_argument('--no-plot', action='store_true', help='do not save a loss plot')
    return parser.parse_args()


def glorot(rng, *shape):
    """Glorot-uniform initial weights (fan_in, fan_out from the last two axes, times the kernel size)."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(K.floatx())


def adam(loss, params, learning_rate=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Adam's updates for `params`, as a list for K.function(..., updates=...)."""
    grads = K.gradients(loss, params)
    beta_1_power = K.variable(1.0, name='adam_beta_1_power')
    beta_2_power = K.variable(1.0, name='adam_beta_2_power')
    new_beta_1_power, new_beta_2_power = beta_1_power * beta_1, beta_2_power * beta_2
    lr = learning_rate * K.sqrt(1.0 - new_beta_2_power) / (1.0 - new_beta_1_power)
    updates = [K.update(beta_1_power, new_beta_1_power), K.update(beta_2_power, new_beta_2_power)]
    for p, g in zip(params, grads):
        m = K.zeros(K.int_shape(p), name='adam_m')
        v = K.zeros(K.int_shape(p), name='adam_v')
        new_m = beta_1 * m + (1.0 - beta_1) * g
        new_v = beta_2 * v + (1.0 - beta_2) * K.square(g)
        updates += [K.update(m, new_m), K.update(v, new_v),
                    K.update(p, p - lr * new_m / (K.sqrt(new_v) + epsilon))]
    return updates


class Progress(object):
    """A tqdm progress bar on stderr when tqdm is installed and stderr is a terminal, and a line on
    stdout every `every` steps: ``step   40/200  loss 0.4812`` (the mean loss since the last line)."""

    def __init__(self, steps, desc, every=None):
        self.steps, self.every = steps, every or max(1, steps // 10)
        self.step, self.pending, self.losses, self.started = 0, [], [], time.time()
        try:
            from tqdm import tqdm
        except ImportError:
            self.bar = None
        else:
            self.bar = tqdm(total=steps, desc=desc, disable=None, leave=False)  # disable=None: off when not a tty

    def write(self, line):
        if self.bar is not None:
            self.bar.write(line)
        else:
            print(line, flush=True)

    def update(self, loss):
        self.step += 1
        self.losses.append(float(loss))
        self.pending.append(float(loss))
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss='%.4f' % loss, refresh=False)
        if self.step == 1 or self.step % self.every == 0 or self.step == self.steps:
            self.write('step %4d/%d  loss %.4f' % (self.step, self.steps, np.mean(self.pending)))
            self.pending = []

    def close(self):
        if self.bar is not None:
            self.bar.close()
        self.write('trained %d steps in %.1f s' % (self.step, time.time() - self.started))


def save_loss_plot(losses, path, title):
    """Saves the loss curve to `path` when matplotlib is installed; returns the path or None."""
    try:
        import matplotlib
        matplotlib.use('Agg')  # files only: no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        print('(pip install matplotlib to get a loss plot)')
        return None
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.plot(np.arange(1, len(losses) + 1), losses, linewidth=1)
    axes.set_xlabel('step')
    axes.set_ylabel('training loss')
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print('loss plot: %s' % path)
    return path


def first_call_notice():
    """What to expect of the first training step (it builds and compiles the graph)."""
    engine = K.backend()
    slow = engine == 'theano'
    print('engine: %s; compiling the training step%s' % (
        engine, ' (C code on a first run: up to a minute, cached afterwards)' if slow else ''), flush=True)
    return time.time()
