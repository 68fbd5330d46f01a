"""Least-squares GAN losses for AFD (Chung et al., ICML 2020).

In AFD every network ``k`` has a discriminator ``D_k`` that sees the
(transferred) last feature map of its peer network as *real* and its own as
*fake*::

    L_D_k = mean((1 - D_k(Tr(F_peer)))^2) + mean(D_k(Tr(F_k))^2)
    L_G_k = mean((1 - D_k(Tr(F_k)))^2)

The pure functions below compute these from discriminator scores (any shape,
values are usually in ``[0, 1]`` after a sigmoid); :class:`AFDAdversarialLoss`
holds the weight and the target labels. The labels ``1`` (real) and ``0``
(fake) are the LSGAN ``a=0, b=c=1`` coding used by the paper's equations.
"""
from typing import Optional

import torch
import torch.nn as nn
from mmrazor.registry import MODELS

__all__ = [
    'lsgan_discriminator_loss', 'lsgan_generator_loss',
    'discriminator_accuracy', 'AFDAdversarialLoss'
]


def lsgan_discriminator_loss(real_scores: torch.Tensor,
                             fake_scores: torch.Tensor,
                             real_label: float = 1.0,
                             fake_label: float = 0.0) -> torch.Tensor:
    """Least-squares discriminator loss.

    ``mean((real_scores - real_label)^2)
    + mean((fake_scores - fake_label)^2)``; each term is averaged over its
    own elements, so real and fake batches may differ in shape (e.g.
    per-location scores of different spatial sizes).

    Args:
        real_scores (torch.Tensor): Discriminator outputs on real inputs.
        fake_scores (torch.Tensor): Discriminator outputs on fake inputs.
        real_label (float): Target for real inputs. Defaults to 1.0.
        fake_label (float): Target for fake inputs. Defaults to 0.0.

    Returns:
        torch.Tensor: Scalar loss.
    """
    return ((real_scores - real_label)**2).mean() + \
        ((fake_scores - fake_label)**2).mean()


def lsgan_generator_loss(fake_scores: torch.Tensor,
                         real_label: float = 1.0) -> torch.Tensor:
    """Least-squares generator loss ``mean((fake_scores - real_label)^2)``.

    Args:
        fake_scores (torch.Tensor): Discriminator outputs on the generator's
            (here: the network's own, transferred) features.
        real_label (float): The target the generator wants the discriminator
            to output. Defaults to 1.0.

    Returns:
        torch.Tensor: Scalar loss.
    """
    return ((fake_scores - real_label)**2).mean()


@torch.no_grad()
def discriminator_accuracy(real_scores: torch.Tensor,
                           fake_scores: torch.Tensor,
                           threshold: float = 0.5) -> torch.Tensor:
    """Fraction of scores on the right side of ``threshold``.

    A real score counts as correct when ``> threshold``, a fake one when
    ``<= threshold``. All elements of both tensors count equally.

    Args:
        real_scores (torch.Tensor): Discriminator outputs on real inputs.
        fake_scores (torch.Tensor): Discriminator outputs on fake inputs.
        threshold (float): Decision threshold. Defaults to 0.5.

    Returns:
        torch.Tensor: Scalar accuracy in ``[0, 1]`` (no gradient).
    """
    correct = (real_scores > threshold).sum() + \
        (fake_scores <= threshold).sum()
    return correct.float() / float(real_scores.numel() + fake_scores.numel())


@MODELS.register_module()
class AFDAdversarialLoss(nn.Module):
    """LSGAN adversarial loss of AFD.

    ``forward(fake_scores)`` returns the generator loss,
    ``forward(fake_scores, real_scores)`` the discriminator loss; both are
    multiplied by ``loss_weight``.

    Args:
        loss_weight (float): Weight of the returned loss. Defaults to 1.0.
        real_label (float): Target score of real inputs. Defaults to 1.0.
        fake_label (float): Target score of fake inputs. Defaults to 0.0.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 real_label: float = 1.0,
                 fake_label: float = 0.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.real_label = real_label
        self.fake_label = fake_label

    def generator_loss(self, fake_scores: torch.Tensor) -> torch.Tensor:
        """Weighted :func:`lsgan_generator_loss`."""
        return self.loss_weight * lsgan_generator_loss(
            fake_scores, self.real_label)

    def discriminator_loss(self, real_scores: torch.Tensor,
                           fake_scores: torch.Tensor) -> torch.Tensor:
        """Weighted :func:`lsgan_discriminator_loss`."""
        return self.loss_weight * lsgan_discriminator_loss(
            real_scores, fake_scores, self.real_label, self.fake_label)

    def forward(self,
                fake_scores: torch.Tensor,
                real_scores: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Generator loss, or discriminator loss when ``real_scores`` given.

        Args:
            fake_scores (torch.Tensor): Scores of the fake (own) features.
            real_scores (torch.Tensor, optional): Scores of the real (peer)
                features. Defaults to None.

        Returns:
            torch.Tensor: Scalar loss.
        """
        if real_scores is None:
            return self.generator_loss(fake_scores)
        return self.discriminator_loss(real_scores, fake_scores)
