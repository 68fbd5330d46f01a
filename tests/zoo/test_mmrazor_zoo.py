"""mmrazor 1.0.0's own cls + seg distillation configs train on this stack.

The list is globbed from the installed mmrazor wheel; the runner
(``tests/_helpers/mmrazor_zoo.py``, one subprocess for all configs) writes tiny
fake data in each dataset's layout and trains each config 2 iterations with
random teacher weights. The per-config table is printed.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _helpers import mmrazor_zoo, run_tool, tool_env, write_imagenet

pytestmark = pytest.mark.e2e
KD = 'distill/mmcls/kd/kd_logits_resnet34_resnet18_8xb32_in1k.py'


def test_every_mmrazor_distill_config_trains_two_iterations(capsys):
    configs = mmrazor_zoo.zoo_configs()
    assert len(configs) == 20  # mmrazor 1.0.0: 19 mmcls + 1 mmseg
    proc = subprocess.run([sys.executable, '-m', '_helpers.mmrazor_zoo'],
                          env=tool_env(),
                          capture_output=True, text=True, timeout=900)
    rows = [
        line for line in proc.stdout.splitlines()
        if line.split(' ', 1)[0] in ('PASS', 'SKIP', 'FAIL', 'SUMMARY')
    ]
    with capsys.disabled():
        print('\nmmrazor 1.0.0 distillation configs, 2 iterations each:')
        print('\n'.join(rows))
    summary = re.search(r'SUMMARY pass=(\d+) skip=(\d+) fail=(\d+) '
                        r'total=(\d+)', proc.stdout)
    assert summary, proc.stderr[-3000:]
    passed, skipped, failed, total = map(int, summary.groups())
    assert failed == 0, '\n'.join(r for r in rows if r.startswith('FAIL'))
    assert total == len(configs) and passed + skipped == total
    skips = [r for r in rows if r.startswith('SKIP')]
    assert len(skips) == skipped == len(mmrazor_zoo.SKIPS)
    assert all(': ' in r and len(r.split(': ', 1)[1]) > 20 for r in skips)
    assert proc.returncode == 0


def _fake_imagenet_options(tmp_path):
    write_imagenet(str(tmp_path / 'imagenet'))
    return [
        '--no-validate', '--work-dir', str(tmp_path / 'work'),
        '--cfg-options', f'train_dataloader.dataset.data_root={tmp_path}/'
        'imagenet', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', 'model.teacher_ckpt=None',
        'train_cfg.max_epochs=1', 'default_hooks.checkpoint.interval=100',
        'default_hooks.checkpoint.save_last=False'
    ]


def test_train_tool_runs_an_mmrazor_config_by_package_path(tmp_path):
    proc = run_tool('train.py', f'mmrazor::{KD}',
                    *_fake_imagenet_options(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    assert 'written for mmcls; loaded it with mmpretrain' in output
    assert 'Epoch(train) [1][2/2]' in output
    assert 'mmcls is not installed' not in output


def test_train_tool_runs_an_mmrazor_config_by_file_path(tmp_path):
    import mmrazor
    path = Path(mmrazor.__file__).parent / '.mim' / 'configs' / KD
    proc = run_tool('train.py', path, *_fake_imagenet_options(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'Epoch(train) [1][2/2]' in proc.stdout + proc.stderr
