"""Load configs written for mmcls 1.x (e.g. mmrazor 1.0.0's own zoo).

mmcls was renamed mmpretrain and cannot be installed beside it, so every
config that inherits ``mmcls::...`` fails in ``Config.fromfile`` with "mmcls is
not installed". :func:`load_config` loads such a config as mmpretrain's:

* ``mmcls::<path>`` bases and ``cfg_path`` values become
  ``mmpretrain::<path>`` (mmpretrain kept mmcls's config layout; the configs it
  renamed are in :data:`MMCLS_CONFIG_RENAMES`);
* ``type='mmcls.X'`` becomes ``_scope_='mmpretrain', type='X'`` (so the
  parts X builds are looked up in mmpretrain too; ``mmpretrain.X`` where the
  dict already names a ``_scope_``), ``_scope_='mmcls'`` and
  ``default_scope='mmcls'`` become ``'mmpretrain'``;
* class names mmpretrain renamed are mapped by :data:`MMCLS_TYPE_RENAMES`.

Configs that do not mention mmcls load exactly as with ``Config.fromfile``.
Paths may also be given as ``package::relative/path.py`` (e.g.
``mmrazor::distill/mmcls/kd/kd_logits_resnet34_resnet18_8xb32_in1k.py``).

mmrazor's modules that import mmcls themselves, and models that mmrazor
builds from ``cfg_path`` (``mmengine.hub.get_config``), are served by
:mod:`kd_plugins.compat` (fix "mmcls-alias").
"""
import contextlib
import logging
import os.path as osp
from typing import Any, Iterator, List, Optional

from mmengine.config import Config

__all__ = [
    'MMCLS_CONFIG_RENAMES', 'MMCLS_TYPE_RENAMES', 'load_config',
    'mmcls_bases_as_mmpretrain', 'resolve_config_path',
    'translate_config_path', 'translate_mmcls_config'
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


def _config_path(rel: str) -> str:
    return f'{_NEW}::' + MMCLS_CONFIG_RENAMES.get(rel, rel)


def translate_config_path(path: str) -> str:
    """``mmcls::<rel>`` -> ``mmpretrain::<rel'>``; other paths unchanged."""
    if path.startswith(f'{_OLD}::'):
        return _config_path(path[len(_OLD) + 2:])
    return path


def _translate(node: Any, changes: List[str]) -> Any:
    if isinstance(node, str):
        if node.startswith(f'{_OLD}::'):
            new = _config_path(node[len(_OLD) + 2:])
            changes.append(f'{node} -> {new}')
            return new
        return node
    if isinstance(node, (list, tuple)):
        items = [_translate(v, changes) for v in node]
        return type(node)(items)
    if not isinstance(node, dict):
        return node
    return _translate_mapping(node, changes)


def _translate_mapping(node, changes: List[str]):
    """Translate a config dict (or a whole ``Config``) in place."""
    if node.get('_scope_') == _OLD:
        node['_scope_'] = _NEW
        changes.append(f"_scope_='{_OLD}' -> '{_NEW}'")
    for key in list(node.keys()):
        value = node[key]
        if key == 'type' and isinstance(value, str):
            prefix, _, short = value.rpartition('.')
            if prefix == _OLD and '_scope_' not in node:
                # ``mmcls.X`` built X in mmcls's scope, nested parts too
                # (e.g. ImageClassifier's default ClsDataPreprocessor), so
                # it becomes ``_scope_='mmpretrain'`` rather than a prefix.
                node['_scope_'] = _NEW
                node[key] = MMCLS_TYPE_RENAMES.get(short, short)
                changes.append(f"{value} -> _scope_='{_NEW}', "
                               f'type={node[key]}')
            else:
                node[key] = _translate_type(value, changes)
        elif key == 'default_scope' and value == _OLD:
            node[key] = _NEW
            changes.append(f"default_scope='{_OLD}' -> '{_NEW}'")
        else:
            node[key] = _translate(value, changes)
    return node


def _translate_type(name: str, changes: List[str]) -> str:
    prefix, dot, short = name.rpartition('.')
    new_short = MMCLS_TYPE_RENAMES.get(short, short)
    new_prefix = _NEW if prefix == _OLD else prefix
    new = f'{new_prefix}{dot}{new_short}'
    if new != name:
        changes.append(f'{name} -> {new}')
    return new


def translate_mmcls_config(cfg: Config) -> List[str]:
    """Rewrite mmcls names in a loaded config to mmpretrain's, in place.

    Args:
        cfg (Config): A loaded config (bases already merged).

    Returns:
        List[str]: One ``old -> new`` entry per rewritten value (empty when
        the config mentions no mmcls name).
    """
    changes: List[str] = []
    _translate_mapping(cfg, changes)
    return changes


def _mmcls_bases_as_mmpretrain(changes: List[str]):
    """Context in which ``_base_ = ['mmcls::...']`` resolves in mmpretrain
    (:func:`kd_plugins.compat.translated_config_paths`); every rewrite is
    appended to ``changes``."""
    from kd_plugins.compat import translated_config_paths

    def translate(cfg_path: str) -> str:
        new = translate_config_path(cfg_path)
        if new != cfg_path:
            changes.append(f'{cfg_path} -> {new}')
        return new

    return translated_config_paths(translate)


@contextlib.contextmanager
def mmcls_bases_as_mmpretrain() -> Iterator[List[str]]:
    """Context in which ``Config.fromfile`` resolves ``mmcls::`` bases in
    mmpretrain. Yields the list the rewrites are appended to."""
    changes: List[str] = []
    with _mmcls_bases_as_mmpretrain(changes):
        yield changes


def resolve_config_path(path: str) -> str:
    """Turn ``package::relative/path.py`` into the installed file's path.

    Args:
        path (str): A file path, or a config inside an installed OpenMMLab
            package (``mmrazor::distill/...``; ``mmcls::`` means mmpretrain).

    Returns:
        str: The file path (``path`` itself when it has no ``::``).
    """
    if '::' not in path or osp.exists(path):
        return path
    return Config._get_cfg_path(translate_config_path(path), '')[0]


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """``Config.fromfile`` that also reads configs written for mmcls.

    Args:
        path (str): Config file, or ``package::relative/path.py``.
        cfg_options (dict, optional): Overrides merged after the
            translation (``--cfg-options``). Defaults to None.

    Returns:
        Config: The loaded config. When a translation happened, one info line
        says so (the full list of rewrites is at debug level).
    """
    from mmengine.logging import print_log
    changes: List[str] = []
    with _mmcls_bases_as_mmpretrain(changes):
        cfg = Config.fromfile(resolve_config_path(path))
    changes += translate_mmcls_config(cfg)
    if changes:
        print_log(
            f'{osp.basename(path)} was written for mmcls; loaded it with '
            f'mmpretrain ({len(changes)} names translated, e.g. '
            f'{changes[0]})',
            logger='current',
            level=logging.INFO)
        print_log('mmcls -> mmpretrain: ' + '; '.join(changes),
                  logger='current', level=logging.DEBUG)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg
