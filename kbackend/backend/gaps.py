"""The one registry of known gaps: contract functions an engine cannot (yet) provide.

A gap is served by a stub that raises ``NotImplementedError`` with the reason given here. The contract
test fails when a function listed here is implemented by its adapter, so the list stays true.
``ALL`` stands for every contract function (an adapter not built yet).
"""

ALL = '*'

GAPS = {
    'tensorflow': {},
    'theano': {},
    'cntk': {
        ALL: 'the CNTK adapter is not built yet: CNTK 2.7 runs only on CPython 3.5/3.6, which this '
             "project's CI cannot install",
    },
}


def reason(engine, name):
    """The recorded reason why `engine` lacks `name`, or None when it is not a known gap."""
    gaps = GAPS.get(engine, {})
    return gaps.get(name, gaps.get(ALL))
