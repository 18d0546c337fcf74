"""Lets Keras 2.2.4 import and run on Python >= 3.10 and NumPy 2: call `enable()` before ``import keras``.

Keras 2.2.4 (2018) relies on things later releases changed:

- ``from collections import Iterable`` (keras/callbacks.py): the abstract base classes left the
  ``collections`` module in Python 3.10; they live in ``collections.abc``;
- ``np.string_`` (keras/utils/io_utils.py, read when ``load_model`` opens an HDF5 file) and
  ``np.Inf`` (keras/callbacks.py: ``EarlyStopping``, ``ModelCheckpoint``, ``ReduceLROnPlateau``):
  NumPy 2 removed them; ``np.bytes_`` and ``np.inf`` are the same objects;
- ``yaml.load(text)`` without a ``Loader`` (``model_from_yaml``): PyYAML 6 requires one; the PyYAML
  of 2018 read everything ``to_yaml`` writes: ``!!python/tuple`` and NumPy arrays in a config;
- h5py 2 returned an HDF5 attribute written as bytes as bytes, and Keras calls ``.decode`` on
  them (``load_model``, ``load_weights``); h5py 3 returns ``str`` (and h5py 2 has no wheels for
  Python >= 3.9);
- ``keras.utils.conv_utils.convert_kernel`` (used when weights saved by Keras's Theano backend are
  loaded by another backend) indexes an array with a list of slices, which NumPy 1.23 removed.

`enable` adds the aliases back where they are missing, gives ``convert_kernel`` a tuple index
(when keras.utils.conv_utils is imported), gives keras.engine.saving a ``yaml.load`` whose
``Loader`` defaults to ``FullLoader`` plus NumPy's array constructors, no other callable (only
there), and makes h5py 3 return ASCII string
attributes (the ones written as bytes) as bytes, and arrays of them as arrays of bytes, as h5py 2
did, and an empty array attribute as an empty bytes array (Keras tests its empty name lists with
``if names:``, which NumPy 2 refuses for a float array); other attributes are untouched.
All of it is process-wide, so kbackend never calls it by itself. It does not make everything of
Keras 2.2.4 work on new releases: see docs/keras.md.
"""
import collections
import collections.abc
import importlib.abc
import sys

import numpy as np

_ABC_NAMES = ('Iterable', 'Mapping', 'MutableMapping', 'Sequence', 'MutableSequence', 'Callable',
              'Set', 'MutableSet', 'Hashable', 'Sized', 'Container', 'Iterator', 'Generator')


def enable():
    """Adds the aliases Keras 2.2.4 needs; returns the names it added."""
    added = []
    for name in _ABC_NAMES:
        if not hasattr(collections, name) and hasattr(collections.abc, name):
            setattr(collections, name, getattr(collections.abc, name))
            added.append('collections.' + name)
    for name, value in (('string_', np.bytes_), ('Inf', np.inf)):
        if not hasattr(np, name):
            setattr(np, name, value)
            added.append('numpy.' + name)
    if _h5py_returns_bytes():
        added.append('h5py attributes written as bytes read as bytes')
    if _after_import('keras.utils.conv_utils', _fix_convert_kernel):
        added.append('keras.utils.conv_utils.convert_kernel indexes with a tuple')
    if _yaml_load_needs_a_loader() and _after_import('keras.engine.saving', _fix_yaml_load):
        added.append('keras.engine.saving reads YAML with FullLoader and NumPy arrays by default')
    return added


def _yaml_load_needs_a_loader():
    try:
        import yaml
    except ImportError:
        return False
    return int(yaml.__version__.split('.')[0]) >= 6


# The NumPy callables `to_yaml` writes for an array or a NumPy scalar in a layer's config (e.g. a
# Constant initializer's value), under NumPy 1's and NumPy 2's module names.
_NUMPY_YAML_CALLABLES = frozenset(
    module + '.' + name for module in ('numpy.core.multiarray', 'numpy._core.multiarray')
    for name in ('_reconstruct', 'scalar')) | {'numpy.dtype'}


