"""Transfer layer of AFD: maps one network's feature map to the channels the
discriminators work on (one per network of ``OnlineAdversarialDistill``).

``Tr_k`` is a 1x1 conv (no bias) + BN when the channel counts differ
(``mode='auto'``) or always (``mode='always'``), else the identity
(``'never'``, or ``'auto'`` with equal counts). It is trained only by the
adversarial (generator) loss, with network ``k``'s adversarial optimizer.
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmrazor.models.architectures.connectors.base_connector import \
    BaseConnector
from mmrazor.registry import MODELS

__all__ = ['AFDTransferConnector', 'TRANSFER_MODES']

TRANSFER_MODES = ('auto', 'always', 'never')


@MODELS.register_module()
class AFDTransferConnector(BaseConnector):
    """AFD transfer layer ``Tr_k`` for one network.

    Args:
        in_channels (int): Channels of the network's feature map.
        out_channels (int, optional): Channels the discriminators work on
            (shared by all networks). None means ``in_channels``.
            Defaults to None.
        mode (str): ``'auto'``: 1x1 conv + BN only when ``in_channels !=
            out_channels``; ``'always'``; ``'never'``: identity (requires
            equal channel counts). Defaults to ``'auto'``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: Optional[int] = None,
                 mode: str = 'auto',
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        out_channels = in_channels if out_channels is None else out_channels
        for name, value in (('in_channels', in_channels),
                            ('out_channels', out_channels)):
            if isinstance(value, bool) or not isinstance(value, int) \
                    or value < 1:
                raise ValueError(f'AFDTransferConnector: {name} must be a '
                                 f'positive int, got {value!r}')
        if mode not in TRANSFER_MODES:
            raise ValueError(f'AFDTransferConnector: mode must be one of '
                             f'{TRANSFER_MODES}, got {mode!r}')
        if mode == 'never' and in_channels != out_channels:
            raise ValueError(f"AFDTransferConnector: mode='never' needs "
                             f'in_channels == out_channels, got '
                             f'{in_channels} and {out_channels}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        if mode == 'always' or (mode == 'auto'
                                and in_channels != out_channels):
            self.transfer = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels))
        else:
            self.transfer = nn.Identity()

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
            raise ValueError(f'AFDTransferConnector: expected a feature map '
                             f'(N, {self.in_channels}, H, W), got '
                             f'{tuple(feature.shape)}')
        return self.transfer(feature)
