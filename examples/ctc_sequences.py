"""A CTC model on synthetic sequences, written with K.* calls only: a 1-D convolution over time and a
per-frame softmax, trained with K.ctc_batch_cost (Adam), then decoded with K.ctc_decode.

Each sample is a label sequence of 1 to 4 symbols (an alphabet of 4) drawn as 20 noisy frames: a
symbol is two frames of its one-hot code, symbols are separated by at least one empty frame, and the
sequence starts at a random frame. The model must find the symbols, in order, without being told
where they are: what CTC is for. The softmax has one more class than the alphabet: the CTC blank,
which is the last class.

Run it on any engine:  KERAS_BACKEND=tensorflow python examples/ctc_sequences.py [--steps 300]
"""
import time

import numpy as np

from kbackend import backend as K

from example_tools import Progress, adam, arguments, first_call_notice, glorot, save_loss_plot

SYMBOLS, FRAMES, MAX_LABELS, FILTERS = 4, 20, 4, 24


def make_sequences(n, rng, noise=0.3):
    """Frames (n, 20, 4), padded labels (n, 4), input lengths (n, 1) and label lengths (n, 1)."""
    frames = noise * rng.randn(n, FRAMES, SYMBOLS)
    labels = np.zeros((n, MAX_LABELS), dtype='int32')
    lengths = rng.randint(1, MAX_LABELS + 1, size=n)
    for i, length in enumerate(lengths):
        labels[i, :length] = rng.randint(SYMBOLS, size=length)
        gaps = 1 + rng.randint(2, size=length)            # empty frames before each symbol
        t = rng.randint(FRAMES - 4 * length + 1)          # where the sequence starts
        for symbol, gap in zip(labels[i, :length], gaps):
            t += gap
            frames[i, t:t + 2, symbol] += 1.0
            t += 2
    input_lengths = np.full((n, 1), FRAMES, dtype='int32')
    return frames.astype(K.floatx()), labels, input_lengths, lengths[:, None].astype('int32')


def build(rng, learning_rate=0.01):
    x = K.placeholder(shape=(None, FRAMES, SYMBOLS), name='frames')
    labels = K.placeholder(shape=(None, MAX_LABELS), dtype='int32', name='labels')
    label_length = K.placeholder(shape=(None, 1), dtype='int32', name='label_length')
    input_length = K.placeholder(shape=(None, 1), dtype='int32', name='input_length')
    kernel = K.variable(glorot(rng, 5, SYMBOLS, FILTERS), name='kernel')
    bias = K.variable(np.zeros(FILTERS), name='bias')
    dense = K.variable(glorot(rng, FILTERS, SYMBOLS + 1), name='dense')
    dense_bias = K.variable(np.zeros(SYMBOLS + 1), name='dense_bias')

    h = K.relu(K.bias_add(K.conv1d(x, kernel, padding='same', data_format='channels_last'), bias,
                          data_format='channels_last'))                   # (n, 20, 24)
    probabilities = K.softmax(K.dot(h, dense) + dense_bias)               # (n, 20, 5): blank last
    loss = K.mean(K.ctc_batch_cost(labels, probabilities, input_length, label_length))

    params = [kernel, bias, dense, dense_bias]
    train = K.function([x, labels, input_length, label_length], [loss], updates=adam(loss, params, learning_rate))
    sequence_lengths = K.placeholder(shape=(None,), dtype='int32', name='sequence_lengths')
    decoded, _ = K.ctc_decode(probabilities, sequence_lengths, greedy=True)
    decode = K.function([x, sequence_lengths], [decoded[0]])
    return train, decode


def sequence_accuracy(decoded, labels, lengths):
    """The share of samples whose decoding (padded with -1) is exactly the label sequence."""
    right = 0
    for row, label, length in zip(decoded, labels, lengths[:, 0]):
        right += list(row[row >= 0]) == list(label[:length])
    return right / float(len(labels))


def main():
    args = arguments(__doc__.split('\n')[0], steps=300, batch_size=32, plot='ctc_sequences_loss.png')
    np.random.seed(args.seed)
    rng = np.random.RandomState(args.seed)
    test_x, test_labels, test_input_lengths, test_lengths = make_sequences(300, rng)
    started = first_call_notice()
    train, decode = build(rng)
    progress = Progress(args.steps, 'ctc')
    for step in range(args.steps):
        loss, = train(list(make_sequences(args.batch_size, rng)))
        if step == 0:
            progress.write('first step (graph and compile) took %.1f s' % (time.time() - started))
        progress.update(loss)
    progress.close()
    decoded, = decode([test_x, test_input_lengths[:, 0]])
    for row in range(3):
        print('decoded %s  labels %s' % (decoded[row][decoded[row] >= 0].tolist(),
                                         test_labels[row, :test_lengths[row, 0]].tolist()))
    print('test: sequence accuracy %.3f (greedy ctc_decode)' % sequence_accuracy(decoded, test_labels, test_lengths))
    if not args.no_plot:
        save_loss_plot(progress.losses, args.plot, 'CTC on synthetic sequences (%s)' % K.backend())
    return progress.losses


if __name__ == '__main__':
    main()
