"""Atomic checkpoint writes: a write that fails mid-way (here: the file
size limit, as a full disk would) leaves no epoch_N.pth, truncated or not,
and the previous checkpoint intact."""
import resource
import signal

import pytest
import torch
from _helpers import toy_runner
from mmengine.hooks import Hook

from kd_plugins.engine.atomic_local_backend import AtomicLocalBackend
from kd_plugins.utils.checkpoint import CheckpointError, load_checkpoint_file

WIDTH = 256  # a ~260 kB checkpoint


class FailWritesAfterEpoch(Hook):
    """Before the checkpoint of epoch 2 is saved, lower the file size limit
    to half the size of epoch_1.pth: writes past it fail with EFBIG, as on a
    full disk."""

    priority = 'HIGHEST'

    def __init__(self):
        self.saved_limit = None
        self.first = None

    def after_train_epoch(self, runner):
        if runner.epoch == 1:
            self.first = (runner.work_dir_path / 'epoch_1.pth').read_bytes()
            self.saved_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE,
                               (len(self.first) // 2, self.saved_limit[1]))


def _train_two_epochs(work_dir, backend_args):
    fail = FailWritesAfterEpoch()
    runner = toy_runner(
        work_dir, max_epochs=2, width=WIDTH, custom_hooks=[fail],
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=1),
            checkpoint=dict(type='CheckpointHook', interval=1,
                            backend_args=backend_args)))
    runner.work_dir_path = work_dir
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        with pytest.raises(OSError):
            runner.train()
    finally:
        if fail.saved_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, fail.saved_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
    assert fail.first is not None, 'the failing write was not reached'
    return fail.first


def test_failed_write_leaves_no_checkpoint_and_keeps_the_previous(tmp_path):
    first = _train_two_epochs(tmp_path, dict(backend='atomic_local'))
    assert not (tmp_path / 'epoch_2.pth').exists()
    assert [p.name for p in tmp_path.iterdir() if '.tmp' in p.name] == []
    assert (tmp_path / 'epoch_1.pth').read_bytes() == first
    assert load_checkpoint_file(tmp_path / 'epoch_1.pth')['meta']['epoch'] \
        == 1
    assert (tmp_path / 'last_checkpoint').read_text().endswith('epoch_1.pth')


def test_stock_backend_leaves_a_truncated_checkpoint(tmp_path):
    """The premise: mmengine's LocalBackend writes in place."""
    _train_two_epochs(tmp_path, None)
    truncated = tmp_path / 'epoch_2.pth'
    assert truncated.exists()
    with pytest.raises(CheckpointError, match='truncated'):
        load_checkpoint_file(truncated)


def test_put_replaces_atomically(tmp_path):
    backend = AtomicLocalBackend()
    target = tmp_path / 'sub' / 'x.pth'
    backend.put(b'old', target)
    backend.put_text('new', target)
    assert target.read_text() == 'new'
    assert sorted(p.name for p in target.parent.iterdir()) == ['x.pth']
    torch.save({'a': torch.ones(1)}, tmp_path / 'ref.pth')  # unaffected
