"""tools/dist_train.sh with the AFD digits config: 2 gloo processes."""
import json
import os
import subprocess
import sys

import pytest
import torch
from _helpers import REPO_ROOT, free_port, tool_env

pytestmark = [pytest.mark.dist, pytest.mark.e2e]

CONFIG = """
_base_ = [{base!r}]
custom_imports = dict(imports=['kd_plugins', '_helpers.afd_dist_probe'],
                      allow_failed_imports=False)
custom_hooks = [
    dict(type='mmrazor.CyclicDistillHook'),
    dict(type='mmrazor.AFDRankDumpHook'),
]
"""


def test_dist_train_runs_the_own_train_step_and_ranks_agree(tmp_path):
    cfg = tmp_path / 'afd_probe.py'
    base = REPO_ROOT / 'configs' / 'afd' / 'afd_resnet8x2_digits.py'
    cfg.write_text(CONFIG.format(base=str(base)))
    env = tool_env(
        PYTHONPATH=os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / 'tests')]),
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
        PORT=str(free_port()))
    work_dir = tmp_path / 'work'
    proc = subprocess.run(
        ['bash', str(REPO_ROOT / 'tools' / 'dist_train.sh'), str(cfg), '2',
         '--work-dir', str(work_dir), '--cfg-options',
         'train_dataloader.dataset.indices=32',
         'train_dataloader.batch_size=8', 'val_dataloader.dataset.indices=16',
         'test_dataloader.dataset.indices=16', 'train_cfg.max_epochs=1',
         'default_hooks.logger.interval=1',
         'optim_wrapper.discriminators.optimizer.lr=0.01',
         'optim_wrapper.adversarial.optimizer.lr=0.01'],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r0 = torch.load(work_dir / 'rank0.pth', map_location='cpu')
    r1 = torch.load(work_dir / 'rank1.pth', map_location='cpu')
    assert r0['wrapper'] == r1['wrapper'] == 'DistributedAlgorithmWrapper'
    for key, value in r0['state'].items():
        assert torch.equal(value, r1['state'][key]), key
    assert sorted(r0['optimizer']) == [
        'adv0', 'adv1', 'discriminators', 'net0', 'net1'
    ]
    for name in r0['optimizer']:
        s0, s1 = r0['optimizer'][name]['state'], r1['optimizer'][name]['state']
        assert s0.keys() == s1.keys() and s0
        for idx in s0:
            for k, v in s0[idx].items():
                if torch.is_tensor(v):
                    assert torch.equal(v, s1[idx][k]), (name, idx, k)
    # 16 images per rank, batch 8: 2 iterations of the algorithm's own
    # train_step (the discriminator step only exists there)
    logs = [
        json.loads(line) for line in sorted(
            work_dir.glob('*/vis_data/scalars.json'))[-1].read_text(
            ).splitlines()
    ]
    assert [r['iter'] for r in logs if 'disc.loss' in r] == [1, 2]
