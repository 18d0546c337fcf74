"""Config state and its resolution from keras.json and the environment.

Pure Python and NumPy: importing this module imports no engine. Bad values raise ``ValueError`` naming
the key, the value received, the values allowed and (when it came from a file) the file.
"""
import difflib
import importlib.util
import json
import os
import sys
import tempfile
import threading
import warnings

import numpy as np

FLOATX_VALUES = ('float16', 'float32', 'float64')
DATA_FORMAT_VALUES = ('channels_last', 'channels_first')
BUILTIN_ENGINES = ('tensorflow', 'theano', 'cntk')
DEFAULTS = {
    'floatx': 'float32',
    'epsilon': 1e-07,
    'backend': 'tensorflow',
    'image_data_format': 'channels_last',
}

# kbackend's own engine setting, which Keras 2.2.4 does not read: an environment variable and a
# keras.json key. `KERAS_BACKEND=kbackend` (or "backend": "kbackend") makes Keras use kbackend.
ENGINE_ENV = 'KBACKEND_ENGINE'
ENGINE_KEY = 'kbackend_engine'
KERAS_NAME = 'kbackend'

_FLOATX = DEFAULTS['floatx']
_EPSILON = DEFAULTS['epsilon']
_IMAGE_DATA_FORMAT = DEFAULTS['image_data_format']
# When Keras 2.2.4 hosts kbackend there is one configuration state: Keras's own module
# (keras.backend.common) holds it, and kbackend's setters write both.
_HOSTED = False
_HOST_MODULE = 'keras.backend.common'


def _host():
    return sys.modules.get(_HOST_MODULE) if _HOSTED else None


def _set_host(name, value):
    host = _host()
    if host is not None:
        setattr(host, name, value)


# --- validation ------------------------------------------------------------------------------------

def _where(source):
    return ' in %s' % source if source else ''


def check_floatx(value, source=None):
    if value not in FLOATX_VALUES:
        raise ValueError('Unknown floatx type: %r%s; expected one of %s.'
                         % (value, _where(source), ', '.join(FLOATX_VALUES)))
    return str(value)


