"""Teacher checkpoints of an algorithm config, loaded strictly by the tools.

mmrazor's algorithms load ``teacher_ckpt`` (and ``teachers.<name>.ckpt_path``)
with ``strict=False`` while they are built. The tools take these entries out
of the config first (:func:`defer_teacher_checkpoints`) and load them after
building with :func:`kd_plugins.utils.checkpoint.load_teacher`
(:func:`load_deferred_teachers`), so a mismatched teacher stops with one line.
"""
from typing import List, Sequence, Tuple

from torch import nn

from kd_plugins.utils.checkpoint import CheckpointError, load_teacher
from kd_plugins.utils.model import unwrap_model

__all__ = ['defer_teacher_checkpoints', 'load_deferred_teachers']


def defer_teacher_checkpoints(model_cfg: dict) -> List[Tuple[str, str, bool]]:
    """Take the teacher checkpoints out of an algorithm config, so that the
    tools load them strictly after building (:func:`load_deferred_teachers`).

    Handles ``teacher_ckpt`` (mmrazor's SingleTeacherDistill and its
    subclasses, kd_plugins' SSD-KD) and ``teachers.<name>.ckpt_path``
    (mmrazor's data-free algorithms); pops ``teacher_ckpt_strict``
    (default True).

    Args:
        model_cfg (dict): ``cfg.model``; changed in place.

    Returns:
        list[tuple]: ``(submodule name, file, strict)`` per teacher.
    """
    if not isinstance(model_cfg, dict):
        return []
    strict = bool(model_cfg.pop('teacher_ckpt_strict', True))
    deferred = []
    if model_cfg.get('teacher_ckpt'):
        deferred.append(('teacher', model_cfg['teacher_ckpt'], strict))
        model_cfg['teacher_ckpt'] = None
    teachers = model_cfg.get('teachers')
    if isinstance(teachers, dict):
        for name, teacher_cfg in teachers.items():
            if isinstance(teacher_cfg, dict) and \
                    teacher_cfg.get('ckpt_path'):
                deferred.append((f'teachers.{name}',
                                 teacher_cfg.pop('ckpt_path'), strict))
    return deferred


def load_deferred_teachers(model: nn.Module,
                           deferred: Sequence[Tuple[str, str, bool]]) -> None:
    """Load what :func:`defer_teacher_checkpoints` took out of the config.

    Args:
        model (nn.Module): The built algorithm (a wrapper is unwrapped).
        deferred (Sequence[tuple]): ``(submodule name, file, strict)``.
    """
    model = unwrap_model(model)
    for name, filename, strict in deferred:
        try:
            teacher = model.get_submodule(name)
        except AttributeError:
            raise CheckpointError(
                f'{type(model).__name__} has no submodule {name!r} to load '
                f'the teacher checkpoint {filename} into') from None
        key = 'teacher_ckpt' if name == 'teacher' else f'{name}.ckpt_path'
        load_teacher(teacher, filename, strict, what=f'model.{key}')
