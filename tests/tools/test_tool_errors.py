"""Every input error a user can make with the tools is one ``error:`` line.

Most cases call the tools' ``main(argv)`` in-process (``sys.exit`` with the
message: the interpreter prints it on stderr and exits 1); a few real
subprocesses check the exit code, stderr and ``--debug``.
"""
import errno
import os
import subprocess
import sys

import pytest
import torch
from _helpers import (DIGITS_TWO_ITERS, REPO_ROOT, load_script, run_tool,
                      tool_env)

from kd_plugins.cli.run import describe_error, run_cli
from kd_plugins.utils import UserInputError

KD_CFG = str(REPO_ROOT / 'configs/demo/kd_resnet20_resnet8_digits.py')
TEKAP_CFG = str(REPO_ROOT / 'configs/tekap' /
                'tekap_kd_resnet20_resnet8_digits.py')
STUDENT_CFG = str(REPO_ROOT / 'configs/demo/student_resnet8_digits.py')
NO_TEACHER = 'model.teacher_ckpt=None'
TINY = [f'{k}={v}' for k, v in DIGITS_TWO_ITERS.items()]


TRAIN, TEST, EXTRACT = (
    load_script(f'tools/{name}.py', f'_kd_tool_{name}')
    for name in ('train', 'test', 'extract_student'))


def error_of(tool, *argv) -> str:
    """Run ``tool.main(argv)``; return its one-line error message."""
    with pytest.raises(SystemExit) as info:
        tool.main([str(a) for a in argv])
    message = info.value.code
    assert isinstance(message, str), f'exit code {message!r}, no message'
    assert message.startswith('error: ')
    assert '\n' not in message and message.strip() == message
    return message


