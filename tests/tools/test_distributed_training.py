"""2-process CPU (gloo) training from the shipped configs.

Each rank builds the Runner from a config exactly as ``tools/train.py
--launcher pytorch`` does and trains 2 iterations on its own shard of the
data; the ranks must end with identical weights (student, and every other
trained part of the algorithm).
"""
import pytest
import torch
from _helpers import REPO_ROOT, save_random_checkpoint, spawn_gloo
from mmengine.config import Config

pytestmark = [pytest.mark.dist, pytest.mark.e2e]

TINY = {
    'train_dataloader.dataset.indices': 32,
    'train_dataloader.batch_size': 8,
    'val_dataloader.dataset.indices': 8,
    'train_cfg.max_epochs': 1,
    'train_cfg.val_interval': 100,
    'default_hooks.logger.interval': 1,
}
TEACHER = dict(
    type='ImageClassifier',
    backbone=dict(type='resnet20'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64))


def _train_rank(rank, world_size, config, options, work_dir, out):
    from mmengine.runner import Runner

    import kd_plugins  # noqa: F401
    from kd_plugins.cli.launch import prepare_distributed
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(options)
    cfg.work_dir = work_dir
    cfg.launcher = 'pytorch'
    assert prepare_distributed(cfg, 'pytorch')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2 and runner.world_size == 2
    model = runner.model.module
    torch.save({k: v.detach().clone()
                for k, v in model.state_dict().items()}, f'{out}.{rank}')


def train_two_ranks(config, tmp_path, extra=None):
    options = dict(TINY, **(extra or {}))
    out = tmp_path / 'state'
    spawn_gloo(_train_rank, nprocs=2,
               args=(str(REPO_ROOT / config), options, str(tmp_path / 'w'),
                     str(out)))
    return torch.load(f'{out}.0'), torch.load(f'{out}.1')


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    save_random_checkpoint(TEACHER, path)
    return str(path)


@pytest.mark.parametrize('config', [
    'configs/demo/kd_resnet20_resnet8_digits.py',
    'configs/tekap/tekap_kd_resnet20_resnet8_digits.py',
])
def test_distillation_ranks_end_identical(config, teacher_ckpt, tmp_path):
    s0, s1 = train_two_ranks(config, tmp_path,
                             {'model.teacher_ckpt': teacher_ckpt})
    assert s0.keys() == s1.keys()
    student = [k for k in s0 if k.startswith('architecture.')]
    assert student
    for key in s0:
        assert torch.equal(s0[key], s1[key]), key
    # the frozen teacher is the loaded checkpoint on both ranks
    init = torch.load(teacher_ckpt)['state_dict']
    for key, value in init.items():
        assert torch.equal(s0[f'teacher.{key}'], value), key


def test_dist_train_sh_runs_on_cpu(teacher_ckpt, tmp_path):
    import shutil
    import subprocess

    from _helpers import free_port, tool_env
    assert shutil.which('bash')
    opts = [f'{k}={v}' for k, v in TINY.items()]
    proc = subprocess.run(
        ['bash', str(REPO_ROOT / 'tools' / 'dist_train.sh'),
         'configs/demo/kd_resnet20_resnet8_digits.py', '2', '--work-dir',
         str(tmp_path), '--cfg-options', *opts,
         f'model.teacher_ckpt={teacher_ckpt}'],
        cwd=REPO_ROOT, env=tool_env(PORT=str(free_port())),
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / 'epoch_1.pth').is_file()
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log
    wrapper = "dict(type='mmrazor.DistributedAlgorithmWrapper')"
    assert f'model_wrapper_cfg = {wrapper}' in log
    # one line, from rank 0 only, says what the CPU path switched
    switched = [line for line in log.splitlines()
                if 'Distributed CPU (no CUDA) run:' in line]
    assert len(switched) == 1, switched
    assert switched[0].endswith(
        'backend gloo; model wrapper mmrazor.DistributedAlgorithmWrapper; '
        'optim_wrapper -> Distributed*OptimWrapper')
    assert "type='mmrazor.DistributedOptimWrapper'" in log
