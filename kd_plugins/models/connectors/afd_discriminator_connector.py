"""Transfer layer + least-squares-GAN discriminator of AFD (one per network).

Each network ``k`` of ``OnlineAdversarialDistill``
(``kd_plugins.models.algorithms``) owns one :class:`AFDDiscriminatorConnector`:

* ``transfer`` (``Tr_k``): maps network ``k``'s last pre-pooling feature map
  (``in_channels``) to the channel count shared by all discriminators
  (``out_channels``). It is a 1x1 conv (no bias) + BN when the channel counts
  differ (``transfer='auto'``) or always (``transfer='always'``), else the
  identity.
* ``discriminator`` (``D_k``): ``Conv(C->C/2, k=2) - BN - LeakyReLU -
  Conv(C/2->1, k=2, s=2) - Sigmoid`` on ``out_channels = C`` channels (the
  layout of METHODS.md section 2; no padding). On an 8x8 map the output is
  3x3. The connector's :meth:`discriminate` either averages it to one score
  per sample (``score_reduction='mean'``, shape ``(N,)``) or returns the score
  map (``'none'``, shape ``(N, H', W')``, a PatchGAN-style per-location
  discriminator). Which of the two the paper used is UNCONFIRMED; the
  default is one score per sample.

``forward(feature)`` (mmrazor's connector API) returns the transferred
feature; the discriminator is applied with :meth:`discriminate` because it
judges both this network's features (fake) and the peer's (real).
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmrazor.models.architectures.connectors.base_connector import \
    BaseConnector
from mmrazor.registry import MODELS

__all__ = ['AFDDiscriminatorConnector']

_TRANSFER_MODES = ('auto', 'always', 'never')
_REDUCTIONS = ('mean', 'none')


@MODELS.register_module()
class AFDDiscriminatorConnector(BaseConnector):
    """AFD transfer layer and discriminator for one network.

    Args:
        in_channels (int): Channels of the network's feature map.
        out_channels (int, optional): Channels the discriminator works on
            (shared by all networks of the algorithm). None means
            ``in_channels``. Defaults to None.
        transfer (str): ``'auto'``: 1x1 conv + BN only when ``in_channels !=
            out_channels``; ``'always'``: always; ``'never'``: identity
            (requires equal channel counts). Defaults to ``'auto'``.
        hidden_channels (int, optional): Channels of the discriminator's
            first conv. None means ``max(out_channels // 2, 1)``.
            Defaults to None.
        negative_slope (float): LeakyReLU slope. Defaults to 0.2.
        score_reduction (str): ``'mean'`` (one score per sample) or
            ``'none'`` (per-location score map). Defaults to ``'mean'``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: Optional[int] = None,
                 transfer: str = 'auto',
                 hidden_channels: Optional[int] = None,
                 negative_slope: float = 0.2,
                 score_reduction: str = 'mean',
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        out_channels = in_channels if out_channels is None else out_channels
        if transfer not in _TRANSFER_MODES:
            raise ValueError(f'AFDDiscriminatorConnector: transfer must be '
                             f'one of {_TRANSFER_MODES}, got {transfer!r}')
        if score_reduction not in _REDUCTIONS:
            raise ValueError(f'AFDDiscriminatorConnector: score_reduction '
                             f'must be one of {_REDUCTIONS}, got '
                             f'{score_reduction!r}')
        if transfer == 'never' and in_channels != out_channels:
            raise ValueError(f'AFDDiscriminatorConnector: transfer=\'never\' '
                             f'needs in_channels == out_channels, got '
                             f'{in_channels} and {out_channels}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.score_reduction = score_reduction
        use_transfer = transfer == 'always' or (
            transfer == 'auto' and in_channels != out_channels)
        if use_transfer:
            self.transfer = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels))
        else:
            self.transfer = nn.Identity()
        hidden = hidden_channels or max(out_channels // 2, 1)
        self.discriminator = nn.Sequential(
            nn.Conv2d(out_channels, hidden, kernel_size=2, stride=1),
            nn.BatchNorm2d(hidden), nn.LeakyReLU(negative_slope),
            nn.Conv2d(hidden, 1, kernel_size=2, stride=2), nn.Sigmoid())

    @property
    def has_transfer(self) -> bool:
        """Whether the transfer layer has parameters (is not the identity)."""
        return not isinstance(self.transfer, nn.Identity)

    def forward_train(self, feature: torch.Tensor) -> torch.Tensor:
        """Apply the transfer layer.

        Args:
            feature (torch.Tensor): Feature map ``(N, in_channels, H, W)``.

        Returns:
            torch.Tensor: ``(N, out_channels, H, W)``.
        """
        if feature.dim() != 4 or feature.shape[1] != self.in_channels:
            raise ValueError(f'AFDDiscriminatorConnector: expected a feature '
                             f'map (N, {self.in_channels}, H, W), got '
                             f'{tuple(feature.shape)}')
        return self.transfer(feature)

    def discriminate(self, feature: torch.Tensor) -> torch.Tensor:
        """Score transferred features (1 = real/peer, 0 = fake/own).

        Args:
            feature (torch.Tensor): ``(N, out_channels, H, W)`` with
                ``H, W >= 3``.

        Returns:
            torch.Tensor: ``(N,)`` for ``score_reduction='mean'``, else
            ``(N, H', W')`` with ``H' = (H - 2) // 2 + 1``.
        """
        if (feature.dim() != 4 or feature.shape[1] != self.out_channels
                or feature.shape[2] < 3 or feature.shape[3] < 3):
            raise ValueError(f'AFDDiscriminatorConnector: the discriminator '
                             f'needs (N, {self.out_channels}, H>=3, W>=3), '
                             f'got {tuple(feature.shape)}')
        scores = self.discriminator(feature).squeeze(1)
        if self.score_reduction == 'mean':
            return scores.flatten(1).mean(dim=1)
        return scores
