"""ImageNet-style ResNets with a CIFAR stem (ResNet18, ResNet34, ResNet50).

Architecture of ``models/resnetv2.py`` in CRD/RepDistiller
(github.com/HobbitLong/RepDistiller, after kuangliu/pytorch-cifar): a 3x3
stride-1 stem with 64 channels and no max-pool, then four stages (64, 128,
256, 512 base widths, strides 1, 2, 2, 2) of basic blocks (ResNet18/34) or
bottlenecks (ResNet50). The names ``ResNet18``/``ResNet34``/``ResNet50`` do
not clash with mmpretrain's registry (its ImageNet model is ``ResNet`` with a
``depth`` argument, its CIFAR one ``ResNet_CIFAR``). Parameter names equal
the original (blocks have ``shortcut``), so checkpoints load after prefixing
``backbone.`` and renaming ``linear.*`` to ``head.fc.*``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch import nn

from ._utils import (PostActivationBlock, arch_setting, make_norm,
                     make_res_layer, parse_out_indices,
                     residual_stage_features, zoo_init_cfg)

__all__ = [
    'ResNetV2BasicBlock', 'ResNetV2Bottleneck', 'CIFARResNetV2', 'ResNet18',
    'ResNet34', 'ResNet50'
]


def _shortcut(in_channels: int, out_channels: int, stride: int,
              norm_cfg: dict) -> nn.Sequential:
    """Projection shortcut, or an empty ``nn.Sequential`` (identity)."""
    if stride == 1 and in_channels == out_channels:
        return nn.Sequential()
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
        make_norm(norm_cfg, out_channels))


class ResNetV2BasicBlock(PostActivationBlock):
    """Basic block (two 3x3 convs), post-activation.

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
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride, 1,
                               bias=False)
        self.bn1 = make_norm(norm_cfg, channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = make_norm(norm_cfg, channels)
        self.shortcut = _shortcut(in_channels, channels, stride, norm_cfg)

    def forward_preact(self, x: torch.Tensor) -> torch.Tensor:
        """Return the residual sum before the final ReLU."""
        out = F.relu(self.bn1(self.conv1(x)))
        return self.bn2(self.conv2(out)) + self.shortcut(x)


class ResNetV2Bottleneck(PostActivationBlock):
    """Bottleneck block (1x1, 3x3, 1x1 with 4x expansion), post-activation.

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
        self.conv2 = nn.Conv2d(channels, channels, 3, stride, 1, bias=False)
        self.bn2 = make_norm(norm_cfg, channels)
        self.conv3 = nn.Conv2d(channels, out_channels, 1, bias=False)
        self.bn3 = make_norm(norm_cfg, out_channels)
        self.shortcut = _shortcut(in_channels, out_channels, stride,
                                  norm_cfg)

    def forward_preact(self, x: torch.Tensor) -> torch.Tensor:
        """Return the residual sum before the final ReLU."""
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out)) + self.shortcut(x)


# depth -> (block, blocks per stage)
RESNETV2_ARCH = {
    18: (ResNetV2BasicBlock, (2, 2, 2, 2)),
    34: (ResNetV2BasicBlock, (3, 4, 6, 3)),
    50: (ResNetV2Bottleneck, (3, 4, 6, 3)),
    101: (ResNetV2Bottleneck, (3, 4, 23, 3)),
    152: (ResNetV2Bottleneck, (3, 8, 36, 3)),
}


@MODELS.register_module()
class CIFARResNetV2(BaseBackbone):
    """ResNet-18/34/50/101/152 with a CIFAR stem (3x3, stride 1, no pool).

    Stage indices for ``out_indices`` (``e`` = block expansion, 1 for
    18/34 and 4 for 50+; sizes for a 32x32 input):

    - 0: stem ``relu(bn1(conv1(x)))``, 64 channels, 32x32;
    - 1: ``layer1``, ``64e`` channels, 32x32;
    - 2: ``layer2``, ``128e`` channels, 16x16;
    - 3: ``layer3``, ``256e`` channels, 8x8;
    - 4: ``layer4``, ``512e`` channels, 4x4 -- the map the classifier
      pools (RepDistiller's ``AdaptiveAvgPool2d(1)`` =
      ``GlobalAveragePooling``).

    Args:
        depth (int): One of 18, 34, 50, 101, 152. Defaults to 18.
        out_indices (int | Sequence[int]): Stages to return, see above;
            negatives count from the end. Defaults to ``(-1, )`` (stage 4).
        preact (bool): Return, for stages 1-4, the last block's residual sum
            before its ReLU (RepDistiller ``preact=True``). Defaults to
            False.
        zero_init_residual (bool): Zero-initialize the last norm of each
            residual branch in ``init_weights`` (original option, off by
            default). Defaults to False.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to He-normal (fan_out) convolutions and unit norms, as in
            the original constructor.
    """
    num_stages = 5

    def __init__(self,
                 depth: int = 18,
                 out_indices: Union[int, Sequence[int]] = (-1, ),
                 preact: bool = False,
                 zero_init_residual: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=zoo_init_cfg(init_cfg))
        name = type(self).__name__
        block, stage_blocks = arch_setting(RESNETV2_ARCH, depth, 'depth', name)
        self.depth = depth
        self.preact = preact
        self.zero_init_residual = zero_init_residual
        self.out_indices = parse_out_indices(out_indices, self.num_stages,
                                             name)
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = make_norm(norm_cfg, 64)
        self.out_channels = [64]
        in_channels = 64
        for s, (width, num_blocks, stride) in enumerate(
                zip((64, 128, 256, 512), stage_blocks, (1, 2, 2, 2))):
            layer, in_channels = make_res_layer(block, in_channels, width,
                                                num_blocks, stride, norm_cfg)
            self.add_module(f'layer{s + 1}', layer)
            self.out_channels.append(in_channels)

    def init_weights(self) -> None:
        """Apply ``init_cfg``, then the optional zero residual init."""
        super().init_weights()
        if self.zero_init_residual:
            for m in self.modules():
                if isinstance(m, ResNetV2Bottleneck):
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, ResNetV2BasicBlock):
                    nn.init.constant_(m.bn2.weight, 0)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps selected by ``out_indices``."""
        feats = residual_stage_features(self,
                                        F.relu(self.bn1(self.conv1(x))))
        return tuple(feats[i] for i in self.out_indices)


@MODELS.register_module(name='ResNet18')
def ResNet18(**kwargs) -> CIFARResNetV2:  # noqa: N802 (zoo name)
    """RepDistiller ``ResNet18`` (CIFAR stem, basic blocks 2-2-2-2).

    ``kwargs`` go to :class:`CIFARResNetV2`.
    """
    return CIFARResNetV2(depth=18, **kwargs)


@MODELS.register_module(name='ResNet34')
def ResNet34(**kwargs) -> CIFARResNetV2:  # noqa: N802 (zoo name)
    """RepDistiller ``ResNet34`` (CIFAR stem, basic blocks 3-4-6-3)."""
    return CIFARResNetV2(depth=34, **kwargs)


@MODELS.register_module(name='ResNet50')
def ResNet50(**kwargs) -> CIFARResNetV2:  # noqa: N802 (zoo name)
    """RepDistiller ``ResNet50`` (CIFAR stem, bottlenecks 3-4-6-3)."""
    return CIFARResNetV2(depth=50, **kwargs)
