"""Diversity-aware modulated task loss phi(x) * L_task(x) of SSD-KD."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmrazor.registry import MODELS

__all__ = ['diversity_aware_modulation', 'diversity_aware_task_loss',
           'DiversityAwareTaskLoss']


def _check(logits: torch.Tensor, targets: torch.Tensor) -> None:
    if logits.dim() < 2:
        raise ValueError('diversity_aware_task_loss: logits must be (N, K) '
                         f'or (N, K, H, W), got {tuple(logits.shape)}')
    expected = (logits.shape[0], ) + tuple(logits.shape[2:])
    if tuple(targets.shape) != expected:
        raise ValueError(
            f'diversity_aware_task_loss: targets {tuple(targets.shape)} do '
            f'not match logits {tuple(logits.shape)} (expected {expected})')


def diversity_aware_modulation(logits: torch.Tensor,
                               targets: torch.Tensor,
                               gamma: float = 2.0,
                               diversity: bool = True,
                               diversity_power: float = 1.0,
                               eps: float = 1e-6,
                               ignore_index: int = 255) -> torch.Tensor:
    """The modulating factor phi for every element (sample or pixel).

    ``phi = d(y) * (1 - p_t(y | x)) ** gamma`` where ``p_t = softmax(logits)``
    are the teacher's probabilities and ``y`` the target class:

    * difficulty (focal) term ``(1 - p_t(y|x)) ** gamma``: samples the
      teacher does not yet see as class ``y`` weigh more;
    * diversity term ``d(k) = (K * q_k) ** -diversity_power`` with
      ``q = mean_x p_t(. | x)`` the teacher-predicted class distribution of
      the batch (all valid pixels for segmentation), rescaled so that its
      mean over the valid elements is 1: classes the teacher already
      predicts often are down-weighted, rare ones up-weighted, which pushes
      the synthetic batch towards class balance.

    UNCONFIRMED (the paper's exact phi is not public): this form is our
    choice; ``gamma=0, diversity=False`` gives ``phi = 1`` (plain CE, the
    Fast baseline). phi is computed without gradient.

    Args:
        logits (torch.Tensor): Teacher logits (N, K) or (N, K, H, W).
        targets (torch.Tensor): Target classes (N,) or (N, H, W).
        gamma (float): Focal exponent. Defaults to 2.0.
        diversity (bool): Use the diversity term. Defaults to True.
        diversity_power (float): Exponent of the diversity term.
            Defaults to 1.0.
        eps (float): Floor for ``K * q_k``. Defaults to 1e-6.
        ignore_index (int): Target value to ignore (phi = 0 there).
            Defaults to 255.

    Returns:
        torch.Tensor: phi with the shape of ``targets``.
    """
    _check(logits, targets)
    with torch.no_grad():
        num_classes = logits.shape[1]
        prob = logits.float().softmax(dim=1)
        valid = targets != ignore_index
        safe_t = torch.where(valid, targets, torch.zeros_like(targets))
        p_y = prob.gather(1, safe_t.unsqueeze(1)).squeeze(1)
        phi = (1.0 - p_y).clamp(min=0).pow(gamma)
        if diversity:
            prob_last = prob.movedim(1, -1)[valid]  # (M, K)
            if prob_last.numel() > 0:
                q = prob_last.mean(dim=0)
                class_w = (num_classes * q).clamp(min=eps).pow(
                    -diversity_power)
                d = class_w[safe_t]
                d = d / d[valid].mean().clamp(min=eps)
                phi = phi * d
        phi = phi * valid
    return phi


def diversity_aware_task_loss(logits: torch.Tensor,
                              targets: Optional[torch.Tensor] = None,
                              gamma: float = 2.0,
                              diversity: bool = True,
                              diversity_power: float = 1.0,
                              eps: float = 1e-6,
                              ignore_index: int = 255,
                              reduction: str = 'mean') -> torch.Tensor:
    """``phi(x) * CE(logits, y)``, averaged per sample, then reduced.

    Args:
        logits (torch.Tensor): Teacher logits (N, K) or (N, K, H, W).
        targets (torch.Tensor, optional): Target classes (N,) / (N, H, W).
            None uses the teacher's own ``argmax`` (DAFL's one-hot loss;
            the segmentation default). Defaults to None.
        gamma (float): Focal exponent. Defaults to 2.0.
        diversity (bool): Use the diversity term. Defaults to True.
        diversity_power (float): Exponent of the diversity term.
            Defaults to 1.0.
        eps (float): Floor for ``K * q_k``. Defaults to 1e-6.
        ignore_index (int): Target value to ignore. Defaults to 255.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'`` (per sample,
            shape (N,)). Defaults to 'mean'.

    Returns:
        torch.Tensor: The loss.
    """
    if targets is None:
        targets = logits.detach().argmax(dim=1)
    _check(logits, targets)
    phi = diversity_aware_modulation(logits, targets, gamma, diversity,
                                     diversity_power, eps, ignore_index)
    ce = F.cross_entropy(
        logits, targets, reduction='none', ignore_index=ignore_index)
    per_elem = (phi * ce).reshape(logits.shape[0], -1)
    valid = (targets != ignore_index).reshape(logits.shape[0], -1)
    per_sample = per_elem.sum(1) / valid.sum(1).clamp(min=1)
    if reduction == 'none':
        return per_sample
    if reduction == 'sum':
        return per_sample.sum()
    if reduction == 'mean':
        return per_sample.mean()
    raise ValueError(f'diversity_aware_task_loss: unknown reduction '
                     f'{reduction!r} (use mean, sum or none)')


@MODELS.register_module()
class DiversityAwareTaskLoss(nn.Module):
    """SSD-KD's diversity-aware modulated task loss ``phi(x) L_task(x)``.

    See :func:`diversity_aware_modulation` for phi (UNCONFIRMED form,
    documented there). With ``gamma=0`` and ``diversity=False`` this is the
    plain cross-entropy task loss of Fast data-free KD.

    Args:
        loss_weight (float): Weight of the loss (Fast's CE weight is 0.5).
            Defaults to 1.0.
        gamma (float): Focal (difficulty) exponent. Defaults to 2.0.
        diversity (bool): Use the class-balance (diversity) term.
            Defaults to True.
        diversity_power (float): Exponent of the diversity term.
            Defaults to 1.0.
        eps (float): Numerical floor. Defaults to 1e-6.
        ignore_index (int): Ignored target value. Defaults to 255.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to 'mean'.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 gamma: float = 2.0,
                 diversity: bool = True,
                 diversity_power: float = 1.0,
                 eps: float = 1e-6,
                 ignore_index: int = 255,
                 reduction: str = 'mean') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.gamma = gamma
        self.diversity = diversity
        self.diversity_power = diversity_power
        self.eps = eps
        self.ignore_index = ignore_index
        self.reduction = reduction

    def forward(self,
                logits: torch.Tensor,
                targets: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Compute the weighted loss.

        Args:
            logits (torch.Tensor): Teacher logits (N, K) or (N, K, H, W).
            targets (torch.Tensor, optional): Targets; None uses argmax.
                Defaults to None.

        Returns:
            torch.Tensor: The loss.
        """
        return self.loss_weight * diversity_aware_task_loss(
            logits, targets, self.gamma, self.diversity,
            self.diversity_power, self.eps, self.ignore_index,
            self.reduction)
