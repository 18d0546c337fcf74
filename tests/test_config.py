"""The config layer: keras.json, KERAS_BACKEND, validation, and what importing does (in subprocesses)."""
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest

from kbackend.backend import common

ENGINE_MODULES = ('tensorflow', 'pytensor', 'theano', 'cntk')


def run_python(code, keras_home, backend=None, extra_env=None, check=True, argv_prefix=(), umask=None,
               timeout=300):
    env = {k: v for k, v in os.environ.items()
           if k not in ('KERAS_BACKEND', 'KERAS_HOME', 'KBACKEND_ENGINE')}
    env['KERAS_HOME'] = str(keras_home)
    if backend is not None:
        env['KERAS_BACKEND'] = backend
    env.update(extra_env or {})
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    proc = subprocess.run(list(argv_prefix) + [sys.executable, '-c', textwrap.dedent(code)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=timeout, preexec_fn=preexec)
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


@pytest.mark.parametrize('variable', ['KBACKEND_ENGINE', 'KERAS_BACKEND'])
@pytest.mark.parametrize('name, hint', [('TensorFlow', "did you mean 'tensorflow'"),
                                        ('THEANO', "did you mean 'theano'"),
                                        ('theanno', 'theano'), ('cntk2', None)],
                         ids=['capitalised', 'upper-case', 'misspelled', 'unknown'])
def test_unknown_engine_name_fails_at_import_listing_the_valid_names(tmp_path, name, hint, variable):
    # Engine names are case-sensitive (as module names are): 'TensorFlow' is an error, not an alias.
    proc = run_python("""
        import sys
        try:
            import kbackend.backend
        except ValueError as e:
            print(e)
        print(sorted(m for m in %r if m in sys.modules))
        """ % (ENGINE_MODULES,), tmp_path / 'kh', extra_env={variable: name})
    lines = proc.stdout.splitlines()
    assert lines[-1] == '[]'  # no engine was imported
    assert len(lines) == 2, proc.stdout
    assert lines[0].startswith('Unknown backend %r' % name) and 'tensorflow, theano, cntk' in lines[0]
    assert hint is None or hint in lines[0]


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


# --- keras.json faults: the file is never changed, every fault names the path ----------------------------

def _listing(directory):
    """Each entry of `directory` with its type, link target and bytes (to prove nothing changed)."""
    out = {}
    for name in sorted(os.listdir(str(directory))):
        path = os.path.join(str(directory), name)
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            out[name] = ('link', os.readlink(path))
        elif stat.S_ISREG(st.st_mode):
            try:
                with open(path, 'rb') as f:
                    content = f.read()
            except PermissionError:
                content = None
            out[name] = ('file', stat.S_IMODE(st.st_mode), content)
        else:
            out[name] = ('other', stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode))
    return out


def _assert_defaults_and_warning(proc, path, *phrases):
    values, sources = eval(proc.stdout.splitlines()[0]), eval(proc.stdout.splitlines()[1])
    assert values == common.DEFAULTS and set(sources.values()) == {'default'}
    warning = [line for line in proc.stderr.splitlines() if 'ConfigWarning' in line]
    assert len(warning) == 1, proc.stderr
    for phrase in (str(path), 'using the default configuration', 'left unchanged') + phrases:
        assert phrase in warning[0], '%r not in %r' % (phrase, warning[0])


@pytest.mark.parametrize('raw', [
    json.dumps({'floatx': 'float64'}).encode('utf-16'),      # with its byte-order mark
    json.dumps({'floatx': 'float64'}).encode('utf-16-le'),   # without one: NUL bytes, valid UTF-8
    '{"backend": "théano"}'.encode('latin-1'),
    b'\xff\xfe\x00',
], ids=['utf-16', 'utf-16-le-no-bom', 'latin-1', 'garbage'])
def test_a_keras_json_that_is_not_utf8_is_invalid_json(tmp_path, raw):
    home = tmp_path / 'kh'
    home.mkdir()
    path = home / 'keras.json'
    path.write_bytes(raw)
    before = _listing(home)
    proc = run_python(RESOLVE, home)
    _assert_defaults_and_warning(proc, path, 'not valid JSON')
    assert _listing(home) == before


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    home = tmp_path / 'kh'
    home.mkdir()
    path = home / 'keras.json'
    path.write_bytes(b'\xef\xbb\xbf' + json.dumps({'floatx': 'float64', 'backend': 'theano'}).encode('utf-8'))
    proc = run_python(RESOLVE, home)
    values, sources = eval(proc.stdout.splitlines()[0]), eval(proc.stdout.splitlines()[1])
    assert values['floatx'] == 'float64' and sources['floatx'] == 'file'
    assert values['backend'] == 'theano' and sources['backend'] == 'file'
    assert 'Warning' not in proc.stderr


