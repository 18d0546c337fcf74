"""Keras 2.2.4 models trained on kbackend: an MLP, a CNN, a depthwise/separable CNN, recurrent models with masking, a
bidirectional LSTM, a two-input functional model, and a save/load round trip.

Run it with Keras 2.2.4 installed (see docs/keras.md), choosing kbackend's engine:

    KERAS_BACKEND=kbackend KBACKEND_ENGINE=cntk python examples/keras224_models.py

Weights are set from NumPy after each model is built (Keras's initializers draw from the engine's
own generator), so every engine starts from the same point: the loss before training is the same on
every engine, and so is the first epoch's for the models without dropout. Prints one JSON object.
"""
import json
import os
import sys
import tempfile

import numpy as np


def setup_keras():
    """Imports Keras 2.2.4, after kbackend's explicit compatibility step for Python >= 3.10, NumPy 2
    and h5py 3 (it adds what those releases removed; see kbackend/compat/keras224.py)."""
    from kbackend.compat import keras224
    keras224.enable()
    import keras
    return keras


keras = setup_keras()
from keras import backend as K  # noqa: E402
from keras import layers, models  # noqa: E402

SAMPLES, CLASSES, STEPS, VOCAB = 96, 3, 7, 20


def numpy_weights(model, seed):
    """Replaces every weight with a fixed NumPy draw (scaled like Keras's defaults)."""
    rng = np.random.RandomState(seed)
    values = []
    for w in model.get_weights():
        if w.ndim >= 2:
            fan = np.sqrt(6.0 / (np.prod(w.shape[:-1]) + w.shape[-1]))
            values.append(rng.uniform(-fan, fan, size=w.shape).astype(w.dtype))
        else:
            values.append(np.zeros_like(w) if not np.all(w == 1) else w)  # biases 0, BN gammas 1
    model.set_weights(values)


def one_hot(labels):
    return np.eye(CLASSES, dtype=K.floatx())[labels]


def vectors(seed=0):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, CLASSES, SAMPLES)
    x = rng.normal(size=(SAMPLES, 8)) + labels[:, None]
    return x.astype(K.floatx()), one_hot(labels)


def images(seed=1):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, CLASSES, SAMPLES)
    x = rng.normal(size=(SAMPLES, 10, 10, 1)) * 0.5
    for i, label in enumerate(labels):  # a bright row whose position is the class
        x[i, 2 + 3 * label, :, 0] += 2.0
    if K.image_data_format() == 'channels_first':
        x = x.transpose(0, 3, 1, 2)
    return x.astype(K.floatx()), one_hot(labels)


def sequences(seed=2):
    """Token sequences padded with 0 at the end (masked by Embedding(mask_zero=True)); the class is
    the most frequent token group."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, CLASSES, SAMPLES)
    x = np.zeros((SAMPLES, STEPS), 'int32')
    for i, label in enumerate(labels):
        n = rng.randint(3, STEPS + 1)
        x[i, :n] = 1 + label * 6 + rng.randint(0, 6, n)
    return x, one_hot(labels)


def mlp():
    model = models.Sequential([layers.Dense(16, activation='relu', input_shape=(8,)),
                               layers.BatchNormalization(), layers.Dropout(0.2),
                               layers.Dense(CLASSES, activation='softmax')])
    return model, vectors(), True


def cnn():
    shape = (1, 10, 10) if K.image_data_format() == 'channels_first' else (10, 10, 1)
    model = models.Sequential([layers.Conv2D(4, (3, 3), activation='relu', input_shape=shape),
                               layers.MaxPooling2D((2, 2)), layers.Conv2D(4, (2, 2), padding='same'),
                               layers.Flatten(), layers.Dense(CLASSES, activation='softmax')])
    return model, images(), False


def separable_cnn():
    """Depthwise and separable convolutions with a channel multiplier of 2, as MobileNet-style
    models use them."""
    shape = (1, 10, 10) if K.image_data_format() == 'channels_first' else (10, 10, 1)
    model = models.Sequential([
        layers.SeparableConv2D(4, (3, 3), depth_multiplier=2, activation='relu', input_shape=shape),
        layers.DepthwiseConv2D((3, 3), depth_multiplier=2, padding='same', activation='relu'),
        layers.AveragePooling2D((2, 2)), layers.Flatten(), layers.Dense(CLASSES, activation='softmax')])
    return model, images(), False


def recurrent(layer_class, **kwargs):
    def build():
        model = models.Sequential([layers.Embedding(VOCAB, 5, input_length=STEPS, mask_zero=True),
                                   layer_class(6, **kwargs), layers.Dense(CLASSES, activation='softmax')])
        return model, sequences(), bool(kwargs.get('dropout') or kwargs.get('recurrent_dropout'))
    return build


def bidirectional_lstm():
    model = models.Sequential([layers.Embedding(VOCAB, 5, input_length=STEPS, mask_zero=True),
                               layers.Bidirectional(layers.LSTM(4)),
                               layers.Dense(CLASSES, activation='softmax')])
    return model, sequences(), False


def functional():
    a = layers.Input(shape=(8,))
    b = layers.Input(shape=(STEPS,), dtype='int32')
    embedded = layers.Flatten()(layers.Embedding(VOCAB, 2)(b))
    joined = layers.Concatenate()([layers.Dense(6, activation='tanh')(a), embedded])
    model = models.Model([a, b], layers.Dense(CLASSES, activation='softmax')(joined))
    x, y = vectors(3)
    return model, ([x, sequences(3)[0]], y), False


MODELS = {
    'mlp_batchnorm_dropout': mlp,
    'cnn': cnn,
    'separable_cnn': separable_cnn,
    'lstm_masked': recurrent(layers.LSTM),
    'gru_masked': recurrent(layers.GRU),
    'simple_rnn_masked': recurrent(layers.SimpleRNN),
    'lstm_dropout': recurrent(layers.LSTM, dropout=0.2, recurrent_dropout=0.2),
    'bidirectional_lstm': bidirectional_lstm,
    'functional_two_inputs': functional,
}


def train(name, epochs=4):
    np.random.seed(0)
    model, (x, y), stochastic = MODELS[name]()
    model.compile(keras.optimizers.Adam(lr=0.01), 'categorical_crossentropy', metrics=['accuracy'])
    numpy_weights(model, seed=len(name))
    initial = float(model.evaluate(x, y, batch_size=32, verbose=0)[0])
    history = model.fit(x, y, epochs=epochs, batch_size=32, shuffle=False, verbose=0).history
    result = {'initial_loss': initial, 'losses': [float(v) for v in history['loss']],
              'stochastic': stochastic}
    if name == 'functional_two_inputs':
        result['save_load_max_difference'] = save_and_load(model, x)
    return result


def save_and_load(model, x):
    """model.save then load_model: the reloaded model predicts the same values."""
    before = model.predict(x, batch_size=32)
    path = os.path.join(tempfile.mkdtemp(prefix='kbackend-keras-'), 'model.h5')
    model.save(path)
    reloaded = models.load_model(path)
    return float(np.max(np.abs(reloaded.predict(x, batch_size=32) - before)))


def main(names=None):
    names = names or sorted(MODELS)
    results = {'engine': sys.modules['kbackend.backend'].backend(), 'keras_backend': K.backend()}
    for name in names:
        results[name] = train(name)
    print(json.dumps(results))
    return results


if __name__ == '__main__':
    main(sys.argv[1:])
