"""Fail fast, in one line, on config values that point at missing files,
and on a KD config whose teacher and student heads cannot be compared."""
import os.path as osp
from typing import Iterator, List, Optional, Tuple

from mmengine.config import Config, ConfigDict

from kd_plugins.utils.errors import UserInputError

__all__ = [
    'ConfigPathError', 'check_config_paths', 'iter_config_paths',
    'DistillConfigError', 'check_distill_heads', 'checkpoint_path_problem'
]

# Keys whose string value is a checkpoint file (or a zoo URL).
CHECKPOINT_KEYS = ('teacher_ckpt', 'student_ckpt', 'load_from', 'checkpoint',
                   'pretrained', 'ckpt')
# Keys whose (non-empty) string value is a directory of data.
DATA_ROOT_KEYS = ('data_root', )
REMOTE_PREFIXES = ('http://', 'https://', 'open-mmlab://', 'torchvision://',
                   'mmcls://', 'mmpretrain://', 'pavi://', 's3://')


class ConfigPathError(UserInputError, FileNotFoundError):
    """A config value names a file or directory that does not exist."""


class DistillConfigError(UserInputError):
    """A distillation config whose teacher and student do not fit."""


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
        problem = checkpoint_path_problem(value) \
            if kind == 'checkpoint' else None
        if problem:
            raise ConfigPathError(f'{key}: {problem}')
        if kind == 'data_root' and not osp.isdir(value):
            raise ConfigPathError(
                f'{key}: data directory not found: {value}')
    return remote


def checkpoint_path_problem(path: str) -> Optional[str]:
    """``'checkpoint file not found: P'``, ``'P is a directory, not a
    checkpoint file'``, or None for a local file."""
    if osp.isfile(path):
        return None
    if osp.isdir(path):
        return f'{path} is a directory, not a checkpoint file'
    return f'checkpoint file not found: {path}'


def _num_classes(model_cfg):
    head = model_cfg.get('head') if isinstance(model_cfg, dict) else None
    return head.get('num_classes') if isinstance(head, dict) else None


def _head_recorders(recorders) -> set:
    """Names of the recorders that record (part of) the model's head."""
    if not isinstance(recorders, dict):
        return set()
    return {
        name
        for name, rec in recorders.items() if isinstance(rec, dict)
        and str(rec.get('source', '')).split('.')[0] == 'head'
    }


def check_distill_heads(cfg) -> None:
    """Refuse a KD config comparing heads with different ``num_classes``.

    For mmrazor's ``SingleTeacherDistill``-style configs
    (``model.architecture`` + ``model.teacher`` + ``model.distiller``): when
    a distill loss takes a teacher and a student recorder of the heads
    (``source='head.fc'``, say) and the heads' ``num_classes`` differ, the
    first training step fails with ``The size of tensor a (10) must match
    the size of tensor b (12)``; this says it before anything is built.
    Feature-only distillation between different heads is left alone.

    Raises:
        DistillConfigError: Naming both ``num_classes`` and the loss.
    """
    model = cfg.get('model') if hasattr(cfg, 'get') else None
    if not isinstance(model, dict):
        return
    student = _num_classes(model.get('architecture'))
    teacher = _num_classes(model.get('teacher'))
    distiller = model.get('distiller')
    if (student is None or teacher is None or student == teacher
            or not isinstance(distiller, dict)):
        return
    from_s = _head_recorders(distiller.get('student_recorders'))
    from_t = _head_recorders(distiller.get('teacher_recorders'))
    mappings = distiller.get('loss_forward_mappings') or {}
    for loss, mapping in mappings.items():
        if not isinstance(mapping, dict):
            continue
        inputs = [m for m in mapping.values() if isinstance(m, dict)]
        uses_s = any(m.get('from_student') and m.get('recorder') in from_s
                     for m in inputs)
        uses_t = any(not m.get('from_student')
                     and m.get('recorder') in from_t for m in inputs)
        if uses_s and uses_t:
            raise DistillConfigError(
                f'model.teacher.head.num_classes ({teacher}) != '
                f'model.architecture.head.num_classes ({student}): the '
                f"distill loss '{loss}' compares the teacher's and the "
                "student's head outputs, which need the same number of "
                'classes')
