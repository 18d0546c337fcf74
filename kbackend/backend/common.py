"""Config state and its resolution from keras.json and the environment.

Pure Python and NumPy: importing this module imports no engine. Bad values raise ``ValueError`` naming
the key, the value received, the values allowed and (when it came from a file) the file.
"""
import binascii
import difflib
import errno
import importlib.util
import json
import os
import stat
import sys
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


def environ_value(environ, name):
    """The value of an environment variable, or None when it is unset, empty or blank (all three
    mean "not set")."""
    value = environ.get(name)
    return value if value and value.strip() else None


THEANO_IMPL_ENV = 'KBACKEND_THEANO'
THEANO_IMPLS = ('pytensor', 'theano')


def check_theano_impl(environ=None):
    """KBACKEND_THEANO lower-cased and stripped ('' when unset or blank: PyTensor when importable,
    else Theano 1.0.5); ValueError quoting the value as given when it names neither."""
    environ = os.environ if environ is None else environ
    given = environ.get(THEANO_IMPL_ENV, '')
    wanted = given.strip().lower()
    if wanted and wanted not in THEANO_IMPLS:
        raise ValueError('Bad %s value: %r (from the environment); expected one of %s, or unset.'
                         % (THEANO_IMPL_ENV, given, ', '.join(THEANO_IMPLS)))
    return wanted


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


class ConfigWarning(UserWarning):
    """A keras.json that cannot be used: the defaults are used and the file is left as it is."""


_NONBLOCK = getattr(os, 'O_NONBLOCK', 0)  # opening a FIFO for reading must not wait for a writer
_CLOEXEC = getattr(os, 'O_CLOEXEC', 0)


def _not_a_directory(path):
    """The nearest existing ancestor of `path` that is not a directory (for ENOTDIR), or None."""
    parent = os.path.dirname(path)
    while parent and parent != os.path.dirname(parent):
        if os.path.lexists(parent):
            return None if os.path.isdir(parent) else parent
        parent = os.path.dirname(parent)
    return None


def _describe_missing(path, error):
    """Why `path` cannot be looked at (os.stat failed with `error`), or None when it simply does not
    exist (and may be created)."""
    if isinstance(error, FileNotFoundError) or error.errno == errno.ENOENT:
        if os.path.islink(path):
            try:
                target = os.readlink(path)
            except OSError:
                target = '?'
            return ('is a symbolic link to %r, which does not exist; kbackend does not create a file '
                    'through a link' % target)
        return None
    if error.errno == errno.ENOTDIR:
        culprit = _not_a_directory(path)
        hint = ' (KERAS_HOME is %r)' % os.environ['KERAS_HOME'] if os.environ.get('KERAS_HOME') else ''
        return 'cannot be read: %s is a file, not a directory%s' % (culprit or 'a parent', hint)
    if error.errno == errno.ELOOP:
        return 'is a loop of symbolic links'
    return 'cannot be read (%s)' % (error.strerror or error)


def _read_regular_file(path):
    """(bytes, None) for a regular file, or (None, the reason it cannot be used). Only regular files
    are read: a FIFO, socket or device is never opened for reading in a way that could block."""
    try:
        st = os.stat(path)
    except OSError as e:
        return None, _describe_missing(path, e)
    if stat.S_ISDIR(st.st_mode):
        return None, 'is a directory, not a file'
    if not stat.S_ISREG(st.st_mode):
        return None, 'is not a regular file (a FIFO, socket or device); kbackend reads only regular files'
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    except OSError as e:
        return None, 'cannot be read (%s)' % (e.strerror or e)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between stat and open
            return None, 'is not a regular file; kbackend reads only regular files'
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        return b''.join(chunks), None
    except OSError as e:
        return None, 'cannot be read (%s)' % (e.strerror or e)
    finally:
        os.close(fd)


def _warn(path, problem):
    warnings.warn('%s %s; using the default configuration. The file was left unchanged.' % (path, problem),
                  ConfigWarning, stacklevel=4)


def load_config_file(path):
    """(data, problem): the dict in `path`, or {} and why it cannot be used (also given as a
    ConfigWarning naming the file). problem is None when the file is fine or does not exist: test
    os.path.lexists to tell them apart. The file is never changed."""
    raw, problem = _read_regular_file(path)
    if raw is None:
        if problem is not None:
            _warn(path, problem)
        return {}, problem
    try:
        text = raw.decode('utf-8-sig')  # UTF-8, with or without a byte-order mark
    except UnicodeDecodeError as e:
        problem = 'is not valid JSON (it is not UTF-8 text: %s)' % e
    else:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as e:
            problem = 'is not valid JSON (%s)' % e
        else:
            if isinstance(data, dict):
                return data, None
            problem = 'does not hold a JSON object'
    _warn(path, problem)
    return {}, problem


