"""Hook that sets and keeps the peer pairing of online distillation.

For :class:`~kd_plugins.models.algorithms.OnlineAdversarialDistill` with K
networks the cyclic scheme of AFD is ``1 -> 2 -> ... -> K -> 1``: network
``k`` learns from network ``k - 1`` (0-based, mod K), i.e. discriminator
``D_k`` treats network ``k - 1``'s features as real. For K = 2 each network's
peer is the other. The logit (KL) term uses the same single peer
(``logit_peers='cyclic'``) or every other network (``'all'``).

The pairing is stored in the algorithm (persistent buffers, so checkpoints
carry it). The hook writes it before training, checks it before every epoch
(restoring it, with a warning, if something changed it, e.g. a checkpoint
from a run with another pairing) and pushes the discriminator diagnostics of
every iteration (``disc{k}.acc``, ``disc{k}.real_score``,
``disc{k}.fake_score``) to the message hub, where ``LoggerHook`` logs them
next to the per-network losses returned by ``train_step``.
"""
from typing import List, Optional, Sequence, Union

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmrazor.registry import HOOKS

from kd_plugins.models.algorithms.online_adversarial_distill import (
    LOGIT_PEER_MODES, cyclic_peers, logit_peer_lists)

__all__ = ['CyclicDistillHook']


@HOOKS.register_module()
class CyclicDistillHook(Hook):
    """Set up and maintain the cyclic pairing; log discriminator stats.

    Args:
        logit_peers (str, optional): ``'cyclic'`` or ``'all'`` for the logit
            term; None keeps the algorithm's setting. Defaults to
            ``'cyclic'``.
        feature_peers (str | Sequence[int]): ``'cyclic'`` or an explicit
            list (``feature_peers[k]`` is the network ``D_k`` treats as
            real). Defaults to ``'cyclic'``.
        log_stats (bool): Push discriminator diagnostics to the message hub
            after every training iteration. Defaults to True.
    """

    priority = 'NORMAL'

    def __init__(self,
                 logit_peers: Optional[str] = 'cyclic',
                 feature_peers: Union[str, Sequence[int]] = 'cyclic',
                 log_stats: bool = True) -> None:
        if logit_peers is not None and logit_peers not in LOGIT_PEER_MODES:
            raise ValueError(f'CyclicDistillHook: logit_peers must be one of '
                             f'{LOGIT_PEER_MODES} or None, got '
                             f'{logit_peers!r}')
        if isinstance(feature_peers, str) and feature_peers != 'cyclic':
            raise ValueError(f'CyclicDistillHook: feature_peers must be '
                             f'\'cyclic\' or a list of ints, got '
                             f'{feature_peers!r}')
        self.logit_peers = logit_peers
        self.feature_peers = feature_peers
        self.log_stats = log_stats

    @staticmethod
    def _algorithm(runner):
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        if not hasattr(model, 'set_pairing'):
            raise TypeError(f'CyclicDistillHook: the model '
                            f'{type(model).__name__} has no set_pairing(); '
                            f'use OnlineAdversarialDistill')
        return model

    def target_pairing(self, algorithm) -> tuple:
        """``(feature_peers, logit_peer_lists)`` this hook enforces."""
        num = algorithm.num_networks
        feature = cyclic_peers(num) if self.feature_peers == 'cyclic' else \
            [int(p) for p in self.feature_peers]
        if self.logit_peers is None:
            _, logit = algorithm.get_pairing()
        else:
            logit = logit_peer_lists(self.logit_peers, feature)
        return feature, logit

    def before_train(self, runner) -> None:
        """Write the pairing into the algorithm and log it."""
        algorithm = self._algorithm(runner)
        feature, logit = self.target_pairing(algorithm)
        algorithm.set_pairing(feature, logit)
        print_log(
            'CyclicDistillHook: ' + ', '.join(
                f'net{k} <- feature net{p}, logits {self._names(logit[k])}'
                for k, p in enumerate(feature)),
            logger='current')

    def before_train_epoch(self, runner) -> None:
        """Restore the pairing if something changed it."""
        algorithm = self._algorithm(runner)
        target = self.target_pairing(algorithm)
        current = algorithm.get_pairing()
        if [list(x) for x in current[1]] != [list(x) for x in target[1]] or \
                list(current[0]) != list(target[0]):
            print_log(
                f'CyclicDistillHook: pairing {current} differs from '
                f'{target}; restored',
                logger='current',
                level=30)
            algorithm.set_pairing(*target)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        """Push the last discriminator diagnostics to the message hub."""
        if not self.log_stats:
            return
        algorithm = self._algorithm(runner)
        for key, value in getattr(algorithm, 'last_stats', {}).items():
            runner.message_hub.update_scalar(f'train/{key}', value)

    @staticmethod
    def _names(indices: List[int]) -> str:
        return '+'.join(f'net{j}' for j in indices)
