"""Train one config in this process and test its final model.

The one way ``tools/quickstart.py`` and the benchmark scripts train a config:
through the real mmengine ``Runner``, the final model tested once on the
test split (no checkpoint or epoch is selected on the test data).
"""
import logging
import os.path as osp
import time
from typing import Callable, Dict, List, Optional

from .paths import REPO_ROOT
from .results import primary_metric
from .runner import forget_visualizers
from .teachers import defer_teacher_checkpoints, load_deferred_teachers

__all__ = ['run_config']


def _iteration_times(runner) -> List[float]:
    """Wall time of every training iteration (``train/time`` of the
    message hub, written by ``IterTimerHook``)."""
    try:
        history = runner.message_hub.get_scalar('train/time')
    except KeyError:
        return []
    return [float(v) for v in history.data[0]]


def _last_checkpoint(work_dir: str) -> Optional[str]:
    marker = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(marker):
        with open(marker) as f:
            return f.read().strip()
    return None


def _images_per_iter(runner, cfg) -> int:
    """Images one training iteration consumes (synthetic ones for the
    data-free algorithms, which say so with ``images_per_iter``)."""
    from kd_plugins.utils.model import unwrap_model
    per_iter = getattr(unwrap_model(runner.model), 'images_per_iter', None)
    if per_iter is not None:
        return int(per_iter)
    return int(cfg.train_dataloader.batch_size)


def run_config(config: str,
               work_dir: str,
               seed: int = 0,
               options: Optional[Dict[str, object]] = None,
               prepare: Optional[Callable] = None,
               threads: Optional[int] = None,
               metric_key: Optional[str] = None,
               validate: bool = False,
               progress: Optional[str] = None,
               defer_teachers: bool = False) -> dict:
    """Train ``config`` and test its final model.

    Args:
        config (str): Config path, absolute or relative to the repository.
        work_dir (str): Output folder of the run.
        seed (int): Training seed (``randomness.seed`` and, where the model
            has one, ``model.seed``). Defaults to 0.
        options (dict, optional): ``--cfg-options``-style overrides, applied
            after the seed and ``prepare``. Defaults to None.
        prepare (callable, optional): ``prepare(cfg)`` edits the loaded
            config in place before ``options`` (the benchmarks' folds and
            smoke sizes). Defaults to None.
        threads (int, optional): ``torch.set_num_threads`` for the run.
            Defaults to None (unchanged).
        metric_key (str, optional): The test metric to report; None picks
            :func:`~kd_plugins.cli.results.primary_metric`. Defaults to None.
        validate (bool): Keep the config's validation and checkpoint
            schedule (the demo); False switches validation off and writes
            only the last checkpoint (the benchmarks). Defaults to False.
        progress (str, optional): Label of a progress bar
            (``ProgressBarHook``). Defaults to None (no bar).
        defer_teachers (bool): Load teacher checkpoints after the Runner is
            built, strictly, through the safe loader, as ``tools/train.py``
            does. Defaults to False (the algorithm loads them).

    Returns:
        dict: ``metric`` (percent), ``metrics`` (all scalar test metrics),
        ``wall_s`` and ``cpu_s`` (training only, this process),
        ``test_wall_s``, ``total_wall_s`` (the whole call: config, Runner
        build, training, test), ``iter_times_s`` (each training
        iteration's wall time, data loading included, from mmengine's
        ``IterTimerHook``; empty without it), ``iterations``,
        ``images_per_iter``, ``num_test`` (test samples) and
        ``checkpoint`` (the last one).
    """
    import torch
    from mmengine.config import Config
    from mmengine.logging import MMLogger
    from mmengine.runner import Runner

    total0 = time.perf_counter()
    if threads is not None:
        torch.set_num_threads(threads)
    path = config if osp.isabs(config) else osp.join(REPO_ROOT, config)
    cfg = Config.fromfile(path)
    cfg.randomness = dict(seed=seed, deterministic=False)
    if 'seed' in cfg.model:
        cfg.model.seed = seed
    if prepare is not None:
        prepare(cfg)
    if options:
        cfg.merge_from_dict(dict(options))
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    cfg.log_level = 'WARNING'
    cfg.default_hooks.logger.interval = 10**6
    if not validate:
        if 'val_interval' in cfg.train_cfg:
            cfg.train_cfg.val_interval = 10**9
        cfg.merge_from_dict({
            'default_hooks.checkpoint.interval': 10**9,
            'default_hooks.checkpoint.save_last': True,
            'default_hooks.checkpoint.max_keep_ckpts': 1,
        })
    if progress is not None:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='mmrazor.ProgressBarHook', desc=progress)
        ]
    teachers = defer_teacher_checkpoints(
        cfg.get('model')) if defer_teachers else None
    forget_visualizers()
    runner = Runner.from_cfg(cfg)
    if teachers:
        load_deferred_teachers(runner.model, teachers)
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    runner.train()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    t0 = time.perf_counter()
    metrics = runner.test()
    test_wall = time.perf_counter() - t0
    metrics = {k: float(v) for k, v in metrics.items()
               if getattr(v, 'ndim', 0) == 0}
    if metric_key is not None and metric_key not in metrics:
        raise KeyError(f'{metric_key!r} not in test metrics {sorted(metrics)}')
    return dict(
        metric=metrics[metric_key] if metric_key else primary_metric(metrics),
        metrics=metrics,
        wall_s=wall,
        cpu_s=cpu,
        test_wall_s=test_wall,
        total_wall_s=time.perf_counter() - total0,
        iter_times_s=_iteration_times(runner),
        iterations=int(runner.iter),
        images_per_iter=_images_per_iter(runner, cfg),
        num_test=len(runner.test_dataloader.dataset),
        checkpoint=_last_checkpoint(work_dir))
