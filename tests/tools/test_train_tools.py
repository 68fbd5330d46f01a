"""tools/train.py, test.py and extract_student.py through real subprocesses.

Teacher training, plain KD from the shipped digits configs, resume, the
extracted student in the stock model, and the one-line errors.
"""
import pytest
import torch
from _helpers import (DIGITS_TWO_ITERS, REPO_ROOT, read_scalars, run_tool,
                      train_two_iterations)
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

TINY = [f'{k}={v}' for k, v in DIGITS_TWO_ITERS.items()]
TEACHER_CFG = 'configs/demo/teacher_resnet20_digits.py'
KD_CFG = 'configs/demo/kd_resnet20_resnet8_digits.py'
STUDENT_CFG = 'configs/demo/student_resnet8_digits.py'

pytestmark = pytest.mark.e2e


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('teacher')
    logs = train_two_iterations(TEACHER_CFG, work_dir, '--cfg-options',
                                *TINY, checkpoint='epoch_1.pth')
    assert any('accuracy/top1' in r for r in logs)
    return work_dir / 'epoch_1.pth'


@pytest.fixture(scope='module')
def kd_run(tmp_path_factory, teacher_ckpt):
    work_dir = tmp_path_factory.mktemp('kd')
    proc = run_tool('train.py', KD_CFG, '--work-dir', work_dir,
                    '--cfg-options', *TINY,
                    f'model.teacher_ckpt={teacher_ckpt}')
    assert proc.returncode == 0, proc.stderr[-3000:]
    return work_dir


def test_kd_trains_from_the_teacher_checkpoint(kd_run, teacher_ckpt):
    logs = read_scalars(kd_run)
    train = [r for r in logs if 'distill.loss_kl' in r]
    assert [r['iter'] for r in train] == [1, 2]
    assert all(r['distill.loss_kl'] > 0 for r in train)
    val = [r for r in logs if 'teacher.accuracy/top1' in r]
    assert val and 'accuracy/top1' in val[0]
    ckpt = torch.load(kd_run / 'epoch_1.pth', map_location='cpu')
    teacher = torch.load(teacher_ckpt, map_location='cpu')['state_dict']
    # the teacher was loaded and stayed frozen
    for key, value in teacher.items():
        assert torch.equal(ckpt['state_dict'][f'teacher.{key}'], value), key


def test_resume_continues_from_the_checkpoint(kd_run, teacher_ckpt):
    proc = run_tool('train.py', KD_CFG, '--work-dir', kd_run, '--resume',
                    '--cfg-options', *TINY, 'train_cfg.max_epochs=2',
                    f'model.teacher_ckpt={teacher_ckpt}')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed epoch: 1, iter: 2' in proc.stdout + proc.stderr
    second = torch.load(kd_run / 'epoch_2.pth', map_location='cpu')
    assert (second['meta']['epoch'], second['meta']['iter']) == (2, 4)
    assert second['optimizer']['state'], 'optimizer state was not restored'


def test_extracted_student_loads_in_the_stock_model(kd_run, tmp_path):
    out = tmp_path / 'student.pth'
    proc = run_tool('extract_student.py', kd_run / 'epoch_1.pth', out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "prefix 'architecture.'" in proc.stdout

    algo_cfg = Config.fromfile(REPO_ROOT / KD_CFG)
    algo_cfg.model.teacher_ckpt = None
    stock_cfg = Config.fromfile(REPO_ROOT / STUDENT_CFG)
    from mmengine.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        algo = MODELS.build(algo_cfg.model)
        stock = MODELS.build(stock_cfg.model)
    load_checkpoint(algo, str(kd_run / 'epoch_1.pth'), strict=True)
    load_checkpoint(stock, str(out), strict=True)
    algo.eval()
    stock.eval()
    x = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(
        stock(x, mode='tensor'), algo.architecture(x, mode='tensor'),
        rtol=0, atol=0)

    # and tools/test.py evaluates it with the student's own config
    proc = run_tool('test.py', STUDENT_CFG, out, '--work-dir',
                    tmp_path / 'test', '--cfg-options',
                    'test_dataloader.dataset.indices=16')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'accuracy/top1' in proc.stdout


@pytest.mark.parametrize('args, message', [
    (['configs/demo/missing.py'],
     'error: config file not found: configs/demo/missing.py'),
    ([KD_CFG, '--cfg-options', 'model.teacher_ckpt=no/such/teacher.pth'],
     'error: model.teacher_ckpt: checkpoint file not found: '
     'no/such/teacher.pth'),
    ([TEACHER_CFG, '--cfg-options',
      'train_dataloader.dataset.data_root=no/such/dir'],
     'error: train_dataloader.dataset.data_root: data directory not found: '
     'no/such/dir'),
])
def test_bad_input_gives_one_clear_line(args, message, tmp_path):
    proc = run_tool('train.py', *args, '--work-dir', tmp_path)
    assert proc.returncode != 0
    assert proc.stderr.strip() == message
    assert 'Traceback' not in proc.stderr


def test_extract_errors_are_one_line(tmp_path):
    torch.save({'state_dict': {'backbone.w': torch.ones(1)}},
               tmp_path / 'plain.pth')
    proc = run_tool('extract_student.py', tmp_path / 'plain.pth',
                    tmp_path / 'out.pth')
    assert proc.returncode != 0
    assert proc.stderr.strip().startswith('error: ')
    assert 'no student found' in proc.stderr
    proc = run_tool('extract_student.py', tmp_path / 'plain.pth',
                    tmp_path / 'out.pth', '--prefix', 'backbone')
    assert proc.returncode == 0, proc.stderr
    assert list(torch.load(tmp_path / 'out.pth')['state_dict']) == ['w']
