"""VGG-BN for CIFAR without FC layers (vgg8, vgg11, vgg13, vgg16, vgg19).

Architecture of ``models/vgg.py`` in CRD/RepDistiller
(github.com/HobbitLong/RepDistiller); the zoo names ``vgg8`` ... ``vgg19`` are
its ``*_bn`` variants (its ``model_dict`` maps ``'vgg13'`` to ``vgg13_bn``).
Five conv blocks (3x3 conv with bias, BN, ReLU; each block's final ReLU is
applied outside the block so the pre-activation is available), 2x2
max-pools between blocks 0-1, 1-2 and 2-3, and -- only for 64-pixel inputs --
between 3-4. The original classifier is ``AdaptiveAvgPool2d(1)`` +
``Linear(512, num_classes)``, which is exactly ``GlobalAveragePooling`` +
``LinearClsHead``; this backbone returns the un-pooled block-4 map.
Parameter names equal the original (``block{0..4}.{i}``), so checkpoints load
after prefixing ``backbone.`` and renaming ``classifier.*`` to ``head.fc.*``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch import nn

from ._utils import arch_setting, make_norm, parse_out_indices, zoo_init_cfg

__all__ = ['CIFARVGG', 'vgg8', 'vgg11', 'vgg13', 'vgg16', 'vgg19']

# Widths of the convolutions in each of the five blocks.
VGG_ARCH = {
    8: ((64, ), (128, ), (256, ), (512, ), (512, )),
    11: ((64, ), (128, ), (256, 256), (512, 512), (512, 512)),
    13: ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),
    16: ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512),
         (512, 512, 512)),
    19: ((64, 64), (128, 128), (256, 256, 256, 256), (512, 512, 512, 512),
         (512, 512, 512, 512)),
}


def _make_block(widths: Sequence[int], in_channels: int,
                norm_cfg: dict) -> nn.Sequential:
    """``[conv, norm, ReLU] * len(widths)`` without the trailing ReLU."""
    layers: List[nn.Module] = []
    for width in widths:
        layers += [
            nn.Conv2d(in_channels, width, 3, padding=1),
            make_norm(norm_cfg, width),
            nn.ReLU(inplace=True)
        ]
        in_channels = width
    return nn.Sequential(*layers[:-1])


@MODELS.register_module()
class CIFARVGG(BaseBackbone):
    """VGG with batch norm for 32x32 inputs, as in the KD literature.

    Stage indices for ``out_indices`` (sizes for a 32x32 input):

    - 0: ``relu(block0(x))``, 64 channels, 32x32;
    - 1: ``relu(block1(pool0(.)))``, 128 channels, 16x16;
    - 2: ``relu(block2(pool1(.)))``, 256 channels, 8x8;
    - 3: ``relu(block3(pool2(.)))``, 512 channels, 4x4;
    - 4: ``relu(block4(.))``, 512 channels, 4x4 -- the map the classifier
      global-average-pools (RepDistiller's ``f4``; its ``pool4`` is an
      adaptive average pool, identical to ``GlobalAveragePooling``).

    For inputs of a height listed in ``extra_pool_heights`` (RepDistiller:
    64, i.e. TinyImageNet) a further 2x2 max-pool runs before block 4.

    Args:
        depth (int): One of 8, 11, 13, 16, 19. Defaults to 13.
        out_indices (int | Sequence[int]): Stages to return, see above;
            negatives count from the end. Defaults to ``(-1, )`` (stage 4).
        preact (bool): Return the pre-ReLU (norm output) of stages 1-4
            (RepDistiller ``preact=True``); stage 0 stays post-ReLU.
            Defaults to False.
        extra_pool_heights (Sequence[int]): Input heights for which the
            max-pool between blocks 3 and 4 is applied. Defaults to
            ``(64, )``.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to He-normal (fan_out) convolutions with zero bias and
            unit norms, as in the original constructor.
    """
    num_stages = 5

    def __init__(self,
                 depth: int = 13,
                 out_indices: Union[int, Sequence[int]] = (-1, ),
                 preact: bool = False,
                 extra_pool_heights: Sequence[int] = (64, ),
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=zoo_init_cfg(init_cfg))
        name = type(self).__name__
        arch = arch_setting(VGG_ARCH, depth, 'depth', name)
        self.depth = depth
        self.preact = preact
        self.extra_pool_heights = tuple(extra_pool_heights)
        self.out_indices = parse_out_indices(out_indices, self.num_stages,
                                             name)
        self.out_channels = []
        in_channels = 3
        for i, widths in enumerate(arch):
            self.add_module(f'block{i}',
                            _make_block(widths, in_channels, norm_cfg))
            in_channels = widths[-1]
            self.out_channels.append(in_channels)
        for i in range(4):
            self.add_module(f'pool{i}', nn.MaxPool2d(kernel_size=2, stride=2))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps selected by ``out_indices``."""
        extra_pool = x.shape[2] in self.extra_pool_heights
        x = F.relu(self.block0(x))
        feats = [x]
        for i in range(1, self.num_stages):
            if i < 4 or extra_pool:
                x = getattr(self, f'pool{i - 1}')(x)
            pre = getattr(self, f'block{i}')(x)
            x = F.relu(pre)
            feats.append(pre if self.preact else x)
        return tuple(feats[i] for i in self.out_indices)


@MODELS.register_module(name='vgg8')
def vgg8(**kwargs) -> CIFARVGG:
    """RepDistiller ``vgg8`` (``vgg8_bn``, config "S").

    ``kwargs`` go to :class:`CIFARVGG`.
    """
    return CIFARVGG(depth=8, **kwargs)


@MODELS.register_module(name='vgg11')
def vgg11(**kwargs) -> CIFARVGG:
    """RepDistiller ``vgg11`` (``vgg11_bn``, config "A")."""
    return CIFARVGG(depth=11, **kwargs)


@MODELS.register_module(name='vgg13')
def vgg13(**kwargs) -> CIFARVGG:
    """RepDistiller ``vgg13`` (``vgg13_bn``, config "B")."""
    return CIFARVGG(depth=13, **kwargs)


@MODELS.register_module(name='vgg16')
def vgg16(**kwargs) -> CIFARVGG:
    """RepDistiller ``vgg16`` (``vgg16_bn``, config "D")."""
    return CIFARVGG(depth=16, **kwargs)


@MODELS.register_module(name='vgg19')
def vgg19(**kwargs) -> CIFARVGG:
    """RepDistiller ``vgg19`` (``vgg19_bn``, config "E")."""
    return CIFARVGG(depth=19, **kwargs)
