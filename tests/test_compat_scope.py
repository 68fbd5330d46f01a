"""No module under kd_plugins/ patches third-party code at run time except
the kd_plugins/compat/ package (docs/contributing.md, "No runtime patching
outside kd_plugins/compat/").

The check reads the source (``ast``), it imports nothing. Outside compat/
it reports every

* attribute write (``x.a = ...``, ``x.a += ...``, ``del x.a``,
  ``setattr(x, ...)``, ``delattr(x, ...)``, ``object.__setattr__(...)``)
  whose target is not the object's own state (``self.a``, one level, not a
  dunder such as ``self.__class__``) nor an attribute of a function or class
  defined in the same file, unless the attribute is a documented public
  setter (:data:`PUBLIC_SETTERS`) or the object an mmengine ``Config``
  named ``cfg``;
* write into ``sys.modules``, ``sys.meta_path``, ``x.__dict__`` or
  ``vars(x)``.
"""
import ast
import textwrap
from pathlib import Path
from typing import List

from _helpers import REPO_ROOT

PACKAGE = REPO_ROOT / 'kd_plugins'
ALLOWED_DIR = PACKAGE / 'compat'

#: Attributes whose assignment is the owner's public API.
PUBLIC_SETTERS = {
    'grad': 'torch.Tensor.grad (documented setter)',
    'dataset_meta': 'mmengine Evaluator/BaseMetric.dataset_meta setter',
    'is_init': 'mmengine BaseModule.is_init setter (init_weights protocol)',
}
#: Root names whose attribute writes are item writes of an mmengine Config.
CONFIG_NAMES = {'cfg'}
#: (file relative to the repository, target) writes that are known and
#: being removed elsewhere. Keep this empty.
PENDING = set()
_MUTATING = {'append', 'insert', 'extend', 'remove', 'pop', 'clear',
             'update', 'setdefault', '__setitem__'}


def _root(node: ast.AST):
    """(root name, depth) of an attribute chain ``a.b.c``; None if the root
    is not a plain name (``f().x``, ``a[0].x``)."""
    depth = 0
    while isinstance(node, ast.Attribute):
        node, depth = node.value, depth + 1
    return (node.id, depth) if isinstance(node, ast.Name) else (None, depth)


def _is_registry(node: ast.AST) -> bool:
    """``sys.modules``, ``sys.meta_path``, ``x.__dict__`` or ``vars(x)``."""
    if isinstance(node, ast.Attribute):
        if node.attr == '__dict__':
            return True
        return (isinstance(node.value, ast.Name) and node.value.id == 'sys'
                and node.attr in ('modules', 'meta_path', 'path_hooks'))
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == 'vars')


def _attribute_allowed(target: ast.Attribute, local: set) -> bool:
    root, depth = _root(target)
    if target.attr.startswith('__') and target.attr.endswith('__'):
        return root in local and target.attr in ('__doc__', '__name__')
    if root == 'self' and depth == 1:
        return True
    return (root in local or root in CONFIG_NAMES
            or target.attr in PUBLIC_SETTERS)


def find_patches(source: str, name: str = '<source>') -> List[str]:
    """``file:line: code`` of every runtime patch in ``source``."""
    tree = ast.parse(source)
    local = {
        n.name
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                          ast.ClassDef))
    }
    found = []

    def report(node):
        found.append(f'{name}:{node.lineno}: {ast.unparse(node).strip()}')

    def check_target(target, stmt):
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                check_target(element, stmt)
        elif isinstance(target, ast.Starred):
            check_target(target.value, stmt)
        elif isinstance(target, ast.Attribute):
            if not _attribute_allowed(target, local):
                found.append(f'{name}:{stmt.lineno}: '
                             f'{ast.unparse(target)} (assigned)')
        elif isinstance(target, ast.Subscript) and _is_registry(target.value):
            found.append(f'{name}:{stmt.lineno}: '
                         f'{ast.unparse(target)} (assigned)')

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                check_target(target, node)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            check_target(node.target, node)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                check_target(target, node)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ('setattr',
                                                          'delattr'):
                obj = node.args[0] if node.args else None
                if not (isinstance(obj, ast.Name)
                        and obj.id in {'self'} | local):
                    report(node)
            elif isinstance(func, ast.Attribute):
                if func.attr in ('__setattr__', '__delattr__'):
                    report(node)
                elif func.attr in _MUTATING and _is_registry(func.value):
                    report(node)
    return found


