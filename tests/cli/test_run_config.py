"""kd_plugins.cli.run_config: the one way the quickstart and the benchmarks
train a config (tiny digits runs, a few seconds each)."""
import pytest
import torch

from kd_plugins.cli.run_config import run_config
from kd_plugins.utils.checkpoint import load_checkpoint_file

TINY = {
    'train_cfg.max_epochs': 2,
    'train_dataloader.dataset.indices': 16,
    'train_dataloader.batch_size': 8,
    'val_dataloader.dataset.indices': 16,
    'test_dataloader.dataset.indices': 16,
}


@pytest.fixture(scope='module')
def teacher(tmp_path_factory):
    """A 2-epoch teacher in benchmark mode (validation off)."""
    work_dir = tmp_path_factory.mktemp('run_config') / 'teacher'
    res = run_config('configs/demo/teacher_resnet20_digits.py',
                     str(work_dir), options=TINY)
    return work_dir, res


def test_benchmark_mode_keeps_only_the_last_checkpoint(teacher):
    work_dir, res = teacher
    assert sorted(p.name for p in work_dir.glob('epoch_*.pth')) == [
        'epoch_2.pth'
    ]
    assert res['checkpoint'].endswith('epoch_2.pth')
    assert res['iterations'] == 4 and res['images_per_iter'] == 8
    assert res['num_test'] == 16
    assert res['metric'] == res['metrics']['accuracy/top1']


def test_demo_mode_options_after_prepare_and_deferred_teacher(
        teacher, tmp_path):
    ckpt = teacher[1]['checkpoint']

    def prepare(cfg):  # overridden by the options below
        cfg.train_cfg.max_epochs = 3
        cfg.train_dataloader.batch_size = 4

    res = run_config('configs/demo/kd_resnet20_resnet8_digits.py',
                     str(tmp_path / 'kd'), prepare=prepare,
                     options=dict(TINY, **{'model.teacher_ckpt': ckpt}),
                     validate=True, defer_teachers=True)
    assert res['iterations'] == 2 * 16 // 8
    # validate=True keeps the config's checkpoint schedule (every epoch)
    assert sorted(p.name for p in (tmp_path / 'kd').glob('epoch_*.pth')) == [
        'epoch_1.pth', 'epoch_2.pth'
    ]
    # the deferred teacher was loaded from its checkpoint and stayed frozen
    saved = load_checkpoint_file(res['checkpoint'])['state_dict']
    given = load_checkpoint_file(ckpt)['state_dict']
    keys = [k for k in given if k.endswith('.weight')]
    assert keys and all(
        torch.equal(saved['teacher.' + k], given[k]) for k in keys)
