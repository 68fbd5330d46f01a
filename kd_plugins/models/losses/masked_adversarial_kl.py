"""Fast data-free KD's adversarial term (decision-masked KL)."""
import torch
import torch.nn.functional as F

from .per_sample_kl_loss import match_logit_size

__all__ = ['masked_adversarial_kl']


def masked_adversarial_kl(student_logits: torch.Tensor,
                          teacher_logits: torch.Tensor) -> torch.Tensor:
    """Mean ``KL(T || S)`` over elements where ``argmax S == argmax T``.

    Fast (``datafree/synthesis/fast_meta.py``): the generator maximises the
    teacher-student disagreement only on samples the student already
    classifies like the teacher, ``loss_adv = -(KL * mask).mean()``; this
    function returns the positive mean (the caller subtracts it).
    Segmentation maps are masked per pixel.

    Args:
        student_logits (torch.Tensor): (N, K) or (N, K, H, W).
        teacher_logits (torch.Tensor): Same layout as the student's.

    Returns:
        torch.Tensor: Scalar.
    """
    student_logits = match_logit_size(student_logits, teacher_logits)
    log_p_s = F.log_softmax(student_logits.float(), dim=1)
    log_p_t = F.log_softmax(teacher_logits.float(), dim=1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1)
    mask = (student_logits.argmax(1) == teacher_logits.argmax(1)).float()
    return (kl * mask).mean()
