"""CNTK 2.7 imports without LD_LIBRARY_PATH and without noise (kbackend/backend/cntk/_engine.py)."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 7), reason='CNTK 2.7 runs on CPython 3.5/3.6 only')


@pytest.fixture(scope='module')
def engine():
    pytest.importorskip('cntk', reason='CNTK is not installed here')
    from kbackend.backend.cntk import _engine
    return _engine


def run(code, **env):
    environ = dict(os.environ, KERAS_BACKEND='cntk', **env)
    environ.pop('LD_LIBRARY_PATH', None)
    return subprocess.run([sys.executable, '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=environ, timeout=300)


def test_engine_loads_quietly(engine, tmp_path):
    result = run('from kbackend import backend as K\n'
                 'v = K.variable([1.0, 2.0])\n'
                 'print(K.eval(v * 2).tolist())', KERAS_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == '[2.0, 4.0]\n'
    assert result.stderr == ''  # no CNTK warnings, no "Selected CPU as the process wide default device"


def test_links_are_made_in_a_writable_libs_folder(engine, tmp_path):
    targets = engine._system_libraries()
    assert engine.prepare_libraries(libs_dir=str(tmp_path)) == 'links'
    for old, path in targets.items():
        link = tmp_path / old
        assert link.is_symlink() and os.readlink(str(link)) == path
    assert engine.prepare_libraries(libs_dir=str(tmp_path)) == 'links'  # present: nothing to do


ENGINE_SOURCE = os.path.join(os.path.dirname(__file__), os.pardir, 'kbackend', 'backend', 'cntk', '_engine.py')


def test_renamed_copies_serve_a_read_only_install(engine, tmp_path):
    # A fresh process runs _engine's functions before anything imports cntk (the package would
    # import it through the links), forcing the fallback that a read-only site-packages needs.
    code = ('import types\n'
            'src = open(%r).read().replace("C = import_cntk()", "C = None")'
            '.replace("VERSION = C.__version__.strip()", "")\n'
            'e = types.ModuleType("engine_copy"); exec(compile(src, "_engine.py", "exec"), e.__dict__)\n'
            'print(e.prepare_libraries(force_copies=True, libs_dir=%r))\n'
            'e._skip_import_checks()\n'
            'import cntk\n'
            'print(cntk.combine([cntk.parameter(init=2.0) * 3]).eval())\n'
            'maps = open("/proc/self/maps").read()\n'
            'print(sorted(set(l.split()[-1] for l in maps.splitlines() if "libmpi" in l)))\n'
            % (ENGINE_SOURCE, str(tmp_path)))
    result = run(code, KBACKEND_CNTK_LIB_CACHE=str(tmp_path / 'cache'))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == 'preloaded copies' and lines[1] == '6.0'
    loaded = eval(lines[2])
    # Only the copies are mapped: the copy of libmpi_cxx needs the renamed libmpi, not a second libmpi.
    assert sorted(os.path.basename(p) for p in loaded) == ['libmpi.so.12', 'libmpi_cxx.so.1'], loaded
    assert all(p.startswith(str(tmp_path / 'cache')) for p in loaded), loaded


def test_missing_open_mpi_names_the_package_and_command(engine, monkeypatch):
    monkeypatch.setattr(engine, '_find_system_library', lambda soname: None)
    with pytest.raises(engine.CNTKLibraryMissing) as info:
        engine._system_libraries()
    message = str(info.value)
    assert 'libmpi.so.40' in message and 'libopenmpi3' in message
    assert 'apt-get install libopenmpi3' in message


def test_patched_strings_keep_their_length(engine):
    data = b'xx\0libmpi.so.40\0libmpi_cxx.so.40\0yy'
    patched = engine._patched(data, [('libmpi.so.40', 'libmpi.so.12'), ('libmpi_cxx.so.40', 'libmpi_cxx.so.1')])
    assert len(patched) == len(data)
    assert patched == b'xx\0libmpi.so.12\0libmpi_cxx.so.1\0\0yy'
