"""Small helpers shared by the CIFAR zoo backbones (not registered)."""
from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from torch import nn

__all__ = [
    'parse_out_indices', 'arch_setting', 'make_norm', 'zoo_init_cfg',
    'channel_shuffle', 'PostActivationBlock', 'make_res_layer',
    'residual_stage_features'
]


def parse_out_indices(out_indices: Union[int, Sequence[int]], num_stages: int,
                      owner: str) -> Tuple[int, ...]:
    """Validate ``out_indices`` and turn negative indices into positive ones.

    Args:
        out_indices (int | Sequence[int]): Stage indices to return. Negative
            values count from the end (``-1`` is the last stage).
        num_stages (int): Number of selectable stages of the backbone.
        owner (str): Backbone name used in error messages.

    Returns:
        tuple[int]: Non-negative stage indices in the given order.

    Raises:
        ValueError: If ``out_indices`` is empty, holds a non-integer or an
            index outside ``[-num_stages, num_stages - 1]``.
    """
    if isinstance(out_indices, int) and not isinstance(out_indices, bool):
        out_indices = (out_indices, )
    if not isinstance(out_indices, Sequence) or len(out_indices) == 0:
        raise ValueError(f'{owner}: out_indices must be an int or a non-empty '
                         f'sequence of ints, got {out_indices!r}')
    parsed = []
    for index in out_indices:
        if not isinstance(index, int) or isinstance(index, bool):
            raise ValueError(f'{owner}: out_indices must hold ints, got '
                             f'{index!r} in {out_indices!r}')
        if not -num_stages <= index < num_stages:
            raise ValueError(
                f'{owner}: out_indices entry {index} is out of range; valid '
                f'stage indices are 0..{num_stages - 1} (or negative from the '
                f'end)')
        parsed.append(index % num_stages)
    return tuple(parsed)


def arch_setting(archs: Mapping, key: Any, arg: str, owner: str) -> Any:
    """Look ``key`` up in an architecture table.

    Args:
        archs (Mapping): Table such as ``{depth: setting}``.
        key: The requested entry (e.g. the ``depth`` argument).
        arg (str): Argument name used in the error message.
        owner (str): Backbone name used in the error message.

    Returns:
        The setting stored under ``key``.

    Raises:
        ValueError: If ``key`` is not in the table; the message lists the
            valid keys.
    """
    if key not in archs:
        raise ValueError(f'{owner}: {arg} must be one of {sorted(archs)}, '
                         f'got {key}')
    return archs[key]


def make_norm(norm_cfg: dict, num_features: int) -> nn.Module:
    """Build a norm layer from ``norm_cfg`` (e.g. ``dict(type='BN')``).

    Args:
        norm_cfg (dict): mmcv norm config.
        num_features (int): Number of channels.

    Returns:
        nn.Module: The normalization layer.
    """
    return build_norm_layer(norm_cfg, num_features)[1]


def zoo_init_cfg(
        init_cfg: Optional[Union[dict, List[dict]]]
) -> Union[dict, List[dict]]:
    """``init_cfg``, or by default He-normal convolutions and unit norms.

    The default (used when ``init_cfg`` is None) is the initialization the
    RepDistiller zoo applies in its constructors
    (``kaiming_normal_(mode='fan_out')`` or the equivalent
    ``normal_(0, sqrt(2 / (k * k * out_channels)))``): He-normal (fan_out)
    convolutions, unit-scale norms, zero biases.

    Args:
        init_cfg (dict | list[dict], optional): The backbone's argument.

    Returns:
        dict | list[dict]: An mmengine ``init_cfg``.
    """
    if init_cfg is not None:
        return init_cfg
    return [
        dict(type='Kaiming', layer='Conv2d', mode='fan_out',
             nonlinearity='relu', distribution='normal', bias=0),
        dict(type='Constant', val=1, bias=0,
             layer=['_BatchNorm', 'GroupNorm']),
    ]


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """ShuffleNet channel shuffle ``(N, g*c, H, W) -> (N, c*g, H, W)``.

    Args:
        x (torch.Tensor): Input of shape ``(N, C, H, W)``, ``C % groups == 0``.
        groups (int): Number of groups.

    Returns:
        torch.Tensor: Channels reordered so that channel ``i * c + j`` moves
        to ``j * groups + i``.
    """
    if groups == 1:
        return x
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(
        n, c, h, w)


class PostActivationBlock(BaseModule):
    """A residual block whose output is ``relu(forward_preact(x))``.

    Subclasses implement :meth:`forward_preact` (the merged branch and
    shortcut before the final ReLU); :func:`residual_stage_features` uses it
    to report RepDistiller's ``preact`` features without computing anything
    twice.
    """

    def forward_preact(self, x: torch.Tensor) -> torch.Tensor:
        """Return the block output before its final ReLU."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward: ``relu(forward_preact(x))``."""
        return F.relu(self.forward_preact(x))


def make_res_layer(block: type, in_channels: int, channels: int,
                   num_blocks: int, stride: int,
                   norm_cfg: dict) -> Tuple[nn.Sequential, int]:
    """Build a ResNet stage of ``num_blocks`` blocks, the first strided.

    Args:
        block (type): Block class with an ``expansion`` attribute, called as
            ``block(in_channels, channels, stride, norm_cfg)``.
        in_channels (int): Input channels of the stage.
        channels (int): Width of the blocks (output ``channels *
            block.expansion``).
        num_blocks (int): Number of blocks.
        stride (int): Stride of the first block (the others use 1).
        norm_cfg (dict): Norm layer config.

    Returns:
        tuple[nn.Sequential, int]: The stage and its output channels.
    """
    layers = []
    for i in range(num_blocks):
        layers.append(
            block(in_channels, channels, stride if i == 0 else 1, norm_cfg))
        in_channels = channels * block.expansion
    return nn.Sequential(*layers), in_channels


def residual_stage_features(backbone: nn.Module,
                            x: torch.Tensor) -> List[torch.Tensor]:
    """Run ``backbone.layer1`` .. ``layer{num_stages - 1}`` on the stem output.

    Each stage is an ``nn.Sequential`` of :class:`PostActivationBlock`.

    Args:
        backbone (nn.Module): Has ``num_stages``, ``preact`` and the stages.
        x (torch.Tensor): Stem output (stage 0).

    Returns:
        list[Tensor]: ``x`` and, per stage, its output, or with
        ``backbone.preact`` its last block's output before the final ReLU
        (the next stage still receives the post-ReLU output).
    """
    feats = [x]
    for i in range(1, backbone.num_stages):
        stage = getattr(backbone, f'layer{i}')
        for block in stage[:-1]:
            x = block(x)
        if backbone.preact:
            pre = stage[-1].forward_preact(x)
            x = F.relu(pre)
            feats.append(pre)
        else:
            x = stage[-1](x)
            feats.append(x)
    return feats
