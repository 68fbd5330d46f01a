"""Exact resume: a real ``tools/train.py`` run is killed with SIGKILL after
a checkpoint was written, and ``--resume`` finishes it; the final weights
must equal an uninterrupted run's bit for bit. KD on the digits (RandomCrop
augmentation, validation every epoch) is killed in the middle of epoch 2;
SSD-KD (one iteration = one KD step with its synthesis rounds) between two
iteration checkpoints, during the fill and the refresh rounds, so the
resumed run must restore the replay buffer, the generator and its
optimizer, the BN-statistics momentum and the round/step counters."""
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
SSDKD_CFG = 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'
# 2 iterations per epoch, 3 epochs; iteration index 2 is inside epoch 2
KILL_AT_ITER = 2

PAUSED_TRAIN = r'''
import importlib.util, sys, time
from mmengine.hooks import Hook
ready, kill_at, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
spec = importlib.util.spec_from_file_location('train_tool', 'tools/train.py')
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


class PauseHook(Hook):
    """Signal the test and wait to be killed, mid-epoch."""
    priority = 'LOWEST'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter == kill_at:
            open(ready, 'w').close()
            time.sleep(300)


build_runner = tool.build_runner


def build_and_pause(cfg):
    runner = build_runner(cfg)
    runner.register_hook(PauseHook())
    return runner


tool.build_runner = build_and_pause
tool.main(argv)
'''


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


def _kill_at(config, kill_at, work_dir, ready, options):
    """Run ``config`` until ``runner.iter == kill_at``, then SIGKILL it."""
    child = subprocess.Popen(
        [sys.executable, '-c', PAUSED_TRAIN, str(ready), str(kill_at),
         config, '--work-dir', str(work_dir), *options],
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


def _different(a, b):
    resumed, uninterrupted = _weights(a), _weights(b)
    assert resumed.keys() == uninterrupted.keys()
    return [k for k in resumed
            if not torch.equal(resumed[k], uninterrupted[k])]


def test_ssdkd_kill_9_mid_run_and_resume_gives_the_uninterrupted_weights(
        tmp_path):
    from _helpers import ssdkd_classifier
    teacher = tmp_path / 'teacher.pth'
    arch = ssdkd_classifier('resnet20')
    arch.pop('_scope_')
    save_random_checkpoint(arch, teacher)
    # 8 iterations: fill rounds at 0-2 (12 images, 4 per round), a refresh
    # round every synthesis_interval after; checkpoints every 3 iterations
    options = [
        '--cfg-options', f'model.teacher_ckpt={teacher}',
        'model.data_scale=12', 'model.synthesis_batch_size=4',
        'model.kd_batch_size=4', 'model.generator_steps=1',
        'model.synthesis_interval=2', 'train_cfg.max_iters=8',
        'train_cfg.val_interval=100', 'val_dataloader.dataset.indices=8',
        'default_hooks.checkpoint.interval=3',
        'default_hooks.checkpoint.max_keep_ckpts=5',
        'default_hooks.logger.interval=1'
    ]
    full = tmp_path / 'full'
    proc = run_tool('train.py', SSDKD_CFG, '--work-dir', full, *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # per-iteration loss lines (one KD step each)
    log = next(full.glob('*/*.log')).read_text()
    assert log.count('distill.loss_kd') >= 8
    assert 'Iter(train) [1/8]' in log and 'Iter(train) [8/8]' in log

    killed = tmp_path / 'killed'
    # killed after iteration index 4 (5 done): iter_3.pth exists, iter_6 not
    _kill_at(SSDKD_CFG, 4, killed, tmp_path / 'ready', options)
    assert (killed / 'iter_3.pth').exists()
    assert not (killed / 'iter_6.pth').exists()
    proc = run_tool('train.py', SSDKD_CFG, '--work-dir', killed, '--resume',
                    *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'iter: 3' in proc.stdout + proc.stderr
    assert _different(killed / 'iter_8.pth', full / 'iter_8.pth') == []
    mid, last = _weights(full / 'iter_3.pth'), _weights(full / 'iter_8.pth')
    for key in ('architecture.head.fc.weight', 'replay_buffer.priorities'):
        assert not torch.equal(mid[key], last[key]), key
    assert any(not torch.equal(v, last[k]) for k, v in mid.items()
               if k.startswith('generator.') and v.is_floating_point())


@pytest.mark.parametrize('config', [
    KD_CFG, 'configs/tekap/tekap_kd_resnet20_resnet8_digits.py',
    'configs/afd/afd_resnet8x2_digits.py'
], ids=['kd', 'tekap', 'afd'])
def test_kill_9_and_resume_gives_the_uninterrupted_weights(
        tmp_path, config, options):
    # digits subset, 3 epochs of 2 iterations, killed inside epoch 2; AFD
    # has no teacher, so its options leave out the teacher checkpoint
    opts = [o for o in options
            if 'afd' not in config or not o.startswith('model.teacher')]
    full = tmp_path / 'full'
    proc = run_tool('train.py', config, '--work-dir', full, *opts)
    assert proc.returncode == 0, proc.stderr[-3000:]
    killed = tmp_path / 'killed'
    _kill_at(config, KILL_AT_ITER, killed, tmp_path / 'ready', opts)
    assert (killed / 'epoch_1.pth').exists()
    assert not (killed / 'epoch_2.pth').exists()
    proc = run_tool('train.py', config, '--work-dir', killed, '--resume',
                    *opts)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed epoch: 1, iter: 2' in proc.stdout + proc.stderr
    assert _different(killed / 'epoch_3.pth', full / 'epoch_3.pth') == []
    first = _weights(full / 'epoch_1.pth')
    last = _weights(full / 'epoch_3.pth')
    moved = [k for k, v in first.items()
             if v.is_floating_point() and not torch.equal(v, last[k])]
    assert moved  # training moved the weights: the comparison is not vacuous
