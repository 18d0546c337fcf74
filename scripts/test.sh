#!/usr/bin/env bash
# Sets up the test environments and runs the whole suite on every engine:
#   .venv         TensorFlow + PyTensor (the 'theano' engine on numpy 2)
#   .venv-theano  legacy Theano 1.0.5 (numpy 1.23.5, scipy 1.10.1)
#   .venv-cntk    CNTK 2.7 on CPython 3.6 (pyenv's 3.6.15, or PYTHON36; needs Debian's libopenmpi3)
# Usage: bash scripts/test.sh [extra pytest arguments]
# KBACKEND_SKIP_SETUP=1 reuses existing environments; KBACKEND_SUITES="main legacy cntk" picks suites;
# KBACKEND_TEST_WORKERS sets pytest-xdist workers (default: one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
# Compile caches live in the workspace, so a second run skips the C compiles. The suites compile
# thousands of small graphs: FAST_COMPILE (Python linker, fast rewrites) gives the same results
# without a cold C compile per op (about 5x faster on a fresh machine); the example test and the
# benchmarks still run the engines' default C linker. KBACKEND_TEST_MODE=default keeps the defaults.
cache_flags() {  # cache_flags DIR
    local flags="base_compiledir=$PWD/.cache/$1"
    [ "${KBACKEND_TEST_MODE:-fast}" = fast ] && flags="$flags,mode=FAST_COMPILE"
    echo "$flags"
}
export PYTENSOR_FLAGS="${PYTENSOR_FLAGS:+$PYTENSOR_FLAGS,}$(cache_flags pytensor)"
export THEANO_FLAGS="${THEANO_FLAGS:+$THEANO_FLAGS,}$(cache_flags theano)"
WORKERS=${KBACKEND_TEST_WORKERS:-auto}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

# pip's notices that say nothing about this project: an index or find-links location configured on
# the machine that does not exist. Errors and everything else pass through; pip's exit status is kept.
PIP_NOISE="^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$"
pip_install() {  # pip_install PYTHON ARGS...
    "$1" -m pip install -q "${@:2}" 2>&1 | { grep -v -E "$PIP_NOISE" || true; }
}

make_env() {  # make_env DIR EXTRAS [PYTHON [PIP_SPEC]]
    if [ "${KBACKEND_SKIP_SETUP:-0}" = 1 ] && [ -x "$1/bin/python" ]; then return; fi
    echo "== setting up $1 (.[$2])"
    [ -x "$1/bin/python" ] || "${3:-$PYTHON}" -m venv "$1"
    pip_install "$1/bin/python" --upgrade "${4:-pip}"
    pip_install "$1/bin/python" -e ".[$2]"
    # Keras 2.2.4, a real client of kbackend, for tests/test_keras224.py (a test dependency only).
    # Its dependencies first, then Keras with --no-deps: TensorFlow 2.x declares a dependency on
    # Keras 3, which pip would otherwise enforce.
    pip_install "$1/bin/python" h5py pyyaml six
    pip_install "$1/bin/python" --no-deps keras==2.2.4 keras-applications==1.0.8 keras-preprocessing==1.1.2
}
export KBACKEND_TEST_KERAS=1  # the Keras tests must run, not skip

python36() {  # CNTK 2.7's wheels are CPython 3.5/3.6 only
    local candidate
    # pyenv's own 3.6.15 first: a `python3.6` on PATH may be a pyenv shim that is not activated.
    for candidate in "${PYTHON36:-}" "$(pyenv root 2>/dev/null)/versions/3.6.15/bin/python3.6" \
                     "$(command -v python3.6 || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys' 2>/dev/null; then
            echo "$candidate"; return
        fi
    done
    echo "CPython 3.6 not found: install it (e.g. pyenv install 3.6.15) or set PYTHON36" >&2
    return 1
}

need_openmpi() {  # CNTK links Open MPI; Debian's libopenmpi3 provides it
    ldconfig -p | grep -q 'libmpi_cxx.so.40' && return
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo -n"
    echo "== installing libopenmpi3 (Open MPI, needed by CNTK)"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq libopenmpi3 >/dev/null
}

status=0
keras224_backend_tests() {  # keras224_backend_tests PYTHON ENGINE: Keras 2.2.4's own backend tests
    echo "== Keras 2.2.4's backend tests on $2 ($1)"
    "$1" scripts/keras224_backend_tests.py "$2" -n "$WORKERS" || status=1
}
# Keras 2.2.4's model-level tests with Keras on kbackend: CI runs their quick subset on the engines
# that build models fast (the full set and the Theano engines: docs/keras.md, by hand).
keras224_model_tests() {  # keras224_model_tests PYTHON ENGINE
    echo "== Keras 2.2.4's model tests (quick subset) on $2 ($1)"
    "$1" scripts/keras224_model_tests.py "$2" --quick -n "$WORKERS" || status=1
}

for suite in ${KBACKEND_SUITES:-main legacy cntk}; do
    case $suite in
        main)
            make_env .venv tensorflow,theano,test,docs,examples
            # An environment made before the docs/examples extras existed (KBACKEND_SKIP_SETUP=1).
            .venv/bin/python -c 'import mkdocs, tqdm, matplotlib' 2>/dev/null \
                || pip_install .venv/bin/python -e '.[docs,examples]'
            echo "== Python 3.6 compatibility (vermin)"
            .venv/bin/vermin --target=3.6- --no-tips --violations kbackend tests || status=1
            echo "== docs (API reference generated from the contract; mkdocs build --strict)"
            .venv/bin/python scripts/gen_api_docs.py --check || status=1
            .venv/bin/python -m mkdocs build --strict --quiet --site-dir .cache/site || status=1
            echo "== tensorflow + theano (PyTensor)"
            KBACKEND_TEST_ENGINES=tensorflow,theano .venv/bin/python -m pytest tests -n "$WORKERS" "$@" || status=1
            keras224_backend_tests .venv/bin/python tensorflow
            keras224_model_tests .venv/bin/python tensorflow
            keras224_backend_tests .venv/bin/python theano
            ;;
        cntk)
            need_openmpi
            make_env .venv-cntk cntk,test "$(python36)" 'pip<22'
            echo "== cntk (CNTK 2.7, CPython 3.6)"
            KBACKEND_TEST_ENGINES=cntk .venv-cntk/bin/python -m pytest tests -n "$WORKERS" "$@" || status=1
            keras224_backend_tests .venv-cntk/bin/python cntk
            keras224_model_tests .venv-cntk/bin/python cntk
            ;;
        legacy)
            make_env .venv-theano legacy-theano,test
            echo "== theano (legacy Theano 1.0.5)"
            KBACKEND_THEANO=theano KBACKEND_TEST_ENGINES=theano \
                .venv-theano/bin/python -m pytest tests -n "$WORKERS" "$@" || status=1
            KBACKEND_THEANO=theano keras224_backend_tests .venv-theano/bin/python theano
            ;;
        *) echo "unknown suite: $suite" >&2; exit 2 ;;
    esac
done
exit $status
