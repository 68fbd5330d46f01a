"""Validation/test loops that evaluate every network of an online-KD model.

:class:`OnlineDistillValLoop` (and :class:`OnlineDistillTestLoop`) run the
dataloader once; for each batch the model's ``predict_all(data_batch)``
returns the predictions of all K networks, each fed to its own copy of the
evaluator. The metrics reported are::

    best/<metric>   the best value over the networks (listed first, so
                    CheckpointHook(save_best='auto') tracks it)
    net<k>/<metric> network k's value

e.g. ``best/accuracy/top1``, ``net0/accuracy/top1``, ``net1/accuracy/top1``.
Which network is best is written to the log. Hooks see the outputs of the
model's ``eval_index`` network in ``after_val_iter``/``after_test_iter``.
Config: ``val_cfg = dict(type='mmrazor.OnlineDistillValLoop')``.
"""
import copy
from typing import Dict, List, Sequence, Union

import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import print_log
from mmengine.runner import TestLoop, ValLoop, autocast
from mmrazor.registry import LOOPS
from torch.utils.data import DataLoader

from kd_plugins.utils.model import unwrap_model

__all__ = ['OnlineDistillValLoop', 'OnlineDistillTestLoop']

_RULES = ('greater', 'less')


class _AllNetworksMixin:
    """Shared logic: one evaluator per network, best-of metrics.

    Subclasses name their ``stage`` (``'val'`` or ``'test'``: the hooks
    called) and put mmengine's ``ValLoop``/``TestLoop`` after this mixin.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): Validation/test dataloader.
        evaluator (Evaluator | dict | list): Evaluator (copied per network).
        fp16 (bool): Evaluate under autocast. Defaults to False.
        best_rule (str): Whether ``'greater'`` or ``'less'`` values are
            better for ``best/*``. Defaults to ``'greater'``.
    """

    stage = 'val'

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 fp16: bool = False,
                 best_rule: str = 'greater') -> None:
        evaluator_cfg = copy.deepcopy(evaluator)
        super().__init__(runner, dataloader, evaluator, fp16)
        self._setup_networks(evaluator_cfg, best_rule)

    def run(self) -> dict:
        """Evaluate all networks; returns the merged metrics."""
        return self._run_all(self.stage)

    def _setup_networks(self, evaluator_cfg, best_rule: str) -> None:
        if best_rule not in _RULES:
            raise ValueError(f'{type(self).__name__}: best_rule must be one '
                             f'of {_RULES}, got {best_rule!r}')
        self.best_rule = best_rule
        self.algorithm = unwrap_model(
            self.runner.model,
            required=('predict_all()', 'num_networks', 'eval_index'),
            owner=type(self).__name__,
            kind='an OnlineDistillAlgorithm',
            hint='use an online-distillation algorithm')
        self.evaluators: List[Evaluator] = [self.evaluator]
        for _ in range(1, self.algorithm.num_networks):
            if isinstance(evaluator_cfg, (dict, list)):
                ev = self.runner.build_evaluator(copy.deepcopy(evaluator_cfg))
            else:
                ev = copy.deepcopy(evaluator_cfg)
            ev.dataset_meta = self.evaluator.dataset_meta
            self.evaluators.append(ev)

    def _run_all(self, stage: str) -> Dict[str, float]:
        call = self.runner.call_hook
        call(f'before_{stage}')
        call(f'before_{stage}_epoch')
        self.runner.model.eval()
        for idx, data_batch in enumerate(self.dataloader):
            self._run_iter_all(idx, data_batch, stage)
        size = len(self.dataloader.dataset)
        per_net = [ev.evaluate(size) for ev in self.evaluators]
        metrics = self.combine(per_net, self.best_rule)
        for key in per_net[0]:
            values = [m[key] for m in per_net]
            if all(isinstance(v, (int, float)) for v in values):
                pick = max if self.best_rule == 'greater' else min
                best = values.index(pick(values))
                print_log(f'{stage}: best network for {key}: net{best}',
                          logger='current')
        call(f'after_{stage}_epoch', metrics=metrics)
        call(f'after_{stage}')
        return metrics

    @torch.no_grad()
    def _run_iter_all(self, idx: int, data_batch: Sequence[dict],
                      stage: str) -> None:
        self.runner.call_hook(
            f'before_{stage}_iter', batch_idx=idx, data_batch=data_batch)
        with autocast(enabled=self.fp16):
            outputs = self.algorithm.predict_all(data_batch)
        for ev, out in zip(self.evaluators, outputs):
            ev.process(data_samples=out, data_batch=data_batch)
        self.runner.call_hook(
            f'after_{stage}_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs[self.algorithm.eval_index])

    @staticmethod
    def combine(per_net: Sequence[Dict[str, float]],
                best_rule: str = 'greater') -> Dict[str, float]:
        """Merge per-network metrics into ``best/*`` + ``net<k>/*``.

        Args:
            per_net (Sequence[dict]): Metrics of each network.
            best_rule (str): ``'greater'`` or ``'less'`` is better.
                Defaults to ``'greater'``.

        Returns:
            dict: ``best/<key>`` (numeric keys only) then ``net<k>/<key>``.
        """
        pick = max if best_rule == 'greater' else min
        metrics = {}
        for key in per_net[0]:
            values = [m.get(key) for m in per_net]
            if all(isinstance(v, (int, float)) for v in values):
                metrics[f'best/{key}'] = pick(values)
        for k, net_metrics in enumerate(per_net):
            for key, value in net_metrics.items():
                metrics[f'net{k}/{key}'] = value
        return metrics


@LOOPS.register_module()
class OnlineDistillValLoop(_AllNetworksMixin, ValLoop):
    """Validation of every network of an online-distillation model
    (arguments: see ``_AllNetworksMixin``)."""

    stage = 'val'


@LOOPS.register_module()
class OnlineDistillTestLoop(_AllNetworksMixin, TestLoop):
    """Test of every network of an online-distillation model (arguments:
    see ``_AllNetworksMixin``)."""

    stage = 'test'
