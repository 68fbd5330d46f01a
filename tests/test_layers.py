"""The package's layer order and the absence of import circles
(docs/contributing.md, "Layers").

Every ``import`` under ``kd_plugins/`` (module level and inside functions) is
read with ``ast``; nothing is imported. A module may import modules of its
own layer or of a lower one:

    utils < compat < datasets, models < engine < cli < tools/, benchmarks/

(``kd_plugins/__init__.py``, which imports the registering subpackages, sits
with ``cli``). No module under ``kd_plugins/`` imports the scripts of
``tools/`` or ``benchmarks/``, and no group of ``kd_plugins`` modules imports
itself in a circle.
"""
import ast
import textwrap
from pathlib import Path
from typing import Dict, List, Set, Tuple

from _helpers import REPO_ROOT

PACKAGE = REPO_ROOT / 'kd_plugins'

#: Layer of each subpackage (its name under ``kd_plugins``), bottom first.
LAYERS: Dict[str, Tuple[int, str]] = {
    'version': (0, 'utils'),
    'utils': (0, 'utils'),
    'compat': (1, 'compat'),
    'datasets': (2, 'datasets/models'),
    'models': (2, 'datasets/models'),
    'engine': (3, 'engine'),
    'cli': (4, 'cli'),
    '': (4, 'cli'),  # kd_plugins/__init__.py
}
#: Top-level names of the scripts above the package.
SCRIPTS = ('tools', 'benchmarks', '_harness', '_stats', 'quickstart')

Edge = Tuple[str, str, int]  # (importer, imported module, line)


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def modules_of(package: Path) -> Dict[str, Path]:
    """``{dotted module name: file}`` of every module under ``package``."""
    return {module_name(p, package): p for p in sorted(package.rglob('*.py'))}


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ''
    base = module.split('.')
    base = base[:len(base) - node.level + (1 if is_package else 0)]
    return '.'.join(base + ([node.module] if node.module else []))


def imports_of(path: Path, module: str, known: Set[str]) -> List[Edge]:
    """Every import of ``path`` (any depth), as ``(module, target, line)``;
    ``from X import name`` targets ``X.name`` when that is a module."""
    tree = ast.parse(path.read_text(encoding='utf-8'), filename=str(path))
    is_package = path.name == '__init__.py'
    edges = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            edges += [(module, alias.name, node.lineno)
                      for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_package, node)
            for alias in node.names:
                sub = f'{target}.{alias.name}'
                edges.append((module, sub if sub in known else target,
                              node.lineno))
    return edges


def import_edges(package: Path = PACKAGE) -> Tuple[List[Edge], Dict]:
    modules = modules_of(package)
    known = set(modules)
    edges = []
    for name, path in modules.items():
        edges += imports_of(path, name, known)
    return edges, modules


def layer_of(module: str, root: str) -> Tuple[int, str]:
    parts = module.split('.')
    sub = parts[1] if len(parts) > 1 else ''
    return LAYERS.get(sub, LAYERS[''])


def _where(modules: Dict, module: str, line: int, package: Path) -> str:
    path = modules[module]
    try:
        path = path.relative_to(package.parent)
    except ValueError:
        pass
    return f'{Path(path).as_posix()}:{line}'


def layer_violations(package: Path = PACKAGE) -> List[str]:
    """``file:line: A (layer) imports B (higher layer)`` for every upward
    import, and every import of a script of ``tools/``/``benchmarks/``."""
    edges, modules = import_edges(package)
    root = package.name
    found = []
    for source, target, line in edges:
        top = target.split('.')[0]
        where = _where(modules, source, line, package)
        if top in SCRIPTS:
            found.append(f'{where}: {source} imports the script {target}')
            continue
        if top != root:
            continue
        (low, low_name), (high, high_name) = (layer_of(source, root),
                                              layer_of(target, root))
        if high > low:
            found.append(f'{where}: {source} ({low_name}) imports {target} '
                         f'({high_name}, a higher layer)')
    return found


def import_cycles(package: Path = PACKAGE) -> List[str]:
    """One line per circle of ``kd_plugins`` modules importing each other:
    its modules, and the ``file:line`` of each import in it."""
    edges, modules = import_edges(package)
    graph: Dict[str, Dict[str, int]] = {m: {} for m in modules}
    for source, target, line in edges:
        if target in graph and target != source:
            graph[source].setdefault(target, line)
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    components = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    found = []
    for component in components:
        members = set(component)
        links = [f'{_where(modules, s, line, package)} -> {t}'
                 for s in component for t, line in graph[s].items()
                 if t in members]
        found.append('import circle ' + ' <-> '.join(component) + ': '
                     + '; '.join(links))
    return found


def test_no_module_imports_a_higher_layer():
    assert layer_violations() == []


def test_no_import_circles():
    assert import_cycles() == []


def _tree(tmp_path: Path, files: Dict[str, str]) -> Path:
    package = tmp_path / 'kd_plugins'
    for rel, source in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    for sub in ('utils', 'models', 'compat', 'cli'):
        (package / sub).mkdir(exist_ok=True)
        (package / sub / '__init__.py').touch()
    (package / '__init__.py').touch()
    return package


def test_the_checks_fail_on_an_upward_import_and_a_circle(tmp_path):
    package = _tree(tmp_path, {
        'utils/dist.py': """
            def prepare():
                from kd_plugins.models.wrappers import Wrapper
            """,
        'utils/quiet.py': 'from ..compat import filter_every_mmlogger\n',
        'models/wrappers.py': 'from kd_plugins.utils import dist\n',
        'compat/fix.py': 'import kd_plugins.cli.tool\n',
        'compat/a.py': 'from . import b\n',
        'compat/b.py': 'from kd_plugins.compat.a import x\n',
        'cli/tool.py': 'import quickstart\nfrom kd_plugins.engine import x\n',
    })
    assert layer_violations(package) == [
        'kd_plugins/cli/tool.py:1: kd_plugins.cli.tool imports the script '
        'quickstart',
        'kd_plugins/compat/fix.py:1: kd_plugins.compat.fix (compat) imports '
        'kd_plugins.cli.tool (cli, a higher layer)',
        'kd_plugins/utils/dist.py:3: kd_plugins.utils.dist (utils) imports '
        'kd_plugins.models.wrappers (datasets/models, a higher layer)',
        'kd_plugins/utils/quiet.py:1: kd_plugins.utils.quiet (utils) imports '
        'kd_plugins.compat (compat, a higher layer)',
    ]
    assert import_cycles(package) == [
        'import circle kd_plugins.compat.a <-> kd_plugins.compat.b: '
        'kd_plugins/compat/a.py:1 -> kd_plugins.compat.b; '
        'kd_plugins/compat/b.py:1 -> kd_plugins.compat.a',
        'import circle kd_plugins.models.wrappers <-> kd_plugins.utils.dist: '
        'kd_plugins/models/wrappers.py:1 -> kd_plugins.utils.dist; '
        'kd_plugins/utils/dist.py:3 -> kd_plugins.models.wrappers',
    ]
