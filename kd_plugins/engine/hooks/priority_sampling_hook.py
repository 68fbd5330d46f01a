"""Runner hook driving SSD-KD's prioritized replay."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmrazor.registry import HOOKS

__all__ = ['PrioritySamplingHook']


@HOOKS.register_module()
class PrioritySamplingHook(Hook):
    """Update SSD-KD replay priorities and anneal the IS exponent beta.

    After every training iteration the hook takes the algorithm's recorded
    draws ``(indices, w, KL)`` (``KL`` = per-sample teacher-student KL,
    identical on every rank) and sets the new priorities
    ``delta_i = w_{i-1} * KL`` (:meth:`SSDKDDataFreeDistillation.
    apply_pending_priorities`). Before every iteration it sets
    ``beta = beta_0 + (1 - beta_0) * min(1, iter / anneal_iters)`` (linear
    to 1, as in prioritized experience replay), with ``beta_0`` the
    buffer's initial ``beta``.

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

    def _algorithm(self, runner):
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        if not hasattr(model, self.buffer_attr) or \
                not hasattr(model, 'apply_pending_priorities'):
            raise TypeError(
                f'PrioritySamplingHook: {type(model).__name__} has no '
                f'{self.buffer_attr!r}/apply_pending_priorities (use it '
                'with SSDKDDataFreeDistillation)')
        return model

    @staticmethod
    def annealed_beta(beta0: float, it: int, total: int) -> float:
        """Linear schedule from ``beta0`` at iteration 0 to 1 at ``total``."""
        frac = min(1.0, max(0.0, it / max(1, total)))
        return beta0 + (1.0 - beta0) * frac

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Anneal beta."""
        buffer = getattr(self._algorithm(runner), self.buffer_attr)
        total = self.anneal_iters or runner.max_iters
        buffer.beta.fill_(
            self.annealed_beta(buffer.beta_start, runner.iter, total))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Apply the recorded priority updates."""
        self._algorithm(runner).apply_pending_priorities()
