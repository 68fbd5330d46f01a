"""The compatibility layer: needed, sufficient, idempotent, order-agnostic."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from _helpers import tool_env

import kd_plugins
from kd_plugins import compat


class Arbitrary:
    """A class no allow-list knows."""


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          env=tool_env(), capture_output=True, text=True,
                          timeout=180)


def test_stack_is_broken_without_the_layer():
    """Guards the premise: if upstream fixes this, the layer can shrink."""
    proc = run_python('import mmrazor.models')
    assert proc.returncode != 0
    assert 'torch>=1.13' in proc.stderr


@pytest.mark.parametrize('order', [
    'import kd_plugins, mmrazor.models, mmseg.models, mmpretrain.models',
    'import mmengine, mmcv, mmpretrain, mmseg, mmrazor, kd_plugins; '
    'import mmseg.models, mmpretrain.models, mmrazor.models',
])
def test_every_package_imports_whatever_the_order(order):
    proc = run_python(f"""
        {order}
        import torchvision.transforms.functional as F
        from mmcv.ops import point_sample
        try:
            from mmcv.ops import nms
        except ModuleNotFoundError as e:
            print('missing op:', e.name)
        from mmrazor.registry import MODELS
        import mmrazor.engine
        print('distill:', MODELS.get('SingleTeacherDistill').__name__)
        print('fixes:', kd_plugins.compat.applied_fixes())
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'missing op: mmcv.ops.nms' in proc.stdout
    assert 'distill: SingleTeacherDistill' in proc.stdout
    assert "fixes: ['torchvision', 'mmcv.ops', 'mmrazor-quantization', " \
        "'checkpoint-allow-list', 'mmcls-alias']" in proc.stdout
    # one INFO line (mmengine's logger, stdout) names the fixes; stderr,
    # where the tools print their one ``error:`` line, stays clean
    lines = [line for line in proc.stdout.splitlines()
             if 'kd_plugins.compat' in line]
    assert len(lines) == 1, proc.stdout
    assert 'INFO' in lines[0] and lines[0].endswith(
        ' - kd_plugins.compat: applied torchvision, mmcv.ops, '
        'mmrazor-quantization, checkpoint-allow-list, mmcls-alias '
        '(KD_PLUGINS_COMPAT=0 switches the layer off)'), lines
    assert 'kd_plugins.compat' not in proc.stderr


def test_apply_is_idempotent():
    first = compat.applied_fixes()
    assert compat.apply() == first
    assert compat.apply() is compat.apply()
    assert kd_plugins.__version__


def test_checkpoints_load_with_weights_only_and_stay_safe(tmp_path):
    from mmengine.logging import HistoryBuffer
    buffer = HistoryBuffer()
    buffer.update(np.float64(0.5))
    path = tmp_path / 'ckpt.pth'
    torch.save({'state_dict': {'w': torch.ones(2)},
                'message_hub': {'log_scalars': {'loss': buffer},
                                'seed': np.int64(3)}}, path)
    loaded = torch.load(path)  # torch>=2.6 default: weights_only=True
    assert loaded['message_hub']['log_scalars']['loss'].current() == 0.5
    assert int(loaded['message_hub']['seed']) == 3

    torch.save({'obj': Arbitrary()}, tmp_path / 'unsafe.pth')
    with pytest.raises(Exception, match='weights_only|Unsupported global'):
        torch.load(tmp_path / 'unsafe.pth')
    import os
    assert 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD' not in os.environ
