"""Runtime state of an engine without sessions (Theano-API, CNTK): uids, name scopes, variable
names and the learning phase's value, safe to use from several threads.

Plain Python (no engine, no ``K``): each engine's core module makes one `RuntimeState` and keeps its
own symbolic learning phase beside it.
"""
import contextlib
import threading


class RuntimeState(object):
    def __init__(self):
        self.lock = threading.RLock()
        self.uids = {}
        self.names = {}  # scoped variable names in use -> how many times
        self.learning_phase_value = None  # a Python int 0/1 after set_learning_phase
        self.manual_init = False
        self.local = threading.local()  # each thread has its own name-scope stack

    def scope_stack(self):
        stack = getattr(self.local, 'scopes', None)
        if stack is None:
            stack = self.local.scopes = []
        return stack

    def scoped_name(self, name, default):
        """`name` (or `default`) inside the thread's current name scopes."""
        return '/'.join(self.scope_stack() + [name or default])

    def unique_name(self, name, default):
        """A scoped name no other variable has (TensorFlow's rule: 'w', then 'w_1', 'w_2', ...), so
        that Keras's weight files never meet two variables of one name."""
        base = self.scoped_name(name, default)
        with self.lock:
            count = self.names.get(base, 0)
            self.names[base] = count + 1
        return base if count == 0 else '%s_%d' % (base, count)

    def get_uid(self, prefix):
        with self.lock:
            self.uids[prefix] = self.uids.get(prefix, 0) + 1
            return self.uids[prefix]

    def reset_uids(self):
        with self.lock:
            self.uids.clear()

    def clear(self):
        """What clear_session forgets: uids, variable names and a set learning phase."""
        with self.lock:
            self.uids.clear()
            self.names.clear()
            self.learning_phase_value = None

    def set_learning_phase(self, value):
        if value not in (0, 1) or isinstance(value, float):
            raise ValueError('Expected learning phase to be 0 or 1; received %r.' % (value,))
        self.learning_phase_value = int(value)

    @contextlib.contextmanager
    def name_scope(self, name):
        if not isinstance(name, str) or not name:
            raise ValueError('name_scope expects a non-empty string; received %r.' % (name,))
        stack = self.scope_stack()
        stack.append(name)
        try:
            yield '/'.join(stack) + '/'
        finally:
            stack.pop()
