"""Test-only hook: every rank saves its algorithm state after training.

Imported by a config through ``custom_imports`` (``'_helpers.afd_dist_probe'``)
in the AFD dist e2e test; not imported by ``_helpers`` itself, so the hook is
registered only in that run.
"""
import os.path as osp

import torch
from mmengine.hooks import Hook
from mmrazor.registry import HOOKS


@HOOKS.register_module(force=True)
class AFDRankDumpHook(Hook):
    """Save ``{state, optimizer, wrapper}`` to ``work_dir/rank<r>.pth``."""

    def after_train(self, runner) -> None:
        model = runner.model
        torch.save(
            dict(
                state=model.module.state_dict(),
                optimizer=runner.optim_wrapper.state_dict(),
                wrapper=type(model).__name__),
            osp.join(runner.work_dir, f'rank{runner.rank}.pth'))
