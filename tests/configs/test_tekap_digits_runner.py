"""Two real Runner iterations from each TeKAP digits config."""
import pytest
import torch
from _helpers import DIGITS_TWO_ITERS

CONFIGS = {
    'kd': ('configs/tekap/tekap_kd_resnet20_resnet8_digits.py', 'loss_tekap',
           None),
    'feat': ('configs/tekap/tekap_feat_resnet20_resnet8_digits.py',
             'loss_feat', 'distiller.connectors.loss_feat_sfeat.'),
}


@pytest.mark.parametrize('part', sorted(CONFIGS))
def test_two_iterations(part, tiny_runner, tmp_path):
    path, loss_name, connector_prefix = CONFIGS[part]
    cfg = tiny_runner.config(path, DIGITS_TWO_ITERS,
                             experiment_name=f'tekap_{part}_runner_test')
    teacher_ckpt = tiny_runner.random_teacher(cfg)

    runner = tiny_runner.build(cfg)
    before = {k: v.detach().clone()
              for k, v in runner.model.state_dict().items()}
    runner.train()

    logs = tiny_runner.scalars()
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