def read_config_file(path):
    """The dict in `path`; {} with a warning naming the file when it cannot be used (the file is left
    as it is); {} without one when it does not exist."""
    return load_config_file(path)[0]


def _create_exclusive(directory):
    """A new temporary file in `directory`, created with mode 0666 less the umask (as any config file,
    unlike tempfile.mkstemp's 0600): (fd, path)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC
    for _ in range(100):
        suffix = binascii.hexlify(os.urandom(6)).decode('ascii')
        tmp = os.path.join(directory, '.keras.json.%d.%s' % (os.getpid(), suffix))
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, 'no free temporary name', directory)


def write_default_config(path, values):
    """Writes `values` to `path` atomically unless something exists there (a file, a directory, a
    link, dangling or not); errors (a read-only disk) are ignored."""
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return
    if os.path.lexists(path):
        return
    try:
        fd, tmp = _create_exclusive(directory)
    except OSError:
        return
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(values, f, indent=4)
            f.write('\n')
        # os.link never replaces anything (not even a dangling link): if another process won the
        # race, its finished file stays. Where hard links are not supported, rename instead.
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:
            if not os.path.lexists(path):
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
    Keras 2.2.4 is set to use kbackend as its backend; `file_problem` when keras.json could not be used."""

    def __init__(self, path, values, sources, hosted=False, file_problem=None, file_data=None):
        self.path = path
        self.values = values
        self.sources = sources
        self.hosted = hosted
        self.file_problem = file_problem  # why keras.json was not used (also warned), or None
        self.file_data = {} if file_data is None else file_data  # what keras.json holds, as read

    def __repr__(self):
        return 'Resolved(path=%r, values=%r, sources=%r, hosted=%r, file_problem=%r)' % (
            self.path, self.values, self.sources, self.hosted, self.file_problem)


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
    KERAS_BACKEND (unless it names kbackend); KBACKEND_ENGINE. An environment variable that is
    empty or blank counts as not set. A keras.json that cannot be used (not a regular file, unreadable,
    not UTF-8 JSON, a dangling link) gives a ConfigWarning naming it and is left as it is.
    """
    environ = os.environ if environ is None else environ
    path = config_path()
    data, file_problem = load_config_file(path)
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
    if file_problem is None and not os.path.lexists(path):
        write_default_config(path, values)
    keras_backend = data.get('backend') if isinstance(data.get('backend'), str) else None
    env_backend = environ_value(environ, 'KERAS_BACKEND')
    if env_backend:
        keras_backend = env_backend.strip()
        if not names_kbackend(keras_backend):
            values['backend'] = check_backend(env_backend, 'the environment variable KERAS_BACKEND')
            sources['backend'] = 'environment'
    env_engine = environ_value(environ, ENGINE_ENV)
    if env_engine:
        values['backend'] = check_backend(env_engine, 'the environment variable %s' % ENGINE_ENV)
        sources['backend'] = 'environment (%s)' % ENGINE_ENV
    if names_kbackend(values['backend']):
        raise ValueError('Bad backend value: %r (from %s) names kbackend itself; kbackend needs an engine: '
                         'one of %s or an external backend module.'
                         % (values['backend'], sources['backend'], ', '.join(BUILTIN_ENGINES)))
    hosted = bool(keras_backend) and names_kbackend(keras_backend)
    return Resolved(path, values, sources, hosted, file_problem, data)


_RESOLVED = None
_RESOLVE_LOCK = threading.Lock()


def configure():
    """Resolves the configuration once per process and applies floatx, epsilon and the data format.
    An engine that is neither built in nor an importable module, or (for the theano engine) a bad
    KBACKEND_THEANO, is a ValueError here (at import), before any engine is imported."""
    global _RESOLVED, _FLOATX, _EPSILON, _IMAGE_DATA_FORMAT, _HOSTED
    with _RESOLVE_LOCK:
        if _RESOLVED is None:
            resolved = resolve()
            origin = resolved.sources['backend']
            check_engine(resolved.values['backend'], origin + (' ' + resolved.path if 'file' in origin else ''))
            if resolved.values['backend'] == 'theano':
                check_theano_impl()
            _FLOATX = resolved.values['floatx']
            _EPSILON = resolved.values['epsilon']
            _IMAGE_DATA_FORMAT = resolved.values['image_data_format']
            _HOSTED = resolved.hosted
            _RESOLVED = resolved
    return _RESOLVED
