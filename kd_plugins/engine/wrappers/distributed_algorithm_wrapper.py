"""Data-parallel wrapper that runs an algorithm's own ``train_step``."""
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Union

import torch
import torch.distributed as dist
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmrazor.registry import MODEL_WRAPPERS
from torch import nn

__all__ = ['DistributedAlgorithmWrapper', 'average_gradients']


def _world_size() -> int:
    return dist.get_world_size() if dist.is_available() and \
        dist.is_initialized() else 1


def average_gradients(params: List[nn.Parameter]) -> None:
    """Average the gradients of ``params`` over all processes, in place.

    A parameter whose gradient is ``None`` on some ranks counts as zero
    there; one whose gradient is ``None`` on every rank keeps ``None`` (so
    optimizers still skip it, as they would without distribution). One
    all-reduce per device and dtype.

    Args:
        params (list[nn.Parameter]): Parameters to synchronise.
    """
    world_size = _world_size()
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


def _optim_wrappers(
        optim_wrapper: Union[OptimWrapper,
                             OptimWrapperDict]) -> List[OptimWrapper]:
    if isinstance(optim_wrapper, OptimWrapperDict):
        return list(optim_wrapper.optim_wrappers.values())
    return [optim_wrapper]


@contextmanager
def _synchronised_steps(
        optim_wrapper: Union[OptimWrapper, OptimWrapperDict]) -> Iterator:
    """Make every ``step()`` of the wrappers average gradients first."""
    patched = []
    for wrapper in _optim_wrappers(optim_wrapper):
        # Parameter schedulers wrap ``step`` on the instance (a call
        # counter); keep that attribute and restore it afterwards.
        previous = vars(wrapper).get('step')
        original = wrapper.step

        def step(*args, _original=original, _wrapper=wrapper, **kwargs):
            params = [
                p for group in _wrapper.optimizer.param_groups
                for p in group['params'] if p.requires_grad
            ]
            average_gradients(params)
            return _original(*args, **kwargs)

        wrapper.step = step
        patched.append((wrapper, previous))
    try:
        yield
    finally:
        for wrapper, previous in patched:
            if previous is None:
                del wrapper.step
            else:
                wrapper.step = previous


@MODEL_WRAPPERS.register_module()
class DistributedAlgorithmWrapper(nn.Module):
    """Distributed data parallel for algorithms with a custom ``train_step``.

    ``MMDistributedDataParallel.train_step`` never calls the wrapped model's
    ``train_step``: it runs ``forward(mode='loss')`` and one optimizer
    update, which silently skips the multi-optimizer logic of data-free and
    online distillation. This wrapper calls the algorithm's own
    ``train_step`` and keeps the replicas identical: parameters and buffers
    are broadcast from rank 0 at construction, buffers again after every
    step (rank 0's BatchNorm statistics win, as with DDP's
    ``broadcast_buffers``), and each ``OptimWrapper.step()``
    (every entry of an ``OptimWrapperDict`` too) first averages the
    gradients of its parameters over all ranks. It works on CPU (gloo) and
    GPU (nccl); plain single-optimizer algorithms can use it as well.

    Use in a config:
    ``model_wrapper_cfg=dict(type='mmrazor.DistributedAlgorithmWrapper')``.

    Args:
        module (nn.Module): The algorithm.
        broadcast_buffers (bool): Broadcast buffers (e.g. BatchNorm running
            statistics) from rank 0 after each train step, so replicas stay
            identical. Defaults to True.
        **kwargs: Arguments meant for DDP wrappers (``device_ids``,
            ``find_unused_parameters``...); accepted and ignored.
    """

    def __init__(self,
                 module: nn.Module,
                 broadcast_buffers: bool = True,
                 **kwargs) -> None:
        super().__init__()
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self._broadcast(list(module.parameters()) + list(module.buffers()))

    @staticmethod
    @torch.no_grad()
    def _broadcast(tensors: List[torch.Tensor]) -> None:
        if _world_size() == 1:
            return
        for tensor in tensors:
            dist.broadcast(tensor.data, src=0)

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: Union[OptimWrapper, OptimWrapperDict]
                   ) -> Dict[str, torch.Tensor]:
        """Run the algorithm's ``train_step`` with gradient averaging."""
        with _synchronised_steps(optim_wrapper):
            log_vars = self.module.train_step(data, optim_wrapper)
        if self.broadcast_buffers:
            self._broadcast(list(self.module.buffers()))
        return log_vars

    def val_step(self, data: Union[dict, tuple, list]) -> list:
        """Delegate to the algorithm's ``val_step``."""
        return self.module.val_step(data)

    def test_step(self, data: Union[dict, tuple, list]) -> list:
        """Delegate to the algorithm's ``test_step``."""
        return self.module.test_step(data)

    def forward(self, *args, **kwargs) -> Any:
        return self.module(*args, **kwargs)
