"""Peer assignment of AFD: pure resolving/validating functions and the
functions that store and read it.

``OnlineAdversarialDistill`` holds the pairing in two buffers,
``feature_peers`` (K,) and ``logit_peer_mask`` (K, K), which
:func:`set_pairing`, :func:`get_pairing` and :func:`keep_configured_pairing`
work on. Errors are :class:`AFDConfigError` (a ``UserInputError`` and a
``ValueError``): one line naming the bad argument.
"""
from typing import List, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log

from .online_distill_base import OnlineDistillConfigError

__all__ = [
    'AFDConfigError', 'LOGIT_PEER_MODES', 'UPDATE_MODES', 'cyclic_peers',
    'logit_peer_lists', 'resolve_feature_peers', 'resolve_logit_peers',
    'set_pairing', 'get_pairing', 'keep_configured_pairing'
]

LOGIT_PEER_MODES = ('cyclic', 'all')
UPDATE_MODES = ('alternating', 'joint')


class AFDConfigError(OnlineDistillConfigError):
    """A bad AFD argument (one line; also a ``ValueError``)."""


def cyclic_peers(num_networks: int) -> List[int]:
    """Cyclic peer assignment ``1 -> 2 -> ... -> K -> 1`` (0-based).

    Network ``k`` learns from network ``k - 1 (mod K)``: its discriminator
    treats that network's features as real.

    Args:
        num_networks (int): K, at least 2.

    Returns:
        list[int]: ``peers[k] = (k - 1) % K``.
    """
    if isinstance(num_networks, bool) or not isinstance(num_networks, int) \
            or num_networks < 2:
        raise AFDConfigError(f'cyclic_peers: need at least 2 networks, got '
                             f'{num_networks!r}')
    return [(k - 1) % num_networks for k in range(num_networks)]


def logit_peer_lists(mode: str,
                     feature_peers: Sequence[int]) -> List[List[int]]:
    """Peers of every network for the logit (KL) term.

    Args:
        mode (str): ``'cyclic'`` (the feature peer only) or ``'all'`` (every
            other network).
        feature_peers (Sequence[int]): The feature peer of each network.

    Returns:
        list[list[int]]: Peer indices per network.
    """
    num = len(feature_peers)
    if mode == 'cyclic':
        return [[int(p)] for p in feature_peers]
    if mode == 'all':
        return [[j for j in range(num) if j != k] for k in range(num)]
    raise AFDConfigError(f'logit_peers must be one of {LOGIT_PEER_MODES} or '
                         f'explicit peer lists, got {mode!r}')


def _is_index(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def resolve_feature_peers(spec: Union[str, Sequence[int]],
                          num: int) -> List[int]:
    """``'cyclic'`` or an explicit list -> validated ``feature_peers``.

    Args:
        spec (str | Sequence[int]): ``'cyclic'`` or ``feature_peers[k]`` =
            the network whose features ``D_k`` treats as real.
        num (int): K.

    Returns:
        list[int]: One other network per network.
    """
    if isinstance(spec, str):
        if spec != 'cyclic':
            raise AFDConfigError(f"feature_peers must be 'cyclic' or a list "
                                 f'of {num} network indices, got {spec!r}')
        return cyclic_peers(num)
    peers = list(spec) if isinstance(spec, (list, tuple)) else None
    if peers is None or len(peers) != num or not all(
            _is_index(p) and 0 <= p < num and p != k
            for k, p in enumerate(peers)):
        raise AFDConfigError(f'feature_peers {spec!r} invalid for {num} '
                             f'networks: need {num} indices in [0, {num}), '
                             f'none equal to its own position')
    return [int(p) for p in peers]


def resolve_logit_peers(spec: Union[str, Sequence[Sequence[int]]],
                        feature_peers: Sequence[int]) -> List[List[int]]:
    """``'cyclic'``/``'all'``/explicit lists -> validated peer lists.

    Args:
        spec (str | Sequence[Sequence[int]]): The logit-peer setting.
        feature_peers (Sequence[int]): Validated feature peers.

    Returns:
        list[list[int]]: Non-empty, duplicate-free peers per network, never
        the network itself.
    """
    num = len(feature_peers)
    if isinstance(spec, str):
        return logit_peer_lists(spec, feature_peers)
    lists = list(spec) if isinstance(spec, (list, tuple)) else None
    if lists is None or len(lists) != num:
        raise AFDConfigError(f'logit_peers {spec!r} invalid: need '
                             f"{LOGIT_PEER_MODES} or {num} peer lists")
    out = []
    for k, js in enumerate(lists):
        js = list(js) if isinstance(js, (list, tuple)) else None
        if not js or len(set(js)) != len(js) or not all(
                _is_index(j) and 0 <= j < num and j != k for j in js):
            raise AFDConfigError(f'logit_peers[{k}] = {lists[k]!r} invalid '
                                 f'for {num} networks: need distinct other '
                                 f'network indices')
        out.append([int(j) for j in js])
    return out


def set_pairing(algorithm: nn.Module, feature_peers: Union[str, Sequence[int]],
                logit_peers: Union[str, Sequence[Sequence[int]]]) -> None:
    """Set which peer each network learns from (validated).

    Writes the algorithm's ``feature_peers`` and ``logit_peer_mask`` buffers
    in place; bound as ``OnlineAdversarialDistill.set_pairing``.

    Args:
        algorithm (nn.Module): The algorithm (``networks`` and both
            buffers).
        feature_peers (str | Sequence[int]): ``'cyclic'`` or
            ``feature_peers[k]``, the network ``D_k`` treats as real.
        logit_peers (str | Sequence[Sequence[int]]): ``'cyclic'``,
            ``'all'`` or explicit peer lists per network.
    """
    num = len(algorithm.networks)
    peers = resolve_feature_peers(feature_peers, num)
    lists = resolve_logit_peers(logit_peers, peers)
    mask = torch.zeros(num, num, dtype=torch.bool)
    for k, js in enumerate(lists):
        mask[k, js] = True
    algorithm.feature_peers.copy_(torch.tensor(peers))
    algorithm.logit_peer_mask.copy_(mask)


def get_pairing(algorithm: nn.Module) -> Tuple[List[int], List[List[int]]]:
    """Current ``(feature_peers, logit_peer_lists)`` of ``algorithm``.

    Bound as ``OnlineAdversarialDistill.get_pairing``.
    """
    feature = [int(p) for p in algorithm.feature_peers.tolist()]
    logit = [
        torch.nonzero(row).flatten().tolist()
        for row in algorithm.logit_peer_mask.cpu()
    ]
    return feature, logit


def keep_configured_pairing(algorithm: nn.Module, state_dict: dict,
                            prefix: str) -> None:
    """Replace a checkpoint's pairing buffers by the algorithm's own.

    Logs a warning when the checkpoint's ``feature_peers`` or
    ``logit_peer_mask`` differs from the configured one.

    Args:
        algorithm (nn.Module): The algorithm being loaded.
        state_dict (dict): The state dict being loaded (changed in place).
        prefix (str): The algorithm's key prefix in ``state_dict``.
    """
    for name in ('feature_peers', 'logit_peer_mask'):
        key = prefix + name
        mine = getattr(algorithm, name)
        if key in state_dict:
            theirs = state_dict[key]
            if theirs.shape != mine.shape or not torch.equal(
                    theirs.to(mine.device), mine):
                print_log(
                    f'OnlineAdversarialDistill: checkpoint {name} '
                    f'{theirs.tolist()} differs from the config '
                    f'{mine.tolist()}; keeping the config',
                    logger='current', level=30)
            state_dict[key] = mine.detach().clone()
