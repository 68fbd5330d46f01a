"""CIFAR ResNets of the KD literature (resnet8..110, resnet8x4, resnet32x4).

Architecture of ``models/resnet.py`` in the CRD/RepDistiller code base
(github.com/HobbitLong/RepDistiller), itself ported from fb.resnet.torch:
a 3x3 stem convolution (no max-pool) and three stages of residual blocks at
strides 1, 2, 2 with ``(depth - 2) / 6`` basic blocks each (or
``(depth - 2) / 9`` bottlenecks). Module names follow the original
(``conv1``/``bn1``/``layer1``..``layer3``, blocks ``conv1``/``bn1``/``conv2``/
``bn2``/``downsample``) so original checkpoints load after renaming
``fc.*`` to ``head.fc.*`` and prefixing the rest with ``backbone.``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch import nn

from ._utils import (PostActivationBlock, make_norm, make_res_layer,
                     parse_out_indices, residual_stage_features, zoo_init_cfg)

__all__ = [
    'CIFARBasicBlock', 'CIFARBottleneck', 'CIFARResNet', 'resnet8', 'resnet14',
    'resnet20', 'resnet32', 'resnet44', 'resnet56', 'resnet110', 'resnet8x4',
    'resnet32x4'
]


def _conv3x3(in_channels: int,
             out_channels: int,
             stride: int = 1) -> nn.Conv2d:
    """3x3 convolution, padding 1, no bias."""
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride,
                     padding=1, bias=False)


def _downsample(in_channels: int, out_channels: int, stride: int,
                norm_cfg: dict) -> Optional[nn.Sequential]:
    """1x1 projection shortcut, or None when the identity fits."""
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride,
                  bias=False), make_norm(norm_cfg, out_channels))


class CIFARBasicBlock(PostActivationBlock):
    """Two 3x3 convolutions with a residual connection (post-activation).

    Args:
        in_channels (int): Input channels.
        channels (int): Output channels.
        stride (int): Stride of the first convolution. Defaults to 1.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.
    """
    expansion = 1

    def __init__(self,
                 in_channels: int,
                 channels: int,
                 stride: int = 1,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        out_channels = channels * self.expansion
        self.conv1 = _conv3x3(in_channels, channels, stride)
        self.bn1 = make_norm(norm_cfg, channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = _conv3x3(channels, channels)
        self.bn2 = make_norm(norm_cfg, channels)
        self.downsample = _downsample(in_channels, out_channels, stride,
                                      norm_cfg)

    def forward_preact(self, x: torch.Tensor) -> torch.Tensor:
        """Return the residual sum before the final ReLU."""
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.bn2(self.conv2(out)) + identity


class CIFARBottleneck(PostActivationBlock):
    """1x1-3x3-1x1 bottleneck with 4x expansion (post-activation).

    Args:
        in_channels (int): Input channels.
        channels (int): Bottleneck width; the output has ``4 * channels``.
        stride (int): Stride of the 3x3 convolution. Defaults to 1.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.
    """
    expansion = 4

    def __init__(self,
                 in_channels: int,
                 channels: int,
                 stride: int = 1,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        out_channels = channels * self.expansion
        self.conv1 = nn.Conv2d(in_channels, channels, 1, bias=False)
        self.bn1 = make_norm(norm_cfg, channels)
        self.conv2 = _conv3x3(channels, channels, stride)
        self.bn2 = make_norm(norm_cfg, channels)
        self.conv3 = nn.Conv2d(channels, out_channels, 1, bias=False)
        self.bn3 = make_norm(norm_cfg, out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = _downsample(in_channels, out_channels, stride,
                                      norm_cfg)

    def forward_preact(self, x: torch.Tensor) -> torch.Tensor:
        """Return the residual sum before the final ReLU."""
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out)) + identity


@MODELS.register_module()
class CIFARResNet(BaseBackbone):
    """ResNet for 32x32 inputs as used throughout the KD literature.

    Stage indices for ``out_indices`` (spatial sizes for a 32x32 input):

    - 0: stem ``relu(bn1(conv1(x)))``, ``num_filters[0]`` channels, 32x32;
    - 1: ``layer1``, ``num_filters[1] * expansion`` channels, 32x32;
    - 2: ``layer2``, ``num_filters[2] * expansion`` channels, 16x16;
    - 3: ``layer3``, ``num_filters[3] * expansion`` channels, 8x8 -- the map
      the classifier global-average-pools (RepDistiller's ``feat[-2]``
      before ``avgpool``).

    Args:
        depth (int): Network depth, ``6n + 2`` for basic blocks, ``9n + 2``
            for bottlenecks.
        num_filters (Sequence[int]): Widths of the stem and the three stages.
            Defaults to ``(16, 16, 32, 64)``; the ``x4`` variants use
            ``(32, 64, 128, 256)``.
        block_type (str): ``'BasicBlock'`` or ``'Bottleneck'``
            (case-insensitive). Defaults to ``'BasicBlock'``.
        out_indices (int | Sequence[int]): Stages to return, see above;
            negatives count from the end. Defaults to ``(-1, )`` (stage 3).
        preact (bool): Return, for stages 1-3, the last block's residual sum
            before its ReLU (RepDistiller ``preact=True``); the stem is always
            post-ReLU and the network's own computation is unchanged.
            Defaults to False.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to He-normal (fan_out) convolutions and unit norms, as in
            the original constructor.
    """
    num_stages = 4

    def __init__(self,
                 depth: int,
                 num_filters: Sequence[int] = (16, 16, 32, 64),
                 block_type: str = 'BasicBlock',
                 out_indices: Union[int, Sequence[int]] = (-1, ),
                 preact: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=zoo_init_cfg(init_cfg))
        name = type(self).__name__
        if block_type.lower() == 'basicblock':
            block, per_block = CIFARBasicBlock, 6
        elif block_type.lower() == 'bottleneck':
            block, per_block = CIFARBottleneck, 9
        else:
            raise ValueError(f'{name}: block_type must be "BasicBlock" or '
                             f'"Bottleneck", got {block_type!r}')
        if depth < per_block + 2 or (depth - 2) % per_block != 0:
            raise ValueError(f'{name}: depth {depth} is invalid for '
                             f'{block_type}; it must be {per_block}n+2, n>=1')
        if len(num_filters) != 4:
            raise ValueError(f'{name}: num_filters needs 4 widths (stem + 3 '
                             f'stages), got {tuple(num_filters)}')
        num_blocks = (depth - 2) // per_block
        self.depth = depth
        self.preact = preact
        self.out_indices = parse_out_indices(out_indices, self.num_stages,
                                             name)

        self.conv1 = _conv3x3(3, num_filters[0])
        self.bn1 = make_norm(norm_cfg, num_filters[0])
        self.relu = nn.ReLU(inplace=True)
        self.out_channels = [num_filters[0]]
        in_channels = num_filters[0]
        for i, (width, stride) in enumerate(zip(num_filters[1:], (1, 2, 2))):
            layer, in_channels = make_res_layer(block, in_channels, width,
                                                num_blocks, stride, norm_cfg)
            self.add_module(f'layer{i + 1}', layer)
            self.out_channels.append(in_channels)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps selected by ``out_indices``."""
        feats = residual_stage_features(self,
                                        self.relu(self.bn1(self.conv1(x))))
        return tuple(feats[i] for i in self.out_indices)


