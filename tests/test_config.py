"""The config layer: keras.json, KERAS_BACKEND, validation, and what importing does (in subprocesses)."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from kbackend.backend import common

ENGINE_MODULES = ('tensorflow', 'pytensor', 'theano', 'cntk')


def run_python(code, keras_home, backend=None, extra_env=None, check=True):
    env = {k: v for k, v in os.environ.items() if k not in ('KERAS_BACKEND', 'KERAS_HOME')}
    env['KERAS_HOME'] = str(keras_home)
    if backend is not None:
        env['KERAS_BACKEND'] = backend
    env.update(extra_env or {})
    proc = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError('subprocess failed:\n%s\n%s' % (proc.stdout, proc.stderr))
    return proc


def write_config(home, data):
    home.mkdir(parents=True, exist_ok=True)
    path = home / 'keras.json'
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


RESOLVE = """
from kbackend.backend import common
r = common.configure()
print(repr(r.values)); print(repr(r.sources))
"""


def resolve_in_subprocess(home, backend=None):
    out = run_python(RESOLVE, home, backend).stdout.splitlines()
    return eval(out[0]), eval(out[1])


# --- keras.json ------------------------------------------------------------------------------------

def test_missing_file_is_written_with_the_defaults(tmp_path):
    home = tmp_path / 'kh'
    values, sources = resolve_in_subprocess(home)
    assert values == common.DEFAULTS
    assert set(sources.values()) == {'default'}
    assert json.loads((home / 'keras.json').read_text()) == common.DEFAULTS


def test_file_values_are_applied(tmp_path):
    home = tmp_path / 'kh'
    write_config(home, {'floatx': 'float64', 'epsilon': 1e-4, 'backend': 'theano',
                        'image_data_format': 'channels_first'})
    proc = run_python("""
        from kbackend.backend import common
        common.configure()
        print(common.floatx(), common.epsilon(), common.image_data_format())
        """, home)
    assert proc.stdout.split() == ['float64', '0.0001', 'channels_first']
    values, sources = resolve_in_subprocess(home)
    assert values['backend'] == 'theano' and sources['backend'] == 'file'


def test_env_var_overrides_the_file_and_is_never_written_back(tmp_path):
    home = tmp_path / 'kh'
    values, sources = resolve_in_subprocess(home, backend='theano')
    assert values['backend'] == 'theano' and sources['backend'] == 'environment'
    assert json.loads((home / 'keras.json').read_text())['backend'] == 'tensorflow'
    write_config(home, {'backend': 'tensorflow'})
    values, sources = resolve_in_subprocess(home, backend='cntk')
    assert values['backend'] == 'cntk'
    assert json.loads((home / 'keras.json').read_text()) == {'backend': 'tensorflow'}


def test_invalid_json_warns_uses_defaults_and_leaves_the_file(tmp_path):
    home = tmp_path / 'kh'
    path = write_config(home, '{"floatx": "float64",,,')
    proc = run_python(RESOLVE, home)
    assert eval(proc.stdout.splitlines()[0]) == common.DEFAULTS
    assert str(path) in proc.stderr and 'not valid JSON' in proc.stderr
    assert path.read_text() == '{"floatx": "float64",,,'


@pytest.mark.parametrize('key, value, allowed', [
    ('floatx', 'float8', 'float16, float32, float64'),
    ('epsilon', 'small', 'non-negative number'),
    ('image_data_format', 'channels_middle', "'channels_last', 'channels_first'"),
    ('backend', '', 'tensorflow, theano, cntk'),
])
def test_bad_value_names_key_value_allowed_and_file(tmp_path, key, value, allowed):
    home = tmp_path / 'kh'
    path = write_config(home, {key: value})
    proc = run_python(RESOLVE, home, check=False)
    assert proc.returncode != 0
    message = proc.stderr.strip().splitlines()[-1]
    assert message.startswith('ValueError')
    for part in (repr(key), repr(value), allowed, str(path)):
        assert part in message, '%r not in %r' % (part, message)


def test_unknown_keys_are_kept_and_ignored(tmp_path):
    home = tmp_path / 'kh'
    data = {'floatx': 'float16', 'keras3_only_setting': [1, 2], 'backend': 'jax'}
    path = write_config(home, data)
    values, _ = resolve_in_subprocess(home, backend='tensorflow')
    assert values['floatx'] == 'float16'
    assert json.loads(path.read_text()) == data


def test_concurrent_first_runs_never_tear_the_file(tmp_path):
    home = tmp_path / 'kh'
    code = 'from kbackend.backend import common; common.configure()'
    env = {k: v for k, v in os.environ.items() if k != 'KERAS_BACKEND'}
    env['KERAS_HOME'] = str(home)
    procs = [subprocess.Popen([sys.executable, '-c', code], env=env) for _ in range(8)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert json.loads((home / 'keras.json').read_text()) == common.DEFAULTS
    assert [p.name for p in home.iterdir()] == ['keras.json']


def test_unwritable_home_falls_back_to_tmp(monkeypatch, tmp_path):
    monkeypatch.delenv('KERAS_HOME', raising=False)
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setattr(os, 'access', lambda path, mode: False)
    assert common.config_dir() == os.path.join('/tmp', '.keras')
    monkeypatch.setattr(os, 'access', lambda path, mode: True)
    assert common.config_dir() == str(tmp_path / '.keras')
    monkeypatch.setenv('KERAS_HOME', str(tmp_path / 'elsewhere'))
    assert common.config_dir() == str(tmp_path / 'elsewhere')


# --- the config functions --------------------------------------------------------------------------

@pytest.fixture
def restore_config():
    saved = common.floatx(), common.epsilon(), common.image_data_format()
    yield
    common.set_floatx(saved[0]), common.set_epsilon(saved[1]), common.set_image_data_format(saved[2])


def test_setters_and_getters(restore_config):
    common.set_floatx('float16')
    assert common.floatx() == 'float16'
    assert common.cast_to_floatx([1, 2]).dtype == 'float16'
    common.set_epsilon(1e-3)
    assert common.epsilon() == 1e-3
    common.set_image_data_format('channels_first')
    assert common.image_data_format() == 'channels_first'
    assert common.image_dim_ordering() == 'th'
    common.set_image_dim_ordering('tf')
    assert common.image_data_format() == 'channels_last'
    assert common.normalize_data_format(None) == 'channels_last'
    assert common.normalize_data_format('Channels_First') == 'channels_first'


@pytest.mark.parametrize('setter, value, expected', [
    ('set_floatx', 'float8', 'float16, float32, float64'),
    ('set_floatx', None, 'float16, float32, float64'),
    ('set_epsilon', 'small', 'non-negative'),
    ('set_epsilon', -1.0, 'non-negative'),
    ('set_image_data_format', 'channels_middle', 'channels_first'),
    ('normalize_data_format', 'channels_middle', 'channels_first'),
    ('normalize_data_format', 3, 'channels_last'),
    ('set_image_dim_ordering', 'xy', "'th' or 'tf'"),
])
def test_bad_values_raise_value_error(restore_config, setter, value, expected):
    with pytest.raises(ValueError) as info:
        getattr(common, setter)(value)
    assert repr(value) in str(info.value) and expected in str(info.value)


def test_config_module_uses_no_assert():
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(common))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]


# --- importing ---------------------------------------------------------------------------------------

def test_importing_kbackend_imports_no_engine(tmp_path):
    proc = run_python("""
        import sys
        import kbackend, kbackend.backend.common, kbackend.backend.api, kbackend.backend.loader
        from kbackend import backend as K
        K.floatx(), K.epsilon(), K.backend(), K.set_image_data_format('channels_last')
        print(sorted(m for m in %r if m in sys.modules))
        """ % (ENGINE_MODULES,), tmp_path)
    assert proc.stdout.strip() == '[]'
    assert proc.stderr == ''


def test_only_the_chosen_engine_is_imported_and_nothing_is_printed(K, tmp_path):
    engine = K.backend()
    proc = run_python("""
        import sys
        from kbackend import backend as K
        K.placeholder
        print(K.backend()); print(sorted(m for m in %r if m in sys.modules))
        """ % (ENGINE_MODULES,), tmp_path, backend=engine)
    name, imported = proc.stdout.splitlines()
    assert name == engine
    assert len(eval(imported)) == 1 and eval(imported)[0] in {'tensorflow': ('tensorflow',),
                                                             'theano': ('pytensor', 'theano'),
                                                             'cntk': ('cntk',)}[engine]
    assert 'Using' not in proc.stderr


def _missing_engine():
    import importlib.util
    from kbackend.backend import loader
    for engine, modules in sorted(loader.ENGINE_MODULES.items()):
        if not any(importlib.util.find_spec(m) for m in modules):
            return engine
    pytest.skip('every engine is installed in this environment')


def test_engine_not_installed_names_engine_extra_and_alternative(tmp_path):
    engine = _missing_engine()
    proc = run_python('from kbackend import backend as K; K.variable', tmp_path, backend=engine,
                      check=False)
    assert proc.returncode != 0
    message = proc.stderr.strip().splitlines()[-1]
    assert 'EngineNotInstalled' in message
    for part in ("'%s'" % engine, 'kbackend[%s' % engine, 'KERAS_BACKEND'):
        assert part in message


EXTERNAL = '''
def placeholder(shape=None): return ('placeholder', shape)
def variable(value): return ('variable', value)
def function(inputs, outputs): return ('function', inputs, outputs)
def epsilon(): return 'shadowed'
def extra(): return 42
'''


def test_external_backend_module(tmp_path):
    (tmp_path / 'mybackend.py').write_text(EXTERNAL)
    proc = run_python("""
        from kbackend import backend as K
        print(K.backend(), K.variable(3), K.extra(), K.epsilon())
        """, tmp_path / 'kh', backend='mybackend', extra_env={'PYTHONPATH': str(tmp_path)})
    assert proc.stdout.split() == ['mybackend', "('variable',", '3)', '42', '1e-07']


def test_external_backend_missing_entry_and_missing_module(tmp_path):
    (tmp_path / 'halfbackend.py').write_text('def placeholder(): pass\ndef variable(): pass\n')
    env = {'PYTHONPATH': str(tmp_path)}
    proc = run_python('from kbackend import backend as K; K.variable', tmp_path / 'kh',
                      'halfbackend', env, check=False)
    assert 'ValueError' in proc.stderr and 'Missing required entry : function' in proc.stderr
    proc = run_python('import kbackend.backend', tmp_path / 'kh', 'nosuchbackend', env, check=False)
    message = proc.stderr.strip().splitlines()[-1]  # at import, before any engine is imported
    assert message.startswith('ValueError: Unknown backend') and 'nosuchbackend' in message
    assert 'tensorflow, theano, cntk' in message


@pytest.mark.parametrize('name, hint', [('TensorFlow', "did you mean 'tensorflow'"), ('theanno', 'theano'),
                                        ('', None)], ids=['capitalised', 'misspelled', 'empty'])
def test_unknown_engine_name_fails_at_import_listing_the_valid_names(tmp_path, name, hint):
    proc = run_python("""
        import sys
        try:
            import kbackend.backend
        except ValueError as e:
            print(e)
        print(sorted(m for m in %r if m in sys.modules))
        """ % (ENGINE_MODULES,), tmp_path / 'kh', extra_env={'KBACKEND_ENGINE': name or ' '})
    lines = proc.stdout.splitlines()
    assert lines[-1] == '[]'  # no engine was imported
    assert 'tensorflow, theano, cntk' in lines[0] and (hint is None or hint in lines[0])


def test_engine_precedence(tmp_path):
    home = tmp_path / 'kh'
    write_config(home, {'backend': 'theano', 'kbackend_engine': 'cntk'})
    values, sources = resolve_in_subprocess(home)
    assert values['backend'] == 'cntk' and sources['backend'] == 'file (kbackend_engine)'
    values, sources = resolve_in_subprocess(home, backend='tensorflow')
    assert values['backend'] == 'tensorflow' and sources['backend'] == 'environment'
    write_config(home, {'backend': 'kbackend'})  # Keras uses kbackend; kbackend's engine: the default
    values, sources = resolve_in_subprocess(home)
    assert values['backend'] == 'tensorflow' and sources['backend'] == 'default'
    for keras_backend in ('kbackend', 'kbackend.backend'):  # never a recursion into kbackend itself
        values, sources = resolve_in_subprocess(home, backend=keras_backend)
        assert values['backend'] == 'tensorflow' and sources['backend'] == 'default'
    proc = run_python(RESOLVE, home, 'kbackend', extra_env={'KBACKEND_ENGINE': 'theano'})
    assert eval(proc.stdout.splitlines()[0])['backend'] == 'theano'
    assert "environment (KBACKEND_ENGINE)" in proc.stdout


def test_keras_setting_fills_the_package_with_forwarders_without_importing_an_engine(tmp_path):
    proc = run_python("""
        import sys
        import kbackend
        print('placeholder' in kbackend.__dict__, 'dot' in kbackend.__dict__)
        print(sorted(m for m in %r if m in sys.modules))
        """ % (ENGINE_MODULES,), tmp_path / 'kh', backend='kbackend')
    assert proc.stdout.split('\n')[:2] == ['True True', '[]']
    proc = run_python("import kbackend; print('placeholder' in kbackend.__dict__)", tmp_path / 'kh2')
    assert proc.stdout.strip() == 'False'  # not hosted by Keras: the package stays empty


def test_python_m_kbackend_reports_sources_and_engine(K, tmp_path):
    home = tmp_path / 'kh'
    write_config(home, {'floatx': 'float64'})
    env = {k: v for k, v in os.environ.items() if k != 'KERAS_BACKEND'}
    env.update(KERAS_HOME=str(home), KERAS_BACKEND=K.backend())
    out = subprocess.run([sys.executable, '-m', 'kbackend'], env=env, stdout=subprocess.PIPE,
                         universal_newlines=True, timeout=300, check=True).stdout
    assert str(home / 'keras.json') in out
    assert "'float64'" in out and '(from file)' in out
    assert '(from environment)' in out and '(from default)' in out
    assert K._adapter.ENGINE_VERSION in out


@pytest.mark.parametrize('env', [{'KERAS_BACKEND': 'TensorFlow'}, {'KERAS_BACKEND': 'kbackend', 'KBACKEND_ENGINE': 'bogus'}],
                         ids=['capitalised', 'hosted-bogus'])
def test_python_m_kbackend_reports_a_config_mistake_in_one_line(tmp_path, env):
    environ = {k: v for k, v in os.environ.items() if k not in ('KERAS_BACKEND', 'KBACKEND_ENGINE')}
    environ.update(env, KERAS_HOME=str(tmp_path / 'kh'))
    proc = subprocess.run([sys.executable, '-m', 'kbackend'], env=environ, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.count('\n') == 1 and proc.stderr.startswith('kbackend: Unknown backend')
    assert 'tensorflow, theano, cntk' in proc.stderr
