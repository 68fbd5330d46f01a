"""BatchNorm-statistics (DeepInversion) regulariser for data-free KD."""
from contextlib import contextmanager
from typing import Iterator, List, Optional

import torch
import torch.nn as nn
from mmrazor.registry import MODELS

__all__ = ['bn_statistics_loss', 'batch_statistics', 'BNStatisticsLoss']


def batch_statistics(x: torch.Tensor):
    """Per-channel mean and biased variance of a ``(N, C, ...)`` tensor.

    Args:
        x (torch.Tensor): Input of a BatchNorm layer.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: ``mean`` and ``var`` of shape (C,).
    """
    flat = x.transpose(0, 1).reshape(x.shape[1], -1)
    return flat.mean(dim=1), flat.var(dim=1, unbiased=False)


def bn_statistics_loss(mean: torch.Tensor,
                       var: torch.Tensor,
                       running_mean: torch.Tensor,
                       running_var: torch.Tensor) -> torch.Tensor:
    """``||mean - running_mean||_2 + ||var - running_var||_2``.

    The per-layer term of DeepInversion / Fast data-free KD: how far the
    statistics of a synthetic batch at one BatchNorm layer are from the
    statistics the layer stored while the model was trained on real data.

    Args:
        mean (torch.Tensor): Batch mean per channel, shape (C,).
        var (torch.Tensor): Batch (biased) variance per channel, shape (C,).
        running_mean (torch.Tensor): Stored running mean, shape (C,).
        running_var (torch.Tensor): Stored running variance, shape (C,).

    Returns:
        torch.Tensor: Scalar loss.
    """
    if not (mean.shape == var.shape == running_mean.shape ==
            running_var.shape):
        raise ValueError(
            'bn_statistics_loss: shapes differ: mean '
            f'{tuple(mean.shape)}, var {tuple(var.shape)}, running_mean '
            f'{tuple(running_mean.shape)}, running_var '
            f'{tuple(running_var.shape)}')
    return (torch.norm(mean - running_mean.detach(), 2) +
            torch.norm(var - running_var.detach(), 2))


