"""Small helpers shared by the CIFAR zoo backbones (not registered)."""
from typing import Sequence, Tuple, Union

import torch
from mmcv.cnn import build_norm_layer
from torch import nn

__all__ = [
    'parse_out_indices', 'make_norm', 'default_conv_init_cfg',
    'channel_shuffle'
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


def make_norm(norm_cfg: dict, num_features: int) -> nn.Module:
    """Build a norm layer from ``norm_cfg`` (e.g. ``dict(type='BN')``).

    Args:
        norm_cfg (dict): mmcv norm config.
        num_features (int): Number of channels.

    Returns:
        nn.Module: The normalization layer.
    """
    return build_norm_layer(norm_cfg, num_features)[1]


def default_conv_init_cfg() -> list:
    """He-normal (fan_out) convolutions, unit-scale norms, zero biases.

    This is the initialization the RepDistiller zoo applies in its
    constructors (``kaiming_normal_(mode='fan_out')`` or the equivalent
    ``normal_(0, sqrt(2 / (k * k * out_channels)))``).

    Returns:
        list[dict]: An mmengine ``init_cfg``.
    """
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
