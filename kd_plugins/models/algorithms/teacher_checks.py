"""Is a data-free teacher usable? Checks on its output for a random batch.

A data-free run learns only from the teacher's answers to synthetic
inputs: a teacher with a NaN/inf weight gives NaN losses (SSD-KD's round
then kept no batch and failed with ``TypeError: conv2d() received an
invalid combination of arguments``), and a degenerate one (all-zero
weights: the same logits for every input) trains the student to chance
with exit 0. :func:`check_teacher` tells both apart from a usable teacher
on a small batch of random inputs (classification logits ``(N, C)`` or
per-pixel segmentation logits ``(N, C, H, W)``); :func:`check_finite_terms`
stops a synthesis round whose loss is not finite.
"""
import logging
import math
from typing import List, Mapping, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.logging import print_log

from kd_plugins.utils.errors import UserInputError

__all__ = [
    'TeacherCheckError', 'non_finite_tensors', 'teacher_logits',
    'check_teacher', 'random_batch', 'warn_about_teacher',
    'check_finite_terms'
]

_SHOWN = 3


class TeacherCheckError(UserInputError):
    """The teacher (or a loss computed from it) is not finite."""


def _examples(names: Sequence[str]) -> str:
    return ', '.join(names[:_SHOWN]) + (', ...' if len(names) > _SHOWN
                                        else '')


def non_finite_tensors(module: nn.Module) -> List[str]:
    """Names of the parameters and buffers of ``module`` holding NaN/inf."""
    tensors = list(module.named_parameters()) + list(module.named_buffers())
    return [name for name, t in tensors
            if t.is_floating_point() and not bool(torch.isfinite(t).all())]


def teacher_logits(teacher: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``teacher(x, None, mode='tensor')``, the last output of a tuple."""
    out = teacher(x, None, mode='tensor')
    return out[-1] if isinstance(out, (tuple, list)) else out


def random_batch(sample_shape: Sequence[int],
                 like: nn.Module,
                 num: int = 4,
                 seed: int = 0) -> torch.Tensor:
    """``num`` standard-normal samples of ``sample_shape`` on the device of
    ``like``, from a generator of their own (the global random state is
    left alone, so resumed runs stay exact)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn((num, ) + tuple(sample_shape), generator=gen)
    param = next(iter(like.parameters()), None)
    return x if param is None else x.to(param.device)


@torch.no_grad()
def check_teacher(teacher: nn.Module,
                  x: torch.Tensor,
                  owner: str = 'SSDKD',
                  rtol: float = 1e-6) -> Optional[str]:
    """Check a teacher's output on the batch ``x``.

    Args:
        teacher (nn.Module): The teacher (a BaseModel: ``mode='tensor'``),
            in the mode it is used in (eval).
        x (torch.Tensor): At least two different inputs.
        owner (str): Who checks, for the messages. Defaults to 'SSDKD'.
        rtol (float): Outputs whose largest difference from the first
            sample's is at most ``rtol x max(1, max |output|)`` count as the
            same. Defaults to 1e-6.

    Returns:
        str | None: A one-line warning when the output is the same for every
        input (a degenerate teacher), else None.

    Raises:
        TeacherCheckError: The output is not finite (names the teacher's
            non-finite parameters/buffers when there are any).
    """
    out = teacher_logits(teacher, x).float()
    num = x.shape[0]
    if not bool(torch.isfinite(out).all()):
        bad = non_finite_tensors(teacher)
        verb = 'holds' if len(bad) == 1 else 'hold'
        where = (f': {len(bad)} of its tensors {verb} NaN/inf '
                 f'({_examples(bad)})') if bad else ''
        raise TeacherCheckError(
            f"{owner}: the teacher's output for {num} random inputs is not "
            f'finite (NaN/inf){where}; check model.teacher_ckpt')
    if num < 2:
        return None
    spread = float((out - out[:1]).abs().max())
    scale = max(1.0, float(out.abs().max()))
    if spread > rtol * scale:
        return None
    kind = 'per-pixel logits' if out.dim() == 4 else 'logits'
    return (f"{owner}: the teacher's output does not depend on its input "
            f'(the same {kind} {tuple(out.shape[1:])} for {num} different '
            'random inputs): a data-free student cannot learn from it; '
            'check model.teacher_ckpt (all-zero or untrained weights?)')


def warn_about_teacher(teacher: nn.Module, x: torch.Tensor,
                       owner: str = 'SSDKD') -> bool:
    """:func:`check_teacher`, its warning logged as one line.

    Returns:
        bool: True (checked), for a caller's once-per-process flag.
    """
    message = check_teacher(teacher, x, owner)
    if message:
        print_log(message, logger='current', level=logging.WARNING)
    return True


def check_finite_terms(terms: Mapping[str, torch.Tensor],
                       what: str = 'synthesis (inversion) loss',
                       owner: str = 'SSDKD') -> None:
    """Raise :class:`TeacherCheckError` naming the non-finite ``terms``.

    Args:
        terms (Mapping[str, torch.Tensor]): Loss terms (scalars).
        what (str): What they are, for the message. Defaults to
            'synthesis (inversion) loss'.
        owner (str): Who checks, for the message. Defaults to 'SSDKD'.
    """
    values = {k: float(v.detach().float().sum()) for k, v in terms.items()}
    bad = {k: v for k, v in values.items() if not math.isfinite(v)}
    if not bad and math.isfinite(sum(values.values())):
        return
    shown = ', '.join(f'{k}={v:g}' for k, v in (bad or values).items())
    raise TeacherCheckError(
        f'{owner}: non-finite {what} ({shown}); check model.teacher_ckpt '
        'for NaN/inf weights, or lower model.generator_lr / '
        'model.latent_lr')
