"""Config state and its resolution from keras.json and the environment.

Pure Python and NumPy: importing this module imports no engine. Bad values raise ``ValueError`` naming
the key, the value received, the values allowed and (when it came from a file) the file.
"""
import json
import os
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

_FLOATX = DEFAULTS['floatx']
_EPSILON = DEFAULTS['epsilon']
_IMAGE_DATA_FORMAT = DEFAULTS['image_data_format']


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


# --- the public config functions --------------------------------------------------------------------

def epsilon():
    """Returns the fuzz factor used in numeric expressions (default 1e-07)."""
    return _EPSILON


def set_epsilon(e):
    """Sets the fuzz factor used in numeric expressions; a non-negative finite number."""
    global _EPSILON
    _EPSILON = check_epsilon(e)


def floatx():
    """Returns the default float type as a string: 'float16', 'float32' or 'float64'."""
    return _FLOATX


def set_floatx(floatx):
    """Sets the default float type: 'float16', 'float32' or 'float64'."""
    global _FLOATX
    _FLOATX = check_floatx(floatx)


def cast_to_floatx(x):
    """Casts a NumPy array (or anything np.asarray takes) to the default float type."""
    return np.asarray(x, dtype=_FLOATX)


def image_data_format():
    """Returns the default image data format: 'channels_last' or 'channels_first'."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default image data format: 'channels_last' or 'channels_first'."""
    global _IMAGE_DATA_FORMAT
    _IMAGE_DATA_FORMAT = check_data_format(data_format, key='image_data_format')


def normalize_data_format(value):
    """Returns `value` checked and lower-cased, or the default image data format when it is None."""
    if value is None:
        return _IMAGE_DATA_FORMAT
    if not isinstance(value, str):
        raise ValueError('Bad data_format value: %r; expected one of %s.'
                         % (value, ', '.join(map(repr, DATA_FORMAT_VALUES))))
    return check_data_format(value.lower())


_DIM_ORDERING = {'th': 'channels_first', 'tf': 'channels_last'}


def image_dim_ordering():
    """Legacy: returns 'th' for channels_first and 'tf' for channels_last."""
    return 'th' if _IMAGE_DATA_FORMAT == 'channels_first' else 'tf'


def set_image_dim_ordering(dim_ordering):
    """Legacy: 'th' sets channels_first, 'tf' sets channels_last."""
    global _IMAGE_DATA_FORMAT
    if dim_ordering not in _DIM_ORDERING:
        raise ValueError("Bad dim_ordering value: %r; expected 'th' or 'tf'." % (dim_ordering,))
    _IMAGE_DATA_FORMAT = _DIM_ORDERING[dim_ordering]


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
    """The resolved configuration: `values` and, for each key, where it came from."""

    def __init__(self, path, values, sources):
        self.path = path
        self.values = values
        self.sources = sources

    def __repr__(self):
        return 'Resolved(path=%r, values=%r, sources=%r)' % (self.path, self.values, self.sources)


_CHECKS = {
    'floatx': check_floatx,
    'epsilon': check_epsilon,
    'backend': check_backend,
    'image_data_format': lambda v, source: check_data_format(v, source, key='image_data_format'),
}


def resolve(environ=None):
    """Reads keras.json (writing the defaults if it is missing) and KERAS_BACKEND; applies nothing."""
    environ = os.environ if environ is None else environ
    path = config_path()
    data = read_config_file(path)
    values, sources = dict(DEFAULTS), dict.fromkeys(DEFAULTS, 'default')
    for key, check in _CHECKS.items():
        if key in data:
            values[key] = check(data[key], 'key %r of %s' % (key, path))
            sources[key] = 'file'
    if not os.path.exists(path):
        write_default_config(path, values)
    env_backend = environ.get('KERAS_BACKEND')
    if env_backend:
        values['backend'] = check_backend(env_backend, 'the environment variable KERAS_BACKEND')
        sources['backend'] = 'environment'
    return Resolved(path, values, sources)


_RESOLVED = None
_RESOLVE_LOCK = threading.Lock()


def configure():
    """Resolves the configuration once per process and applies floatx, epsilon and the data format."""
    global _RESOLVED, _FLOATX, _EPSILON, _IMAGE_DATA_FORMAT
    with _RESOLVE_LOCK:
        if _RESOLVED is None:
            resolved = resolve()
            _FLOATX = resolved.values['floatx']
            _EPSILON = resolved.values['epsilon']
            _IMAGE_DATA_FORMAT = resolved.values['image_data_format']
            _RESOLVED = resolved
    return _RESOLVED
