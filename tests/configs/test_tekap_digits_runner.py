"""Two real Runner iterations from each TeKAP digits config."""
import json

import pytest
import torch
from _helpers import REPO_ROOT, save_random_checkpoint
from mmengine.config import Config

CONFIGS = {
    'kd': ('configs/tekap/tekap_kd_resnet20_resnet8_digits.py', 'loss_tekap',
           None),
    'feat': ('configs/tekap/tekap_feat_resnet20_resnet8_digits.py',
             'loss_feat', 'distiller.connectors.loss_feat_sfeat.'),
}


@pytest.mark.parametrize('part', sorted(CONFIGS))
def test_two_iterations(part, tmp_path):
    from mmengine.runner import Runner
    path, loss_name, connector_prefix = CONFIGS[part]
    cfg = Config.fromfile(str(REPO_ROOT / path))
    teacher_ckpt = tmp_path / 'teacher.pth'
    save_random_checkpoint(cfg.model.teacher, teacher_ckpt)
    cfg.model.teacher_ckpt = str(teacher_ckpt)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = f'tekap_{part}_runner_test'
    cfg.train_dataloader.dataset.indices = 16
    cfg.train_dataloader.batch_size = 8
    cfg.val_dataloader.dataset.indices = 16
    cfg.test_dataloader.dataset.indices = 16
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.logger.interval = 1

    runner = Runner.from_cfg(cfg)
    before = {k: v.detach().clone()
              for k, v in runner.model.state_dict().items()}
    runner.train()

    logs = [json.loads(line) for line in sorted(
        (tmp_path / 'work').glob('*/vis_data/scalars.json'))[-1]
        .read_text().splitlines()]
    train = [r for r in logs if f'distill.{loss_name}' in r]
    assert [r['iter'] for r in train] == [1, 2]
    assert all(r[f'distill.{loss_name}'] > 0 for r in train)
    assert any('teacher.accuracy/top1' in r for r in logs)

    after = torch.load(tmp_path / 'work' / 'epoch_1.pth',
                       map_location='cpu')['state_dict']
    teacher = torch.load(teacher_ckpt, map_location='cpu')['state_dict']
    for key, value in teacher.items():  # teacher loaded and frozen
        assert torch.equal(after[f'teacher.{key}'], value), key
    moved = lambda prefix: any(  # noqa: E731
        not torch.equal(after[k], before[k]) for k in after
        if k.startswith(prefix) and after[k].is_floating_point())
    assert moved('architecture.backbone.')
    if connector_prefix:
        assert moved(connector_prefix), 'connector was not trained'
