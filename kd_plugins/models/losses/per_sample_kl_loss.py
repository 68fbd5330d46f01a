"""Temperature KL divergence per sample (SSD-KD's student loss/priority)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmrazor.registry import MODELS

__all__ = ['match_logit_size', 'per_sample_kl', 'PerSampleKLLoss']


def match_logit_size(student_logits: torch.Tensor,
                     teacher_logits: torch.Tensor) -> torch.Tensor:
    """Resize a segmentation student map to the teacher's (bilinear).

    Classification logits and maps of equal size are returned unchanged.
    """
    if student_logits.dim() == 4 and \
            student_logits.shape[-2:] != teacher_logits.shape[-2:]:
        return F.interpolate(
            student_logits, size=teacher_logits.shape[-2:],
            mode='bilinear', align_corners=False)
    return student_logits


def per_sample_kl(student_logits: torch.Tensor,
                  teacher_logits: torch.Tensor,
                  tau: float = 1.0) -> torch.Tensor:
    """``KL(softmax(t/tau) || softmax(s/tau))`` per sample.

    Classification logits (N, K) give one value per sample; segmentation
    logits (N, K, H, W) give the mean pixel-wise KL per sample (the
    student map is resized bilinearly to the teacher's size if they
    differ).

    Args:
        student_logits (torch.Tensor): Student logits.
        teacher_logits (torch.Tensor): Teacher logits.
        tau (float): Temperature. Defaults to 1.0.

    Returns:
        torch.Tensor: Shape (N,), not multiplied by ``tau**2``.
    """
    student_logits = match_logit_size(student_logits, teacher_logits)
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(
            f'per_sample_kl: student logits {tuple(student_logits.shape)} '
            f'and teacher logits {tuple(teacher_logits.shape)} differ')
    log_p_s = F.log_softmax(student_logits.float() / tau, dim=1)
    log_p_t = F.log_softmax(teacher_logits.float() / tau, dim=1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1)
    return kl.reshape(kl.shape[0], -1).mean(dim=1)


@MODELS.register_module()
class PerSampleKLLoss(nn.Module):
    """Hinton KD loss ``loss_weight * tau^2 * mean_i KL_tau(T_i || S_i)``.

    The default student loss of :class:`SSDKDDataFreeDistillation` (Fast
    data-free KD: ``tau=20``). Works on classification logits and on
    segmentation maps (pixel mean per sample). ``reduction='none'`` returns
    the per-sample values (shape (N,)).

    Args:
        tau (float): Temperature. Defaults to 1.0.
        loss_weight (float): Weight of the loss. Defaults to 1.0.
        reduction (str): ``'mean'`` or ``'none'``. Defaults to 'mean'.
    """

    def __init__(self,
                 tau: float = 1.0,
                 loss_weight: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f'PerSampleKLLoss: tau must be > 0, got {tau}')
        if reduction not in ('mean', 'none'):
            raise ValueError(f'PerSampleKLLoss: reduction must be mean or '
                             f'none, got {reduction!r}')
        self.tau = tau
        self.loss_weight = loss_weight
        self.reduction = reduction

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss from student and teacher logits."""
        kl = self.loss_weight * self.tau**2 * per_sample_kl(
            preds_S, preds_T.detach(), self.tau)
        return kl if self.reduction == 'none' else kl.mean()
