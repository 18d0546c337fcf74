"""Keras 2.2.4 runs on kbackend, on every engine (a real client; Keras is a test dependency only).

Each engine runs examples/keras224_models.py in a subprocess with ``KERAS_BACKEND=kbackend`` and
``KBACKEND_ENGINE=<engine>``: nine models train with falling losses, a save/load round trip
predicts the same values, and, from the same NumPy-set weights, the loss before training (and the
first epoch's for the models without dropout) equals the reference recorded on TensorFlow
(tests/keras224_reference.json) within float32 tolerance.

Without Keras 2.2.4 installed the test is skipped, unless ``KBACKEND_TEST_KERAS=1`` (set by
scripts/test.sh) says it must run.
"""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(__file__)
SCRIPT = os.path.join(HERE, os.pardir, 'examples', 'keras224_models.py')
REFERENCE = json.load(open(os.path.join(HERE, 'keras224_reference.json')))['models']


def keras_or_skip():
    if importlib.util.find_spec('keras') is None:
        if os.environ.get('KBACKEND_TEST_KERAS') == '1':
            pytest.fail('Keras 2.2.4 is required (KBACKEND_TEST_KERAS=1) but not installed', pytrace=False)
        pytest.skip('Keras 2.2.4 is not installed')


def run_keras_script(K, tmp_path, code, *args, timeout=900):
    """`code` run by Python with Keras 2.2.4 on kbackend's engine K; the JSON of its last printed line."""
    env = dict(os.environ, KERAS_BACKEND='kbackend', KBACKEND_ENGINE=K.backend(), KERAS_HOME=str(tmp_path),
               TF_CPP_MIN_LOG_LEVEL='3')
    proc = subprocess.run([sys.executable] + ([] if code is None else ['-c', code]) + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_models(K, tmp_path):
    return run_keras_script(K, tmp_path, None, SCRIPT, timeout=1800)


def model_problems(name, result, reference):
    """What is wrong with one model's run (an empty list when nothing is)."""
    problems = []
    losses, initial = result['losses'], result['initial_loss']
    if any(l != l for l in losses) or not (losses[-1] < losses[0] and losses[-1] < initial):
        problems.append('losses do not fall: initial %r, epochs %r' % (initial, losses))
    if initial != pytest.approx(reference['initial_loss'], rel=1e-4):
        problems.append('loss before training %r, reference %r' % (initial, reference['initial_loss']))
    # Dropout masks come from each engine's own generator: only deterministic models compare epochs.
    if not result['stochastic'] and losses[0] != pytest.approx(reference['first_epoch_loss'], rel=1e-4):
        problems.append('first epoch loss %r, reference %r' % (losses[0], reference['first_epoch_loss']))
    return ['%s: %s' % (name, p) for p in problems]


def test_keras_models_train_like_the_reference(K, tmp_path):
    keras_or_skip()
    results = run_models(K, tmp_path)  # one Keras process per engine: nine models
    assert results['engine'] == K.backend() and results['keras_backend'] == 'kbackend'
    problems = []
    for name in sorted(REFERENCE):
        problems += model_problems(name, results[name], REFERENCE[name])
    assert results['functional_two_inputs']['save_load_max_difference'] < 1e-6, \
        'the reloaded model predicts differently'
    assert not problems, '\n'.join(problems)


LOAD = '''
import json, sys
import numpy as np
from kbackend.compat import keras224
keras224.enable()
from keras import models
out = {}
for path in sys.argv[1:]:
    data = np.load(path + '.npz')
    model = models.load_model(path + '.h5')
    predicted = model.predict([data['image'], data['sequence']])
    out[path] = float(np.max(np.abs(predicted - data['prediction'])))
print(json.dumps(out))
'''


@pytest.mark.parametrize('origin', ['kbackend_tensorflow', 'original_theano'])
def test_saved_keras_models_load_with_their_predictions(K, tmp_path, origin):
    """A Conv2D + LSTM model saved by Keras 2.2.4 on kbackend (TensorFlow engine), and one saved by
    Keras 2.2.4's own Theano backend (true convolution: Keras flips the kernels when another backend
    loads them), predict what they predicted when saved, on every engine."""
    keras_or_skip()
    path = os.path.join(HERE, 'data', 'keras224_' + origin)
    assert run_keras_script(K, tmp_path, LOAD, path)[path] < 1e-5


ONE_STATE = '''
import json
import numpy as np
from kbackend.compat import keras224
keras224.enable()
import keras
from keras import backend as KK
from kbackend.backend import common
KK.set_epsilon(1e-3)
KK.set_floatx('float64')
seen = [common.epsilon(), common.floatx()]
common.set_image_data_format('channels_first')  # kbackend's setter reaches Keras
seen.append(KK.image_data_format())
common.set_image_data_format('channels_last')
model = keras.models.Sequential([keras.layers.Dense(4, activation='relu', input_shape=(3,)),
                                 keras.layers.Dense(2, activation='softmax')])
model.compile('adam', 'categorical_crossentropy')
x = np.random.RandomState(0).normal(size=(32, 3))
y = np.eye(2)[np.random.RandomState(1).randint(0, 2, 32)]
losses = model.fit(x, y, epochs=3, verbose=0).history['loss']
print(json.dumps({'seen': seen, 'weight_dtypes': sorted(set(str(w.dtype) for w in model.get_weights())),
                  'prediction_dtype': str(model.predict(x).dtype), 'losses': losses}))
'''


def test_keras_and_kbackend_share_one_configuration(K, tmp_path):
    """keras.backend.set_epsilon/set_floatx reach kbackend, kbackend's setters reach Keras, and a
    float64 model trains on every engine."""
    keras_or_skip()
    result = run_keras_script(K, tmp_path, ONE_STATE)
    assert result['seen'] == [1e-3, 'float64', 'channels_first']
    assert result['weight_dtypes'] == ['float64'] and result['prediction_dtype'] == 'float64'
    assert all(l == l for l in result['losses']) and result['losses'][-1] < result['losses'][0]


CALLBACKS_AND_YAML = '''
import json, os, sys
import numpy as np
from kbackend.compat import keras224
keras224.enable()
import keras
x = np.random.RandomState(0).normal(size=(64, 3))
y = np.eye(2)[(x[:, 0] > 0).astype(int)]
bias = keras.initializers.Constant(np.arange(4.) / 10)  # a NumPy array in the YAML config
model = keras.models.Sequential([keras.layers.Dense(4, activation='tanh', input_shape=(3,),
                                                    bias_initializer=bias),
                                 keras.layers.Dense(2, activation='softmax')])
model.compile('sgd', 'categorical_crossentropy')
path = os.path.join(sys.argv[1], 'best.h5')
history = model.fit(x, y, epochs=4, verbose=0, validation_split=0.25, callbacks=[
    keras.callbacks.EarlyStopping(patience=10), keras.callbacks.ModelCheckpoint(path, save_best_only=True),
    keras.callbacks.ReduceLROnPlateau(patience=10)])
rebuilt = keras.models.model_from_yaml(model.to_yaml())
rebuilt.set_weights(model.get_weights())
import yaml
try:
    keras.models.model_from_yaml("!!python/object/apply:os.getcwd []")
    refused = False
except yaml.constructor.ConstructorError:
    refused = True
print(json.dumps({'refused': refused, 'epochs': len(history.history['loss']), 'saved': os.path.exists(path),
                  'yaml_difference': float(np.max(np.abs(rebuilt.predict(x) - model.predict(x))))}))
'''


def test_keras_callbacks_and_yaml_round_trip(K, tmp_path):
    """EarlyStopping, ModelCheckpoint and ReduceLROnPlateau read `np.Inf` (gone in NumPy 2), and
    `model_from_yaml` calls `yaml.load` without a Loader (refused by PyYAML 6): the compatibility step
    restores both (YAML with NumPy arrays in a config, and no other callables), on every engine."""
    keras_or_skip()
    result = run_keras_script(K, tmp_path, CALLBACKS_AND_YAML, str(tmp_path))
    assert result == {'epochs': 4, 'saved': True, 'yaml_difference': result['yaml_difference'],
                      'refused': True}  # a callable other than NumPy's array constructors
    assert result['yaml_difference'] < 1e-6


RECURRENT = '''
import json
import numpy as np
from kbackend.compat import keras224
keras224.enable()
from keras import layers, models
x = np.random.RandomState(0).uniform(-1, 1, (4, 5, 3)).astype('float32')
out = {}
for name, layer_class, kwargs in [('simple_rnn', layers.SimpleRNN, {}), ('lstm', layers.LSTM, {}),
                                  ('gru', layers.GRU, {}), ('gru_reset_after', layers.GRU, {'reset_after': True}),
                                  ('lstm_backwards_unrolled', layers.LSTM, {'go_backwards': True, 'unroll': True})]:
    model = models.Sequential([layer_class(2, return_sequences=True, input_shape=(5, 3), **kwargs)])
    rng = np.random.RandomState(1)
    weights = [rng.uniform(-0.8, 0.8, w.shape).astype('float32') for w in model.get_weights()]
    model.set_weights(weights)
    out[name] = {'weights': [w.tolist() for w in weights], 'outputs': model.predict(x).tolist()}
print(json.dumps({'x': x.tolist(), 'layers': out}))
'''


def _hard_sigmoid(z):
    return np.clip(0.2 * z + 0.5, 0., 1.)


def _numpy_recurrence(name, x, weights):
    """Keras 2.2.4's documented recurrences (gate orders i, f, c, o and z, r, h), step by step."""
    kernel, recurrent = weights[0], weights[1]
    units = recurrent.shape[0]
    h = np.zeros((x.shape[0], units))
    c = np.zeros_like(h)
    steps = range(x.shape[1])[::-1] if 'backwards' in name else range(x.shape[1])
    outputs = []
    for t in steps:
        xw = x[:, t] @ kernel
        if name == 'simple_rnn':
            h = np.tanh(xw + h @ recurrent + weights[2])
        elif name.startswith('lstm'):
            z = xw + h @ recurrent + weights[2]
            i, f, o = (_hard_sigmoid(z[:, k * units:(k + 1) * units]) for k in (0, 1, 3))
            c = f * c + i * np.tanh(z[:, 2 * units:3 * units])
            h = o * np.tanh(c)
        else:
            gate = lambda k, a, b: a[:, k * units:(k + 1) * units] + b[:, k * units:(k + 1) * units]
            if name == 'gru':
                hu, bias = h @ recurrent, weights[2]
                z, r = (_hard_sigmoid(gate(k, xw + bias, hu)) for k in (0, 1))
                candidate = np.tanh(xw[:, 2 * units:] + bias[2 * units:] + (r * h) @ recurrent[:, 2 * units:])
            else:  # reset_after: separate input and recurrent biases, reset applied after the product
                bias = weights[2]
                xb, hu = xw + bias[0], h @ recurrent + bias[1]
                z, r = (_hard_sigmoid(gate(k, xb, hu)) for k in (0, 1))
                candidate = np.tanh(xb[:, 2 * units:] + r * hu[:, 2 * units:])
            h = z * h + (1 - z) * candidate
        outputs.append(h)
    return np.stack(outputs, axis=1)


def test_keras_recurrent_layers_match_numpy(K, tmp_path):
    """Keras 2.2.4's SimpleRNN, LSTM, GRU (both reset modes) and a backwards unrolled LSTM on kbackend
    give, from the same weights, the sequences that NumPy's step-by-step recurrence gives. (Keras
    2.2.4's own CNTK backend does not, for a rolled LSTM: its outputs differ from its own unrolled
    ones.)"""
    keras_or_skip()
    result = run_keras_script(K, tmp_path, RECURRENT)
    x = np.array(result['x'], dtype='float64')
    assert sorted(result['layers']) == ['gru', 'gru_reset_after', 'lstm', 'lstm_backwards_unrolled',
                                        'simple_rnn']
    for name, run in sorted(result['layers'].items()):
        expected = _numpy_recurrence(name, x, [np.array(w, dtype='float64') for w in run['weights']])
        np.testing.assert_allclose(np.array(run['outputs']), expected, rtol=1e-5, atol=1e-6, err_msg=name)
