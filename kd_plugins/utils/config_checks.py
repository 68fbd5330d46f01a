"""Fail fast, in one line, on config values that point at missing files."""
import os.path as osp
from typing import Iterator, List, Tuple

from mmengine.config import Config, ConfigDict

from .errors import UserInputError

__all__ = ['ConfigPathError', 'check_config_paths', 'iter_config_paths']

# Keys whose string value is a checkpoint file (or a zoo URL).
CHECKPOINT_KEYS = ('teacher_ckpt', 'student_ckpt', 'load_from', 'checkpoint',
                   'pretrained', 'ckpt')
# Keys whose (non-empty) string value is a directory of data.
DATA_ROOT_KEYS = ('data_root', )
REMOTE_PREFIXES = ('http://', 'https://', 'open-mmlab://', 'torchvision://',
                   'mmcls://', 'mmpretrain://', 'pavi://', 's3://')


class ConfigPathError(UserInputError, FileNotFoundError):
    """A config value names a file or directory that does not exist."""


def _walk(node, prefix: str) -> Iterator[Tuple[str, str, object]]:
    if isinstance(node, (dict, ConfigDict, Config)):
        for key, value in node.items():
            yield from _walk(value, f'{prefix}.{key}' if prefix else key)
            yield prefix, str(key), value
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _walk(value, f'{prefix}[{i}]')


def is_remote(path: str) -> bool:
    """Whether ``path`` is a URL or zoo address rather than a local file."""
    return path.startswith(REMOTE_PREFIXES)


def iter_config_paths(cfg,
                      sections: List[str]) -> Iterator[Tuple[str, str, str]]:
    """Yield ``(key path, kind, value)`` for every path-like config value.

    Args:
        cfg (Config | dict): The config.
        sections (list[str]): Top-level keys to look into (others, e.g. the
            test dataloader during training, are not needed and not checked).

    Yields:
        tuple: dotted key, ``'checkpoint'`` or ``'data_root'``, and the value.
    """
    for section in sections:
        if section not in cfg or cfg[section] is None:
            continue
        value = cfg[section]
        if section in CHECKPOINT_KEYS and isinstance(value, str):
            yield section, 'checkpoint', value
            continue
        for parent, key, leaf in _walk(value, section):
            if not isinstance(leaf, str) or not leaf:
                continue
            dotted = f'{parent}.{key}'
            if key in CHECKPOINT_KEYS or key.endswith('_ckpt'):
                yield dotted, 'checkpoint', leaf
            elif key in DATA_ROOT_KEYS:
                yield dotted, 'data_root', leaf


def check_config_paths(cfg, sections: List[str]) -> List[str]:
    """Raise :class:`ConfigPathError` for the first missing local path.

    Remote addresses are not checked here (they are downloaded, or fail
    with their own clear error, when loaded).

    Args:
        cfg (Config | dict): The config.
        sections (list[str]): Top-level keys to check, e.g.
            ``['model', 'train_dataloader', 'val_dataloader', 'load_from']``.

    Returns:
        list[str]: The remote checkpoint addresses found (for messages).
    """
    remote = []
    for key, kind, value in iter_config_paths(cfg, sections):
        if is_remote(value):
            remote.append(value)
            continue
        if '::' in value:  # package config path, e.g. mmpretrain::resnet/x.py
            continue
        if kind == 'checkpoint' and not osp.isfile(value):
            raise ConfigPathError(
                f'{key}: checkpoint file not found: {value}')
        if kind == 'data_root' and not osp.isdir(value):
            raise ConfigPathError(
                f'{key}: data directory not found: {value}')
    return remote
