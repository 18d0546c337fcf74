"""A small CNN on synthetic images, written with K.* calls only: conv2d, batch normalisation (batch
statistics and moving averages in the learning phase, the moving averages at test time), pool2d,
dropout in the learning phase, softmax and categorical crossentropy, trained with Adam.

The images are 12x12 noise with a horizontal bar, a vertical bar or a diagonal: three classes.

Run it on any engine:  KERAS_BACKEND=theano python examples/cnn_images.py [--steps 150]
"""
import time

import numpy as np

from kbackend import backend as K

from example_tools import Progress, adam, arguments, first_call_notice, glorot, save_loss_plot

SIZE, CLASSES = 12, 3


def make_images(n, rng, noise=0.35):
    """n images (n, 12, 12, 1) with one bar or diagonal each, and their one-hot labels."""
    labels = rng.randint(CLASSES, size=n)
    images = noise * rng.randn(n, SIZE, SIZE, 1)
    for i, label in enumerate(labels):
        offset = rng.randint(1, SIZE - 1)
        if label == 0:
            images[i, offset, :, 0] += 1.0
        elif label == 1:
            images[i, :, offset, 0] += 1.0
        else:
            diagonal = np.arange(SIZE)
            images[i, diagonal, (diagonal + offset) % SIZE, 0] += 1.0
    return images.astype(K.floatx()), np.eye(CLASSES, dtype=K.floatx())[labels]


def batch_norm(x, params, updates, momentum=0.9):
    """Batch normalisation over all axes but the channels: batch statistics in the learning phase
    (their moving averages are updated), the moving averages otherwise."""
    gamma, beta, moving_mean, moving_var = params
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, reduction_axes=[0, 1, 2], epsilon=1e-3)
    updates += [K.moving_average_update(moving_mean, mean, momentum),
                K.moving_average_update(moving_var, var, momentum)]
    inference = K.batch_normalization(x, moving_mean, moving_var, beta, gamma, epsilon=1e-3)
    return K.in_train_phase(normed, inference)


def build(rng, learning_rate=0.01):
    """The training and evaluation functions and the trained weights."""
    x = K.placeholder(shape=(None, SIZE, SIZE, 1), name='images')
    y = K.placeholder(shape=(None, CLASSES), name='labels')
    kernel1 = K.variable(glorot(rng, 3, 3, 1, 8), name='kernel1')
    kernel2 = K.variable(glorot(rng, 3, 3, 8, 16), name='kernel2')
    bias2 = K.variable(np.zeros(16), name='bias2')
    dense = K.variable(glorot(rng, 3 * 3 * 16, CLASSES), name='dense')
    dense_bias = K.variable(np.zeros(CLASSES), name='dense_bias')
    bn = [K.variable(np.ones(8), name='gamma'), K.variable(np.zeros(8), name='beta'),
          K.variable(np.zeros(8), name='moving_mean'), K.variable(np.ones(8), name='moving_var')]
    bn_updates = []

    h = K.conv2d(x, kernel1, padding='same', data_format='channels_last')          # (n, 12, 12, 8)
    h = K.relu(batch_norm(h, bn, bn_updates))
    h = K.pool2d(h, (2, 2), strides=(2, 2), data_format='channels_last')            # (n, 6, 6, 8)
    h = K.relu(K.bias_add(K.conv2d(h, kernel2, padding='same', data_format='channels_last'), bias2,
                          data_format='channels_last'))
    h = K.pool2d(h, (2, 2), strides=(2, 2), data_format='channels_last')            # (n, 3, 3, 16)
    h = K.batch_flatten(h)
    h = K.in_train_phase(K.dropout(h, 0.25), h)     # dropout only in the learning phase
    probabilities = K.softmax(K.dot(h, dense) + dense_bias)
    loss = K.mean(K.categorical_crossentropy(y, probabilities))
    accuracy = K.mean(K.cast(K.equal(K.argmax(probabilities), K.argmax(y)), K.floatx()))

    params = [kernel1, kernel2, bias2, dense, dense_bias, bn[0], bn[1]]
    inputs = [x, y, K.learning_phase()]
    train = K.function(inputs, [loss, accuracy], updates=adam(loss, params, learning_rate) + bn_updates)
    evaluate = K.function(inputs, [loss, accuracy])
    return train, evaluate


def main():
    args = arguments(__doc__.split('\n')[0], steps=150, batch_size=32, plot='cnn_images_loss.png')
    np.random.seed(args.seed)  # K's random ops (dropout) draw their seeds from NumPy: repeatable runs
    rng = np.random.RandomState(args.seed)
    test_x, test_y = make_images(500, rng)
    started = first_call_notice()
    train, evaluate = build(rng)
    progress = Progress(args.steps, 'cnn')
    for step in range(args.steps):
        batch_x, batch_y = make_images(args.batch_size, rng)
        loss, _ = train([batch_x, batch_y, 1])
        if step == 0:
            progress.write('first step (graph and compile) took %.1f s' % (time.time() - started))
        progress.update(loss)
    progress.close()
    loss, accuracy = evaluate([test_x, test_y, 0])
    print('test (learning phase 0, moving averages, no dropout): loss %.4f  accuracy %.3f' % (loss, accuracy))
    if not args.no_plot:
        save_loss_plot(progress.losses, args.plot, 'CNN on synthetic images (%s)' % K.backend())
    return progress.losses, accuracy


if __name__ == '__main__':
    main()
