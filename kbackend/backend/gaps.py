"""The one registry of known gaps: what an engine cannot provide, and why.

``GAPS``: contract functions an engine lacks entirely. Each is served by a stub that raises
``NotImplementedError`` with the reason given here; the contract test fails when a listed function
is implemented by its adapter, so the list stays true. ``ALL`` stands for every contract function.

``LIMITS``: functions an engine provides except for one case it cannot support. That case raises
``NotImplementedError`` with the reason given here (the adapter reads it from this registry), and a
test checks that it does.
"""

ALL = '*'

GAPS = {
    'tensorflow': {},
    'theano': {},
    'cntk': {},
}

LIMITS = {
    'tensorflow': {},
    'theano': {},
    'cntk': {
        'gradients': 'second-order gradients (a gradient of a loss that contains a gradient) are not '
                     'available: CNTK 2.7 differentiates a whole function with respect to its leaves, as '
                     'values, and has no double backpropagation',
    },
}


def reason(engine, name):
    """The recorded reason why `engine` lacks `name`, or None when it is not a known gap."""
    gaps = GAPS.get(engine, {})
    return gaps.get(name, gaps.get(ALL))


def limit(engine, name):
    """The recorded reason why `engine` cannot support one case of `name`, or None."""
    return LIMITS.get(engine, {}).get(name)
