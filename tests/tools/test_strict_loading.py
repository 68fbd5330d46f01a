"""Strict checkpoint loading through the tools (issue 9.3).

A resnet8 checkpoint given as the resnet20 teacher (mmrazor's
SingleTeacherDistill and DAFL, kd_plugins' SSD-KD) or evaluated by
``tools/test.py`` with another model stops with one line naming counts and
keys; ``model.teacher_ckpt_strict=False`` allows the partial load; an
algorithm checkpoint given to the student's config gets a ``--prefix`` hint.
A TeKAP parameter out of range stops the build with one line (issue 9.5).
"""
import pytest
import torch
from _helpers import REPO_ROOT, run_tool_mains, save_random_checkpoint
from mmengine.config import Config

pytestmark = pytest.mark.e2e

KD_CFG = 'configs/demo/kd_resnet20_resnet8_digits.py'
SSDKD_CFG = 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'
DAFL_CFG = 'configs/ssdkd/dafl_resnet20_resnet8_digits.py'
TEACHER_CFG = 'configs/demo/teacher_resnet20_digits.py'
STUDENT_CFG = 'configs/demo/student_resnet8_digits.py'
TEKAP_CFG = 'configs/tekap/tekap_kd_resnet20_resnet8_digits.py'
TINY = [
    'train_dataloader.dataset.indices=8', 'val_dataloader.dataset.indices=8',
    'train_cfg.max_epochs=1'
]


def test_mismatched_checkpoints_stop_with_one_line(tmp_path):
    kd = Config.fromfile(REPO_ROOT / KD_CFG)
    small = tmp_path / 'resnet8.pth'
    student = save_random_checkpoint(kd.model.architecture, small)
    algo_ckpt = tmp_path / 'kd_algo.pth'
    torch.save({'state_dict': {f'architecture.{k}': v
                               for k, v in student.state_dict().items()}},
               algo_ckpt)
    work = ['--work-dir', tmp_path / 'work']
    results = run_tool_mains([
        ('SingleTeacherDistill', 'train.py',
         [KD_CFG, *work, '--cfg-options', *TINY,
          f'model.teacher_ckpt={small}']),
        ('SSD-KD', 'train.py',
         [SSDKD_CFG, *work, '--cfg-options', f'model.teacher_ckpt={small}']),
        ('DAFL', 'train.py',
         [DAFL_CFG, *work, '--cfg-options',
          f'model.teachers.res20.ckpt_path={small}']),
        ('test.py', 'test.py', [TEACHER_CFG, small, *work]),
        ('test.py prefix', 'test.py', [STUDENT_CFG, algo_ckpt, *work]),
        ('TeKAP noise_std', 'train.py',
         [TEKAP_CFG, *work, '--cfg-options', 'model.teacher_ckpt=None',
          'model.distiller.distill_losses.loss_tekap.noise_std=-1.0']),
        ('partial load allowed', 'train.py',
         [KD_CFG, *work, '--cfg-options', *TINY,
          f'model.teacher_ckpt={small}', 'model.teacher_ckpt_strict=False']),
    ])
    by_name = {name: (code, message) for name, code, message in results}
    for name, key in (('SingleTeacherDistill', 'model.teacher_ckpt'),
                      ('SSD-KD', 'model.teacher_ckpt'),
                      ('DAFL', 'model.teachers.res20.ckpt_path')):
        code, message = by_name[name]
        assert code == 1, f'{name}: {message}'
        assert message.startswith(
            f'error: {key} {small} does not match the model '
            'ImageClassifier: '), message
        assert 'missing keys (backbone.layer1.1.conv1.weight' in message
        assert message.endswith('set model.teacher_ckpt_strict=False to '
                                'load only the matching keys'), message
        assert '\n' not in message
    code, message = by_name['test.py']
    assert code == 1 and message.startswith(
        f'error: checkpoint {small} does not match the model '
        'ImageClassifier: '), message
    code, message = by_name['test.py prefix']
    assert code == 1 and message.endswith(
        "carry the prefix 'architecture.': extract that part first, e.g. "
        '`python tools/extract_student.py CKPT OUT --prefix architecture`'), \
        message
    assert by_name['TeKAP noise_std'] == (
        1, 'error: TeKAPLogitsLoss: noise_std must be a finite number >= 0, '
        'got -1.0')
    assert by_name['partial load allowed'] == (0, 'finished')
