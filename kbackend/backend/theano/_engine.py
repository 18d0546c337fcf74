"""Imports the Theano-API engine: PyTensor, or legacy Theano 1.0.5, with kbackend's workarounds.

``KBACKEND_THEANO=pytensor|theano`` picks one; unset, PyTensor is used when it is importable. Flags the
user has set (PYTENSOR_FLAGS / THEANO_FLAGS, .theanorc) are never overridden; kbackend only adds
defaults that are known to be faster here: the C linker for PyTensor, OpenBLAS when it is installed,
``allow_gc=False`` (set on PyTensor's config when the user imported PyTensor before kbackend loaded it),
and, for Theano 1.0.5 on CPython >= 3.7, scan's Python loop instead of its Cython extension (which
does not compile there).
"""
import ctypes.util
import functools
import importlib
import os
import re
import sys

from .. import common
from ..shared import checks
from ..shared.checks import not_a_tensor_error

IMPL_ENV = 'KBACKEND_THEANO'
IMPLS = ('pytensor', 'theano')


def _user_flags(var):
    text = os.environ.get(var, '')
    for rc in (os.environ.get('THEANORC', ''), os.path.expanduser('~/.theanorc'),
               os.path.expanduser('~/.pytensorrc')):
        if rc and os.path.isfile(rc):
            with open(rc) as f:
                text += '\n' + f.read()
    return text


def _add_flags(var, defaults):
    """Appends each default flag whose name (in either spelling) the user has not set."""
    user = _user_flags(var)
    extra = [flag for flag in defaults
             if flag.split('=')[0].replace('__', '.') not in user.replace('__', '.')]
    if extra:
        current = os.environ.get(var, '')
        os.environ[var] = ','.join([f for f in [current] + extra if f])
    return extra


# allow_gc=False: a compiled function keeps its intermediate arrays between calls instead of freeing
# and allocating them again at every call (what TensorFlow's allocator does too). An LSTM training
# step via K.rnn went from 28.6 to 19.9 ms on PyTensor and 20.1 to 16.7 ms on Theano 1.0.5
# (benchmarks/rnn_step.py); the cost is memory: each function holds its intermediates' last sizes
# (docs/engines.md). PYTENSOR_FLAGS / THEANO_FLAGS=allow_gc=True gives the engines' default back.
_KEEP_INTERMEDIATES = ['allow_gc=False']


def _blas_flag(name):
    return ['%s=-lopenblas' % name] if ctypes.util.find_library('openblas') else ['%s=' % name]


def _import_pytensor():
    imported_before = 'pytensor' in sys.modules
    added = _add_flags('PYTENSOR_FLAGS', ['linker=cvm'] + _KEEP_INTERMEDIATES + _blas_flag('blas__ldflags'))
    pytensor = importlib.import_module('pytensor')
    if imported_before:
        # PyTensor read its flags when the user imported it: set kbackend's defaults on its config
        # (both may change at run time; they apply to the functions compiled from now on).
        for flag in added:
            name, value = flag.split('=', 1)
            setattr(pytensor.config, name, value)
    return pytensor


def _import_legacy_theano():
    _add_flags('THEANO_FLAGS', _KEEP_INTERMEDIATES + _blas_flag('blas.ldflags'))
    if sys.version_info >= (3, 7):
        sys.modules.setdefault('theano.scan_module.scan_perform_ext', None)
    return importlib.import_module('theano')


def _choose():
    wanted = common.check_theano_impl()  # ValueError quoting KBACKEND_THEANO as given
    if wanted == 'theano':
        return 'theano', _import_legacy_theano()
    try:
        return 'pytensor', _import_pytensor()
    except ImportError as e:
        if wanted == 'pytensor' or getattr(e, 'name', None) != 'pytensor':
            raise
    return 'theano', _import_legacy_theano()


IMPL, theano = _choose()
IS_PYTENSOR = IMPL == 'pytensor'
T = importlib.import_module(theano.__name__ + '.tensor')

_CANNOT_CONVERT = re.compile(r'^Cannot convert (.*) to a tensor variable\.$', re.S)


def convert_errors_as_type_errors(namespace):
    """Wraps each contract function in `namespace` (the adapter package's globals, at import) so that
    PyTensor's refusal to make a tensor of None, a string or an object, a NotImplementedError, is the
    TypeError the other engines raise: kbackend keeps NotImplementedError for engine limits (gaps.py).
    Legacy Theano raises TypeError itself. The wrapper costs one call frame when a graph is built;
    a compiled K.function's calls do not pass through it."""
    from .. import api
    for name in api.NAMES:
        fn = namespace.get(name)
        if callable(fn) and not isinstance(fn, type):
            namespace[name] = _converting(fn)


def _converting(fn):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as error:
            found = _CANNOT_CONVERT.match(str(error))
            if found is None:
                raise
        raise not_a_tensor_error(found.group(1), fn.__name__)
    return call


class _LazyModule(object):
    """A module imported on first attribute access. The engine's sparse module imports scipy.sparse
    and numpy.f2py (~150 ms of the engine's first use), and only sparse functions need it; after the
    import the module's names are copied here, so later lookups cost what a module's do."""

    def __init__(self, name):
        self._kb_name = name
        self._kb_module = None

    def _kb_loaded(self):
        """Whether the module has been imported (by kbackend, or by anyone: then it is adopted)."""
        if self._kb_module is None and self._kb_name in sys.modules:
            self._kb_load()
        return self._kb_module is not None

    def _kb_load(self):
        module = self._kb_module
        if module is None:
            module = importlib.import_module(self._kb_name)
            self.__dict__.update(module.__dict__)
            self._kb_module = module
        return module

    def __getattr__(self, name):  # only for names not copied yet
        if name.startswith('_kb_'):
            raise AttributeError(name)
        return getattr(self._kb_load(), name)

    def __repr__(self):
        return '<lazy module %r%s>' % (self._kb_name, '' if self._kb_module is None else ' (loaded)')


sparse = _LazyModule(theano.__name__ + '.sparse')
scan = theano.scan
ifelse = importlib.import_module(theano.__name__ + '.ifelse').ifelse
VERSION = theano.__version__
_MissingInputError = importlib.import_module(
    theano.__name__ + ('.graph.utils' if IS_PYTENSOR else '.gof.fg')).MissingInputError


class UnfedPlaceholders(checks.UnfedPlaceholders, _MissingInputError):
    """kbackend's error for outputs that read placeholders nothing feeds, and the engine's own."""


_REWRITES = set()


def register_specialize(name, op_types, replace):
    """Registers `replace(node)` (new outputs, or None to leave the node) as a rewrite of the
    engine's specialize stage for nodes of `op_types`, under `name` (which
    ``mode.excluding(name)`` leaves out); once per process and name, on either engine."""
    if name in _REWRITES:
        return
    if IS_PYTENSOR:
        from pytensor.graph.rewriting.basic import node_rewriter as rewriter
        from pytensor.tensor.rewriting.basic import register_specialize as register
    else:
        from theano.gof import local_optimizer as rewriter
        from theano.tensor.opt import register_specialize as register

    def rewrite(*args):  # PyTensor passes (fgraph, node), Theano 1.0.5 (node,)
        return replace(args[-1]) or False
    rewrite.__name__ = name
    register(rewriter(list(op_types))(rewrite), name=name)
    _REWRITES.add(name)
