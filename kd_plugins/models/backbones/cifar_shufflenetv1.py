"""CIFAR ShuffleNetV1 of the KD literature (RepDistiller ``ShuffleV1``).

Architecture of ``models/ShuffleNetv1.py`` in CRD/RepDistiller
(github.com/HobbitLong/RepDistiller): a 1x1 stem to 24 channels (no stride,
no max-pool), three stages of ShuffleNet units (4, 8, 4 units; 240, 480, 960
channels; 3 groups), each stage starting with a stride-2 unit whose shortcut
is a 3x3 average pool concatenated to the branch. mmpretrain already
registers an ImageNet ``ShuffleNetV1``, hence the names ``CIFARShuffleNetV1``
(class) and ``ShuffleV1`` (zoo entry). Parameter names equal the original,
so checkpoints load after prefixing ``backbone.`` and renaming
``linear.*`` to ``head.fc.*``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch import nn

from ._utils import (PostActivationBlock, channel_shuffle, make_norm,
                     parse_out_indices, residual_stage_features)

__all__ = ['ShuffleV1Unit', 'CIFARShuffleNetV1', 'ShuffleV1']


class ShuffleV1Unit(PostActivationBlock):
    """ShuffleNetV1 unit: group 1x1, shuffle, depthwise 3x3, group 1x1.

    Stride 1: ``relu(branch(x) + x)``; stride 2:
    ``relu(cat([branch(x), avgpool3x3_s2(x)]))``.

    Args:
        in_channels (int): Input channels.
        branch_channels (int): Output channels of the branch (for stride 2
            the unit outputs ``branch_channels + in_channels``).
        stride (int): 1 or 2.
        groups (int): Groups of the second 1x1 convolution.
        conv1_groups (int): Groups of the first 1x1 convolution (1 for the
            unit right after the stem, as in the original). Defaults to
            ``groups`` when None.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 branch_channels: int,
                 stride: int,
                 groups: int,
                 conv1_groups: Optional[int] = None,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if stride not in (1, 2):
            raise ValueError(f'ShuffleV1Unit: stride must be 1 or 2, got '
                             f'{stride}')
        if stride == 1 and branch_channels != in_channels:
            raise ValueError(
                f'ShuffleV1Unit: a stride-1 unit needs branch_channels == '
                f'in_channels, got {branch_channels} and {in_channels}')
        self.stride = stride
        self.conv1_groups = groups if conv1_groups is None else conv1_groups
        mid_channels = branch_channels // 4
        self.conv1 = nn.Conv2d(in_channels, mid_channels, 1,
                               groups=self.conv1_groups, bias=False)
        self.bn1 = make_norm(norm_cfg, mid_channels)
        self.conv2 = nn.Conv2d(mid_channels, mid_channels, 3, stride, 1,
                               groups=mid_channels, bias=False)
        self.bn2 = make_norm(norm_cfg, mid_channels)
        self.conv3 = nn.Conv2d(mid_channels, branch_channels, 1,
                               groups=groups, bias=False)
        self.bn3 = make_norm(norm_cfg, branch_channels)
        self.shortcut = nn.AvgPool2d(3, stride=2, padding=1) \
            if stride == 2 else nn.Identity()

    def forward_preact(self, x: torch.Tensor) -> torch.Tensor:
        """Return the merged branch and shortcut before the final ReLU."""
        out = F.relu(self.bn1(self.conv1(x)))
        out = channel_shuffle(out, self.conv1_groups)
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        res = self.shortcut(x)
        return torch.cat([out, res], 1) if self.stride == 2 else out + res


@MODELS.register_module()
class CIFARShuffleNetV1(BaseBackbone):
    """ShuffleNetV1 for 32x32 inputs, as in the KD literature.

    Stage indices for ``out_indices`` (``ShuffleV1`` channels, sizes for a
    32x32 input):

    - 0: stem ``relu(bn1(conv1(x)))`` (1x1 conv), 24 channels, 32x32;
    - 1: ``layer1``, 240 channels, 16x16;
    - 2: ``layer2``, 480 channels, 8x8;
    - 3: ``layer3``, 960 channels, 4x4 -- the map the classifier pools
      (RepDistiller's ``avg_pool2d(., 4)`` equals ``GlobalAveragePooling``
      for 32x32 inputs).

    Args:
        stage_channels (Sequence[int]): Output channels of the three stages.
            Defaults to ``(240, 480, 960)``.
        stage_blocks (Sequence[int]): Units per stage. Defaults to
            ``(4, 8, 4)``.
        groups (int): Groups of the 1x1 convolutions. Defaults to 3.
        stem_channels (int): Stem width. Defaults to 24.
        out_indices (int | Sequence[int]): Stages to return, see above;
            negatives count from the end. Defaults to ``(-1, )`` (stage 3).
        preact (bool): Return, for stages 1-3, the last unit's output before
            its ReLU (RepDistiller ``preact=True``). Defaults to False.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None: PyTorch's default initialization, as the
            original does not re-initialize this model.
    """
    num_stages = 4

    def __init__(self,
                 stage_channels: Sequence[int] = (240, 480, 960),
                 stage_blocks: Sequence[int] = (4, 8, 4),
                 groups: int = 3,
                 stem_channels: int = 24,
                 out_indices: Union[int, Sequence[int]] = (-1, ),
                 preact: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        name = type(self).__name__
        if len(stage_channels) != 3 or len(stage_blocks) != 3:
            raise ValueError(f'{name}: stage_channels and stage_blocks need '
                             f'3 entries, got {tuple(stage_channels)} and '
                             f'{tuple(stage_blocks)}')
        self.preact = preact
        self.out_indices = parse_out_indices(out_indices, self.num_stages,
                                             name)
        self.conv1 = nn.Conv2d(3, stem_channels, 1, bias=False)
        self.bn1 = make_norm(norm_cfg, stem_channels)
        self.out_channels = [stem_channels]
        in_channels = stem_channels
        for s, (channels, blocks) in enumerate(
                zip(stage_channels, stage_blocks)):
            if channels <= in_channels:
                raise ValueError(f'{name}: stage {s + 1} needs more than '
                                 f'{in_channels} channels, got {channels}')
            units = []
            for i in range(blocks):
                if i == 0:
                    units.append(
                        ShuffleV1Unit(in_channels, channels - in_channels, 2,
                                      groups, 1 if s == 0 else groups,
                                      norm_cfg))
                else:
                    units.append(
                        ShuffleV1Unit(channels, channels, 1, groups,
                                      norm_cfg=norm_cfg))
                in_channels = channels
            self.add_module(f'layer{s + 1}', nn.Sequential(*units))
            self.out_channels.append(channels)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps selected by ``out_indices``."""
        feats = residual_stage_features(self,
                                        F.relu(self.bn1(self.conv1(x))))
        return tuple(feats[i] for i in self.out_indices)


@MODELS.register_module(name='ShuffleV1')
def ShuffleV1(**kwargs) -> CIFARShuffleNetV1:  # noqa: N802 (zoo name)
    """RepDistiller ``ShuffleV1``: 240-480-960 channels, 4-8-4 units, g=3.

    ``kwargs`` go to :class:`CIFARShuffleNetV1`.
    """
    return CIFARShuffleNetV1(stage_channels=(240, 480, 960),
                             stage_blocks=(4, 8, 4), groups=3, **kwargs)
