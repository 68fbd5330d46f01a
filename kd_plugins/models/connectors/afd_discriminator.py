"""Least-squares-GAN discriminator of AFD (one per network).

``D_k``: ``Conv(C->C/2, k=2) - BN - LeakyReLU - Conv(C/2->1, k=2, s=2) -
Sigmoid`` on ``C = in_channels`` (the layout docs/afd.md describes; no
padding; on an 8x8 map the output is 3x3). It scores transferred feature
maps: 1 = real (the peer's), 0 = fake (network ``k``'s own). The score map is
averaged to one score per sample (``score_reduction='mean'``, shape ``(N,)``)
or returned per location (``'none'``, ``(N, H', W')``, PatchGAN-style);
which the paper used is UNCONFIRMED, the default is one score per sample.
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmrazor.registry import MODELS

__all__ = ['AFDDiscriminator', 'SCORE_REDUCTIONS']

SCORE_REDUCTIONS = ('mean', 'none')


@MODELS.register_module()
class AFDDiscriminator(BaseModule):
    """AFD discriminator ``D_k``.

    Args:
        in_channels (int): Channels of the (transferred) feature maps.
        hidden_channels (int, optional): Channels of the first conv. None
            means ``max(in_channels // 2, 1)``. Defaults to None.
        negative_slope (float): LeakyReLU slope. Defaults to 0.2.
        score_reduction (str): ``'mean'`` (one score per sample) or
            ``'none'`` (per-location score map). Defaults to ``'mean'``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: Optional[int] = None,
                 negative_slope: float = 0.2,
                 score_reduction: str = 'mean',
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(in_channels, bool) or not isinstance(
                in_channels, int) or in_channels < 1:
            raise ValueError(f'AFDDiscriminator: in_channels must be a '
                             f'positive int, got {in_channels!r}')
        if score_reduction not in SCORE_REDUCTIONS:
            raise ValueError(f'AFDDiscriminator: score_reduction must be one '
                             f'of {SCORE_REDUCTIONS}, got {score_reduction!r}')
        hidden = hidden_channels or max(in_channels // 2, 1)
        self.in_channels = in_channels
        self.score_reduction = score_reduction
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, hidden, kernel_size=2, stride=1),
            nn.BatchNorm2d(hidden), nn.LeakyReLU(negative_slope),
            nn.Conv2d(hidden, 1, kernel_size=2, stride=2), nn.Sigmoid())

    def forward(self, feature: torch.Tensor) -> torch.Tensor:
        """Score transferred features (1 = real/peer, 0 = fake/own).

        Args:
            feature (torch.Tensor): ``(N, in_channels, H, W)`` with
                ``H, W >= 3``.

        Returns:
            torch.Tensor: ``(N,)`` for ``score_reduction='mean'``, else
            ``(N, H', W')`` with ``H' = (H - 2) // 2 + 1``.
        """
        if (feature.dim() != 4 or feature.shape[1] != self.in_channels
                or feature.shape[2] < 3 or feature.shape[3] < 3):
            raise ValueError(f'AFDDiscriminator: needs (N, '
                             f'{self.in_channels}, H>=3, W>=3), got '
                             f'{tuple(feature.shape)}')
        scores = self.layers(feature).squeeze(1)
        if self.score_reduction == 'mean':
            return scores.flatten(1).mean(dim=1)
        return scores