@MODELS.register_module()
class BNStatisticsLoss(nn.Module):
    """BN-statistics loss over every BatchNorm layer of a (teacher) model.

    :meth:`register` puts a forward hook on every ``nn.BatchNorm2d`` (and
    ``nn.SyncBatchNorm``) of the model. While recording (inside
    ``with loss.recording():``), each hook computes
    :func:`bn_statistics_loss` on the layer's input; ``loss()`` then returns
    ``loss_weight * sum`` over the layers (Fast: ``L_BN = sum_l ...``, weight
    10). Outside ``recording()`` the hooks do nothing, so teacher forwards in
    the student step cost nothing extra. :meth:`remove` detaches the hooks.

    Statistics momentum (Fast's ``--bn_mmt 0.9``, ``DeepInversionHook`` in
    ``datafree/hooks.py``): with ``momentum = m > 0``, once
    :meth:`update_momentum` has been called (after every synthesis round),
    the batch statistics are blended with an exponential average of the
    previous rounds' statistics before they are compared:
    ``||mu_run - ((1 - m) mu + m mu_mmt)|| + ||var_run - ((1 - m) var +
    m var_mmt)||``; ``update_momentum`` sets ``mu_mmt <- m mu_mmt +
    (1 - m) mu`` from the last recorded batch (the first call copies it).
    The averages are buffers (saved in checkpoints).

    Args:
        loss_weight (float): Weight of the summed loss. Defaults to 1.0.
        first_bn_multiplier (float): Extra factor on the first BN layer
            (DeepInversion uses 10; Fast uses 1). Defaults to 1.0.
        momentum (float): Statistics momentum ``m`` in [0, 1); 0 disables
            it. Defaults to 0.0.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 first_bn_multiplier: float = 1.0,
                 momentum: float = 0.0) -> None:
        super().__init__()
        if not 0.0 <= momentum < 1.0:
            raise ValueError(
                f'BNStatisticsLoss: momentum must be in [0, 1), got '
                f'{momentum}')
        self.loss_weight = loss_weight
        self.first_bn_multiplier = first_bn_multiplier
        self.momentum = momentum
        self._index: dict = {}  # id(module) -> layer index
        self._last: dict = {}  # layer index -> (mean, var) of last batch
        if momentum > 0:
            self.register_buffer('mmt_ready',
                                 torch.zeros((), dtype=torch.bool))
        self._handles: list = []
        self._losses: List[torch.Tensor] = []
        self._recording = False
        # id() only: storing the module would register it as a submodule.
        self._first_id: Optional[int] = None

    @property
    def num_hooks(self) -> int:
        """Number of BatchNorm layers currently hooked."""
        return len(self._handles)

    def register(self, model: nn.Module) -> int:
        """Hook every BatchNorm2d/SyncBatchNorm of ``model``.

        Args:
            model (nn.Module): Model whose running statistics are the target.

        Returns:
            int: Number of hooked layers.
        """
        self.remove()
        for module in model.modules():
            if isinstance(module, (nn.BatchNorm2d, nn.SyncBatchNorm)):
                if self._first_id is None:
                    self._first_id = id(module)
                i = len(self._handles)
                self._index[id(module)] = i
                if self.momentum > 0:
                    zeros = torch.zeros(module.num_features)
                    self.register_buffer(f'mmt_mean_{i}', zeros.clone())
                    self.register_buffer(f'mmt_var_{i}', zeros.clone())
                self._handles.append(module.register_forward_hook(self._hook))
        if not self._handles:
            raise ValueError(
                f'BNStatisticsLoss: {type(model).__name__} has no '
                'BatchNorm2d layer to take statistics from')
        return len(self._handles)

    def remove(self) -> None:
        """Remove all hooks."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._losses = []
        self._first_id = None
        self._index = {}
        self._last = {}

    @torch.no_grad()
    def update_momentum(self) -> None:
        """Fold the last recorded batch statistics into the averages."""
        if self.momentum == 0 or not self._last:
            return
        m = self.momentum
        for i, (mean, var) in self._last.items():
            for name, new in ((f'mmt_mean_{i}', mean), (f'mmt_var_{i}', var)):
                avg = getattr(self, name)
                avg.copy_(m * avg + (1 - m) * new if self.mmt_ready else new)
        self.mmt_ready.fill_(True)

    def _hook(self, module: nn.Module, inputs, output) -> None:
        if not self._recording:
            return
        if module.running_mean is None or module.running_var is None:
            raise ValueError(
                'BNStatisticsLoss: a BatchNorm layer has no running '
                'statistics (track_running_stats=False)')
        mean, var = batch_statistics(inputs[0])
        i = self._index[id(module)]
        if self.momentum > 0:
            self._last[i] = (mean.detach(), var.detach())
            if self.mmt_ready:
                m = self.momentum
                mean = (1 - m) * mean + m * getattr(self, f'mmt_mean_{i}')
                var = (1 - m) * var + m * getattr(self, f'mmt_var_{i}')
        loss = bn_statistics_loss(mean, var, module.running_mean,
                                  module.running_var)
        if id(module) == self._first_id:
            loss = loss * self.first_bn_multiplier
        self._losses.append(loss)

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Compute the per-layer losses for forwards inside this context."""
        self._losses = []
        self._recording = True
        try:
            yield
        finally:
            self._recording = False

    def forward(self) -> torch.Tensor:
        """Weighted sum of the per-layer losses of the last recording."""
        if not self._losses:
            raise RuntimeError(
                'BNStatisticsLoss: no BatchNorm statistics recorded; '
                'call register(model) and forward the model inside '
                'recording()')
        return self.loss_weight * torch.stack(self._losses).sum()