def _keras_config_loader(yaml):
    """PyYAML's FullLoader (PyYAML 5's default) that also rebuilds NumPy arrays and scalars, as
    Keras 2.2.4 with the PyYAML of its time did; any other Python callable is still refused."""
    class KerasConfigLoader(yaml.FullLoader):
        def make_python_instance(self, suffix, node, args=None, kwds=None, newobj=False, unsafe=False):
            unsafe = unsafe or suffix in _NUMPY_YAML_CALLABLES
            return super(KerasConfigLoader, self).make_python_instance(suffix, node, args, kwds, newobj,
                                                                      unsafe)

    def numpy_apply(loader, suffix, node):
        if suffix not in _NUMPY_YAML_CALLABLES:
            raise yaml.constructor.ConstructorError(
                None, None, 'a Keras model config calls only NumPy array constructors; received '
                'python/object/apply:%s' % suffix, node.start_mark)
        return loader.construct_python_object_apply(suffix, node)

    KerasConfigLoader.add_multi_constructor('tag:yaml.org,2002:python/object/apply:', numpy_apply)
    return KerasConfigLoader


class _YamlWithDefaultLoader(object):
    """The yaml module as keras.engine.saving sees it: `load` without a Loader uses FullLoader plus
    NumPy arrays (see _keras_config_loader)."""

    def __init__(self, yaml):
        self._yaml = yaml
        self._loader = _keras_config_loader(yaml)

    def __getattr__(self, name):
        return getattr(self._yaml, name)

    def load(self, stream, Loader=None):
        return self._yaml.load(stream, Loader=Loader or self._loader)


def _fix_yaml_load(saving):
    saving.yaml = _YamlWithDefaultLoader(saving.yaml)


def _fix_convert_kernel(conv_utils):
    def convert_kernel(kernel):
        kernel = np.asarray(kernel)
        if not 3 <= kernel.ndim <= 5:
            raise ValueError('Invalid kernel shape:', kernel.shape)
        # Flip the spatial axes, not the two channel axes (Keras's rule), with a tuple index.
        return np.copy(kernel[(slice(None, None, -1),) * (kernel.ndim - 2) + (slice(None),) * 2])
    convert_kernel.__doc__ = conv_utils.convert_kernel.__doc__
    conv_utils.convert_kernel = convert_kernel


class _PatchAfterImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Runs patch(module) right after module `name` is first imported (then leaves sys.meta_path)."""

    def __init__(self, name, patch):
        self.name, self.patch, self.loader = name, patch, None

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name or self.loader is not None:
            return None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, 'find_spec'):
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    self.loader, spec.loader = spec.loader, self
                    return spec
        return None

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        sys.meta_path.remove(self)
        self.loader.exec_module(module)
        self.patch(module)


def _after_import(name, patch):
    """patch(module) now if `name` is imported already, else right after its import; False if that
    is arranged already."""
    if any(isinstance(f, _PatchAfterImport) and f.name == name for f in sys.meta_path):
        return False
    module = sys.modules.get(name)
    if module is not None:
        if getattr(module, '_kbackend_patched', False):
            return False
        patch(module)
    else:
        sys.meta_path.insert(0, _PatchAfterImport(name, lambda m: (patch(m), setattr(m, '_kbackend_patched', True))))
        return True
    module._kbackend_patched = True
    return True


def _h5py_returns_bytes():
    """h5py >= 3: an ASCII string attribute (one written as bytes) is read back as bytes."""
    try:
        import h5py
    except ImportError:
        return False
    manager = h5py.AttributeManager
    if int(h5py.__version__.split('.')[0]) < 3 or getattr(manager, '_kbackend_bytes', False):
        return False
    read = manager.__getitem__

    def getitem(self, name):
        value = read(self, name)
        if isinstance(value, np.ndarray) and value.size == 0 and value.dtype.kind != 'S':
            # Keras writes empty name lists; it tests them with `if names:`, which NumPy 2 refuses
            # for an empty float array (NumPy 1 said False): an empty bytes array becomes [].
            return np.array([], dtype='S1')
        if isinstance(value, str) or (isinstance(value, np.ndarray) and value.dtype == object):
            info = h5py.check_string_dtype(self.get_id(name).dtype)
            if info is not None and info.encoding == 'ascii':
                if isinstance(value, str):
                    return value.encode('ascii')
                # h5py 2 gave an array of bytes (dtype 'S'), which Keras turns into a list
                return np.array([v.encode('ascii') if isinstance(v, str) else v
                                 for v in value.ravel()]).reshape(value.shape)
        return value
    manager.__getitem__ = getitem
    manager._kbackend_bytes = True
    return True
