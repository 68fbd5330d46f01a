"""CIFAR ShuffleNetV2 of the KD literature (RepDistiller ``ShuffleV2``).

Architecture of ``models/ShuffleNetv2.py`` in CRD/RepDistiller
(github.com/HobbitLong/RepDistiller): a 1x1 stem to 24 channels (no stride,
no max-pool), three stages each made of one stride-2 down-sampling unit plus
``n`` basic units (3, 7, 3 at net size 1: 116, 232, 464 channels), then a
1x1 conv-BN-ReLU to 1024 channels. mmpretrain already registers an ImageNet
``ShuffleNetV2``, hence the names ``CIFARShuffleNetV2`` (class) and
``ShuffleV2`` (zoo entry). Parameter names equal the original, so
checkpoints load after prefixing ``backbone.`` and renaming ``linear.*`` to
``head.fc.*``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch import nn

from ._utils import arch_setting, channel_shuffle, make_norm, parse_out_indices

__all__ = [
    'ShuffleV2BasicUnit', 'ShuffleV2DownUnit', 'CIFARShuffleNetV2',
    'ShuffleV2'
]

# net_size -> (stage channels + last conv channels, units per stage), as in
# the original ``configs`` table.
SHUFFLENETV2_ARCH = {
    0.2: ((40, 80, 160, 512), (3, 3, 3)),
    0.3: ((40, 80, 160, 512), (3, 7, 3)),
    0.5: ((48, 96, 192, 1024), (3, 7, 3)),
    1.0: ((116, 232, 464, 1024), (3, 7, 3)),
    1.5: ((176, 352, 704, 1024), (3, 7, 3)),
    2.0: ((224, 488, 976, 2048), (3, 7, 3)),
}


class ShuffleV2BasicUnit(BaseModule):
    """Stride-1 unit: split channels, transform one half, concat, shuffle.

    Args:
        channels (int): Input and output channels.
        split_ratio (float): Fraction of channels passed through unchanged.
            Defaults to 0.5.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 channels: int,
                 split_ratio: float = 0.5,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.split_ratio = split_ratio
        half = int(channels * split_ratio)
        self.conv1 = nn.Conv2d(half, half, 1, bias=False)
        self.bn1 = make_norm(norm_cfg, half)
        self.conv2 = nn.Conv2d(half, half, 3, 1, 1, groups=half, bias=False)
        self.bn2 = make_norm(norm_cfg, half)
        self.conv3 = nn.Conv2d(half, half, 1, bias=False)
        self.bn3 = make_norm(norm_cfg, half)

    def forward_with_preact(
            self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Return the output and the pre-activation.

        The pre-activation is ``cat([x1, bn3(...)])`` *before* the channel
        shuffle, exactly what the original returns for ``preact=True``.
        """
        c = int(x.size(1) * self.split_ratio)
        x1, x2 = x[:, :c], x[:, c:]
        out = F.relu(self.bn1(self.conv1(x2)))
        out = self.bn2(self.conv2(out))
        pre = self.bn3(self.conv3(out))
        out = channel_shuffle(torch.cat([x1, F.relu(pre)], 1), 2)
        return out, torch.cat([x1, pre], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward."""
        return self.forward_with_preact(x)[0]


class ShuffleV2DownUnit(BaseModule):
    """Stride-2 unit: two branches on the full input, concat, shuffle.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (each branch gives half).
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        mid = out_channels // 2
        # left: depthwise 3x3 s2 -> 1x1
        self.conv1 = nn.Conv2d(in_channels, in_channels, 3, 2, 1,
                               groups=in_channels, bias=False)
        self.bn1 = make_norm(norm_cfg, in_channels)
        self.conv2 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.bn2 = make_norm(norm_cfg, mid)
        # right: 1x1 -> depthwise 3x3 s2 -> 1x1
        self.conv3 = nn.Conv2d(in_channels, mid, 1, bias=False)
        self.bn3 = make_norm(norm_cfg, mid)
        self.conv4 = nn.Conv2d(mid, mid, 3, 2, 1, groups=mid, bias=False)
        self.bn4 = make_norm(norm_cfg, mid)
        self.conv5 = nn.Conv2d(mid, mid, 1, bias=False)
        self.bn5 = make_norm(norm_cfg, mid)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward."""
        left = F.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))))
        right = F.relu(self.bn3(self.conv3(x)))
        right = F.relu(self.bn5(self.conv5(self.bn4(self.conv4(right)))))
        return channel_shuffle(torch.cat([left, right], 1), 2)


