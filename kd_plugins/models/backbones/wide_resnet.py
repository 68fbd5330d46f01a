"""Wide ResNets for CIFAR (wrn_16_1, wrn_16_2, wrn_40_1, wrn_40_2).

Architecture of ``models/wrn.py`` in CRD/RepDistiller
(github.com/HobbitLong/RepDistiller): Zagoruyko & Komodakis' pre-activation
WRN-d-k with a 3x3 stem, three groups of ``(d - 4) / 6`` blocks at widths
``16k, 32k, 64k`` and a final BN-ReLU. Module and parameter names equal the
original (``conv1``, ``block{1,2,3}.layer.N.{bn1,conv1,bn2,conv2,
convShortcut}``, ``bn1``), so original checkpoints load after prefixing
``backbone.`` and renaming ``fc.*`` to ``head.fc.*``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS
from torch import nn

from ._utils import make_norm, parse_out_indices, zoo_init_cfg

__all__ = [
    'WideBasicBlock', 'CIFARWideResNet', 'wrn_16_1', 'wrn_16_2', 'wrn_40_1',
    'wrn_40_2'
]


class WideBasicBlock(BaseModule):
    """Pre-activation basic block: ``BN-ReLU-conv3x3-BN-ReLU-conv3x3``.

    When input and output widths differ, the shortcut is a strided 1x1
    convolution applied to the *activated* input (as in the original);
    otherwise it is the raw input.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first convolution. Defaults to 1.
        drop_rate (float): Dropout probability between the two
            convolutions. Defaults to 0.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 drop_rate: float = 0.0,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.bn1 = make_norm(norm_cfg, in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1,
                               bias=False)
        self.bn2 = make_norm(norm_cfg, out_channels)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1,
                               bias=False)
        self.drop_rate = drop_rate
        self.equal_in_out = in_channels == out_channels
        self.convShortcut = None if self.equal_in_out else nn.Conv2d(
            in_channels, out_channels, 1, stride, 0, bias=False)

    def forward(self,
                x: torch.Tensor,
                normed: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Forward.

        Args:
            x (torch.Tensor): Block input.
            normed (torch.Tensor, optional): ``bn1(x)`` if the caller already
                computed it (used to expose pre-activations without running
                the norm twice). Defaults to None.
        """
        if normed is None:
            normed = self.bn1(x)
        act = F.relu(normed)
        out = self.relu2(self.bn2(self.conv1(act)))
        if self.drop_rate > 0:
            out = F.dropout(out, p=self.drop_rate, training=self.training)
        out = self.conv2(out)
        shortcut = x if self.equal_in_out else self.convShortcut(act)
        return shortcut + out


class WideStage(BaseModule):
    """A group of :class:`WideBasicBlock` (kept as ``.layer`` like the
    original ``NetworkBlock`` so parameter names match).

    Args:
        num_blocks (int): Number of blocks.
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first block.
        drop_rate (float): Dropout probability. Defaults to 0.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
    """

    def __init__(self,
                 num_blocks: int,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 drop_rate: float = 0.0,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.layer = nn.Sequential(*[
            WideBasicBlock(in_channels if i == 0 else out_channels,
                           out_channels, stride if i == 0 else 1, drop_rate,
                           norm_cfg) for i in range(num_blocks)
        ])

    def forward(self,
                x: torch.Tensor,
                normed: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Forward; ``normed`` is ``layer[0].bn1(x)`` when precomputed."""
        x = self.layer[0](x, normed)
        for block in self.layer[1:]:
            x = block(x)
        return x


@MODELS.register_module()
class CIFARWideResNet(BaseBackbone):
    """Wide ResNet WRN-depth-widen_factor for 32x32 inputs.

    Stage indices for ``out_indices`` (sizes for a 32x32 input, ``k`` =
    ``widen_factor``):

    - 0: stem ``conv1(x)`` (no norm/activation, as RepDistiller's ``f0``),
      16 channels, 32x32;
    - 1: ``block1`` output, ``16k`` channels, 32x32;
    - 2: ``block2`` output, ``32k`` channels, 16x16;
    - 3: ``relu(bn1(block3(x)))``, ``64k`` channels, 8x8 -- the map the
      classifier global-average-pools. (RepDistiller's ``f3`` is the raw
      ``block3`` output; its pooled ``feat[-1]`` is the GAP of this map.)

    With ``preact=True`` stages 1-3 return the features RepDistiller returns
    for ``preact=True``: the next BN applied to the stage output
    (``block2.layer[0].bn1(f1)``, ``block3.layer[0].bn1(f2)``, ``bn1(f3)``),
    i.e. the pre-ReLU inputs of the following computation. They are taken
    from the forward pass itself, so each norm still runs once per step.

    Args:
        depth (int): Depth, ``6n + 4`` with ``n >= 1``.
        widen_factor (int): Width multiplier ``k``. Defaults to 1.
        drop_rate (float): Dropout inside blocks. Defaults to 0.
        out_indices (int | Sequence[int]): Stages to return, see above;
            negatives count from the end. Defaults to ``(-1, )`` (stage 3).
        preact (bool): Return pre-activation features for stages 1-3.
            Defaults to False.
        norm_cfg (dict): Norm layer config. Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to He-normal (fan_out) convolutions and unit norms, as in
            the original constructor.
    """
    num_stages = 4

    def __init__(self,
                 depth: int,
                 widen_factor: int = 1,
                 drop_rate: float = 0.0,
                 out_indices: Union[int, Sequence[int]] = (-1, ),
                 preact: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=zoo_init_cfg(init_cfg))
        name = type(self).__name__
        if depth < 10 or (depth - 4) % 6 != 0:
            raise ValueError(f'{name}: depth {depth} is invalid; it must be '
                             f'6n+4 with n>=1')
        if widen_factor < 1:
            raise ValueError(f'{name}: widen_factor must be >= 1, got '
                             f'{widen_factor}')
        num_blocks = (depth - 4) // 6
        widths = [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        self.depth = depth
        self.widen_factor = widen_factor
        self.preact = preact
        self.out_indices = parse_out_indices(out_indices, self.num_stages,
                                             name)
        self.out_channels = list(widths)

        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.block1 = WideStage(num_blocks, widths[0], widths[1], 1,
                                drop_rate, norm_cfg)
        self.block2 = WideStage(num_blocks, widths[1], widths[2], 2,
                                drop_rate, norm_cfg)
        self.block3 = WideStage(num_blocks, widths[2], widths[3], 2,
                                drop_rate, norm_cfg)
        self.bn1 = make_norm(norm_cfg, widths[3])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps selected by ``out_indices``."""
        f0 = self.conv1(x)
        f1 = self.block1(f0)
        n1 = self.block2.layer[0].bn1(f1)
        f2 = self.block2(f1, n1)
        n2 = self.block3.layer[0].bn1(f2)
        f3 = self.block3(f2, n2)
        n3 = self.bn1(f3)
        if self.preact:
            feats = (f0, n1, n2, n3)
        else:
            feats = (f0, f1, f2, F.relu(n3))
        return tuple(feats[i] for i in self.out_indices)


@MODELS.register_module(name='wrn_16_1')
def wrn_16_1(**kwargs) -> CIFARWideResNet:
    """RepDistiller ``wrn_16_1``: depth 16, widen factor 1.

    ``kwargs`` go to :class:`CIFARWideResNet`.
    """
    return CIFARWideResNet(depth=16, widen_factor=1, **kwargs)


@MODELS.register_module(name='wrn_16_2')
def wrn_16_2(**kwargs) -> CIFARWideResNet:
    """RepDistiller ``wrn_16_2``: depth 16, widen factor 2."""
    return CIFARWideResNet(depth=16, widen_factor=2, **kwargs)


@MODELS.register_module(name='wrn_40_1')
def wrn_40_1(**kwargs) -> CIFARWideResNet:
    """RepDistiller ``wrn_40_1``: depth 40, widen factor 1."""
    return CIFARWideResNet(depth=40, widen_factor=1, **kwargs)


@MODELS.register_module(name='wrn_40_2')
def wrn_40_2(**kwargs) -> CIFARWideResNet:
    """RepDistiller ``wrn_40_2``: depth 40, widen factor 2."""
    return CIFARWideResNet(depth=40, widen_factor=2, **kwargs)
