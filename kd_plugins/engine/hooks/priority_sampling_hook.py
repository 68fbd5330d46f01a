"""Runner hook annealing SSD-KD's importance-sampling exponent beta."""
from typing import Optional

from mmengine.hooks import Hook
from mmrazor.registry import HOOKS

from kd_plugins.utils.model import unwrap_model

__all__ = ['PrioritySamplingHook']


@HOOKS.register_module()
class PrioritySamplingHook(Hook):
    """Anneal the replay buffer's beta linearly to 1 (prioritized replay).

    Before every training iteration (one SSD-KD KD step) it calls
    ``buffer.set_beta(beta_0 + (1 - beta_0) * min(1, iter / anneal_iters))``
    with ``beta_0`` the buffer's initial ``beta``. Priorities themselves
    are updated by the algorithm inside its student step.

    Config: ``custom_hooks=[dict(type='mmrazor.PrioritySamplingHook')]``.

    Args:
        anneal_iters (int, optional): Iterations over which beta reaches 1;
            None uses the runner's ``max_iters``. Defaults to None.
        buffer_attr (str): Name of the buffer on the algorithm.
            Defaults to 'replay_buffer'.
    """

    priority = 'NORMAL'

    def __init__(self,
                 anneal_iters: Optional[int] = None,
                 buffer_attr: str = 'replay_buffer') -> None:
        if anneal_iters is not None and anneal_iters < 1:
            raise ValueError(f'PrioritySamplingHook: anneal_iters must be '
                             f'>= 1, got {anneal_iters}')
        self.anneal_iters = anneal_iters
        self.buffer_attr = buffer_attr

    def _buffer(self, runner):
        model = unwrap_model(
            runner.model,
            required=(f'{self.buffer_attr}.set_beta()', ),
            owner='PrioritySamplingHook',
            hint='use it with SSDKDDataFreeDistillation')
        return getattr(model, self.buffer_attr)

    @staticmethod
    def annealed_beta(beta0: float, it: int, total: int) -> float:
        """Linear schedule from ``beta0`` at iteration 0 to 1 at ``total``."""
        frac = min(1.0, max(0.0, it / max(1, total)))
        return beta0 + (1.0 - beta0) * frac

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Anneal beta."""
        buffer = self._buffer(runner)
        total = self.anneal_iters or runner.max_iters
        buffer.set_beta(
            self.annealed_beta(buffer.beta_start, runner.iter, total))
