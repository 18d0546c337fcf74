"""Imports TensorFlow without letting it import an old Keras.

TensorFlow 2.x's ``__init__`` eagerly imports ``keras.src.optimizers`` (Keras 3) and ignores an
ImportError. When the installed ``keras`` is Keras 2.2.4 (a kbackend user running Keras 2 code), that
import runs Keras 2.2.4's whole package instead: it prints "Using ... backend", loads a Keras backend
(possibly kbackend itself, half imported) and can fail with a ValueError TensorFlow does not catch.
So while kbackend imports TensorFlow, an old, not yet imported Keras is not importable; TensorFlow
then skips its Keras registration as it does when no Keras is installed. Keras 3 is left alone.
"""
import importlib
import importlib.abc
import importlib.util
import os
import sys


class _NoOldKeras(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `keras` where it is (TensorFlow reads its location) but refuses to load it."""

    def find_spec(self, fullname, path, target=None):
        if fullname != 'keras':
            return None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, 'find_spec'):
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    spec.loader = self
                    return spec
        return None

    def create_module(self, spec):
        raise ModuleNotFoundError('kbackend keeps TensorFlow from importing Keras 2 while TensorFlow '
                                  'loads', name=spec.name)

    def exec_module(self, module):  # never reached: create_module refuses
        raise ModuleNotFoundError('Keras 2 is not loaded while TensorFlow loads', name=module.__name__)


def _old_keras_installed():
    if 'keras' in sys.modules:
        return False  # imported already: TensorFlow's import of keras.src then fails by itself
    spec = importlib.util.find_spec('keras')
    if spec is None or not spec.submodule_search_locations:
        return False
    return not any(os.path.isdir(os.path.join(p, 'src')) for p in spec.submodule_search_locations)


def import_tensorflow():
    if 'tensorflow' in sys.modules or not _old_keras_installed():
        return importlib.import_module('tensorflow')
    blocker = _NoOldKeras()
    sys.meta_path.insert(0, blocker)
    try:
        return importlib.import_module('tensorflow')
    finally:
        sys.meta_path.remove(blocker)