def _relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def scan(package: Path = PACKAGE) -> List[str]:
    """Every runtime patch under ``package`` outside its compat/ package."""
    found = []
    for path in sorted(package.rglob('*.py')):
        if (package / ALLOWED_DIR.name) in path.parents:
            continue
        rel = _relative(path) if package == PACKAGE else str(path)
        for hit in find_patches(path.read_text(), rel):
            if not any(hit.startswith(f'{file}:') and f' {target} ' in hit
                       for file, target in PENDING):
                found.append(hit)
    return found


def test_no_runtime_patching_outside_compat():
    assert scan() == [], (
        'runtime patch of a third-party object outside kd_plugins/compat/'
        ' (use a public API, or add a named, documented module to compat/;'
        ' see docs/contributing.md)')


def test_compat_is_where_the_patches_are():
    """The same check finds compat/'s own patches: it is not blind."""
    hits = [hit for path in sorted(ALLOWED_DIR.glob('*.py'))
            for hit in find_patches(path.read_text(), path.name)]
    text = '\n'.join(hits)
    for expected in ('fmm.reverse2', 'MMLogger.__init__',
                     'Config._get_cfg_path', 'sampler.seed',
                     "sys.modules['mmcv.ops']", 'hub.get_config',
                     'sys.meta_path.append', 'setattr(BackendPatternConfig'):
        assert expected in text, expected


BEFORE = {
    # patch forms the check must catch outside compat/ (one per module kind)
    'quiet.py': """
        from mmengine.logging import MMLogger

        def silence():
            original_init = MMLogger.__init__

            def __init__(self, *args, **kwargs):
                original_init(self, *args, **kwargs)

            __init__._kd_plugins_quiet = True
            MMLogger.__init__ = __init__
        """,
    'mmcls_compat.py': """
        from mmengine.config import Config

        def patch(original, _get_cfg_path):
            Config._get_cfg_path = staticmethod(_get_cfg_path)
            try:
                yield
            finally:
                Config._get_cfg_path = original
        """,
    'random_state_hook.py': """
        class RandomStateHook:
            def after_load_checkpoint(self, runner, checkpoint):
                sampler = runner.train_loop.dataloader.sampler
                sampler.seed = checkpoint['sampler_state']['seed']
        """,
    'checkpoint.py': """
        def load_teacher(teacher, filename):
            teacher._is_init = True
        """,
}


def test_the_check_fails_on_known_patch_forms():
    for name, source in BEFORE.items():
        hits = find_patches(textwrap.dedent(source), name)
        assert hits, name
    assert len(find_patches(textwrap.dedent(BEFORE['mmcls_compat.py']))) == 2
    quiet = find_patches(textwrap.dedent(BEFORE['quiet.py']))
    assert quiet == ['<source>:11: MMLogger.__init__ (assigned)']


def test_other_forms_are_caught_and_own_state_is_not():
    caught = """
        import sys
        import torch
        from mmengine.runner import Runner
        torch.load = None
        Runner.train.__doc__ = 'x'
        setattr(Runner, 'train', None)
        object.__setattr__(Runner, 'train', None)
        sys.modules['mmcls'] = None
        sys.meta_path.insert(0, None)
        vars(Runner)['x'] = 1
        Runner.__dict__.update(x=1)

        def f(model, x):
            model.__class__ = x
            model.layer.weight += 1
            del model.hook
            model.a, model.b = 1, 2
        """
    hits = find_patches(textwrap.dedent(caught))
    assert len(hits) == 13, hits
    fine = """
        class Hook:
            def __init__(self, cfg, model, evaluator):
                self.x = 1
                self.y: int = 2
                self.x += 1
                setattr(self, 'z', 3)
                cfg.work_dir = 'w'
                model.is_init = True
                evaluator.dataset_meta = {}
                for p in model.parameters():
                    p.grad = None

        def helper():
            pass

        helper.marker = True
        Hook.__doc__ = 'documented later'
        """
    assert find_patches(textwrap.dedent(fine)) == []
