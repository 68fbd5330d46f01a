"""Optim wrappers whose ``step()`` first averages gradients over ranks.

Kin of mmengine's ``optim/optimizer/amp_optimizer_wrapper.py``: a subclass
that changes what ``step()`` does. Algorithms with their own multi-optimizer
``train_step`` (data-free and online distillation) run under
:class:`~kd_plugins.models.wrappers.DistributedAlgorithmWrapper`, which does
not average gradients in ``backward`` as DDP does; these wrappers average
them, one all-reduce per device and dtype, right before each optimizer
update (after gradient accumulation, before clipping and loss-scale checks).
With one process they are plain ``OptimWrapper`` / ``AmpOptimWrapper``.
"""
from typing import Any, Dict, List

import torch
import torch.distributed as dist
from mmengine.dist import get_world_size
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmrazor.registry import OPTIM_WRAPPERS
from torch import nn

__all__ = [
    'average_gradients', 'GradientAveragingMixin', 'DistributedOptimWrapper',
    'DistributedAmpOptimWrapper'
]


def average_gradients(params: List[nn.Parameter]) -> None:
    """Average the gradients of ``params`` over all processes, in place.

    A parameter whose gradient is ``None`` on some ranks counts as zero
    there; one whose gradient is ``None`` on every rank keeps ``None`` (so
    optimizers still skip it, as they would without distribution). One
    all-reduce per device and dtype; nothing happens with one process.

    Args:
        params (list[nn.Parameter]): Parameters to synchronise.
    """
    world_size = get_world_size()
    if world_size == 1 or not params:
        return
    groups: Dict[Any, List[nn.Parameter]] = {}
    for p in params:
        groups.setdefault((p.device, p.dtype), []).append(p)
    for (device, dtype), group in groups.items():
        present = torch.tensor([p.grad is not None for p in group],
                               dtype=dtype, device=device)
        flat = torch.cat([present] + [
            (p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1)
            for p in group
        ])
        dist.all_reduce(flat)
        present_sum, flat = flat[:len(group)], flat[len(group):]
        flat.div_(world_size)
        offset = 0
        for p, count in zip(group, present_sum.tolist()):
            numel = p.numel()
            if count > 0:
                grad = flat[offset:offset + numel].view_as(p)
                if p.grad is None:
                    p.grad = grad.clone()
                else:
                    p.grad.copy_(grad)
            offset += numel


class GradientAveragingMixin:
    """Make an ``OptimWrapper`` subclass average gradients in ``step()``.

    Put it first in the bases: ``class X(GradientAveragingMixin,
    SomeOptimWrapper)``. ``averages_gradients`` is what
    ``DistributedAlgorithmWrapper`` checks.
    """

    averages_gradients = True

    def step(self, **kwargs) -> None:
        """Average the gradients of the trainable parameters of this
        wrapper's optimizer over all ranks, then update them."""
        average_gradients([
            p for group in self.optimizer.param_groups
            for p in group['params'] if p.requires_grad
        ])
        super().step(**kwargs)


@OPTIM_WRAPPERS.register_module()
class DistributedOptimWrapper(GradientAveragingMixin, OptimWrapper):
    """``OptimWrapper`` whose ``step()`` first averages gradients over ranks.

    Use with ``DistributedAlgorithmWrapper``:
    ``optim_wrapper=dict(type='mmrazor.DistributedOptimWrapper', ...)``.
    ``tools/train.py`` sets it for ``--launcher`` runs.
    """


@OPTIM_WRAPPERS.register_module()
class DistributedAmpOptimWrapper(GradientAveragingMixin, AmpOptimWrapper):
    """``AmpOptimWrapper`` whose ``step()`` first averages the (scaled)
    gradients over ranks, so every rank sees the same inf/NaN check and
    keeps the same loss scale."""
