"""``python -m kbackend``: prints the resolved configuration, where each value came from, and the engine."""
import sys


def describe(resolved):
    problem = getattr(resolved, 'file_problem', None)
    lines = ['kbackend configuration',
             '  config file: %s%s' % (resolved.path, ' (not used: it %s)' % problem if problem else '')]
    for key in ('backend', 'floatx', 'epsilon', 'image_data_format'):
        lines.append('  %-18s %-16r (from %s)' % (key + ':', resolved.values[key], resolved.sources[key]))
    return lines


def engine_line(name):
    from .backend import loader
    try:
        adapter = loader.load_engine(name)._adapter
    except ImportError as e:
        return 'engine: not importable: %s' % e, 1
    engine = getattr(adapter, 'ENGINE', name)
    version = getattr(adapter, 'ENGINE_VERSION', getattr(adapter, '__version__', 'unknown version'))
    return 'engine: %s %s' % (engine, version), 0


def main():
    # A keras.json that cannot be used was already reported as a ConfigWarning when `kbackend` was
    # imported (before this runs); describe() repeats it on the config file's line.
    try:
        from .backend import common  # resolves the configuration
        resolved = common.configure()
    except ValueError as e:  # a configuration mistake: one line, no traceback
        print('kbackend: %s' % e, file=sys.stderr)
        return 1
    print('\n'.join(describe(resolved)))
    if resolved.hosted:
        print('  Keras 2.2.4 is set to use kbackend (KERAS_BACKEND or the file\'s "backend")')
    line, status = engine_line(resolved.values['backend'])
    print(line)
    return status


if __name__ == '__main__':
    sys.exit(main())
