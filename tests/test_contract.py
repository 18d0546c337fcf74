"""Every adapter against the contract: same names, same signatures, contract docstrings, true gaps."""
import inspect

import pytest

import oracle
from kbackend.backend import api, gaps


def _signature(fn):
    return inspect.signature(fn)


@pytest.mark.parametrize('name', api.NAMES)
def test_adapter_matches_contract(K, name):
    engine = K.backend()
    adapter = K._adapter
    reason = gaps.reason(engine, name)
    implemented = hasattr(adapter, name)
    if reason is not None:
        assert not implemented, ('%s is implemented on %s but still listed as a gap in gaps.py: '
                                 'remove it from the registry' % (name, engine))
        with pytest.raises(NotImplementedError, match=name):
            getattr(K, name)()
        return
    assert implemented, '%s is missing from the %s adapter and not listed in gaps.py' % (name, engine)
    assert _signature(getattr(adapter, name)) == _signature(getattr(api, name)), (
        '%s%s on %s differs from the contract %s%s'
        % (name, _signature(getattr(adapter, name)), engine, name, _signature(getattr(api, name))))
    assert getattr(K, name).__doc__ == getattr(api, name).__doc__


def test_gap_registry_names_contract_functions():
    for registry in (gaps.GAPS, gaps.LIMITS):
        for engine, listed in registry.items():
            unknown = set(listed) - set(api.NAMES) - {gaps.ALL}
            assert not unknown, 'gaps.py lists %s for %s, which are not contract functions' % (unknown, engine)


def test_second_order_gradients_work_or_are_a_listed_limit(K):
    """Gradient penalties need a gradient of a gradient: exact where the engine can, else the
    registry's NotImplementedError (never silent zeros)."""
    x = K.placeholder(shape=(3,), dtype='float64')
    first = K.gradients(K.sum(x * x * x), [x])[0]  # 3 x^2
    reason = gaps.limit(K.backend(), 'gradients')
    if reason is not None:
        with pytest.raises(NotImplementedError) as info:
            K.gradients(K.sum(first), [x])
        assert reason in str(info.value)
        return
    second = K.gradients(K.sum(first), [x])[0]  # 6 x
    value = K.function([x], [second])([[1.0, -2.0, 0.5]])[0]
    assert list(value) == [6.0, -12.0, 3.0]


def test_contract_functions_have_docstrings_and_unique_names():
    assert len(set(api.NAMES)) == len(api.NAMES)
    for name in api.NAMES:
        doc = getattr(api, name).__doc__
        assert doc and len(doc.strip()) > 10, '%s has no docstring in the contract' % name


def test_oracle_covers_every_numeric_function():
    missing = [n for n in api.NAMES if n not in oracle.NOT_NUMERIC and not hasattr(oracle, n)]
    assert not missing, 'the NumPy oracle lacks %s' % missing
