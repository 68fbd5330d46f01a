"""A tqdm progress bar over training iterations."""
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmrazor.registry import HOOKS

__all__ = ['ProgressBarHook']


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Show one progress bar over all training iterations (rank 0 only).

    Handy for demos and long CPU runs where the logger is quiet. The bar's
    postfix shows the latest value of ``loss_key`` from the training logs.

    Args:
        desc (str, optional): Bar label. Defaults to the experiment name.
        loss_key (str): Log key shown beside the bar. Defaults to ``'loss'``.
        leave (bool): Keep the finished bar on screen. Defaults to True.
    """

    priority = 'VERY_LOW'

    def __init__(self,
                 desc: Optional[str] = None,
                 loss_key: str = 'loss',
                 leave: bool = True) -> None:
        self.desc = desc
        self.loss_key = loss_key
        self.leave = leave
        self._bar = None

    def before_train(self, runner) -> None:
        if runner.rank != 0:
            return
        from tqdm import tqdm
        self._bar = tqdm(
            total=runner.max_iters,
            initial=runner.iter,
            desc=self.desc or runner.experiment_name,
            leave=self.leave,
            dynamic_ncols=True)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if self._bar is None:
            return
        self._bar.update(1)
        if outputs and self.loss_key in outputs:
            value = outputs[self.loss_key]
            if isinstance(value, torch.Tensor):
                # detach: float() of a tensor that requires grad warns
                value = value.detach().item()
            self._bar.set_postfix({self.loss_key: f'{float(value):.3f}'},
                                  refresh=False)

    def after_train(self, runner) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
