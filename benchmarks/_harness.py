"""Run one config with a seed, a data fold and options; return its metric.

Shared by the benchmark scripts (not a benchmark itself). :func:`run_config`
trains a config through the real mmengine ``Runner`` in the calling process
and evaluates the final model once on the test split (no checkpoint or
epoch is selected on the test data: validation during training is switched
off and the last weights are tested). It returns the primary metric (top-1
for classification, the best network's top-1 for online distillation, mIoU
for segmentation), the wall and CPU time of training and the path of the
last checkpoint.

:func:`run_parallel` runs many such jobs in ``workers`` forked processes
(one thread each), which is how the benchmarks use 2 CPU cores.
"""
import json
import os
import os.path as osp
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from kd_plugins.cli.paths import REPO_ROOT
from kd_plugins.cli.results import primary_metric
from kd_plugins.cli.run_config import run_config as train_and_test

__all__ = ['run_config', 'run_parallel', 'finished_runs', 'primary_metric',
           'fold_options', 'smoke_options', 'REPO_ROOT']

# Dataset types that take ``num_folds``/``fold``/``val_ratio``...
FOLDABLE_DATASETS = ('DigitsDataset', 'DigitsSegDataset')


def fold_options(cfg, dataset_options: Dict[str, object]) -> None:
    """Set ``dataset_options`` on every foldable dataset of ``cfg``.

    The data-free configs' placeholder training set is left alone, so their
    students still never see a training image.
    """
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds = cfg.get(loader, None)
        ds = ds.get('dataset', None) if ds else None
        if ds is not None and ds.get('type') in FOLDABLE_DATASETS:
            ds.update(dataset_options)


def smoke_options(cfg) -> None:
    """Shrink ``cfg`` in place to 2 iterations on a few samples."""
    train_ds = cfg.train_dataloader.dataset
    if cfg.train_cfg.get('type') == 'IterBasedTrainLoop':
        cfg.train_cfg.max_iters = 2
    else:
        cfg.train_cfg.max_epochs = 1
    if train_ds.type == 'DataFreePlaceholderDataset':
        train_ds.length = 2
    else:
        train_ds.indices = 16
        cfg.train_dataloader.batch_size = 8
    for loader in ('val_dataloader', 'test_dataloader'):
        if cfg.get(loader):
            cfg[loader].dataset.indices = 16
    model = cfg.model
    if 'replay_buffer' in model:  # data-free: tiny synthesis
        model.replay_buffer.capacity = 16
        model.synthesis_batch_size = 4
        model.kd_batch_size = 4
        model.generator_steps = 1
        model.warmup_generator_steps = 1
        model.synthesis_interval = 1


def run_config(config: str,
               work_dir: str,
               seed: int = 0,
               options: Optional[Dict[str, object]] = None,
               dataset_options: Optional[Dict[str, object]] = None,
               threads: Optional[int] = None,
               metric_key: Optional[str] = None,
               smoke: bool = False) -> dict:
    """Train ``config`` and test its final model
    (:func:`kd_plugins.cli.run_config.run_config`, validation off, the last
    checkpoint only).

    Args:
        config (str): Config path, absolute or relative to the repository.
        work_dir (str): Output folder of the run.
        seed (int): Training seed. Defaults to 0.
        options (dict, optional): ``--cfg-options``-style overrides, applied
            after the seed. Defaults to None.
        dataset_options (dict, optional): Set on every train/val/test
            dataset of a foldable type (e.g. ``num_folds``, ``fold``).
            Defaults to None.
        threads (int, optional): ``torch.set_num_threads`` for the run.
            Defaults to None (unchanged).
        metric_key (str, optional): The test metric to report; None picks
            :func:`primary_metric`. Defaults to None.
        smoke (bool): Shrink the run to a couple of iterations on a few
            images (for tests). Defaults to False.

    Returns:
        dict: what :func:`kd_plugins.cli.run_config.run_config` returns.
    """
    def prepare(cfg) -> None:
        if dataset_options:
            fold_options(cfg, dataset_options)
        if smoke:
            smoke_options(cfg)

    return train_and_test(config, work_dir, seed=seed, options=options,
                          prepare=prepare, threads=threads,
                          metric_key=metric_key)


def _job(kwargs: dict) -> dict:
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    return run_config(**kwargs)


def finished_runs(jobs: Iterable[dict],
                  runs_dir: str) -> Tuple[List[dict], Dict[str, dict]]:
    """Split jobs into those still to run and the results of those whose
    ``<runs_dir>/<tag>.json`` exists (the resume skip), keyed by tag."""
    todo, done = [], {}
    for job in jobs:
        path = osp.join(runs_dir, job['tag'] + '.json')
        if osp.isfile(path):
            with open(path) as f:
                done[job['tag']] = json.load(f)
        else:
            todo.append(job)
    return todo, done


def run_parallel(jobs: Iterable[dict],
                 workers: int = 2,
                 on_done: Optional[Callable[[dict, dict], None]] = None,
                 ready: Optional[Callable[[dict], None]] = None,
                 finished: Iterable[str] = ()) -> List[dict]:
    """Run :func:`run_config` for each job's ``kwargs`` in worker processes.

    Jobs start in the given order, each as soon as a worker is free and
    its ``needs`` (another job's ``tag``, optional) has finished, here or
    before (``finished``).

    Args:
        jobs (iterable of dict): Each has ``kwargs`` (for
            :func:`run_config`), optionally ``tag`` and ``needs``, and any
            other keys, returned unchanged.
        workers (int): Processes (forked, one torch thread each); 1 runs
            in this process. Defaults to 2.
        on_done (callable, optional): Called with ``(job, result)`` as each
            job finishes. Defaults to None.
        ready (callable, optional): Called with the job just before it
            starts (e.g. to fill in a checkpoint its ``needs`` wrote).
            Defaults to None.
        finished (iterable of str): Tags already done. Defaults to ().

    Returns:
        list[dict]: ``dict(job, result=...)`` in the jobs' order.

    Raises:
        RuntimeError: A job's ``needs`` can never finish.
    """
    jobs = list(jobs)
    results: List[Optional[dict]] = [None] * len(jobs)
    waiting = list(range(len(jobs)))
    finished = set(finished)

    def next_index() -> Optional[int]:
        for i in waiting:
            if jobs[i].get('needs') in (None, *finished):
                waiting.remove(i)
                if ready:
                    ready(jobs[i])
                return i
        return None

    def finish(i: int, res: dict) -> None:
        results[i] = dict(jobs[i], result=res)
        if 'tag' in jobs[i]:
            finished.add(jobs[i]['tag'])
        if on_done:
            on_done(jobs[i], res)

    if workers <= 1:
        while waiting:
            i = next_index()
            if i is None:
                raise RuntimeError('unsatisfiable job dependencies')
            finish(i, run_config(**jobs[i]['kwargs']))
        return results
    with ProcessPoolExecutor(
            max_workers=workers, mp_context=get_context('fork')) as pool:
        running = {}
        while waiting or running:
            while len(running) < workers:
                i = next_index()
                if i is None:
                    break
                running[pool.submit(
                    _job, dict(jobs[i]['kwargs'], threads=1))] = i
            if not running:
                raise RuntimeError('unsatisfiable job dependencies')
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                i = running.pop(fut)
                finish(i, fut.result())
    return results