def assert_errors_of(tool, argv, expected, files, work_dir):
    """``tool``'s error for ``argv`` (``{root}`` = the ``files`` fixture)
    contains every part of ``expected``."""
    argv = [a.format(root=files) for a in argv]
    message = error_of(tool, *argv, '--work-dir', work_dir)
    for part in expected:
        assert part.format(root=files) in message, message


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp('bad_inputs')
    (root / 'syntax.py').write_text('a = 1\nb = (\n')
    (root / 'missing_base.py').write_text("_base_ = ['./nope.py']\n")
    (root / 'mmcls_base.py').write_text(
        "_base_ = ['mmcls::nonexistent/foo_8xb32_in1k.py']\n")
    (root / 'name_error.py').write_text(
        f"_base_ = ['{KD_CFG}']\nx = 1\ny = undefined_name\n")
    (root / 'text.pth').write_text('not a checkpoint\n')
    (root / 'empty.pth').write_bytes(b'')
    torch.save({'state_dict': {'w': torch.zeros(256)}}, root / 'good.pth')
    data = (root / 'good.pth').read_bytes()
    (root / 'truncated.pth').write_bytes(data[:len(data) // 2])
    torch.save(torch.zeros(3), root / 'tensor.pth')
    return root


@pytest.mark.parametrize('argv, expected', [
    (['configs/demo/missing.py'],
     ['error: config file not found: configs/demo/missing.py']),
    (['{root}/syntax.py'],
     ['error: {root}/syntax.py:2: syntax error: ', 'never closed']),
    (['{root}/missing_base.py'],
     ["error: {root}/missing_base.py:1: base config './nope.py' not found"]),
    (['{root}/mmcls_base.py'],
     ["{root}/mmcls_base.py:1: base config 'mmcls::nonexistent/",
      "has no mmpretrain counterpart"]),
    (['{root}/name_error.py'],
     ["error: {root}/name_error.py:3: NameError: name 'undefined_name'"]),
    (['configs/_base_/datasets/datafree.py'],
     ["error: configs/_base_/datasets/datafree.py: the config has no 'model'; "
      'a file under _base_/ is a piece other configs inherit']),
    ([KD_CFG, '--cfg-options', 'foo'],
     ["error: --cfg-options: 'foo' is not KEY=VALUE"]),
    ([KD_CFG, '--cfg-options', 'trian_cfg.max_epochs=1'],
     ["error: --cfg-options trian_cfg.max_epochs: 'trian_cfg' is not a key "
      "of the config; did you mean 'train_cfg'?"]),
    ([TEKAP_CFG, '--cfg-options', NO_TEACHER,
      'model.distiller.distill_losses.loss_tekap.type=TeKAPLogitLoss'],
     ['error: model.distiller.distill_losses.loss_tekap.type: unknown type '
      "'TeKAPLogitLoss' (not in the mmrazor::model registry); did you mean "
      "'TeKAPLogitsLoss'?"]),
    ([KD_CFG, '--cfg-options', NO_TEACHER,
      'model.distiller.distill_losses.loss_kl.tua=4'],
     ["error: model.distiller.distill_losses.loss_kl: unknown keyword 'tua' "
      "for KLDivergence; did you mean 'tau'? (valid: tau, "]),
    ([KD_CFG, '--cfg-options', NO_TEACHER, 'train_cfg.max_epoch=3'],
     ["error: train_cfg: unknown keyword 'max_epoch' for "
      "EpochBasedTrainLoop; did you mean 'max_epochs'?"]),
    ([STUDENT_CFG, '--cfg-options', 'train_dataloader.batchsize=3'],
     ["error: train_dataloader: unknown keyword 'batchsize' for DataLoader; "
      "did you mean 'batch_size'?"]),
    ([STUDENT_CFG, '--cfg-options', 'optim_wrapper.optimizer.lr=-1'],
     ['error: building SGD (optim_wrapper.optimizer): Invalid learning rate: '
      '-1']),
    ([KD_CFG, '--cfg-options', 'model.teacher_ckpt={root}/text.pth'],
     ['error: ', '{root}/text.pth']),
    ([KD_CFG, '--cfg-options', 'model.teacher_ckpt={root}/truncated.pth'],
     ['error: ', '{root}/truncated.pth']),
    ([KD_CFG, '--cfg-options', 'model.teacher_ckpt={root}/empty.pth'],
     ['error: ', '{root}/empty.pth']),
    ([STUDENT_CFG, '--resume', '{root}/text.pth'],
     ['error: ', '{root}/text.pth']),
    ([STUDENT_CFG, '--resume', '{root}/none.pth'],
     ['error: --resume: checkpoint file not found: {root}/none.pth']),
])
def test_train_errors_are_one_line(argv, expected, files, tmp_path):
    assert_errors_of(TRAIN, argv, expected, files, tmp_path / 'work')


@pytest.mark.parametrize('argv, expected', [
    (['configs/demo/missing.py', '{root}/good.pth'],
     ['error: config file not found: configs/demo/missing.py']),
    (['configs/_base_/schedules/datafree_fast.py', '{root}/good.pth'],
     ["error: configs/_base_/schedules/datafree_fast.py: the config has no "
      "'model'"]),
    ([STUDENT_CFG, '{root}/none.pth'],
     ['error: checkpoint file not found: {root}/none.pth']),
    ([STUDENT_CFG, '{root}/text.pth'], ['error: ', '{root}/text.pth']),
    ([STUDENT_CFG, '{root}/truncated.pth'],
     ['error: ', '{root}/truncated.pth']),
    (['{root}/syntax.py', '{root}/good.pth'],
     ['error: {root}/syntax.py:2: syntax error']),
    ([STUDENT_CFG, '{root}/good.pth', '--cfg-options', 'test_datalaoder.x=1'],
     ["'test_datalaoder' is not a key of the config; did you mean "
      "'test_dataloader'?"]),
])
def test_test_tool_errors_are_one_line(argv, expected, files, tmp_path):
    assert_errors_of(TEST, argv, expected, files, tmp_path / 'work')


@pytest.mark.parametrize('name, expected', [
    ('text.pth', '{root}/text.pth'),
    ('truncated.pth', '{root}/truncated.pth'),
    ('tensor.pth', '{root}/tensor.pth: not a checkpoint'),
    ('good.pth', '{root}/good.pth: no student found'),
])
def test_extract_errors_are_one_line(name, expected, files, tmp_path):
    message = error_of(EXTRACT, files / name, tmp_path / 'out.pth')
    assert expected.format(root=files) in message, message


def test_kd_heads_with_different_num_classes(tmp_path):
    """Was: RuntimeError: The size of tensor a (12) must match the size of
    tensor b (10) at the first step."""
    message = error_of(TRAIN, KD_CFG, '--work-dir', tmp_path / 'w',
                       '--cfg-options', NO_TEACHER, *TINY,
                       'model.teacher.head.num_classes=12')
    assert message == (
        'error: model.teacher.head.num_classes (12) != '
        "model.architecture.head.num_classes (10): the distill loss 'loss_kl' "
        "compares the teacher's and the student's head outputs, which need "
        'the same number of classes')
    # a feature-only loss between heads of different sizes is not refused
    from kd_plugins.cli.config_checks import check_distill_heads
    from kd_plugins.cli.config_loading import load_config
    cfg = load_config(KD_CFG, {
        'model.teacher.head.num_classes': 12,
        'model.distiller.teacher_recorders.fc.source': 'neck.gap'})
    check_distill_heads(cfg)


def test_launcher_pytorch_without_torchrun(monkeypatch, tmp_path):
    """Was: ValueError: Error initializing torch.distributed using env://
    rendezvous: environment variable RANK expected, but not set."""
    for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('MASTER_PORT', '29500')
    message = error_of(TRAIN, STUDENT_CFG, '--launcher', 'pytorch',
                       '--work-dir', tmp_path / 'w')
    assert message.startswith(
        'error: --launcher pytorch needs the environment torchrun sets '
        '(RANK, WORLD_SIZE, MASTER_ADDR not set): start it with '
        "'bash tools/dist_train.sh CONFIG NUM_PROCS'"), message
    assert not torch.distributed.is_initialized()


_HOLD_LOCK = '''
import sys, time
from kd_plugins.cli.work_dir_lock import work_dir_lock
with work_dir_lock(sys.argv[1]):
    print('locked', flush=True)
    time.sleep(120)
'''


def test_second_run_on_the_same_work_dir_is_refused(tmp_path):
    """Was: both runs trained and wrote the same checkpoints. A run that
    holds the work dir (here a process holding its lock) makes a second one
    stop naming its pid; once that process is gone, its lock file is
    ignored."""
    work_dir = tmp_path / 'w'
    holder = subprocess.Popen([sys.executable, '-c', _HOLD_LOCK,
                               str(work_dir)], stdout=subprocess.PIPE,
                              env=tool_env(), text=True)
    try:
        for line in holder.stdout:  # after kd_plugins' import log line
            if line.strip() == 'locked':
                break
        assert holder.poll() is None, 'the lock holder ended'
        message = error_of(TRAIN, STUDENT_CFG, '--work-dir', work_dir,
                           '--cfg-options', *TINY)
        assert message == (
            f'error: work dir {work_dir} is in use by another training run '
            f'(pid {holder.pid}, lock {work_dir}/.train.lock); wait for it '
            'to end or pass another --work-dir')
    finally:
        holder.kill()
        holder.wait()
    from kd_plugins.cli.work_dir_lock import work_dir_lock
    with work_dir_lock(str(work_dir)):  # stale lock file: taken
        assert (work_dir / '.train.lock').read_text() == f'{os.getpid()}\n'
    with work_dir_lock(str(work_dir)):  # and released after the block
        pass


def test_bare_resume_on_an_empty_work_dir_says_so(tmp_path, capsys):
    """Was: ``Auto resumed from the latest checkpoint None`` and training
    from scratch without a word."""
    work_dir = tmp_path / 'w'
    TRAIN.main([STUDENT_CFG, '--work-dir', str(work_dir), '--resume',
                '--cfg-options', *TINY])
    out = capsys.readouterr()
    text = out.out + out.err
    line = f'no checkpoint to resume in {work_dir}: training from scratch'
    assert text.count(line) == 1, text[-3000:]
    assert 'Auto resumed from the latest checkpoint None' not in text
    assert (work_dir / 'epoch_1.pth').is_file()


def test_read_only_work_dir(monkeypatch, tmp_path):
    work_dir = tmp_path / 'read_only'
    real_makedirs = os.makedirs

    def makedirs(name, *args, **kwargs):
        if str(name).startswith(str(work_dir)):
            raise PermissionError(errno.EACCES, 'Permission denied', name)
        return real_makedirs(name, *args, **kwargs)

    monkeypatch.setattr(os, 'makedirs', makedirs)
    message = error_of(TRAIN, STUDENT_CFG, '--work-dir', work_dir)
    assert message == (f'error: cannot write to the work dir {work_dir}: '
                       f'Permission denied ({work_dir})')


def test_work_dir_below_a_file(tmp_path):
    (tmp_path / 'file').write_text('')
    message = error_of(TRAIN, STUDENT_CFG, '--work-dir', tmp_path / 'file/w')
    assert message.startswith(f'error: cannot write to the work dir '
                              f'{tmp_path}/file/w: ')


@pytest.mark.skipif(not os.path.exists('/dev/full'), reason='no /dev/full')
def test_full_disk_while_saving_a_checkpoint():
    try:
        torch.save({'w': torch.zeros(1 << 16)}, '/dev/full')
    except Exception as exc:  # the real ENOSPC path of torch.save
        message = describe_error(exc)
    else:
        pytest.skip('/dev/full accepted the write')
    assert message.startswith('cannot write /dev/full: ')
    assert 'disk full' in message
    full = OSError(errno.ENOSPC, 'No space left on device', 'w/log.txt')
    assert describe_error(full) == ('no space left writing w/log.txt '
                                    '(No space left on device)')
    # a file-size limit (what the atomic-save test simulates) reads the same
    big = OSError(errno.EFBIG, 'File too large', 'w/epoch_2.pth.tmp')
    assert describe_error(big) == ('no space left writing w/epoch_2.pth.tmp '
                                   '(File too large)')


def test_only_user_errors_become_one_line():
    """A ValueError/KeyError outside config loading and building (a bug in
    a training step, say) keeps its traceback; UserInputError never does."""

    def training_step():
        raise ValueError('shapes do not match')

    with pytest.raises(ValueError):
        run_cli(lambda argv, state: training_step(), [])
    assert describe_error(KeyError('x')) is None
    assert describe_error(OSError(errno.EACCES, 'denied', '/etc/x')) is None
    assert describe_error(UserInputError('bad\nvalue')) == 'bad value'

    from mmengine.registry import MODELS

    def build_step():
        MODELS.build(dict(type='mmrazor.KLDivergence', tau=1, bogus=2))

    with pytest.raises(SystemExit) as info:
        run_cli(lambda argv, state: build_step(), [])
    assert info.value.code.startswith("error: unknown keyword 'bogus' for "
                                      'KLDivergence')


@pytest.mark.e2e
def test_subprocess_exit_code_stderr_and_debug(files, tmp_path):
    """Real processes: exit code 1, stderr is exactly the error line; with
    --debug the traceback comes first."""
    cases = [
        ('train.py', TEKAP_CFG, '--cfg-options', NO_TEACHER,
         'model.distiller.distill_losses.loss_tekap.type=TeKAPLogitLoss',
         '--work-dir', tmp_path / 'w'),
        ('test.py', STUDENT_CFG, files / 'truncated.pth', '--work-dir',
         tmp_path / 'w'),
        ('extract_student.py', files / 'text.pth', tmp_path / 'o.pth'),
    ]
    expected = ["did you mean 'TeKAPLogitsLoss'?",
                str(files / 'truncated.pth'), str(files / 'text.pth')]
    for (script, *args), part in zip(cases, expected):
        proc = run_tool(script, *args)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert len(lines) == 1 and lines[0].startswith('error: '), lines
        assert part in lines[0]
    proc = run_tool(*cases[2], '--debug')
    assert proc.returncode == 1
    assert 'Traceback' in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith('error: ')
