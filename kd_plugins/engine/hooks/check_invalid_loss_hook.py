"""Stop training at the first non-finite loss; never save non-finite weights.

mmengine 0.10 has no invalid-loss check (mmdet's ``CheckInvalidLossHook``
asserts on the total loss every 50 iterations). This hook looks at every
loss term the runner receives from ``train_step`` (``outputs``: the log vars
of ``BaseModel.train_step`` and of the algorithms with their own
``train_step``, e.g. AFD's ``OnlineAdversarialDistill`` and SSD-KD), every
iteration, and raises :class:`NonFiniteLossError` naming the iteration and
the terms. It runs before ``CheckpointHook``, so the iteration's checkpoint is
not written; ``before_save_checkpoint`` additionally refuses a checkpoint
whose weights are not finite (a finite loss can still produce inf gradients).
"""
import math
from typing import Optional, Sequence

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmrazor.registry import HOOKS

from kd_plugins.utils import UserInputError

__all__ = ['CheckInvalidLossHook', 'NonFiniteLossError']

# How many terms / tensors a message names.
_SHOWN = 4


class NonFiniteLossError(UserInputError):
    """Training diverged (a loss or the weights became NaN/inf)."""


def _value(v) -> Optional[float]:
    if isinstance(v, torch.Tensor):
        if v.numel() == 0:
            return None
        finite = torch.isfinite(v.detach()).all().item()
        return float(v.detach().float().mean()) if not finite else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    return None


def non_finite_terms(outputs: dict, keys: Sequence[str] = ('loss', )):
    """``(name, value)`` of the entries of ``outputs`` whose name contains
    one of ``keys`` and whose value is not finite."""
    bad = []
    for name, value in (outputs or {}).items():
        if not any(k in name for k in keys):
            continue
        number = _value(value)
        if number is not None and not math.isfinite(number):
            bad.append((name, number))
    return bad


@HOOKS.register_module()
class CheckInvalidLossHook(Hook):
    """Raise :class:`NonFiniteLossError` at the first non-finite loss.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to 1.
        keys (Sequence[str]): Log-var names containing one of these are
            checked. Defaults to ``('loss', )`` (mmengine sums exactly those
            into the total loss).
        check_checkpoint (bool): Refuse to save a checkpoint whose floating
            weights are not all finite. Defaults to True.
        enable (bool): Switch the hook off with False (a ``default_hooks``
            entry that mmengine does not know cannot be set to None).
            Defaults to True.
    """

    priority = 'VERY_HIGH'  # before LoggerHook and CheckpointHook

    def __init__(self,
                 interval: int = 1,
                 keys: Sequence[str] = ('loss', ),
                 check_checkpoint: bool = True,
                 enable: bool = True) -> None:
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(
                f'CheckInvalidLossHook: interval must be an int >= 1, got '
                f'{interval!r}')
        self.interval = interval
        self.keys = tuple(keys)
        self.check_checkpoint = check_checkpoint
        self.enable = enable

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if not self.enable or not self.every_n_train_iters(
                runner, self.interval):
            return
        bad = non_finite_terms(outputs, self.keys)
        if get_world_size() > 1:  # stop every rank, not just one
            flag = torch.tensor(float(len(bad)))
            all_reduce(flag)
            if flag.item() > 0 and not bad:
                raise NonFiniteLossError(
                    f'non-finite loss on another rank at iteration '
                    f'{runner.iter + 1}; training stopped')
        if bad:
            terms = ', '.join(f'{n}={v}' for n, v in bad[:_SHOWN])
            raise NonFiniteLossError(
                f'non-finite loss at iteration {runner.iter + 1} (epoch '
                f'{runner.epoch + 1}): {terms}; training stopped, no '
                'checkpoint of this iteration was written (lower the '
                'learning rate or check the inputs)')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if not (self.enable and self.check_checkpoint):
            return
        bad = [
            k for k, v in checkpoint.get('state_dict', {}).items()
            if isinstance(v, torch.Tensor) and v.is_floating_point()
            and not torch.isfinite(v).all()
        ]
        if bad:
            raise NonFiniteLossError(
                f'non-finite weights after iteration {runner.iter} '
                f'({len(bad)} tensors, e.g. {", ".join(bad[:_SHOWN])}); '
                'training stopped, the checkpoint was not written (lower '
                'the learning rate or check the inputs)')
