"""Hostile checkpoints through every loading path of the tools (issue 9.1).

Two payloads (the ``getattr`` chain that reached ``eval`` through the old
allow-list, and a plain ``__reduce__``) are loaded as ``model.teacher_ckpt``
(mmrazor's SingleTeacherDistill and kd_plugins' SSD-KD) or a teacher's
``ckpt_path`` (mmrazor's DAFL), through
``--resume`` and ``load_from`` of ``tools/train.py``, by ``tools/test.py`` and
by ``tools/extract_student.py``. Nothing may run (the marker file stays
absent) and each tool stops with one line saying the file was refused.

To keep the suite short, one subprocess calls each tool's ``main(argv)`` in
turn (the tools' own code, as ``python tools/x.py`` runs it) and reports how
each call ended; one real command line checks the printed line and exit code.
"""
import pytest
import torch
from _helpers import (run_tool, run_tool_mains, write_getattr_chain,
                      write_reduce_payload)

pytestmark = pytest.mark.e2e

KD_CFG = 'configs/demo/kd_resnet20_resnet8_digits.py'
SSDKD_CFG = 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'
TEACHER_CFG = 'configs/demo/teacher_resnet20_digits.py'
STUDENT_CFG = 'configs/demo/student_resnet8_digits.py'
DAFL_CFG = 'configs/ssdkd/dafl_resnet20_resnet8_digits.py'
TINY = ['train_dataloader.dataset.indices=8', 'train_cfg.max_epochs=1']


def _cases(evil, tmp):
    train, test, extract = 'train.py', 'test.py', 'extract_student.py'
    work = ['--work-dir', str(tmp / 'work')]
    return [
        ('teacher_ckpt SingleTeacherDistill', train,
         [KD_CFG, *work, '--cfg-options', *TINY,
          f'model.teacher_ckpt={evil}']),
        ('teacher_ckpt SSD-KD', train,
         [SSDKD_CFG, *work, '--cfg-options', f'model.teacher_ckpt={evil}']),
        ('teachers.<name>.ckpt_path DAFL', train,
         [DAFL_CFG, *work, '--cfg-options',
          f'model.teachers.res20.ckpt_path={evil}']),
        ('--resume', train,
         [TEACHER_CFG, *work, '--resume', evil, '--cfg-options', *TINY]),
        ('load_from', train,
         [TEACHER_CFG, *work, '--cfg-options', *TINY, f'load_from={evil}']),
        ('tools/test.py', test, [STUDENT_CFG, evil, *work]),
        ('tools/extract_student.py', extract, [evil, str(tmp / 'out.pth')]),
    ]


@pytest.mark.parametrize('write', [write_getattr_chain, write_reduce_payload],
                         ids=['getattr-chain', 'reduce'])
def test_no_loading_path_runs_a_hostile_checkpoint(tmp_path, write):
    marker = tmp_path / 'pwned'
    evil = str(tmp_path / 'evil.pth')
    write(evil, marker)
    results = run_tool_mains(_cases(evil, tmp_path))
    assert not marker.exists(), 'the checkpoint ran code'
    for name, code, message in results:
        assert code == 1, f'{name}: {message}'
        assert message.startswith(f'error: {evil}: refused as unsafe'), \
            f'{name}: {message}'
        assert '\n' not in message.strip(), f'{name}: {message}'


def test_the_tool_prints_one_line_and_exits_1(tmp_path):
    marker = tmp_path / 'pwned'
    evil = tmp_path / 'evil.pth'
    write_getattr_chain(evil, marker)
    proc = run_tool('train.py', KD_CFG, '--work-dir', tmp_path / 'work',
                    '--cfg-options', *TINY, f'model.teacher_ckpt={evil}')
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"error: {evil}: refused as unsafe: it contains getattr(function, "
        "'__self__'), which a checkpoint may not contain (loading it could "
        'run code); nothing from it was loaded')
    assert not marker.exists()


def test_damaged_checkpoints_give_one_line_naming_the_file(tmp_path):
    """Text, truncated, empty and random files (issue 9.5) through the same
    paths: one line naming the file, exit code 1."""
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(4096)}}, good)
    text, cut, empty, noise = (tmp_path / n for n in (
        'notes.pth', 'cut.pth', 'empty.pth', 'noise.pth'))
    text.write_bytes(b'just some text\n')
    cut.write_bytes(good.read_bytes()[:4000])
    empty.write_bytes(b'')
    noise.write_bytes(bytes(range(256)) * 8)
    work = ['--work-dir', tmp_path / 'work']
    cases = [
        ('teacher_ckpt text', 'train.py',
         [KD_CFG, *work, '--cfg-options', *TINY,
          f'model.teacher_ckpt={text}']),
        ('--resume truncated', 'train.py',
         [TEACHER_CFG, *work, '--resume', cut, '--cfg-options', *TINY]),
        ('test.py empty', 'test.py', [STUDENT_CFG, empty, *work]),
        ('extract random', 'extract_student.py',
         [noise, tmp_path / 'out.pth']),
    ]
    results = run_tool_mains(cases)
    for (name, code, message), path in zip(results, (text, cut, empty,
                                                     noise)):
        assert code == 1, f'{name}: {message}'
        assert message.startswith(
            f'error: {path}: not a readable checkpoint'), f'{name}: {message}'
        assert '\n' not in message, f'{name}: {message}'
