"""Tiny real mmengine Runners for tests, in the spirit of mmengine's
``RunnerTestCase``: a config shrunk to a couple of iterations in a temporary
work_dir, a Runner with a unique experiment name, and the global state the
Runner leaves behind (default scope, message hub, loggers, visualizers)
cleaned up afterwards (:func:`mmengine_state_restored`, applied to every test
and module by ``tests/conftest.py``).

Most tests get these through the ``tiny_runner`` fixture (a
:class:`TinyRunner` on ``tmp_path``); module-scoped fixtures use the
functions directly.
"""
import json
import logging
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, List, Optional, Union

import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.utils import ManagerMixin
from torch import nn

from .checkpoints import save_random_checkpoint
from .tools import REPO_ROOT, run_tool

__all__ = [
    'ToyModel', 'toy_runner', 'DIGITS_TWO_ITERS', 'tiny_config',
    'build_runner', 'read_scalars', 'train_two_iterations', 'TinyRunner',
    'mmengine_state_restored'
]

#: ``merge_from_dict`` options that shrink a digits config to 2 training
#: iterations (16 images, batch 8, one epoch), 16 validation/test images and
#: a log line per iteration.
DIGITS_TWO_ITERS: Dict[str, object] = {
    'train_dataloader.dataset.indices': 16,
    'train_dataloader.batch_size': 8,
    'val_dataloader.dataset.indices': 16,
    'test_dataloader.dataset.indices': 16,
    'train_cfg.max_epochs': 1,
    'default_hooks.logger.interval': 1,
}


def tiny_config(config: Union[str, Path, Config], work_dir,
                options: Optional[dict] = None, **fields) -> Config:
    """Load ``config`` (a path relative to the repository root, an absolute
    path or a Config, which is copied), merge ``options`` (dotted keys, as
    ``--cfg-options``), set the top-level ``fields`` and run it in
    ``work_dir`` without a launcher."""
    if isinstance(config, Config):
        cfg = config.copy()
    else:
        cfg = Config.fromfile(str(REPO_ROOT / config))
    if options:
        cfg.merge_from_dict(dict(options))
    cfg.work_dir = str(work_dir)
    cfg.launcher = 'none'
    cfg.update(fields)
    return cfg


def build_runner(cfg: Config):
    """``Runner.from_cfg(cfg)``; a config without ``experiment_name`` gets a
    unique one, so two runners built within the same second do not share a
    MessageHub/Visualizer instance (as in ``RunnerTestCase``)."""
    from mmengine.runner import Runner
    if not cfg.get('experiment_name'):
        cfg.experiment_name = f'test_{uuid.uuid4().hex[:12]}'
    return Runner.from_cfg(cfg)


def read_scalars(work_dir) -> List[dict]:
    """The records of the newest ``<work_dir>/*/vis_data/scalars.json``."""
    files = sorted(Path(work_dir).glob('*/vis_data/scalars.json'))
    assert files, f'no scalars.json under {work_dir}'
    return [json.loads(line) for line in files[-1].read_text().splitlines()]


def train_two_iterations(config, work_dir, *args, checkpoint: str):
    """Run ``tools/train.py config --work-dir work_dir *args`` in a
    subprocess; it must succeed, write ``work_dir/checkpoint`` and log
    training losses at iterations 1 and 2 only. Returns the logged
    scalars."""
    proc = run_tool('train.py', config, '--work-dir', work_dir, *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (Path(work_dir) / checkpoint).is_file()
    logs = read_scalars(work_dir)
    assert [r['iter'] for r in logs if 'loss' in r] == [1, 2]
    return logs


class TinyRunner:
    """Configs and Runners in one temporary directory (the ``tiny_runner``
    fixture; ``RunnerTestCase``'s cfg + ``build_runner`` for pytest)."""

    def __init__(self, tmp_path):
        self.tmp_path = Path(tmp_path)
        self.work_dir = self.tmp_path / 'work'

    def config(self, config, options: Optional[dict] = None, work_dir=None,
               **fields) -> Config:
        """:func:`tiny_config` with ``work_dir`` defaulting to
        ``<tmp_path>/work``."""
        return tiny_config(config, work_dir or self.work_dir, options,
                           **fields)

    def random_teacher(self, cfg: Config, scope: str = 'mmpretrain',
                       path=None) -> Path:
        """Save random weights for ``cfg.model.teacher`` (a stand-in for a
        trained teacher) and point ``cfg.model.teacher_ckpt`` at them."""
        path = Path(path or self.tmp_path / 'teacher.pth')
        save_random_checkpoint(dict(cfg.model.teacher), path, scope=scope)
        cfg.model.teacher_ckpt = str(path)
        return path

    def build(self, cfg: Config):
        return build_runner(cfg)

    def __call__(self, config, options: Optional[dict] = None, **fields):
        """Build a Runner from :meth:`config`'s arguments."""
        return build_runner(self.config(config, options, **fields))

    def scalars(self, work_dir=None) -> List[dict]:
        return read_scalars(work_dir or self.work_dir)


def _manager_classes():
    todo, seen = [ManagerMixin], []
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo += cls.__subclasses__()
    return [c for c in seen if '_instance_dict' in vars(c)]


@contextmanager
def mmengine_state_restored():
    """Restore mmengine's global instances on exit.

    Every ``ManagerMixin`` registry (``DefaultScope``, ``MessageHub``,
    ``MMLogger``, ``Visualizer`` and subclasses) gets back the instances it
    had on entry; the handlers of loggers created inside are closed, and a
    process group initialised inside is destroyed (``RunnerTestCase``'s
    ``tearDown``). A Runner built in a test thus leaves no current scope,
    message hub or visualizer behind for the next test.
    """
    saved = {cls: dict(cls._instance_dict) for cls in _manager_classes()}
    distributed = _process_group_initialized()
    try:
        yield
    finally:
        for cls in _manager_classes():
            before = saved.get(cls, {})
            for name, instance in list(cls._instance_dict.items()):
                if before.get(name) is instance:
                    continue
                if isinstance(instance, logging.Logger):
                    for handler in list(instance.handlers):
                        handler.close()
            cls._instance_dict.clear()
            cls._instance_dict.update(before)
        if not distributed and _process_group_initialized():
            torch.distributed.destroy_process_group()


def _process_group_initialized() -> bool:
    return (torch.distributed.is_available()
            and torch.distributed.is_initialized())


class ToyModel(BaseModel):
    """``loss = mean((W x)^2) * scale``; ``scale`` can be set to NaN/inf."""

    def __init__(self, width: int = 4):
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.scale = 1.0

    def forward(self, inputs, data_samples=None, mode='loss'):
        out = self.fc(inputs)
        if mode == 'loss':
            return dict(loss_toy=out.pow(2).mean() * self.scale)
        return out


def toy_runner(work_dir, max_epochs: int = 1, width: int = 4,
               samples: int = 8, **kwargs):
    """Build a Runner (default scope ``mmengine``) over ``samples`` random
    vectors, batch size 2, shuffled with the default sampler: a linear
    model, a few iterations, CPU (for hook and checkpoint tests)."""
    from mmengine.runner import Runner
    gen = torch.Generator().manual_seed(0)
    data = [dict(inputs=torch.randn(width, generator=gen))
            for _ in range(samples)]
    cfg = dict(
        model=ToyModel(width),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=data,
            batch_size=2,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmengine')
    cfg.update(kwargs)
    return Runner(**cfg)
