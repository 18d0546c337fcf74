"""A sequence classifier through K.rnn with masking, written with K.* calls only: an LSTM step
function (input, forget and output gates, cell state) iterated by K.rnn over padded sequences of
different lengths, with a mask so the padding is skipped; trained with Adam.

The task: say whether the numbers of a sequence (4 to 12 of them) sum to more than zero. The
sequences are padded to 12 steps with the value 2.0, which would push every padded sum up if the
mask were ignored.

Run it on any engine:  KERAS_BACKEND=cntk python examples/sequence_rnn.py [--steps 200]
"""
import time

import numpy as np

from kbackend import backend as K

from example_tools import Progress, adam, arguments, first_call_notice, glorot, save_loss_plot

TIME_STEPS, MIN_LENGTH, UNITS, PADDING = 12, 4, 16, 2.0


def make_sequences(n, rng):
    """Padded sequences (n, 12, 1), their masks (n, 12) and labels (n, 1)."""
    lengths = rng.randint(MIN_LENGTH, TIME_STEPS + 1, size=n)
    values = rng.randn(n, TIME_STEPS)
    mask = np.arange(TIME_STEPS)[None, :] < lengths[:, None]
    labels = (np.where(mask, values, 0.0).sum(axis=1) > 0).astype(K.floatx())[:, None]
    sequences = np.where(mask, values, PADDING)[:, :, None]
    return sequences.astype(K.floatx()), mask.astype(K.floatx()), labels


def lstm_step(weights):
    """An LSTM step function for K.rnn: (input_t, [h, c]) -> (h_t, [h_t, c_t])."""
    def step(x_t, states):
        h, c = states[0], states[1]

        def gate(name, activation):
            w, u, b = weights[name]
            return activation(K.dot(x_t, w) + K.dot(h, u) + b)

        i, f, o = gate('input', K.sigmoid), gate('forget', K.sigmoid), gate('output', K.sigmoid)
        c_t = f * c + i * gate('cell', K.tanh)
        h_t = o * K.tanh(c_t)
        return h_t, [h_t, c_t]
    return step


def build(rng, learning_rate=0.01):
    x = K.placeholder(shape=(None, TIME_STEPS, 1), name='sequences')
    mask = K.placeholder(shape=(None, TIME_STEPS), name='mask')
    y = K.placeholder(shape=(None, 1), name='labels')
    weights = {}
    for name in ('input', 'forget', 'cell', 'output'):
        bias = np.ones(UNITS) if name == 'forget' else np.zeros(UNITS)  # forget gate open at the start
        weights[name] = (K.variable(glorot(rng, 1, UNITS), name=name + '_w'),
                         K.variable(glorot(rng, UNITS, UNITS), name=name + '_u'),
                         K.variable(bias, name=name + '_b'))
    dense = K.variable(glorot(rng, UNITS, 1), name='dense')
    dense_bias = K.variable(np.zeros(1), name='dense_bias')

    # Zero initial states of shape (samples, units), built from the input as Keras's layers do.
    zeros = K.tile(K.expand_dims(K.sum(K.zeros_like(x), axis=(1, 2))), [1, UNITS])
    last_output, _, _ = K.rnn(lstm_step(weights), x, [zeros, zeros], mask=mask)
    probability = K.sigmoid(K.dot(last_output, dense) + dense_bias)
    loss = K.mean(K.binary_crossentropy(y, probability))
    accuracy = K.mean(K.cast(K.equal(K.round(probability), y), K.floatx()))

    params = [p for triple in weights.values() for p in triple] + [dense, dense_bias]
    train = K.function([x, mask, y], [loss, accuracy], updates=adam(loss, params, learning_rate))
    evaluate = K.function([x, mask, y], [loss, accuracy])
    return train, evaluate


def main():
    args = arguments(__doc__.split('\n')[0], steps=200, batch_size=32, plot='sequence_rnn_loss.png')
    np.random.seed(args.seed)
    rng = np.random.RandomState(args.seed)
    test = make_sequences(500, rng)
    started = first_call_notice()
    train, evaluate = build(rng)
    progress = Progress(args.steps, 'lstm')
    for step in range(args.steps):
        loss, _ = train(list(make_sequences(args.batch_size, rng)))
        if step == 0:
            progress.write('first step (graph and compile) took %.1f s' % (time.time() - started))
        progress.update(loss)
    progress.close()
    loss, accuracy = evaluate(list(test))
    print('test: loss %.4f  accuracy %.3f' % (loss, accuracy))
    if not args.no_plot:
        save_loss_plot(progress.losses, args.plot, 'LSTM through K.rnn with a mask (%s)' % K.backend())
    return progress.losses, accuracy


if __name__ == '__main__':
    main()