def check_epsilon(value, source=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
            or value < 0:
        raise ValueError('Bad epsilon value: %r%s; expected a non-negative number such as 1e-07.'
                         % (value, _where(source)))
    return float(value)


def check_data_format(value, source=None, key='data_format'):
    if value not in DATA_FORMAT_VALUES:
        raise ValueError('Bad %s value: %r%s; expected one of %s.'
                         % (key, value, _where(source), ', '.join(map(repr, DATA_FORMAT_VALUES))))
    return str(value)


def check_backend(value, source=None):
    if not isinstance(value, str) or not value.strip():
        raise ValueError('Bad backend value: %r%s; expected one of %s or the import name of an '
                         'external backend module.' % (value, _where(source), ', '.join(BUILTIN_ENGINES)))
    return value.strip()


def names_kbackend(value):
    """Whether a backend setting names kbackend itself (Keras's way of choosing kbackend), not an engine."""
    return value == KERAS_NAME or value.startswith(KERAS_NAME + '.')


def check_engine(value, origin=None):
    """An engine name: a built-in engine, or an external backend module that can be found (looked up
    with importlib.util.find_spec, without importing it); else ValueError listing the valid names."""
    if value in BUILTIN_ENGINES:
        return value
    try:
        found = importlib.util.find_spec(value) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        return value
    close = difflib.get_close_matches(value.lower(), BUILTIN_ENGINES, 1)
    raise ValueError('Unknown backend %r%s; expected one of %s, or the import name of an installed '
                     'external backend module%s.' % (value, ' (from %s)' % origin if origin else '',
                                                    ', '.join(BUILTIN_ENGINES),
                                                    " (did you mean %r?)" % close[0] if close else ''))


# --- the public config functions --------------------------------------------------------------------

def epsilon():
    """Returns the fuzz factor used in numeric expressions (default 1e-07)."""
    host = _host()
    return host._EPSILON if host is not None else _EPSILON


def set_epsilon(e):
    """Sets the fuzz factor used in numeric expressions; a non-negative finite number."""
    global _EPSILON
    _EPSILON = check_epsilon(e)
    _set_host('_EPSILON', _EPSILON)


def floatx():
    """Returns the default float type as a string: 'float16', 'float32' or 'float64'."""
    host = _host()
    return host._FLOATX if host is not None else _FLOATX


def set_floatx(floatx):
    """Sets the default float type: 'float16', 'float32' or 'float64'."""
    global _FLOATX
    _FLOATX = check_floatx(floatx)
    _set_host('_FLOATX', _FLOATX)


def cast_to_floatx(x):
    """Casts a NumPy array (or anything np.asarray takes) to the default float type."""
    return np.asarray(x, dtype=floatx())


def image_data_format():
    """Returns the default image data format: 'channels_last' or 'channels_first'."""
    host = _host()
    return host._IMAGE_DATA_FORMAT if host is not None else _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default image data format: 'channels_last' or 'channels_first'."""
    global _IMAGE_DATA_FORMAT
    _IMAGE_DATA_FORMAT = check_data_format(data_format, key='image_data_format')
    _set_host('_IMAGE_DATA_FORMAT', _IMAGE_DATA_FORMAT)


def normalize_data_format(value):
    """Returns `value` checked and lower-cased, or the default image data format when it is None."""
    if value is None:
        return image_data_format()
    if not isinstance(value, str):
        raise ValueError('Bad data_format value: %r; expected one of %s.'
                         % (value, ', '.join(map(repr, DATA_FORMAT_VALUES))))
    return check_data_format(value.lower())


_DIM_ORDERING = {'th': 'channels_first', 'tf': 'channels_last'}


def image_dim_ordering():
    """Legacy: returns 'th' for channels_first and 'tf' for channels_last."""
    return 'th' if image_data_format() == 'channels_first' else 'tf'


def set_image_dim_ordering(dim_ordering):
    """Legacy: 'th' sets channels_first, 'tf' sets channels_last."""
    if dim_ordering not in _DIM_ORDERING:
        raise ValueError("Bad dim_ordering value: %r; expected 'th' or 'tf'." % (dim_ordering,))
    set_image_data_format(_DIM_ORDERING[dim_ordering])


CONFIG_FUNCTIONS = ('epsilon', 'set_epsilon', 'floatx', 'set_floatx', 'cast_to_floatx',
                    'image_data_format', 'set_image_data_format', 'normalize_data_format',
                    'image_dim_ordering', 'set_image_dim_ordering')


# --- keras.json and KERAS_BACKEND -------------------------------------------------------------------

def config_dir():
    """$KERAS_HOME, else ~/.keras, else /tmp/.keras when the home directory is not writable."""
    if os.environ.get('KERAS_HOME'):
        return os.environ['KERAS_HOME']
    home = os.path.expanduser('~')
    if not os.access(home, os.W_OK):
        return os.path.join('/tmp', '.keras')
    return os.path.join(home, '.keras')


def config_path():
    return os.path.join(config_dir(), 'keras.json')


def read_config_file(path):
    """The dict in `path`; {} with a warning when it is not valid JSON (the file is left as it is)."""
    try:
        with open(path) as f:
            text = f.read()
    except (IOError, OSError):
        return {}
    try:
        data = json.loads(text)
    except ValueError as e:
        warnings.warn('%s is not valid JSON (%s); using the default configuration. The file was '
                      'left unchanged.' % (path, e), stacklevel=3)
        return {}
    if not isinstance(data, dict):
        warnings.warn('%s does not hold a JSON object; using the default configuration. The file was '
                      'left unchanged.' % path, stacklevel=3)
        return {}
    return data


def write_default_config(path, values):
    """Writes `values` to `path` atomically unless the file exists; errors (read-only disk) are ignored."""
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return
    if os.path.exists(path):
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix='.keras.json.', dir=directory)
    except OSError:
        return
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(values, f, indent=4)
            f.write('\n')
        # os.link fails if another process won the race, so a finished file is never replaced.
        try:
            os.link(tmp, path)
        except OSError:
            if not os.path.exists(path):
                os.replace(tmp, path)
    except OSError:
        pass
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


class Resolved(object):
    """The resolved configuration: `values` and, for each key, where it came from; `hosted` when
    Keras 2.2.4 is set to use kbackend as its backend."""

    def __init__(self, path, values, sources, hosted=False):
        self.path = path
        self.values = values
        self.sources = sources
        self.hosted = hosted

    def __repr__(self):
        return 'Resolved(path=%r, values=%r, sources=%r, hosted=%r)' % (
            self.path, self.values, self.sources, self.hosted)


_CHECKS = {
    'floatx': check_floatx,
    'epsilon': check_epsilon,
    'backend': check_backend,
    'image_data_format': lambda v, source: check_data_format(v, source, key='image_data_format'),
}


def resolve(environ=None):
    """Reads keras.json (writing the defaults if it is missing) and the environment; applies nothing.

    The engine, from lowest to highest precedence: the default; keras.json's "backend" (unless it
    names kbackend itself, which is Keras's setting); keras.json's "kbackend_engine";
    KERAS_BACKEND (unless it names kbackend); KBACKEND_ENGINE.
    """
    environ = os.environ if environ is None else environ
    path = config_path()
    data = read_config_file(path)
    values, sources = dict(DEFAULTS), dict.fromkeys(DEFAULTS, 'default')
    for key, check in _CHECKS.items():
        if key in data:
            value = check(data[key], 'key %r of %s' % (key, path))
            if key == 'backend' and names_kbackend(value):
                continue
            values[key] = value
            sources[key] = 'file'
    if ENGINE_KEY in data:
        values['backend'] = check_backend(data[ENGINE_KEY], 'key %r of %s' % (ENGINE_KEY, path))
        sources['backend'] = 'file (%s)' % ENGINE_KEY
    if not os.path.exists(path):
        write_default_config(path, values)
    keras_backend = data.get('backend') if isinstance(data.get('backend'), str) else None
    env_backend = environ.get('KERAS_BACKEND')
    if env_backend:
        keras_backend = env_backend.strip()
        if not names_kbackend(keras_backend):
            values['backend'] = check_backend(env_backend, 'the environment variable KERAS_BACKEND')
            sources['backend'] = 'environment'
    env_engine = environ.get(ENGINE_ENV)
    if env_engine:
        values['backend'] = check_backend(env_engine, 'the environment variable %s' % ENGINE_ENV)
        sources['backend'] = 'environment (%s)' % ENGINE_ENV
    if names_kbackend(values['backend']):
        raise ValueError('Bad backend value: %r (from %s) names kbackend itself; kbackend needs an engine: '
                         'one of %s or an external backend module.'
                         % (values['backend'], sources['backend'], ', '.join(BUILTIN_ENGINES)))
    hosted = bool(keras_backend) and names_kbackend(keras_backend)
    return Resolved(path, values, sources, hosted)


_RESOLVED = None
_RESOLVE_LOCK = threading.Lock()


def configure():
    """Resolves the configuration once per process and applies floatx, epsilon and the data format.
    An engine that is neither built in nor an importable module is a ValueError here (at import)."""
    global _RESOLVED, _FLOATX, _EPSILON, _IMAGE_DATA_FORMAT, _HOSTED
    with _RESOLVE_LOCK:
        if _RESOLVED is None:
            resolved = resolve()
            origin = resolved.sources['backend']
            check_engine(resolved.values['backend'], origin + (' ' + resolved.path if 'file' in origin else ''))
            _FLOATX = resolved.values['floatx']
            _EPSILON = resolved.values['epsilon']
            _IMAGE_DATA_FORMAT = resolved.values['image_data_format']
            _HOSTED = resolved.hosted
            _RESOLVED = resolved
    return _RESOLVED
