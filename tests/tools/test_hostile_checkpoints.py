"""Hostile checkpoints through every loading path of the tools (issue 9.1).

Two payloads (the ``getattr`` chain that reached ``eval`` through the old
allow-list, and a plain ``__reduce__``) are loaded as ``model.teacher_ckpt``
(mmrazor's SingleTeacherDistill and kd_plugins' SSD-KD), through
``--resume`` and ``load_from`` of ``tools/train.py``, by ``tools/test.py`` and
by ``tools/extract_student.py``. Nothing may run (the marker file stays
absent) and each tool stops with one line saying the file was refused.

To keep the suite short, one subprocess calls each tool's ``main(argv)`` in
turn (the tools' own code, as ``python tools/x.py`` runs it) and reports how
each call ended; one real command line checks the printed line and exit code.
"""
import json
import sys

import pytest

from _helpers import REPO_ROOT, run_tool, tool_env
from _payloads import write_getattr_chain, write_reduce_payload

pytestmark = pytest.mark.e2e

KD_CFG = 'configs/demo/kd_resnet20_resnet8_digits.py'
SSDKD_CFG = 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'
TEACHER_CFG = 'configs/demo/teacher_resnet20_digits.py'
STUDENT_CFG = 'configs/demo/student_resnet8_digits.py'
TINY = ['train_dataloader.dataset.indices=8', 'train_cfg.max_epochs=1']

DRIVER = r'''
import contextlib, importlib.util, io, json, sys, traceback
results = []
for name, tool, argv in json.loads(sys.argv[1]):
    spec = importlib.util.spec_from_file_location(name, tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            module.main(argv)
        results.append([name, 0, 'finished'])
    except SystemExit as e:
        results.append([name, 1 if isinstance(e.code, str) else e.code,
                        str(e.code)])
    except BaseException as e:
        results.append([name, 'exception',
                        ''.join(traceback.format_exception_only(e))])
print('RESULTS=' + json.dumps(results))
'''


def _cases(evil, tmp):
    train = str(REPO_ROOT / 'tools' / 'train.py')
    test = str(REPO_ROOT / 'tools' / 'test.py')
    extract = str(REPO_ROOT / 'tools' / 'extract_student.py')
    work = ['--work-dir', str(tmp / 'work')]
    return [
        ('teacher_ckpt SingleTeacherDistill', train,
         [KD_CFG, *work, '--cfg-options', *TINY,
          f'model.teacher_ckpt={evil}']),
        ('teacher_ckpt SSD-KD', train,
         [SSDKD_CFG, *work, '--cfg-options', f'model.teacher_ckpt={evil}']),
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
    import subprocess
    marker = tmp_path / 'pwned'
    evil = str(tmp_path / 'evil.pth')
    write(evil, marker)
    cases = _cases(evil, tmp_path)
    proc = subprocess.run(
        [sys.executable, '-c', DRIVER, json.dumps(cases)], cwd=REPO_ROOT,
        env=tool_env(), capture_output=True, text=True, timeout=600)
    assert not marker.exists(), 'the checkpoint ran code'
    line = [s for s in proc.stdout.splitlines() if s.startswith('RESULTS=')]
    assert line, proc.stderr[-3000:]
    results = json.loads(line[0][len('RESULTS='):])
    assert [r[0] for r in results] == [c[0] for c in cases]
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
