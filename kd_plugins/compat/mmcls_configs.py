"""Fix "mmcls-alias", configs: mmcls 1.x config names read as mmpretrain's.

What it fixes: mmcls was renamed mmpretrain and cannot be installed beside
it, so a config inheriting ``mmcls::...`` (mmrazor 1.0.0's own zoo) fails in
``Config.fromfile`` with "mmcls is not installed". ``mmcls::<path>`` bases
become ``mmpretrain::<path>`` (:data:`MMCLS_CONFIG_RENAMES` lists the renamed
files) through :func:`translated_config_paths`, which replaces mmengine's
private ``Config._get_cfg_path`` while active; ``type='mmcls.X'`` becomes
``_scope_='mmpretrain', type='X'``, ``mmcls`` scopes become ``mmpretrain``
and renamed classes follow :data:`MMCLS_TYPE_RENAMES`. The tools' entry is
:func:`kd_plugins.cli.config_loading.read_config`; mmrazor's ``cfg_path``
models go through :mod:`kd_plugins.compat.mmcls_alias`.

How it detects the need: only ``mmcls`` names are rewritten and each rewrite
is reported (``old -> new``); other configs are left exactly as loaded.

When to delete: together with :mod:`kd_plugins.compat.mmcls_alias`, when
mmrazor's configs and modules name mmpretrain.
"""
import contextlib
from typing import Any, Callable, Iterator, List

__all__ = [
    'MMCLS_CONFIG_RENAMES', 'MMCLS_TYPE_RENAMES', 'mmcls_bases_as_mmpretrain',
    'translate_config_path', 'translate_mmcls_config',
    'translated_config_paths'
]

#: Class names mmcls 1.x used that mmpretrain 1.x renamed (old -> new). The
#: old names are registered nowhere on this stack, so a bare old name is
#: mapped too. Found by reading both packages and running mmrazor's zoo.
MMCLS_TYPE_RENAMES = {
    'PackClsInputs': 'PackInputs',
    'ClsDataSample': 'DataSample',
    'ClsVisualizer': 'UniversalVisualizer',
}

#: mmcls config paths that mmpretrain renamed (old -> new, relative to the
#: package's ``configs/``). Every other mmcls path exists unchanged.
MMCLS_CONFIG_RENAMES = {
    'deit/deit-base_pt-16xb64_in1k.py': 'deit/deit-base_16xb64_in1k.py',
    'deit/deit-small_pt-4xb256_in1k.py': 'deit/deit-small_4xb256_in1k.py',
    'deit/deit-tiny_pt-4xb256_in1k.py': 'deit/deit-tiny_4xb256_in1k.py',
}

_OLD, _NEW = 'mmcls', 'mmpretrain'


def translate_config_path(path: str) -> str:
    """``mmcls::<rel>`` -> ``mmpretrain::<rel'>``; other paths unchanged."""
    if path.startswith(f'{_OLD}::'):
        rel = path[len(_OLD) + 2:]
        return f'{_NEW}::' + MMCLS_CONFIG_RENAMES.get(rel, rel)
    return path


def _translate(node: Any, changes: List[str]) -> Any:
    if isinstance(node, str):
        new = translate_config_path(node)
        if new != node:
            changes.append(f'{node} -> {new}')
        return new
    if isinstance(node, (list, tuple)):
        return type(node)([_translate(v, changes) for v in node])
    return _translate_mapping(node, changes) if isinstance(node,
                                                           dict) else node


def _translate_mapping(node, changes: List[str]):
    """Translate a config dict (or a whole ``Config``) in place."""
    if node.get('_scope_') == _OLD:
        node['_scope_'] = _NEW
        changes.append(f"_scope_='{_OLD}' -> '{_NEW}'")
    for key in list(node.keys()):
        value = node[key]
        if key == 'type' and isinstance(value, str):
            prefix, dot, short = value.rpartition('.')
            new_short = MMCLS_TYPE_RENAMES.get(short, short)
            if prefix == _OLD and '_scope_' not in node:
                # ``mmcls.X`` built X in mmcls's scope, nested parts too
                # (e.g. ImageClassifier's default ClsDataPreprocessor), so
                # it becomes ``_scope_='mmpretrain'`` rather than a prefix.
                node['_scope_'], node[key] = _NEW, new_short
                changes.append(f"{value} -> _scope_='{_NEW}', "
                               f'type={new_short}')
                continue
            new = f'{_NEW if prefix == _OLD else prefix}{dot}{new_short}'
            if new != value:
                changes.append(f'{value} -> {new}')
            node[key] = new
        elif key == 'default_scope' and value == _OLD:
            node[key] = _NEW
            changes.append(f"default_scope='{_OLD}' -> '{_NEW}'")
        else:
            node[key] = _translate(value, changes)
    return node


def translate_mmcls_config(cfg) -> List[str]:
    """Rewrite mmcls names in a loaded ``Config`` (bases merged) to
    mmpretrain's, in place; returns one ``old -> new`` entry per rewrite."""
    changes: List[str] = []
    _translate_mapping(cfg, changes)
    return changes


@contextlib.contextmanager
def translated_config_paths(
        translate: Callable[[str], str]) -> Iterator[None]:
    """While active, mmengine's ``Config`` resolves every ``package::path``
    (``_base_`` entries, ``Config._get_cfg_path``) as ``translate(path)``.

    ``Config._get_cfg_path`` is replaced for the duration and restored after
    (nested uses restore in order).

    Args:
        translate (callable): ``path -> path``; returns other paths
            unchanged.
    """
    from mmengine.config import Config
    original = Config.__dict__['_get_cfg_path']
    get_path = original.__func__

    def _get_cfg_path(cfg_path: str, filename: str):
        return get_path(translate(cfg_path), filename)

    Config._get_cfg_path = staticmethod(_get_cfg_path)
    try:
        yield
    finally:
        Config._get_cfg_path = original


@contextlib.contextmanager
def mmcls_bases_as_mmpretrain() -> Iterator[List[str]]:
    """Context in which ``Config.fromfile`` resolves ``mmcls::`` bases in
    mmpretrain. Yields the list the rewrites are appended to."""
    changes: List[str] = []

    def translate(cfg_path: str) -> str:
        new = translate_config_path(cfg_path)
        if new != cfg_path:
            changes.append(f'{cfg_path} -> {new}')
        return new

    with translated_config_paths(translate):
        yield changes
