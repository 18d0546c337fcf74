"""A one-line notice when an engine step the user waits for (a cold C compile) takes a while.

The first PyTensor or Theano 1.0.5 `K.function` of a kind compiles C code: 20-45 s on a cold cache,
with nothing on screen. `slow_step_notice` logs one line on the ``kbackend`` logger (which Python's
last-resort handler writes to stderr when logging is not configured) if the step is still running
after `delay` seconds; quick steps, such as any compile with a warm cache, print nothing. Silence it
with ``logging.getLogger('kbackend').setLevel(logging.ERROR)``.
"""
import contextlib
import logging
import threading

LOGGER = logging.getLogger('kbackend')
DELAY = 5.0  # seconds: a compile this long is one the user notices


@contextlib.contextmanager
def slow_step_notice(message, delay=None):
    """Runs the body; logs `message` once (warning level) if the body is still running after `delay`
    seconds (default DELAY)."""
    timer = threading.Timer(DELAY if delay is None else delay, LOGGER.warning,
                            args=('kbackend: %s', message))
    timer.daemon = True  # never keeps the interpreter alive
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
