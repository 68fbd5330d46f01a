"""CIFAR MobileNetV2 of the KD literature (RepDistiller ``mobile_half``).

Architecture of ``models/mobilenetv2.py`` in CRD/RepDistiller
(github.com/HobbitLong/RepDistiller), from "Knowledge Distillation via Route
Constrained Optimization": MobileNetV2 with a stride-2 3x3 stem, the usual
seven inverted-residual groups (strides 1, 1, 2, 2, 1, 2, 1), a 1x1 conv to
1280 channels and a linear classifier. ``mobile_half`` is expansion ratio 6
at width 0.5 (the CRD tables' "MobileNetV2"). mmpretrain already registers an
ImageNet ``MobileNetV2``, hence the names ``CIFARMobileNetV2`` (class) and
``mobile_half`` (zoo entry). Parameter names equal the original
(``conv1``, ``blocks.{g}.{i}.conv.{j}``, ``conv2``), so checkpoints load
after prefixing ``backbone.`` and renaming ``classifier.0.*`` to
``head.fc.*``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModule
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch import nn

from ._utils import make_norm, parse_out_indices, zoo_init_cfg

__all__ = ['CIFARInvertedResidual', 'CIFARMobileNetV2', 'mobile_half']

# (channels, num_blocks, stride) per group; the first group uses expansion 1.
MOBILENETV2_SETTING = ((16, 1, 1), (24, 2, 1), (32, 3, 2), (64, 4, 2),
                       (96, 3, 1), (160, 3, 2), (320, 1, 1))
# Groups whose outputs are stages 1-4 (RepDistiller's f1..f4).
STAGE_ENDS = (1, 2, 4, 6)


def _conv_norm_relu(in_channels: int, out_channels: int, kernel_size: int,
                    stride: int, norm_cfg: dict) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride,
                  kernel_size // 2, bias=False),
        make_norm(norm_cfg, out_channels), nn.ReLU(inplace=True))


class CIFARInvertedResidual(BaseModule):
    """Inverted residual: 1x1 expand, 3x3 depthwise, 1x1 linear projection.

    Note that, as in the original, the expansion convolution is present even
    for ``expand_ratio=1``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Depthwise stride, 1 or 2.
        expand_ratio (int): Hidden width multiplier.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 expand_ratio: int,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if stride not in (1, 2):
            raise ValueError(f'CIFARInvertedResidual: stride must be 1 or 2, '
                             f'got {stride}')
        hidden = in_channels * expand_ratio
        self.use_res_connect = stride == 1 and in_channels == out_channels
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, hidden, 1, 1, 0, bias=False),
            make_norm(norm_cfg, hidden), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden,
                      bias=False), make_norm(norm_cfg, hidden),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, out_channels, 1, 1, 0, bias=False),
            make_norm(norm_cfg, out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward, with the identity added when shapes allow."""
        out = self.conv(x)
        return x + out if self.use_res_connect else out


@MODELS.register_module()
class CIFARMobileNetV2(BaseBackbone):
    """MobileNetV2 for 32x32 inputs, as in the KD literature.

    Stage indices for ``out_indices`` (``mobile_half`` channels, sizes for a
    32x32 input):

    - 0: stem ``conv1`` (stride 2), 16 channels, 16x16;
    - 1: after groups 0-1, 12 channels, 16x16;
    - 2: after group 2, 16 channels, 8x8;
    - 3: after groups 3-4, 48 channels, 4x4;
    - 4: after groups 5-6, 160 channels, 2x2;
    - 5: ``conv2`` (1x1 conv-BN-ReLU), 1280 channels, 2x2 -- the map the
      classifier pools. Stages 0-4 are RepDistiller's ``f0..f4``; its
      ``AvgPool2d(input_size // 16, ceil_mode=True)`` equals
      ``GlobalAveragePooling`` for 32x32 inputs.

    Stages 1-4 end in a linear (norm) projection, so there is no separate
    pre-activation (RepDistiller ignores ``preact`` for this model too).

    Args:
        expand_ratio (int): Expansion ratio ``T`` of groups 1-6. Defaults to
            6.
        width_mult (float): Width multiplier of all groups and the stem; the
            last conv has ``int(1280 * width_mult)`` channels if
            ``width_mult > 1`` else 1280. Defaults to 0.5.
        out_indices (int | Sequence[int]): Stages to return, see above;
            negatives count from the end. Defaults to ``(-1, )`` (stage 5).
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to He-normal (fan_out) convolutions and unit norms, as in
            the original constructor.
    """
    num_stages = 6

    def __init__(self,
                 expand_ratio: int = 6,
                 width_mult: float = 0.5,
                 out_indices: Union[int, Sequence[int]] = (-1, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=zoo_init_cfg(init_cfg))
        name = type(self).__name__
        if width_mult <= 0:
            raise ValueError(f'{name}: width_mult must be > 0, got '
                             f'{width_mult}')
        self.expand_ratio = expand_ratio
        self.width_mult = width_mult
        self.out_indices = parse_out_indices(out_indices, self.num_stages,
                                             name)
        in_channels = int(32 * width_mult)
        self.conv1 = _conv_norm_relu(3, in_channels, 3, 2, norm_cfg)
        self.out_channels = [in_channels]
        self.blocks = nn.ModuleList()
        for g, (channels, num_blocks, stride) in enumerate(
                MOBILENETV2_SETTING):
            out_channels = int(channels * width_mult)
            ratio = 1 if g == 0 else expand_ratio
            layers = []
            for i in range(num_blocks):
                layers.append(
                    CIFARInvertedResidual(in_channels, out_channels,
                                          stride if i == 0 else 1, ratio,
                                          norm_cfg))
                in_channels = out_channels
            self.blocks.append(nn.Sequential(*layers))
            if g in STAGE_ENDS:
                self.out_channels.append(out_channels)
        last_channels = int(1280 *
                            width_mult) if width_mult > 1.0 else 1280
        self.conv2 = _conv_norm_relu(in_channels, last_channels, 1, 1,
                                     norm_cfg)
        self.out_channels.append(last_channels)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps selected by ``out_indices``."""
        x = self.conv1(x)
        feats = [x]
        for g, group in enumerate(self.blocks):
            x = group(x)
            if g in STAGE_ENDS:
                feats.append(x)
        feats.append(self.conv2(x))
        return tuple(feats[i] for i in self.out_indices)


@MODELS.register_module(name='mobile_half')
def mobile_half(**kwargs) -> CIFARMobileNetV2:
    """RepDistiller ``mobile_half`` (CRD's "MobileNetV2"): T=6, width 0.5.

    ``kwargs`` go to :class:`CIFARMobileNetV2`.
    """
    return CIFARMobileNetV2(expand_ratio=6, width_mult=0.5, **kwargs)
