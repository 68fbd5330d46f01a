"""configs/teachers: one training config per teacher the method configs name,
with the RepDistiller recipe, writing the checkpoint path they expect."""
import re

import pytest
import torch
from _helpers import REPO_ROOT, write_cifar
from mmengine.config import Config

CONFIGS = REPO_ROOT / 'configs'
TEACHER_DIR = CONFIGS / 'teachers'
CKPT = re.compile(r"teacher_ckpt = '(work_dirs/(teacher_\w+_cifar10{1,2})/"
                  r"epoch_240\.pth)'")


def named_teachers():
    """{teacher config name: [(method config, teacher backbone type)]}."""
    found = {}
    for method in ('tekap', 'afd', 'ssdkd'):
        for path in sorted((CONFIGS / method).glob('*.py')):
            match = CKPT.search(path.read_text())
            if match:
                cfg = Config.fromfile(str(path))
                found.setdefault(match.group(2), []).append(
                    (path.name, cfg.model.teacher.backbone.type))
    return found


NAMED = named_teachers()


def test_every_named_teacher_has_a_config():
    assert len(NAMED) >= 8  # 6 CIFAR-100 + 2 CIFAR-10 teachers today
    shipped = {p.stem for p in TEACHER_DIR.glob('teacher_*.py')}
    assert set(NAMED) <= shipped, set(NAMED) - shipped


@pytest.mark.parametrize('name', sorted(NAMED))
def test_teacher_config_matches_its_users_and_the_recipe(name):
    cfg = Config.fromfile(str(TEACHER_DIR / f'{name}.py'))
    # tools/train.py puts the checkpoints in work_dir: the path users name
    assert cfg.work_dir == f'work_dirs/{name}'
    for method_config, backbone in NAMED[name]:
        assert cfg.model.backbone.type == backbone, method_config
    num_classes = 100 if name.endswith('cifar100') else 10
    assert cfg.model.head.num_classes == num_classes
    assert cfg.train_dataloader.dataset.type == f'CIFAR{num_classes}'
    assert cfg.val_dataloader.dataset.type == f'CIFAR{num_classes}'
    # RepDistiller train_teacher.py recipe
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == ('SGD', 0.05,
                                                                  0.9, 5e-4)
    assert cfg.param_scheduler.milestones == [150, 180, 210]
    assert cfg.param_scheduler.gamma == 0.1
    assert cfg.train_cfg.max_epochs == 240
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.default_hooks.checkpoint.interval == 1  # epoch_240.pth


def test_a_teacher_config_trains_on_cifar_layout(tiny_runner, tmp_path):
    """Two iterations of the CIFAR-100 resnet56 teacher on fake pickles."""
    import mmpretrain.datasets as D
    saved = (D.CIFAR100.train_list, D.CIFAR100.test_list, D.CIFAR100.meta)
    try:
        write_cifar(str(tmp_path / 'c100'), D.CIFAR100)
        runner = tiny_runner(
            TEACHER_DIR / 'teacher_resnet56_cifar100.py', {
                'train_dataloader.dataset.data_root': str(tmp_path / 'c100'),
                'train_dataloader.batch_size': 2,
                'train_dataloader.num_workers': 0,
                'train_cfg.max_epochs': 1,
                'train_cfg.val_interval': 10,
            },
            val_cfg=None, val_dataloader=None, val_evaluator=None,
            log_level='ERROR')
        runner.train()
    finally:
        D.CIFAR100.train_list, D.CIFAR100.test_list, D.CIFAR100.meta = saved
    assert runner.iter == 2
    ckpt = torch.load(tmp_path / 'work' / 'epoch_1.pth')
    assert any(k.startswith('backbone.layer3.8.') for k in ckpt['state_dict'])