def _resnet(depth: int, num_filters: Sequence[int], **kwargs) -> CIFARResNet:
    return CIFARResNet(depth=depth, num_filters=num_filters, **kwargs)


@MODELS.register_module(name='resnet8')
def resnet8(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet8``: depth 8, widths 16-16-32-64.

    ``kwargs`` go to :class:`CIFARResNet`.
    """
    return _resnet(8, (16, 16, 32, 64), **kwargs)


@MODELS.register_module(name='resnet14')
def resnet14(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet14``: depth 14, widths 16-16-32-64."""
    return _resnet(14, (16, 16, 32, 64), **kwargs)


@MODELS.register_module(name='resnet20')
def resnet20(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet20``: depth 20, widths 16-16-32-64."""
    return _resnet(20, (16, 16, 32, 64), **kwargs)


@MODELS.register_module(name='resnet32')
def resnet32(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet32``: depth 32, widths 16-16-32-64."""
    return _resnet(32, (16, 16, 32, 64), **kwargs)


@MODELS.register_module(name='resnet44')
def resnet44(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet44``: depth 44, widths 16-16-32-64."""
    return _resnet(44, (16, 16, 32, 64), **kwargs)


@MODELS.register_module(name='resnet56')
def resnet56(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet56``: depth 56, widths 16-16-32-64."""
    return _resnet(56, (16, 16, 32, 64), **kwargs)


@MODELS.register_module(name='resnet110')
def resnet110(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet110``: depth 110, widths 16-16-32-64."""
    return _resnet(110, (16, 16, 32, 64), **kwargs)


@MODELS.register_module(name='resnet8x4')
def resnet8x4(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet8x4``: depth 8, widths 32-64-128-256."""
    return _resnet(8, (32, 64, 128, 256), **kwargs)


@MODELS.register_module(name='resnet32x4')
def resnet32x4(**kwargs) -> CIFARResNet:
    """RepDistiller ``resnet32x4``: depth 32, widths 32-64-128-256."""
    return _resnet(32, (32, 64, 128, 256), **kwargs)
