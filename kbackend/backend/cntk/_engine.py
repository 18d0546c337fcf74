"""Imports CNTK 2.7 quietly and without the user setting LD_LIBRARY_PATH.

CNTK's wheel links Open MPI 1.10 (``libmpi.so.12``, ``libmpi_cxx.so.1``); Debian ships Open MPI 4
(package ``libopenmpi3``, sonames ``.so.40``), whose C API CNTK's CPU build uses compatibly. The
loader finds a NEEDED library by its soname only, so kbackend makes the old names resolve:

1. symlinks with the old names inside the installed package's ``cntk/libs`` folder, which is on the
   libraries' RUNPATH (made once, atomically, when the folder is writable);
2. otherwise copies of Debian's libraries whose soname (and libmpi_cxx's NEEDED libmpi) is rewritten
   to the old name, in a cache folder, loaded with RTLD_GLOBAL before CNTK;
3. when Open MPI is not installed at all: an ImportError naming the library, the Debian package and
   the command that installs it.

CNTK's import-time checks only warn (an "unsupported distribution" line and a banner about missing
optional GPU/OpenCV libraries, found by a dozen ``ldconfig`` subprocesses, ~0.4 s); kbackend skips them.
Its "Selected CPU as the process wide default device" line, printed by C++ on stderr when the device
is first chosen, is swallowed by choosing the device once with stderr redirected.
"""
import ctypes
import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import types

# soname CNTK needs -> (soname Debian ships, file name prefix to search for)
_MPI_LIBS = (('libmpi.so.12', 'libmpi.so.40'), ('libmpi_cxx.so.1', 'libmpi_cxx.so.40'))
_DEBIAN_PACKAGE = 'libopenmpi3'
_SEARCH_DIRS = ('/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib',
                '/lib/x86_64-linux-gnu', '/lib64', '/lib', '/usr/lib/x86_64-linux-gnu/openmpi/lib')
CACHE_ENV = 'KBACKEND_CNTK_LIB_CACHE'


class CNTKLibraryMissing(ImportError):
    """A system library CNTK links against is not installed."""


def _cntk_dir():
    spec = importlib.util.find_spec('cntk')
    if spec is None or not spec.origin:
        raise ImportError('No module named cntk', name='cntk')
    return os.path.dirname(spec.origin)


def _find_system_library(soname):
    """The full path of a library by soname: ld.so.cache first, then the usual folders."""
    try:
        listing = subprocess.run(['ldconfig', '-p'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 universal_newlines=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        listing = ''
    for line in listing.splitlines():
        parts = line.strip().split(' => ')
        if len(parts) == 2 and parts[0].split(' ')[0] == soname and os.path.exists(parts[1]):
            return parts[1]
    for folder in _SEARCH_DIRS:
        path = os.path.join(folder, soname)
        if os.path.exists(path):
            return path
    return None


def _system_libraries():
    """{old soname: path of Debian's library}, or CNTKLibraryMissing naming what to install."""
    found = {}
    for old, new in _MPI_LIBS:
        path = _find_system_library(new)
        if path is None:
            raise CNTKLibraryMissing(
                'kbackend cannot import CNTK: CNTK 2.7 links Open MPI (%s), and no %s was found. Install '
                "Debian's %s package: sudo apt-get install %s" % (old, new, _DEBIAN_PACKAGE, _DEBIAN_PACKAGE))
        found[old] = path
    return found


def _links_present(libs_dir):
    return all(os.path.exists(os.path.join(libs_dir, old)) for old, _ in _MPI_LIBS)


def _make_links(libs_dir, targets):
    """Symlinks old soname -> Debian's library in libs_dir; False when the folder is not writable."""
    if not os.access(libs_dir, os.W_OK):
        return False
    for old, target in targets.items():
        link = os.path.join(libs_dir, old)
        tmp = '%s.kbackend-%d' % (link, os.getpid())
        try:
            if os.path.lexists(tmp):
                os.remove(tmp)
            os.symlink(target, tmp)
            os.replace(tmp, link)  # atomic: two processes starting at once never see a half-made link
        except OSError:
            return False
    return True


def _patched(data, replacements):
    """`data` with each NUL-terminated string replaced by another no longer than it (padded with NULs)."""
    for old, new in replacements:
        old_z, new_z = old.encode() + b'\0', new.encode() + b'\0'
        assert len(new_z) <= len(old_z)
        data = data.replace(old_z, new_z + b'\0' * (len(old_z) - len(new_z)))
    return data


def _cache_dir():
    base = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache'), 'kbackend')
    return os.path.join(base, 'cntk-mpi')


def _preload_renamed_copies(targets):
    """Loads copies of Debian's libraries renamed to the old sonames (RTLD_GLOBAL), for a read-only
    site-packages. libmpi_cxx's copy must need the renamed libmpi, or two libmpi would be loaded."""
    folder = _cache_dir()
    renames = [(new, old) for old, new in _MPI_LIBS]
    for old, _ in _MPI_LIBS:  # libmpi first: the libmpi_cxx copy needs it loaded
        with open(targets[old], 'rb') as f:
            data = _patched(f.read(), renames)
        digest = hashlib.sha1(data).hexdigest()[:12]
        path = os.path.join(folder, digest, old)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
            with os.fdopen(fd, 'wb') as f:
                f.write(data)
            os.replace(tmp, path)
        ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)


def prepare_libraries(force_copies=False, libs_dir=None):
    """Makes CNTK's Open MPI sonames resolvable (see the module docstring); returns how."""
    libs_dir = libs_dir or os.path.join(_cntk_dir(), 'libs')
    if _links_present(libs_dir) and not force_copies:
        return 'links'
    targets = _system_libraries()
    if not force_copies and _make_links(libs_dir, targets):
        return 'links'
    _preload_renamed_copies(targets)
    return 'preloaded copies'


def _skip_import_checks():
    """CNTK's cntk_py_init only warns (distribution, optional GPU/OpenCV libraries); a no-op stand-in."""
    stub = types.ModuleType('cntk.cntk_py_init')
    stub.cntk_check_distro_info = stub.cntk_check_libs = lambda: None
    sys.modules.setdefault('cntk.cntk_py_init', stub)


def _choose_device_quietly(C):
    """Selects CNTK's default device with fd 2 redirected, so its C++ notice never reaches the user."""
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError):
        pass
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        C.device.use_default_device()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_cntk():
    if 'cntk' not in sys.modules:
        prepare_libraries()
        _skip_import_checks()
    import cntk
    _choose_device_quietly(cntk)
    return cntk


C = import_cntk()
VERSION = C.__version__.strip()
