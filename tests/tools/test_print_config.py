"""tools/print_config.py prints the config the tools would train."""
import json

from _helpers import REPO_ROOT, run_tool
from mmengine.config import Config

CFG = 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'


def test_prints_the_resolved_config_with_overrides():
    proc = run_tool('print_config.py', CFG, '--format', 'json',
                    '--cfg-options', 'model.data_scale=500')
    assert proc.returncode == 0, proc.stderr[-2000:]
    printed = json.loads(proc.stdout[proc.stdout.index('{'):])
    assert printed['model']['data_scale'] == 500  # the override applied
    # bases merged: values from the data-free schedule and runtime bases
    cfg = Config.fromfile(str(REPO_ROOT / CFG))
    assert printed['train_cfg'] == cfg.train_cfg.to_dict()
    assert printed['model']['type'] == 'SSDKDDataFreeDistillation'
    assert printed['default_scope'] == 'mmpretrain'
    text = run_tool('print_config.py', CFG)
    assert text.returncode == 0 and "type='SSDKDDataFreeDistillation'" in \
        text.stdout and 'data_scale=144' in text.stdout


def test_bad_config_and_key_are_one_line():
    proc = run_tool('print_config.py', 'configs/nope.py')
    assert proc.returncode == 1
    assert proc.stderr.strip() == 'error: config file not found: ' \
        'configs/nope.py'
    proc = run_tool('print_config.py', CFG, '--cfg-options', 'nokey.x=1')
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
    assert 'nokey' in proc.stderr
