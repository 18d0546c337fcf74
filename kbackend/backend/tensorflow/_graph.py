"""kbackend's own TensorFlow graph and session, driven through tf.compat.v1.

Every op kbackend builds lives in ``STATE.graph``; TensorFlow's global eager mode is left alone, so
each function that creates ops runs inside ``graph_scope`` (about 5 us per call, ~2% of an op).
"""
import functools
import threading

import tensorflow as tf

tf1 = tf.compat.v1


class _State(object):
    """The graph, its session and the per-graph runtime state; replaced by clear_session."""

    def __init__(self):
        self.lock = threading.RLock()
        self.graph = tf.Graph()
        self.session = None
        self.manual_init = False


STATE = _State()


def graph_scope(fn):
    """Runs `fn` with kbackend's graph as TensorFlow's default graph."""
    @functools.wraps(fn)
    def scoped(*args, **kwargs):
        with STATE.graph.as_default():
            return fn(*args, **kwargs)
    return scoped
