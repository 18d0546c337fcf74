"""A softmax classifier trained with plain K.* calls: placeholders, K.gradients, K.update_sub, K.function.

Run it on any engine:  KERAS_BACKEND=theano python examples/softmax_classifier.py
"""
import numpy as np

from kbackend import backend as K


def make_blobs(n_per_class=200, n_classes=3, seed=0):
    """Gaussian blobs around a circle, one per class, and their one-hot labels."""
    rng = np.random.RandomState(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centers = 3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    x = np.concatenate([c + rng.randn(n_per_class, 2) for c in centers])
    labels = np.repeat(np.arange(n_classes), n_per_class)
    return x.astype(K.floatx()), np.eye(n_classes, dtype=K.floatx())[labels]


def build_training_step(n_features, n_classes, learning_rate=0.3):
    x = K.placeholder(shape=(None, n_features), name='x')
    y = K.placeholder(shape=(None, n_classes), name='y')
    w = K.variable(np.zeros((n_features, n_classes)), name='w')
    b = K.variable(np.zeros(n_classes), name='b')
    probabilities = K.softmax(K.dot(x, w) + b)
    loss = K.mean(K.categorical_crossentropy(y, probabilities))
    accuracy = K.mean(K.cast(K.equal(K.argmax(probabilities), K.argmax(y)), K.floatx()))
    grads = K.gradients(loss, [w, b])
    updates = [K.update_sub(p, learning_rate * g) for p, g in zip([w, b], grads)]
    return K.function([x, y], [loss, accuracy], updates=updates)


def main(epochs=40):
    x, y = make_blobs()
    step = build_training_step(x.shape[1], y.shape[1])
    print('engine: %s' % K.backend())
    for epoch in range(epochs):
        loss, accuracy = step([x, y])
        if epoch % 5 == 0 or epoch == epochs - 1:
            print('epoch %2d  loss %.4f  accuracy %.3f' % (epoch, loss, accuracy))
    return float(loss)


if __name__ == '__main__':
    main()
