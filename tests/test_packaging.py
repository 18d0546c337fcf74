"""The package builds and installs as `kbackend` with every subpackage, on this interpreter.

setuptools 59 (the last for CPython 3.6) ignores [project] and once built an empty UNKNOWN-0.0.0
wheel; the flit_core backend reads it on every Python kbackend supports. This builds the wheel the
way pip does (isolated build) and checks what is in it.
"""
import os
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
PACKAGES = ['kbackend', 'kbackend/backend', 'kbackend/backend/shared', 'kbackend/backend/tensorflow',
            'kbackend/backend/theano', 'kbackend/backend/cntk']


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp('wheel')
    result = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', '-w', str(out), ROOT],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout
    wheels = [f for f in os.listdir(str(out)) if f.endswith('.whl')]
    assert len(wheels) == 1, wheels
    return os.path.join(str(out), wheels[0])


def test_wheel_is_named_kbackend_with_its_version(wheel):
    import kbackend
    assert os.path.basename(wheel).startswith('kbackend-%s-' % kbackend.__version__)


def test_wheel_contains_every_package_and_its_metadata(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = [n for n in names if n.endswith('.dist-info/METADATA')]
        assert len(metadata) == 1
        text = z.read(metadata[0]).decode()
    for package in PACKAGES:
        assert package + '/__init__.py' in names, package
    assert 'kbackend/backend/api.py' in names and 'kbackend/__main__.py' in names
    assert 'Name: kbackend' in text and 'Requires-Dist: numpy' in text
    assert "Provides-Extra: cntk" in text
