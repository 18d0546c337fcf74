"""Composite ops written once, on top of the K.* functions of whichever engine uses them.

Each module here (named after an op family) uses a module-level ``K`` that it never imports: `bind`
loads a fresh copy of the module per engine with ``K`` set to that engine's adapter package, so the
same source serves every engine, with no extra call layer. An adapter that defines a name natively
(a faster engine kernel) keeps its own; `install` adds only the composites it lacks.
"""
import functools
import importlib.util
import inspect
import os
import sys

from .feeds import describe

FAMILIES = ('core', 'math', 'array', 'nn', 'conv', 'control', 'random')


def bind(family, engine):
    """A fresh copy of shared/<family>.py whose global ``K`` is the module `engine`."""
    path = os.path.join(os.path.dirname(__file__), family + '.py')
    name = '%s._shared_%s' % (engine.__name__, family)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    module.K = engine
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def install(engine_globals):
    """Adds to an adapter package's globals every shared composite it does not define natively, then
    checks the `name` argument of the contract functions that take one (`_checking_name`; name_scope
    checks its own, which must also be non-empty)."""
    engine = sys.modules[engine_globals['__name__']]
    for family in FAMILIES:
        if not os.path.exists(os.path.join(os.path.dirname(__file__), family + '.py')):
            continue
        module = bind(family, engine)
        for name in module.__all__:
            engine_globals.setdefault(name, getattr(module, name))
    from .. import api
    for name in api.NAMES:
        parameters = list(inspect.signature(getattr(api, name)).parameters)
        if 'name' in parameters and name != 'name_scope' and callable(engine_globals.get(name)):
            engine_globals[name] = _checking_name(engine_globals[name], parameters.index('name'))


def _checking_name(fn, position):
    """fn, refusing a `name` (keyword or positional) that is neither None nor a string: each engine
    failed its own way (an AttributeError or a TensorFlow graph error on TensorFlow, CNTK's SWIG
    TypeError), or kept it silently (the Theano engines). One call frame when a graph is built."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        name = args[position] if len(args) > position else kwargs.get('name')
        if name is not None and not isinstance(name, str):
            raise TypeError('%s: expected name to be a string or None; received %s.'
                            % (fn.__name__, describe(name)))
        return fn(*args, **kwargs)
    return call
