"""The whole DigitsSeg path through the real tools, at a tiny size.

Teacher training (tools/train.py), SSD-KD data-free distillation from that
teacher, evaluation, tools/extract_student.py to a plain mmseg checkpoint
and tools/test.py on it with the student-alone config.
"""
import re

import pytest
import torch
from _helpers import read_scalars, run_tool, train_two_iterations

pytestmark = pytest.mark.e2e

TEACHER_CFG = 'configs/demo/deeplabv3_r18_digitsseg.py'
STUDENT_CFG = 'configs/demo/student_deeplabv3_r18w8_digitsseg.py'
SSDKD_CFG = 'configs/ssdkd/ssdkd_deeplabv3_digitsseg.py'
TINY_TRAIN = [
    'train_dataloader.dataset.num_samples=8', 'train_dataloader.batch_size=4'
]
TINY_DATA = [
    'val_dataloader.dataset.num_samples=4', 'val_dataloader.batch_size=4',
    'test_dataloader.dataset.num_samples=4', 'test_dataloader.batch_size=4',
    'default_hooks.logger.interval=1'
]
TINY_RUN = ['train_cfg.max_iters=2', 'train_cfg.val_interval=2',
            'default_hooks.checkpoint.interval=2']
TINY_SSDKD = [
    'model.data_scale=8', 'model.synthesis_batch_size=2',
    'model.kd_batch_size=2', 'model.generator_steps=1',
    'model.generator.hidden_channels=8'
]


def test_teacher_datafree_extract_and_test(tmp_path):
    teacher_dir = tmp_path / 'teacher'
    logs = train_two_iterations(TEACHER_CFG, teacher_dir, '--cfg-options',
                                *TINY_TRAIN, *TINY_DATA, *TINY_RUN,
                                checkpoint='iter_2.pth')
    teacher_ckpt = teacher_dir / 'iter_2.pth'
    assert any('mIoU' in r for r in logs)

    kd_dir = tmp_path / 'ssdkd'  # no training canvas: a placeholder loader
    proc = run_tool('train.py', SSDKD_CFG, '--work-dir', kd_dir,
                    '--cfg-options', *TINY_DATA, *TINY_RUN, *TINY_SSDKD,
                    f'model.teacher_ckpt={teacher_ckpt}')
    assert proc.returncode == 0, proc.stderr[-3000:]
    logs = read_scalars(kd_dir)
    assert any('distill.loss_kd' in r for r in logs)
    assert any('generator.loss_bn' in r for r in logs)
    val = [r for r in logs if 'mIoU' in r]
    assert val and 0.0 <= val[-1]['mIoU'] <= 100.0
    kd_ckpt = torch.load(kd_dir / 'iter_2.pth', map_location='cpu')
    teacher = torch.load(teacher_ckpt, map_location='cpu')['state_dict']
    for key, value in teacher.items():  # loaded and frozen
        assert torch.equal(kd_ckpt['state_dict'][f'teacher.{key}'], value)

    student = tmp_path / 'student.pth'
    proc = run_tool('extract_student.py', kd_dir / 'iter_2.pth', student)
    assert proc.returncode == 0, proc.stderr[-2000:]
    plain = torch.load(student, map_location='cpu')['state_dict']
    assert plain and not any(k.startswith(('architecture.', 'teacher.',
                                           'generator.')) for k in plain)
    for key, value in plain.items():
        torch.testing.assert_close(
            value, kd_ckpt['state_dict'][f'architecture.{key}'])

    proc = run_tool('test.py', STUDENT_CFG, student, '--work-dir',
                    tmp_path / 'test', '--cfg-options',
                    'test_dataloader.dataset.num_samples=4',
                    'test_dataloader.batch_size=4')
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout + proc.stderr
    found = re.findall(r'mIoU: ([0-9.]+)', out)
    assert found and 0.0 <= float(found[-1]) <= 100.0, out[-2000:]
