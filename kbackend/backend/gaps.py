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

# CNTK 2.7 cannot hold a tensor with zero elements: a zero-size constant, feed or op result aborts the
# process (SIGFPE), so kbackend raises before building one.
_CNTK_EMPTY = ('an empty result (a zero-size dimension) is not available: CNTK 2.7 cannot hold a '
               'tensor with zero elements (creating one aborts the process)')
_CNTK_IN_STEP = 'inside a symbolic rnn step (tensors on CNTK\'s sequence axis)'

LIMITS = {
    'tensorflow': {},
    'theano': {},
    'cntk': {
        'gradients': 'second-order gradients (a gradient of a loss that contains a gradient) are not '
                     'available: CNTK 2.7 differentiates a whole function with respect to its leaves, as '
                     'values, and has no double backpropagation',
        'variable': _CNTK_EMPTY,
        'constant': _CNTK_EMPTY,
        'placeholder': _CNTK_EMPTY,
        'function': _CNTK_EMPTY + ' (an empty value fed to a placeholder)',
        'zeros': _CNTK_EMPTY,
        'ones': _CNTK_EMPTY,
        'eye': _CNTK_EMPTY,
        'shape': _CNTK_EMPTY + ' (the shape of a 0-d tensor)',
        'arange': _CNTK_EMPTY + '; tensor bounds are not available ' + _CNTK_IN_STEP,
        'reshape': _CNTK_EMPTY + '; a target with several sizes known only at run time that do not '
                   'match x\'s own axes one to one (e.g. (-1, K.shape(t)[1], 4) for x of shape '
                   '(None, 4)): CNTK 2.7 infers at most one unknown size per reshape',
        'repeat': _CNTK_EMPTY,
        'repeat_elements': _CNTK_EMPTY,
        'tile': _CNTK_EMPTY + '; tensor reps are not available ' + _CNTK_IN_STEP,
        'slice': _CNTK_EMPTY + '; sizes known only at run time are not available ' + _CNTK_IN_STEP,
        'gather': _CNTK_EMPTY,
        'random_normal': _CNTK_EMPTY,
        'random_uniform': _CNTK_EMPTY,
        'random_binomial': _CNTK_EMPTY,
        'truncated_normal': _CNTK_EMPTY,
        'cumsum': 'along an axis of unknown size: not available ' + _CNTK_IN_STEP + ', and the other '
                  'axes must have known sizes (CNTK has no scan op; kbackend uses a sequence recurrence)',
        'cumprod': 'along an axis of unknown size: not available ' + _CNTK_IN_STEP + ', and the other '
                   'axes must have known sizes (CNTK has no scan op; kbackend uses a sequence recurrence)',
    },
}


def reason(engine, name):
    """The recorded reason why `engine` lacks `name`, or None when it is not a known gap."""
    gaps = GAPS.get(engine, {})
    return gaps.get(name, gaps.get(ALL))


def limit(engine, name):
    """The recorded reason why `engine` cannot support one case of `name`, or None."""
    return LIMITS.get(engine, {}).get(name)