def test_a_dangling_symlink_is_neither_replaced_nor_followed(tmp_path):
    home = tmp_path / 'kh'
    home.mkdir()
    target = tmp_path / 'dotfiles' / 'keras.json'  # its directory exists: creating through it would work
    target.parent.mkdir()
    os.symlink(str(target), str(home / 'keras.json'))
    before = _listing(home)
    proc = run_python(RESOLVE, home)
    _assert_defaults_and_warning(proc, home / 'keras.json', 'symbolic link', repr(str(target)),
                                 'does not exist')
    assert _listing(home) == before
    assert os.listdir(str(target.parent)) == []


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    home = tmp_path / 'kh'
    home.mkdir()
    target = tmp_path / 'dotfiles.json'
    target.write_text(json.dumps({'floatx': 'float16'}))
    os.symlink(str(target), str(home / 'keras.json'))
    values, sources = resolve_in_subprocess(home)
    assert values['floatx'] == 'float16' and sources['floatx'] == 'file'
    assert os.path.islink(str(home / 'keras.json'))


def _without_read_permission():
    """A command prefix under which a file without read permission cannot be read: none for a normal
    user; as root, setpriv without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which('setpriv')
    if setpriv is None:
        pytest.skip('running as root without setpriv: a file without read permission stays readable')
    caps = '-dac_override,-dac_read_search'
    return [setpriv, '--bounding-set=' + caps, '--inh-caps=' + caps]


def _make_fault(kind, home):
    """Makes `home`/keras.json (or `home` itself) faulty; returns the path the warning must name."""
    path = home / 'keras.json'
    if kind == 'directory':
        home.mkdir()
        path.mkdir()
        (path / 'inside.txt').write_text('mine')
    elif kind == 'fifo':
        home.mkdir()
        os.mkfifo(str(path))
    elif kind == 'unreadable':
        home.mkdir()
        path.write_text(json.dumps({'floatx': 'float64'}))
        path.chmod(0)
    elif kind == 'keras-home-is-a-file':
        home.write_text('not a directory')
    elif kind == 'dangling-link':
        home.mkdir()
        os.symlink(str(home / 'elsewhere.json'), str(path))
    elif kind == 'integer-epsilon':  # valid for kbackend; TensorFlow's bundled Keras asserts a float
        home.mkdir()
        path.write_text(json.dumps({'epsilon': 1}))
    else:
        raise ValueError(kind)
    return path


FAULT_PHRASES = {
    'directory': ('is a directory, not a file',),
    'fifo': ('is not a regular file',),
    'unreadable': ('cannot be read (Permission denied)',),
    'keras-home-is-a-file': ('is a file, not a directory', 'KERAS_HOME'),
    'dangling-link': ('symbolic link',),
}


@pytest.mark.parametrize('kind', sorted(FAULT_PHRASES))
def test_a_keras_json_that_cannot_be_read_is_named_and_left_alone(tmp_path, kind):
    home = tmp_path / 'kh'
    prefix = _without_read_permission() if kind == 'unreadable' else []
    path = _make_fault(kind, home)
    watched = home if home.is_dir() else tmp_path
    before = _listing(watched)
    inside = _listing(path) if kind == 'directory' else None
    # A FIFO must not block: a short timeout turns a hang into a failure.
    proc = run_python(RESOLVE, home, argv_prefix=prefix, timeout=60)
    phrases = FAULT_PHRASES[kind]
    if kind == 'keras-home-is-a-file':
        phrases += (str(home),)
    _assert_defaults_and_warning(proc, path, *phrases)
    assert _listing(watched) == before  # no default file, no temporary file, the file unchanged
    assert kind != 'directory' or _listing(path) == inside


def test_python_m_kbackend_names_the_unused_file(tmp_path):
    home = tmp_path / 'kh'
    path = _make_fault('directory', home)
    env = {k: v for k, v in os.environ.items() if k not in ('KERAS_BACKEND', 'KBACKEND_ENGINE')}
    env.update(KERAS_HOME=str(home), KBACKEND_ENGINE='nosuchengine')
    proc = subprocess.run([sys.executable, '-m', 'kbackend'], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert 'ConfigWarning: %s is a directory' % path in proc.stderr
    assert proc.stderr.count('is a directory') == 1  # the import warns once
    assert proc.returncode == 1 and 'kbackend: Unknown backend' in proc.stderr  # the mistake: one line
    env['KBACKEND_ENGINE'] = 'mybackend'
    env['PYTHONPATH'] = str(tmp_path)
    (tmp_path / 'mybackend.py').write_text(EXTERNAL)
    out = subprocess.run([sys.executable, '-m', 'kbackend'], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, timeout=300).stdout
    assert 'config file: %s (not used: it is a directory, not a file)' % path in out


@pytest.mark.parametrize('umask', [0o022, 0o027, 0o077], ids=['022', '027', '077'])
def test_the_default_file_is_created_with_the_users_umask(tmp_path, umask):
    home = tmp_path / 'kh'
    run_python(RESOLVE, home, umask=umask)
    assert stat.S_IMODE(os.stat(str(home / 'keras.json')).st_mode) == 0o666 & ~umask
    assert json.loads((home / 'keras.json').read_text()) == common.DEFAULTS
    assert os.listdir(str(home)) == ['keras.json']


# --- TensorFlow loads whatever KERAS_BACKEND and keras.json say ---------------------------------------------

LOAD_TF = """
import os, sys
seen = repr(os.environ.get('KERAS_BACKEND')), repr(os.environ.get('KERAS_HOME'))
from kbackend import backend as K
x = K.placeholder(shape=(2,))
print(K.backend(), K.function([x], [x * 2])([[1., 2.]])[0].tolist())
print(seen == (repr(os.environ.get('KERAS_BACKEND')), repr(os.environ.get('KERAS_HOME'))))
print('keras' in sys.modules)
"""


def _tensorflow_only(K):
    if K.backend() != 'tensorflow':
        pytest.skip('only TensorFlow imports Keras and reads keras.json while it loads')


@pytest.mark.parametrize('kind', ['directory', 'fifo', 'unreadable', 'dangling-link', 'integer-epsilon'])
def test_the_tensorflow_engine_loads_whatever_keras_json_is(K, tmp_path, kind):
    # TensorFlow's bundled legacy Keras opens keras.json while TensorFlow imports: a FIFO blocked it,
    # a directory or an unreadable file raised, a dangling link was written through, an int epsilon
    # failed an assert. It reads an empty private KERAS_HOME instead, only for that import.
    _tensorflow_only(K)
    home = tmp_path / 'kh'
    prefix = _without_read_permission() if kind == 'unreadable' else []
    _make_fault(kind, home)
    before = _listing(home)
    private_tmp = tmp_path / 'tmp'  # where the private KERAS_HOME is made, and must be gone after
    private_tmp.mkdir()
    proc = run_python(LOAD_TF, home, argv_prefix=prefix, timeout=180, extra_env={'TMPDIR': str(private_tmp)})
    assert proc.stdout.splitlines()[:2] == ['tensorflow [2.0, 4.0]', 'True'], proc.stderr
    assert _listing(home) == before
    assert os.listdir(str(private_tmp)) == []


FAKE_KERAS3 = '''
"""A stand-in for Keras 3: reads KERAS_BACKEND as Keras 3 does and fails as it does."""
import os
with open(os.environ['FAKE_KERAS_LOG'], 'a') as f:
    f.write(repr(os.environ.get('KERAS_BACKEND')) + '\\n')
_backend = os.environ.get('KERAS_BACKEND') or 'tensorflow'
if _backend.lower() not in ('tensorflow', 'jax', 'torch', 'numpy', 'openvino'):
    raise ValueError('Unable to import backend : %s' % _backend)
'''


def _fake_keras3(directory):
    package = directory / 'keras'
    (package / 'src').mkdir(parents=True)
    (package / '__init__.py').write_text(FAKE_KERAS3)
    (package / 'src' / '__init__.py').write_text('')
    (package / 'src' / 'optimizers.py').write_text('')
    return {'PYTHONPATH': str(directory), 'FAKE_KERAS_LOG': str(directory / 'keras.log')}


@pytest.mark.parametrize('keras_backend', ['theano', ' tensorflow ', 'kbackend'])
def test_the_tensorflow_engine_loads_whatever_keras_backend_says_to_keras3(K, tmp_path, keras_backend):
    # TensorFlow 2.21 imports Keras 3 while it loads, and Keras 3 reads KERAS_BACKEND (the pip-installed
    # Keras 3 behaves as this stand-in: checked by hand with keras 3.15.1).
    _tensorflow_only(K)
    env = _fake_keras3(tmp_path / 'site')
    log = tmp_path / 'site' / 'keras.log'
    control = run_python('import tensorflow', tmp_path / 'kh0', keras_backend, env, check=False, timeout=180)
    if 'Unable to import backend : %s' % keras_backend not in control.stderr:
        pytest.skip('this TensorFlow does not import Keras while it loads')
    assert log.read_text() == '%r\n' % keras_backend
    log.unlink()
    env['KBACKEND_ENGINE'] = 'tensorflow'
    proc = run_python(LOAD_TF + """
