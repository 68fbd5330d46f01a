"""Hook that reports the peer pairing of online distillation.

The pairing lives in the algorithm's config only
(``OnlineAdversarialDistill(logit_peers=..., feature_peers=...)``; with the
cyclic scheme ``1 -> 2 -> ... -> K -> 1`` network ``k`` learns from network
``k - 1`` mod K). This hook holds no copy of it: it checks that the model is
an ``OnlineDistillAlgorithm`` and logs who learns from whom before training.
Discriminator statistics (``disc{k}.acc``, ``disc{k}.real_score``,
``disc{k}.fake_score``) are returned by ``train_step`` and logged by
mmengine like the losses; the hook is optional.
"""
from typing import List

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmrazor.registry import HOOKS

from kd_plugins.models.algorithms.online_distill_base import \
    OnlineDistillAlgorithm
from kd_plugins.utils import UserInputError
from kd_plugins.utils.model import unwrap_model

__all__ = ['CyclicDistillHook']


class _MovedArgumentError(UserInputError, ValueError):
    """A hook argument that now belongs to the algorithm config."""


@HOOKS.register_module()
class CyclicDistillHook(Hook):
    """Log the pairing of an online-distillation algorithm.

    Args:
        logit_peers: Removed; set ``model.logit_peers``. Passing anything
            but None is an error. Defaults to None.
        feature_peers: Removed; set ``model.feature_peers``. Passing
            anything but None is an error. Defaults to None.
    """

    priority = 'NORMAL'

    def __init__(self, logit_peers=None, feature_peers=None) -> None:
        for name, value in (('logit_peers', logit_peers),
                            ('feature_peers', feature_peers)):
            if value is not None:
                raise _MovedArgumentError(
                    f'CyclicDistillHook: {name} is set in the algorithm '
                    f'config only (model.{name}={value!r}), not in the hook')

    @staticmethod
    def _algorithm(runner) -> OnlineDistillAlgorithm:
        return unwrap_model(
            runner.model,
            required=('get_pairing()', ),
            owner='CyclicDistillHook',
            kind='an OnlineDistillAlgorithm',
            hint='e.g. OnlineAdversarialDistill')

    @staticmethod
    def describe(algorithm: OnlineDistillAlgorithm) -> str:
        """``'net0 <- feature net1, logits net1; ...'``."""
        feature, logit = algorithm.get_pairing()
        return ', '.join(
            f'net{k} <- feature net{p}, logits {_names(logit[k])}'
            for k, p in enumerate(feature))

    def before_train(self, runner) -> None:
        """Log the pairing the algorithm trains with."""
        algorithm = self._algorithm(runner)
        print_log(
            'CyclicDistillHook: ' + self.describe(algorithm),
            logger='current')


def _names(indices: List[int]) -> str:
    return '+'.join(f'net{j}' for j in indices)
