"""TeKAP logit-level loss: KD against one clean and M noise-augmented teachers.

Reference: "Single Teacher, Multiple Perspectives: Teacher Knowledge
Augmentation for Enhanced Knowledge Distillation" (TeKAP, ICLR 2025).

.. math::

    L = T^2 \\mathrm{KL}(\\sigma(z_t / T) \\| \\sigma(z_s / T))
        + \\lambda \\sum_{m=1}^{M} T^2 \\mathrm{KL}(\\sigma(\\tilde z_m / T)
        \\| \\sigma(z_s / T)),
    \\qquad \\tilde z_m = (1 - \\alpha) z_t + \\alpha \\epsilon_m,
    \\quad \\epsilon_m \\sim \\mathcal{N}(0, s^2 I)

with batch-mean reduction. The clean and the M noisy teachers are stacked
into one ``(M + 1, B, C)`` tensor and handled by a single softmax / KL pass.
"""
from typing import Optional

import torch
import torch.nn as nn
from mmrazor.registry import MODELS

from kd_plugins.utils import SeededGenerators
from kd_plugins.utils.params import check_number

__all__ = ['tekap_logits_loss', 'TeKAPLogitsLoss']

_NAME = 'TeKAPLogitsLoss'


def _check_logits(preds_S: torch.Tensor, preds_T: torch.Tensor) -> None:
    """Raise a one-line error when student and teacher logits do not pair."""
    for name, t in (('student', preds_S), ('teacher', preds_T)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f'{_NAME}: {name} logits must be a torch.Tensor, '
                            f'got {type(t).__name__}')
        if t.dim() < 2:
            raise ValueError(f'{_NAME}: {name} logits must be at least 2-D '
                             f'(batch, classes, ...), got shape '
                             f'{tuple(t.shape)}')
    if preds_S.shape[1] != preds_T.shape[1]:
        raise ValueError(f'{_NAME}: student logits {tuple(preds_S.shape)} and '
                         f'teacher logits {tuple(preds_T.shape)} differ in '
                         f'class count')
    if preds_S.shape != preds_T.shape:
        raise ValueError(f'{_NAME}: student logits {tuple(preds_S.shape)} and '
                         f'teacher logits {tuple(preds_T.shape)} differ in '
                         f'shape')


def tekap_logits_loss(preds_S: torch.Tensor,
                      preds_T: torch.Tensor,
                      num_noisy: int = 3,
                      alpha: float = 0.1,
                      noisy_weight: float = 0.8,
                      tau: float = 4.0,
                      noise_std: float = 1.0,
                      generator: Optional[torch.Generator] = None,
                      noise: Optional[torch.Tensor] = None) -> torch.Tensor:
    """TeKAP logit loss (clean KD term + ``num_noisy`` noisy-teacher terms).

    Nothing is modified in place; ``preds_T`` is used as given (detach it
    before calling if the teacher must not receive gradients).

    Args:
        preds_S (torch.Tensor): Student logits, shape (B, C) or (B, C, ...);
            the class dimension is dim 1.
        preds_T (torch.Tensor): Teacher logits, same shape as ``preds_S``.
        num_noisy (int): Number M of noise-augmented teachers. 0 gives plain
            KD. Defaults to 3.
        alpha (float): Mixing weight of the noise:
            ``(1 - alpha) * z_t + alpha * eps``. Defaults to 0.1.
        noisy_weight (float): Weight lambda of each noisy-teacher KL term
            (the clean term has weight 1). Defaults to 0.8.
        tau (float): Distillation temperature T; every KL term is scaled by
            T^2. Defaults to 4.0.
        noise_std (float): Standard deviation of ``eps``. Defaults to 1.0.
        generator (torch.Generator, optional): Random generator for ``eps``
            (must live on the logits' device). None uses the global RNG.
            Defaults to None.
        noise (torch.Tensor, optional): Pre-drawn standard-normal noise of
            shape (M, *preds_T.shape); it is scaled by ``noise_std``. When
            given, ``generator`` is ignored. Defaults to None.

    Returns:
        torch.Tensor: Scalar loss (sum over the M + 1 teachers of the
        batch-mean, T^2-scaled KL divergences, noisy terms times lambda).
    """
    _check_logits(preds_S, preds_T)
    if num_noisy < 0:
        raise ValueError(f'{_NAME}: num_noisy must be >= 0, got {num_noisy}')
    if tau <= 0:
        raise ValueError(f'{_NAME}: tau must be > 0, got {tau}')
    batch = preds_S.shape[0]

    teachers = preds_T.unsqueeze(0)  # (1, B, C, ...)
    if num_noisy > 0:
        noise_shape = (num_noisy, ) + tuple(preds_T.shape)
        if noise is None:
            noise = torch.randn(
                noise_shape,
                generator=generator,
                device=preds_T.device,
                dtype=preds_T.dtype)
        elif tuple(noise.shape) != noise_shape:
            raise ValueError(f'{_NAME}: noise shape {tuple(noise.shape)} != '
                             f'expected {noise_shape}')
        noisy = (1.0 - alpha) * teachers + (alpha * noise_std) * noise
        teachers = torch.cat([teachers, noisy], dim=0)  # (M + 1, B, C, ...)

    # One pass over all M + 1 teachers: softmax over the class dim (2).
    log_p_t = torch.log_softmax(teachers / tau, dim=2)
    log_p_s = torch.log_softmax(preds_S / tau, dim=1).unsqueeze(0)
    # KL(p_t || p_s) summed over everything except the teacher index.
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).flatten(1).sum(dim=1)
    weights = kl.new_full((num_noisy + 1, ), noisy_weight)
    weights[0] = 1.0
    return (tau**2) * (weights * kl).sum() / batch


