"""The engine-parametrized harness.

Every test that takes the ``K`` fixture runs once per engine, with the engine first in its id
(``test_conv2d[tensorflow-same-channels_first]``). ``KBACKEND_TEST_ENGINES`` (comma-separated) lists
the engines that must be present: a listed engine that fails to import fails its tests. Engines not
listed run when they import and are skipped when they do not.
"""
import os
import tempfile

import pytest

# Importing kbackend.backend resolves keras.json: never the real home directory's.
os.environ['KERAS_HOME'] = tempfile.mkdtemp(prefix='kbackend-test-home-')
os.environ.pop('KERAS_BACKEND', None)
os.environ.pop('KBACKEND_ENGINE', None)


def _own_theano_compiledir():
    """Each pytest-xdist worker compiles legacy Theano's C modules in a folder of its own: two
    workers filling one cold cache at once can trip Theano 1.0.5's cache bookkeeping
    (``assert key not in self.keys`` in cmodule.py, seen on a fresh machine)."""
    worker, flags = os.environ.get('PYTEST_XDIST_WORKER'), os.environ.get('THEANO_FLAGS', '')
    if worker and 'base_compiledir=' in flags:
        os.environ['THEANO_FLAGS'] = ','.join(f + '/' + worker if f.startswith('base_compiledir=') else f
                                              for f in flags.split(','))


_own_theano_compiledir()

from kbackend.backend import loader  # noqa: E402

ENGINES_ENV = 'KBACKEND_TEST_ENGINES'
RUNNABLE_ENGINES = ('tensorflow', 'theano', 'cntk')


def required_engines():
    return [e.strip() for e in os.environ.get(ENGINES_ENV, '').split(',') if e.strip()]


def candidate_engines():
    required = required_engines()
    return required or list(RUNNABLE_ENGINES)


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    if 'K' in metafunc.fixturenames:
        engines = candidate_engines()
        metafunc.parametrize('K', engines, ids=engines, indirect=True)


@pytest.fixture
def K(request):
    engine = request.param
    try:
        return loader.load_engine(engine)
    except loader.EngineNotInstalled as e:
        if engine in required_engines():
            pytest.fail('engine %r is required by %s but does not import: %s'
                        % (engine, ENGINES_ENV, e), pytrace=False)
        pytest.skip('engine %r is not installed' % engine)
