"""The documentation: the API reference and the parity matrix are what scripts/gen_api_docs.py makes
from the contract and the gap registry (and what every engine really provides), the pages are in the
mkdocs nav, the quickstart's code runs, and the README's claims hold.

`mkdocs build --strict` itself (broken links and anchors) runs in scripts/test.sh's main suite.
"""
import importlib.util
import os
import re
import subprocess
import sys

import pytest

from kbackend.backend import api, gaps, loader

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
DOCS = os.path.join(ROOT, 'docs')


def read(*parts):
    with open(os.path.join(ROOT, *parts)) as f:
        return f.read()


@pytest.fixture(scope='module')
def gen():
    spec = importlib.util.spec_from_file_location('gen_api_docs', os.path.join(ROOT, 'scripts', 'gen_api_docs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def contract(gen):
    return gen.Contract()


def test_api_pages_are_the_generated_ones(gen):
    expected = gen.pages()
    on_disk = sorted(f for f in os.listdir(os.path.join(DOCS, 'api')) if f.endswith('.md'))
    assert on_disk == sorted(expected), 'run: python scripts/gen_api_docs.py'
    for name, content in expected.items():
        assert read('docs', 'api', name) == content, (
            'docs/api/%s differs from the contract; run: python scripts/gen_api_docs.py' % name)


def test_generator_check_mode_agrees(gen):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'gen_api_docs.py'), '--check'],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_every_function_has_its_section_with_signature_and_docstring(gen):
    pages = gen.pages()
    assert len(api.NAMES) == len(set(api.NAMES))
    for family, names in api.FAMILIES.items():
        page = pages[family + '.md']
        headings = re.findall(r'^## (\w+)$', page, re.M)
        assert headings == list(names), family
        for name in names:
            section = page.split('\n## %s\n' % name, 1)[1].split('\n## ', 1)[0]
            assert '```python\nK.%s%s\n```' % (name, gen.inspect.signature(getattr(api, name))) in section
            first_line = getattr(api, name).__doc__.strip().splitlines()[0]
            assert gen.escape(first_line) in section, name
            assert section.count('\n- ') >= len(gen.ENGINES)  # one availability line per engine
    matrix = pages['parity.md']
    rows = re.findall(r'^\| \[`(\w+)`\]\((\w+)\.md#(\w+)\) \| (\w+) \|', matrix, re.M)
    assert [r[0] for r in rows] == list(api.NAMES)
    assert all(name == anchor and page == family for name, page, anchor, family in rows)
    assert 'Every contract function (%d)' % len(api.NAMES) in matrix


def test_parity_matrix_lists_every_gap_and_limit_with_its_reason(gen):
    matrix = gen.pages()['parity.md']
    for registry in (gaps.GAPS, gaps.LIMITS):
        for engine, entries in registry.items():
            for name, reason in entries.items():
                names = api.NAMES if name == gaps.ALL else [name]
                for fname in names:
                    assert '- %s, `%s`: %s' % (gen.ENGINE_TITLES[engine], fname, gen.escape(reason)) in matrix


def test_parity_matrix_covers_the_loaders_engines(gen):
    assert set(gen.ENGINES) == set(loader.ADAPTERS) == set(gaps.GAPS) == set(gaps.LIMITS)


def test_stated_availability_is_what_the_engine_provides(K, contract):
    """Per function: a gap is what the loader stubs, 'shared' is the shared composite, 'native' the
    engine's own function, a limit is what gaps.LIMITS lists."""
    engine = K.backend()
    for name in api.NAMES:
        status, reason = contract.availability(engine, name)
        fn = getattr(K._adapter, name, None)
        if status == 'gap':
            assert fn is None, name
            with pytest.raises(NotImplementedError):
                getattr(K, name)()
            continue
        assert fn is not None, name
        assert getattr(K, name) is fn
        shared = '._shared_' in getattr(fn, '__module__', '')
        impl = contract.impl[engine][name]
        assert shared == (impl == 'shared'), (name, fn.__module__, impl)
        assert (status == 'limit') == (gaps.limit(engine, name) is not None), name


def test_markdown_escaping_keeps_code_spans(gen):
    assert gen.escape('a * b_c [x] <y> `k_*`') == r'a \* b\_c \[x\] &lt;y> `k_*`'


def test_every_page_is_in_the_mkdocs_nav():
    nav = read('mkdocs.yml')
    for folder, _, files in os.walk(DOCS):
        for f in files:
            if f.endswith('.md'):
                rel = os.path.relpath(os.path.join(folder, f), DOCS).replace(os.sep, '/')
                assert ': %s\n' % rel in nav, rel


def test_docs_do_not_point_outside_the_repository():
    """The semantics decisions are in the docs themselves, not in design notes kept elsewhere."""
    texts = [read('README.md')] + [read(os.path.relpath(os.path.join(folder, f), ROOT))
                                   for folder, _, files in os.walk(DOCS) for f in files if f.endswith('.md')]
    for text in texts:
        assert 'design notes' not in text and 'DESIGN.md' not in text


def test_readme_links_resolve():
    readme = read('README.md')
    for target in re.findall(r'\]\(([^)#]+)(?:#[^)]*)?\)', readme):
        if '://' not in target:
            assert os.path.exists(os.path.join(ROOT, target)), target


def test_readme_keeps_its_two_commands_and_current_status():
    readme = read('README.md')
    assert ("python3 -m venv .venv && .venv/bin/pip install -e '.[tensorflow]' && "
            ".venv/bin/python examples/softmax_classifier.py") in readme
    assert '\nbash scripts/test.sh\n' in readme
    status = readme.split('## Status', 1)[1].split('\n## ', 1)[0]
    rows = [line for line in status.splitlines() if line.startswith('| ') and not line.startswith('| engine')]
    assert len(rows) == 4  # TensorFlow, PyTensor, Theano 1.0.5, CNTK
    engine_of = {'TensorFlow': 'tensorflow', 'PyTensor': 'theano', 'Theano': 'theano', 'CNTK': 'cntk'}
    for row in rows:
        engine = engine_of[row[2:].split()[0]]
        available = len(api.NAMES) - sum(1 for n in api.NAMES if gaps.reason(engine, n))
        assert 'all %d' % len(api.NAMES) in row if available == len(api.NAMES) else '%d of' % available in row
        assert ('no gaps' in row) == (not gaps.LIMITS[engine] and not gaps.GAPS[engine]), row


def test_site_folder_is_ignored():
    assert 'site/' in read('.gitignore').split()


def test_quickstart_code_runs(K, tmp_path):
    page = read('docs', 'quickstart.md')
    code = re.findall(r'```python\n(.*?)```', page, re.S)
    assert code
    env = dict(os.environ, KERAS_BACKEND=K.backend(), KERAS_HOME=str(tmp_path))
    env.pop('KBACKEND_ENGINE', None)
    for block in code:
        proc = subprocess.run([sys.executable, '-c', block], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