@MODELS.register_module()
class TeKAPLogitsLoss(nn.Module):
    """TeKAP logit-level distillation loss (registered in mmrazor MODELS).

    Drop-in replacement for mmrazor's ``KLDivergence`` in a
    ``ConfigurableDistiller``: ``loss_forward_mappings`` map ``preds_S`` /
    ``preds_T`` to the student / teacher logits. Fresh noise is drawn on
    every call; see :func:`tekap_logits_loss` for the formula.

    With ``alpha=0`` (or ``num_noisy=0``) the loss equals plain KD
    (``KLDivergence(tau, reduction='batchmean')``) times
    ``1 + num_noisy * noisy_weight`` (times 1).

    Args:
        num_noisy (int): Number M of noise-augmented teachers. Defaults to 3.
        alpha (float): Noise mixing weight. Defaults to 0.1.
        noisy_weight (float): Weight lambda of each noisy-teacher term.
            Defaults to 0.8.
        tau (float): Temperature. Defaults to 4.0.
        noise_std (float): Standard deviation of the Gaussian noise.
            Defaults to 1.0.
        loss_weight (float): Multiplier of the whole loss. Defaults to 1.0.
        teacher_detach (bool): Detach the teacher logits (gradients reach
            the student only). Defaults to True.
        seed (int, optional): If given, noise comes from a private
            ``torch.Generator`` seeded with it (one per device, created on
            first use), so runs are reproducible; the noise still differs
            between calls. Every process of a distributed run then draws
            the same noise. None uses the global RNG. Defaults to None.
    """

    def __init__(self,
                 num_noisy: int = 3,
                 alpha: float = 0.1,
                 noisy_weight: float = 0.8,
                 tau: float = 4.0,
                 noise_std: float = 1.0,
                 loss_weight: float = 1.0,
                 teacher_detach: bool = True,
                 seed: Optional[int] = None) -> None:
        super().__init__()
        check_number(_NAME, 'num_noisy', num_noisy, low=0, integer=True)
        check_number(_NAME, 'alpha', alpha, low=0, high=1)
        check_number(_NAME, 'noisy_weight', noisy_weight, low=0)
        check_number(_NAME, 'tau', tau, low=0, low_open=True)
        check_number(_NAME, 'noise_std', noise_std, low=0)
        check_number(_NAME, 'loss_weight', loss_weight, low=0)
        self.num_noisy = num_noisy
        self.alpha = alpha
        self.noisy_weight = noisy_weight
        self.tau = tau
        self.noise_std = noise_std
        self.loss_weight = loss_weight
        self.teacher_detach = teacher_detach
        self.seed = seed
        self._generators = SeededGenerators(seed)

    def _generator(self, device: torch.device) -> Optional[torch.Generator]:
        """Return the private generator for ``device`` (None if unseeded)."""
        return self._generators.get(device)

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            preds_S (torch.Tensor): Student logits (B, C) or (B, C, ...).
            preds_T (torch.Tensor): Teacher logits, same shape.

        Returns:
            torch.Tensor: Scalar loss times ``loss_weight``.
        """
        _check_logits(preds_S, preds_T)
        if self.teacher_detach:
            preds_T = preds_T.detach()
        loss = tekap_logits_loss(
            preds_S,
            preds_T,
            num_noisy=self.num_noisy,
            alpha=self.alpha,
            noisy_weight=self.noisy_weight,
            tau=self.tau,
            noise_std=self.noise_std,
            generator=self._generator(preds_T.device))
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        """Hyper-parameters shown in ``print(module)``."""
        return (f'num_noisy={self.num_noisy}, alpha={self.alpha}, '
                f'noisy_weight={self.noisy_weight}, tau={self.tau}, '
                f'noise_std={self.noise_std}, loss_weight={self.loss_weight}, '
                f'seed={self.seed}')
