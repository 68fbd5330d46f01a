"""One line for an exception raised while a config file is read.

:func:`describe_config_error` names the first problem of the ``_base_``
chain (syntax error with file:line, a missing base, an ``mmcls::`` base
without an mmpretrain counterpart, a package that is not installed), or the
innermost line of the config files that raised.
"""
import ast
import os.path as osp
from typing import Iterator, List, Optional, Tuple

from .text import one_line

__all__ = ['describe_config_error']


def _base_entries(path: str) -> List[Tuple[str, int]]:
    """``[(base, line)]`` of the ``_base_`` assignment in a config file
    (raises SyntaxError with the file name and line)."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), filename=path)
    entries = []
    for node in tree.body:
        if not isinstance(node, ast.Assign) or not any(
                isinstance(t, ast.Name) and t.id == '_base_'
                for t in node.targets):
            continue
        values = node.value.elts if isinstance(
            node.value, (ast.List, ast.Tuple)) else [node.value]
        entries += [(v.value, v.lineno) for v in values
                    if isinstance(v, ast.Constant) and isinstance(
                        v.value, str)]
    return entries


def _package_config(base: str) -> Tuple[str, Optional[str]]:
    """Return ``(package, file or None when not installed)`` for a
    ``package::relative/path.py`` base."""
    package, rel = base.split('::', 1)
    try:
        from mmengine.utils import get_installed_path
        root = get_installed_path(package)
    except Exception:
        return package, None
    return package, osp.join(root, '.mim', 'configs', rel)


def _chain_problem(path: str, seen=None) -> Optional[str]:
    """Walk the ``_base_`` chain of ``path``; describe the first problem."""
    seen = set() if seen is None else seen
    path = osp.abspath(path)
    if path in seen:
        return None
    seen.add(path)
    try:
        entries = _base_entries(path)
    except SyntaxError as e:
        return f'{e.filename}:{e.lineno}: syntax error: {e.msg}'
    except (OSError, UnicodeDecodeError) as e:
        return f'cannot read config {path}: {e}'
    for base, line in entries:
        where = f'{path}:{line}'
        if base.startswith('mmcls::'):
            return (f"{where}: base config '{base}' is in the mmcls scope "
                    '(the old name of mmpretrain) and has no mmpretrain '
                    "counterpart; inherit a matching 'mmpretrain::' config")
        if '::' in base:
            package, file = _package_config(base)
            if file is None:
                return (f"{where}: base config '{base}': package "
                        f"'{package}' is not installed")
            if not osp.isfile(file):
                return f"{where}: base config '{base}' not found ({file})"
            problem = _chain_problem(file, seen)
        else:
            file = osp.join(osp.dirname(path), base)
            if not osp.isfile(file):
                return (f"{where}: base config '{base}' not found "
                        f'({osp.normpath(file)})')
            problem = _chain_problem(file, seen)
        if problem:
            return problem
    return None


def _config_files(path: str, seen=None) -> Iterator[str]:
    seen = set() if seen is None else seen
    path = osp.abspath(path)
    if path in seen or not osp.isfile(path):
        return
    seen.add(path)
    yield path
    try:
        entries = _base_entries(path)
    except (SyntaxError, OSError, UnicodeDecodeError):
        return
    for base, _ in entries:
        if '::' in base:
            file = _package_config(base)[1]
        else:
            file = osp.join(osp.dirname(path), base)
        if file:
            yield from _config_files(file, seen)


def describe_config_error(path: str, exc: BaseException) -> str:
    """One line for an exception raised while reading config ``path``."""
    if '::' not in path:
        problem = _chain_problem(path)
        if problem:
            return problem
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
    message = f'{type(exc).__name__}: {one_line(message)}'
    files = set(_config_files(path)) if '::' not in path else set()
    where = None
    tb = exc.__traceback__
    while tb is not None:  # innermost line executed in one of the configs
        if osp.abspath(tb.tb_frame.f_code.co_filename) in files:
            where = f'{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}'
        tb = tb.tb_next
    if where:
        return f'{where}: {message}'
    return f'cannot load config {path}: {message}'