try:
    import keras  # the user's own import: the user's own settings
except ValueError as e:
    print(e)
""", tmp_path / 'kh', keras_backend, env, timeout=180)
    lines = proc.stdout.splitlines()
    assert lines[:3] == ['tensorflow [2.0, 4.0]', 'True', 'False'], proc.stderr  # Keras not imported
    assert lines[3:] == ['Unable to import backend : %s' % keras_backend]
    assert log.read_text() == '%r\n' % keras_backend  # Keras saw the user's value, once: the user's import


# --- empty and blank settings, KBACKEND_THEANO ------------------------------------------------------------

@pytest.mark.parametrize('variable', ['KERAS_BACKEND', 'KBACKEND_ENGINE'])
@pytest.mark.parametrize('value', ['', '   ', '\t'], ids=['empty', 'blank', 'tab'])
def test_an_empty_or_blank_variable_means_not_set(tmp_path, variable, value):
    home = tmp_path / 'kh'
    write_config(home, {'backend': 'theano'})
    proc = run_python(RESOLVE, home, extra_env={variable: value})
    values, sources = eval(proc.stdout.splitlines()[0]), eval(proc.stdout.splitlines()[1])
    assert values['backend'] == 'theano' and sources['backend'] == 'file'
    proc = run_python(RESOLVE + 'print(r.hosted)', tmp_path / 'kh2', extra_env={variable: value})
    assert eval(proc.stdout.splitlines()[0])['backend'] == 'tensorflow'
    assert proc.stdout.splitlines()[2] == 'False'


@pytest.mark.parametrize('value', ['PyTensor3', ' theano1 ', 'THEANO 1.0'])
def test_a_bad_kbackend_theano_is_quoted_as_given_at_import(tmp_path, value):
    proc = run_python("""
        import sys
        try:
            import kbackend.backend
        except ValueError as e:
            print(e)
        print(sorted(m for m in %r if m in sys.modules))
        """ % (ENGINE_MODULES,), tmp_path / 'kh', 'theano', {'KBACKEND_THEANO': value})
    lines = proc.stdout.splitlines()
    assert lines[-1] == '[]' and len(lines) == 2
    assert lines[0].startswith('Bad KBACKEND_THEANO value: %r' % value) and 'pytensor, theano' in lines[0]
    # Another engine does not read it; the Theano engine, loaded directly, gives the same message.
    (tmp_path / 'mybackend.py').write_text(EXTERNAL)
    proc = run_python("""
        import kbackend.backend
        from kbackend.backend import loader
        try:
            loader.load_engine('theano')
        except ValueError as e:
            print(e)
        """, tmp_path / 'kh', 'mybackend', {'KBACKEND_THEANO': value, 'PYTHONPATH': str(tmp_path)})
    assert proc.stdout.startswith('Bad KBACKEND_THEANO value: %r' % value), proc.stderr


@pytest.mark.parametrize('value', ['pytensor', ' Theano ', ''])
def test_a_good_kbackend_theano_passes_the_import_check(tmp_path, value):
    proc = run_python('import kbackend.backend as K; print(K.backend())', tmp_path / 'kh', 'theano',
                      {'KBACKEND_THEANO': value})
    assert proc.stdout.strip() == 'theano'
