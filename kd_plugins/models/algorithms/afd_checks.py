"""Build-time argument checks of AFD and its optim-wrapper check.

``OnlineAdversarialDistill`` calls these while it is built (arguments,
networks, feature channels) and on its optim wrappers
(:func:`check_optim_wrapper`; its ``train_step`` runs it once per
``OptimWrapperDict`` object, remembered in :class:`PassedOptimWrappers`).
Errors are
:class:`~kd_plugins.models.algorithms.afd_pairing.AFDConfigError`: one line
naming the bad argument.
"""
import copy
import weakref
from typing import List, Optional, Sequence, Union

import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmrazor.registry import MODELS

from .afd_pairing import UPDATE_MODES, AFDConfigError

__all__ = [
    'with_default_scope', 'validate_args', 'build_network', 'infer_channels',
    'check_optim_wrapper', 'PassedOptimWrappers'
]

_NAME = 'OnlineAdversarialDistill'


def with_default_scope(cfg: dict, scope: str = 'mmpretrain') -> dict:
    """Copy of ``cfg`` with ``_scope_`` set when its type is unscoped."""
    cfg = copy.deepcopy(dict(cfg))
    type_ = cfg.get('type')
    if '_scope_' not in cfg and isinstance(type_, str) and '.' not in type_:
        cfg['_scope_'] = scope
    return cfg


def validate_args(networks, adversarial, update, transfer, discriminator,
                  common_channels, feature_index, eval_index) -> None:
    """Check the algorithm's arguments before anything is built.

    Args are those of ``OnlineAdversarialDistill`` of the same names.
    """
    if not isinstance(networks, (list, tuple)) or len(networks) < 2:
        got = len(networks) if isinstance(networks, (list, tuple)) \
            else type(networks).__name__
        raise AFDConfigError(f'{_NAME}: networks must be a list of at '
                             f'least 2 model configs, got {got}')
    if not isinstance(adversarial, bool):
        raise AFDConfigError(f'{_NAME}: adversarial must be True or '
                             f'False, got {adversarial!r}')
    if update not in UPDATE_MODES:
        raise AFDConfigError(f'{_NAME}: update must be one of '
                             f'{UPDATE_MODES}, got {update!r}')
    for key, value in (('transfer', transfer),
                       ('discriminator', discriminator)):
        if value is not None and not isinstance(value, dict):
            raise AFDConfigError(f'{_NAME}: {key} must be a dict, got '
                                 f'{type(value).__name__}')
    if common_channels is not None and (
            isinstance(common_channels, bool)
            or not isinstance(common_channels, int) or common_channels < 1):
        raise AFDConfigError(f'{_NAME}: common_channels must be a '
                             f'positive int or None, got '
                             f'{common_channels!r}')
    if isinstance(feature_index, bool) or not isinstance(feature_index, int):
        raise AFDConfigError(f'{_NAME}: feature_index must be an int, got '
                             f'{feature_index!r}')
    if isinstance(eval_index, bool) or not isinstance(
            eval_index, int) or not 0 <= eval_index < len(networks):
        raise AFDConfigError(f'{_NAME}: eval_index {eval_index!r} out of '
                             f'range for {len(networks)} networks')


def build_network(index: int, cfg: Union[dict, nn.Module]) -> BaseModel:
    """Build ``networks[index]`` (unscoped types in mmpretrain) and check it
    is a classifier with ``backbone`` and ``head``."""
    net = cfg
    if isinstance(cfg, dict):
        net = MODELS.build(with_default_scope(cfg))
    if not isinstance(net, BaseModel) or not hasattr(net, 'backbone') \
            or getattr(net, 'head', None) is None:
        raise AFDConfigError(f'{_NAME}: networks[{index}] must be a '
                             f'classifier with backbone and head, got '
                             f'{type(net).__name__}')
    return net


def infer_channels(networks: Sequence[BaseModel],
                   feature_channels: Optional[Sequence[int]],
                   feature_index: int) -> List[int]:
    """Feature-map channels of every network.

    Args:
        networks (Sequence[BaseModel]): The built networks.
        feature_channels (Sequence[int], optional): Given channels (checked:
            one positive int per network). None: read
            ``backbone.out_channels`` (an int, or a sequence indexed by
            ``feature_index``), else the head's ``in_channels`` when
            ``feature_index`` is -1.
        feature_index (int): Which backbone output is the feature map.

    Returns:
        list[int]: One channel count per network.
    """
    num = len(networks)
    if feature_channels is not None:
        if len(feature_channels) != num or not all(
                isinstance(c, int) and c > 0 for c in feature_channels):
            raise AFDConfigError(f'{_NAME}: feature_channels has '
                                 f'{len(feature_channels)} entries for '
                                 f'{num} networks (need positive ints)')
        return [int(c) for c in feature_channels]
    channels = []
    for k, net in enumerate(networks):
        out = getattr(net.backbone, 'out_channels', None)
        if isinstance(out, (list, tuple)):
            out = out[feature_index]
        if out is None and feature_index == -1:
            out = getattr(net.head, 'in_channels', None)
        if not isinstance(out, int):
            raise AFDConfigError(f'{_NAME}: cannot infer the feature '
                                 f'channels of networks[{k}]; set '
                                 f'feature_channels')
        channels.append(out)
    return channels


def check_optim_wrapper(algorithm: nn.Module,
                        optim_wrapper: OptimWrapperDict) -> None:
    """Check ``optim_wrapper`` against ``algorithm.optim_wrapper_modules()``.

    Its keys must be those whose module has a trainable parameter; gradient
    accumulation is refused on wrappers that share parameters with another
    (``adv{k}``; ``net{k}`` too with ``update='alternating'`` and the
    adversarial part on).

    Args:
        algorithm (nn.Module): An ``OnlineAdversarialDistill``.
        optim_wrapper (OptimWrapperDict): The wrappers to check.
    """
    expected = {
        key
        for key, module in algorithm.optim_wrapper_modules().items()
        if any(p.requires_grad for p in module.parameters())
    }
    got = set(optim_wrapper.keys()) if isinstance(
        optim_wrapper, OptimWrapperDict) else None
    if got != expected:
        raise AFDConfigError(f'{_NAME}: optim_wrapper must be an '
                             f'OptimWrapperDict with keys {sorted(expected)}, '
                             f'got {None if got is None else sorted(got)}')
    update = algorithm.update
    for key in sorted(got):
        counts = optim_wrapper[key]._accumulative_counts
        shared = key.startswith('adv') or (
            update == 'alternating' and algorithm.adversarial
            and key.startswith('net'))
        if counts != 1 and shared:
            raise AFDConfigError(
                f'{_NAME}: gradient accumulation '
                f'(optim_wrapper.{key}.accumulative_counts={counts}) is '
                f"not supported with update='{update}'")


class PassedOptimWrappers:
    """The ``OptimWrapperDict`` objects that passed the optim-wrapper check.

    Holds weak references only (a wrapper that is garbage collected is
    forgotten, so a new object at the same address is checked again). A
    copy or an unpickled instance starts empty.
    """

    def __init__(self) -> None:
        self._passed = weakref.WeakSet()

    def add(self, optim_wrapper: OptimWrapperDict) -> None:
        """Remember that ``optim_wrapper`` passed."""
        self._passed.add(optim_wrapper)

    def __contains__(self, optim_wrapper) -> bool:
        try:
            return optim_wrapper in self._passed
        except TypeError:  # not weak-referenceable or unhashable
            return False

    def __reduce__(self):
        return type(self), ()
