"""Exact resume (issue 9.7): a real ``tools/train.py`` KD run on the digits
(RandomCrop augmentation, validation every epoch) is killed with SIGKILL in
the middle of epoch 2, after epoch_1.pth was written; ``--resume`` then
finishes it. The final weights must equal an uninterrupted run's bit for
bit."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from _helpers import REPO_ROOT, run_tool, save_random_checkpoint, tool_env
from mmengine.config import Config

pytestmark = pytest.mark.e2e

KD_CFG = 'configs/demo/kd_resnet20_resnet8_digits.py'
# 2 iterations per epoch, 3 epochs; iteration index 2 is inside epoch 2
KILL_AT_ITER = 2

PAUSED_TRAIN = r'''
import importlib.util, sys, time
from mmengine.hooks import Hook
ready, argv = sys.argv[1], sys.argv[2:]
spec = importlib.util.spec_from_file_location('train_tool', 'tools/train.py')
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


class PauseHook(Hook):
    """Signal the test and wait to be killed, mid-epoch."""
    priority = 'LOWEST'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter == %d:
            open(ready, 'w').close()
            time.sleep(300)


build_runner = tool.build_runner


def build_and_pause(cfg):
    runner = build_runner(cfg)
    runner.register_hook(PauseHook())
    return runner


tool.build_runner = build_and_pause
tool.main(argv)
''' % KILL_AT_ITER


@pytest.fixture(scope='module')
def options(tmp_path_factory):
    teacher = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    cfg = Config.fromfile(REPO_ROOT / KD_CFG)
    save_random_checkpoint(cfg.model.teacher, teacher)
    return [
        '--cfg-options', 'train_dataloader.dataset.indices=16',
        'train_dataloader.batch_size=8', 'val_dataloader.dataset.indices=16',
        'train_cfg.max_epochs=3', f'model.teacher_ckpt={teacher}',
        'default_hooks.checkpoint.max_keep_ckpts=5'
    ]


def _weights(path):
    return torch.load(path, map_location='cpu')['state_dict']


def test_kill_9_and_resume_gives_the_uninterrupted_weights(
        tmp_path, options):
    full = tmp_path / 'full'
    proc = run_tool('train.py', KD_CFG, '--work-dir', full, *options)
    assert proc.returncode == 0, proc.stderr[-3000:]

    killed = tmp_path / 'killed'
    ready = tmp_path / 'ready'
    child = subprocess.Popen(
        [sys.executable, '-c', PAUSED_TRAIN, str(ready), KD_CFG,
         '--work-dir', str(killed), *options],
        cwd=REPO_ROOT, env=tool_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while not ready.exists() and child.poll() is None \
            and time.time() < deadline:
        time.sleep(0.1)
    if not ready.exists():
        child.kill()
        pytest.fail('the run did not reach the pause: '
                    + child.communicate()[1][-3000:])
    os.kill(child.pid, signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL
    assert (killed / 'epoch_1.pth').exists()
    assert not (killed / 'epoch_2.pth').exists()

    proc = run_tool('train.py', KD_CFG, '--work-dir', killed, '--resume',
                    *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed epoch: 1, iter: 2' in proc.stdout + proc.stderr
    resumed, uninterrupted = (_weights(killed / 'epoch_3.pth'),
                              _weights(full / 'epoch_3.pth'))
    assert resumed.keys() == uninterrupted.keys()
    different = [k for k in resumed
                 if not torch.equal(resumed[k], uninterrupted[k])]
    assert different == []
    # and training did move the student (the comparison is not vacuous)
    first = _weights(full / 'epoch_1.pth')
    assert not torch.equal(first['architecture.head.fc.weight'],
                           uninterrupted['architecture.head.fc.weight'])
