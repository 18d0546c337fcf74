"""First-run experience: importing kbackend and loading an engine print nothing (TensorFlow's C++
start-up lines are held back unless the user set TF_CPP_MIN_LOG_LEVEL), and a missing or unknown
engine is one clear error without a chained traceback."""
import contextlib
import os
import re
import subprocess
import sys
import textwrap

import pytest

from kbackend.backend import loader


def run(code, tmp_path, unset=(), **env):
    """Runs `code` (or, for a list, those interpreter arguments) in a fresh Python."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ('KERAS_BACKEND', 'KBACKEND_ENGINE') + tuple(unset)}
    environ.update(env, KERAS_HOME=str(tmp_path / 'kh'))
    args = code if isinstance(code, list) else ['-c', textwrap.dedent(code)]
    return subprocess.run([sys.executable] + args, env=environ, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=600)


LOAD_AND_RUN = """
    import os
    from kbackend import backend as K
    x = K.placeholder(shape=(None, 2))
    f = K.function([x], [K.sum(x * 2)])
    print(f([[[1.0, 2.0]]])[0], K.eval(K.variable(1.0) + 1))
    print(os.environ.get('TF_CPP_MIN_LOG_LEVEL'))
"""


COMPILE_NOTICE = re.compile(r'kbackend: (PyTensor|Theano) is compiling C code for a new function; ')


def test_importing_and_loading_an_engine_print_nothing(K, tmp_path):
    proc = run(LOAD_AND_RUN, tmp_path, unset=('TF_CPP_MIN_LOG_LEVEL',), KERAS_BACKEND=K.backend())
    assert proc.returncode == 0, proc.stderr
    # Only the notice of a slow first compile (a cold C cache on the Theano engines) may appear.
    assert [line for line in proc.stderr.splitlines() if not COMPILE_NOTICE.match(line)] == []
    lines = proc.stdout.splitlines()
    assert lines[0] == '6.0 2.0'
    if K.backend() == 'tensorflow':
        assert lines[1] == '1'  # kbackend's default: TensorFlow's INFO lines off


def test_a_users_tf_log_level_is_left_alone(K, tmp_path):
    if K.backend() != 'tensorflow':
        pytest.skip('TensorFlow only')
    proc = run(LOAD_AND_RUN, tmp_path, KERAS_BACKEND='tensorflow', TF_CPP_MIN_LOG_LEVEL='0')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == '0'


@pytest.fixture
def quiet_startup(monkeypatch):
    pytest.importorskip('tensorflow')
    from kbackend.backend.tensorflow._import import quiet_startup
    monkeypatch.delenv('TF_CPP_MIN_LOG_LEVEL', raising=False)
    monkeypatch.delitem(sys.modules, 'tensorflow')  # as before TensorFlow's first import
    return quiet_startup


NOISE = (b'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n'
         b'I0000 00:00:1796175238.834657   13618 port.cc:153] oneDNN custom operations are on. You may '
         b'see slightly different numerical results.\n'
         b'I0000 00:00:1796175238.871020   13618 cpu_feature_guard.cc:227] This TensorFlow binary is '
         b'optimized to use available CPU instructions in performance-critical operations.\n'
         b'To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow.\n')
OTHER = (b'W0000 00:00:1796175238.9 13618 some.cc:1] a warning the user should see\n'
         b'something else on stderr\n')


def test_startup_lines_are_dropped_and_everything_else_is_kept(quiet_startup, capfd):
    with quiet_startup():
        os.write(2, NOISE + OTHER)
        assert os.environ['TF_CPP_MIN_LOG_LEVEL'] == '1'
    assert capfd.readouterr().err == OTHER.decode()


def test_everything_is_kept_when_the_import_fails(quiet_startup, capfd):
    with pytest.raises(ImportError):
        with quiet_startup():
            os.write(2, NOISE)
            raise ImportError('no tensorflow')
    assert capfd.readouterr().err == NOISE.decode()


def test_nothing_is_captured_when_the_user_set_the_level(quiet_startup, monkeypatch, capfd):
    monkeypatch.setenv('TF_CPP_MIN_LOG_LEVEL', '2')
    with quiet_startup():
        os.write(2, NOISE)
    assert capfd.readouterr().err == NOISE.decode()
    assert os.environ['TF_CPP_MIN_LOG_LEVEL'] == '2'


def _missing_engine():
    import importlib.util
    for engine, modules in sorted(loader.ENGINE_MODULES.items()):
        if not any(importlib.util.find_spec(m) for m in modules):
            return engine
    pytest.skip('every engine is installed in this environment')


def test_a_missing_engine_is_one_error_without_a_chained_traceback(tmp_path):
    engine = _missing_engine()
    proc = run('from kbackend import backend as K; K.variable(1.0)', tmp_path, KERAS_BACKEND=engine)
    assert proc.returncode == 1
    assert 'During handling of the above exception' not in proc.stderr
    assert 'direct cause of the following exception' not in proc.stderr
    assert proc.stderr.count('Traceback') == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('kbackend.backend.loader.EngineNotInstalled: kbackend cannot use the %r engine' % engine)
    proc = run(['-m', 'kbackend'], tmp_path, KERAS_BACKEND=engine)
    assert proc.returncode == 1 and proc.stderr == ''
    assert proc.stdout.splitlines()[-1].startswith('engine: not importable: kbackend cannot use the')


def test_an_unknown_engine_is_one_error_naming_the_valid_ones(tmp_path):
    proc = run('import kbackend.backend', tmp_path, KERAS_BACKEND='bogus')
    assert proc.returncode == 1
    assert proc.stderr.count('Traceback') == 1 and 'During handling' not in proc.stderr
    assert 'tensorflow, theano, cntk' in proc.stderr.strip().splitlines()[-1]
    proc = run('import kbackend.backend', tmp_path / 'x', KERAS_BACKEND='no_such_module_here',
               PYTHONPATH=str(tmp_path))
    assert proc.stderr.count('Traceback') == 1


def test_an_external_backend_that_fails_to_import_is_one_error(tmp_path):
    (tmp_path / 'brokenbackend.py').write_text('import no_such_dependency_xyz\n')
    proc = run('from kbackend import backend as K; K.variable', tmp_path, KERAS_BACKEND='brokenbackend',
               PYTHONPATH=str(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr.count('Traceback') == 1 and 'During handling' not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('ValueError: Unable to import backend : brokenbackend') and 'no_such_dependency_xyz' in last


def test_a_slow_step_logs_one_notice_and_a_quick_one_nothing(caplog):
    import time
    from kbackend.backend.shared.notice import slow_step_notice
    with caplog.at_level('WARNING', logger='kbackend'):
        with slow_step_notice('compiling the quick one', delay=30):
            pass
        with slow_step_notice('compiling the slow one', delay=0.01):
            deadline = time.time() + 30
            while not caplog.records and time.time() < deadline:  # the timer thread logs meanwhile
                time.sleep(0.01)
        time.sleep(0.05)
    assert [r.getMessage() for r in caplog.records] == ['kbackend: compiling the slow one']


def test_a_theano_compile_runs_under_the_slow_step_notice(K, monkeypatch):
    if K.backend() != 'theano':
        pytest.skip('the Theano engines compile C code in K.function')
    from kbackend.backend.theano import core
    seen = []

    @contextlib.contextmanager
    def recording(message, delay=None):
        seen.append(message)
        yield
    monkeypatch.setattr(core, 'slow_step_notice', recording)
    x = K.placeholder(shape=(None, 2))
    f = K.function([x], [K.sum(x * 3)])
    assert f([[[1.0, 2.0]]])[0] == 9.0
    assert len(seen) == 1 and COMPILE_NOTICE.match('kbackend: ' + seen[0]), seen
    assert str(core.theano.config.compiledir) in seen[0]