@MODELS.register_module()
class CIFARShuffleNetV2(BaseBackbone):
    """ShuffleNetV2 for 32x32 inputs, as in the KD literature.

    Stage indices for ``out_indices`` (``ShuffleV2`` = net size 1 channels,
    sizes for a 32x32 input):

    - 0: stem ``relu(bn1(conv1(x)))`` (1x1 conv), 24 channels, 32x32;
    - 1: ``layer1``, 116 channels, 16x16;
    - 2: ``layer2``, 232 channels, 8x8;
    - 3: ``layer3``, 464 channels, 4x4 (RepDistiller's last map ``f3``);
    - 4: ``relu(bn2(conv2(.)))``, 1024 channels, 4x4 -- the map the
      classifier pools (RepDistiller's ``avg_pool2d(., 4)`` equals
      ``GlobalAveragePooling`` for 32x32 inputs).

    Args:
        net_size (float): One of 0.2, 0.3, 0.5, 1, 1.5, 2 (the original's
            ``configs`` table). Defaults to 1.
        stem_channels (int): Stem width. Defaults to 24.
        out_indices (int | Sequence[int]): Stages to return, see above;
            negatives count from the end. Defaults to ``(-1, )`` (stage 4).
        preact (bool): Return pre-activations: for stages 1-3 the original's
            ``preact`` (last unit's ``cat([x1, bn3(.)])`` before ReLU and
            before the channel shuffle), for stage 4 ``bn2(conv2(.))``.
            Defaults to False.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None: PyTorch's default initialization, as the
            original does not re-initialize this model.
    """
    num_stages = 5

    def __init__(self,
                 net_size: float = 1.0,
                 stem_channels: int = 24,
                 out_indices: Union[int, Sequence[int]] = (-1, ),
                 preact: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        name = type(self).__name__
        channels, blocks = arch_setting(SHUFFLENETV2_ARCH, net_size,
                                        'net_size', name)
        self.net_size = net_size
        self.preact = preact
        self.out_indices = parse_out_indices(out_indices, self.num_stages,
                                             name)
        self.conv1 = nn.Conv2d(3, stem_channels, 1, bias=False)
        self.bn1 = make_norm(norm_cfg, stem_channels)
        self.out_channels = [stem_channels]
        in_channels = stem_channels
        for s in range(3):
            units = [ShuffleV2DownUnit(in_channels, channels[s], norm_cfg)]
            units += [
                ShuffleV2BasicUnit(channels[s], norm_cfg=norm_cfg)
                for _ in range(blocks[s])
            ]
            self.add_module(f'layer{s + 1}', nn.Sequential(*units))
            in_channels = channels[s]
            self.out_channels.append(in_channels)
        self.conv2 = nn.Conv2d(in_channels, channels[3], 1, bias=False)
        self.bn2 = make_norm(norm_cfg, channels[3])
        self.out_channels.append(channels[3])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps selected by ``out_indices``."""
        x = F.relu(self.bn1(self.conv1(x)))
        feats = [x]
        for s in range(1, 4):
            stage = getattr(self, f'layer{s}')
            for unit in stage[:-1]:
                x = unit(x)
            x, pre = stage[-1].forward_with_preact(x)
            feats.append(pre if self.preact else x)
        pre = self.bn2(self.conv2(x))
        x = F.relu(pre)
        feats.append(pre if self.preact else x)
        return tuple(feats[i] for i in self.out_indices)


@MODELS.register_module(name='ShuffleV2')
def ShuffleV2(**kwargs) -> CIFARShuffleNetV2:  # noqa: N802 (zoo name)
    """RepDistiller ``ShuffleV2``: net size 1 (116-232-464, 1024 last).

    ``kwargs`` go to :class:`CIFARShuffleNetV2`.
    """
    return CIFARShuffleNetV2(net_size=1.0, **kwargs)
