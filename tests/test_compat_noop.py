"""kd_plugins.compat's promise: every fix is a no-op on a stack that does not
need it.

A "fixed" stack is simulated in a fresh interpreter before kd_plugins is
imported: torchvision's ops defined (as a matching torchvision does), a
compiled ``mmcv._ext`` present (full mmcv), the torch quantization names
mmrazor wants present and an installed ``mmcls`` package. The checkpoint
allow-list is needed by every torch >= 2.6 (weights-only ``torch.load``), so
its no-op case (a torch without ``add_safe_globals``) is checked directly.
"""
import subprocess
import sys
import textwrap

from _helpers import tool_env

FIXED_STACK = """
import sys, types, torch
# 1. a torchvision whose ops torch accepts
lib = torch.library.Library('torchvision', 'DEF')
for op in ('nms', 'qnms'):
    lib.define(f'{op}(Tensor dets, Tensor scores, float iou_threshold)'
               ' -> Tensor')
# 2. full mmcv: compiled ops importable (every kernel symbol present)
ext = types.ModuleType('mmcv._ext')
def _kernel(name):
    if name.startswith('__'):
        raise AttributeError(name)
    return lambda *args, **kwargs: None
ext.__getattr__ = _kernel
sys.modules['mmcv._ext'] = ext
# 3. torch with the names mmrazor 1.0.0 imports
from torch.ao.quantization import fuser_method_mappings as fmm
fmm.reverse2 = fmm._reverse2
fmm.reverse3 = fmm._reverse3
fmm.reverse_sequential_wrapper2 = lambda sequential: sequential
import torch.ao.quantization.backend_config.utils
from torch.ao.quantization.backend_config import BackendPatternConfig
for name in ('_set_input_output_observed', '_set_overwrite_output_observer',
             '_set_overwrite_output_fake_quantize'):
    setattr(BackendPatternConfig, name, lambda self, *a, **k: self)
"""


SWITCHED_OFF_PROBE = """
import kd_plugins, torch
from kd_plugins import compat
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader
print('applied:', compat.applied_fixes(), compat.apply())
print('allow-listed:', HistoryBuffer in torch.serialization.get_safe_globals())
print('loader:', CheckpointLoader._schemes[''].__module__)
"""


def run(code: str, tmp_path=None,
        **extra: str) -> subprocess.CompletedProcess:
    env = tool_env(**extra)
    if tmp_path is not None:
        # 4. an installed mmcls (a package on the path)
        (tmp_path / 'mmcls').mkdir()
        (tmp_path / 'mmcls' / '__init__.py').write_text('')
        env['PYTHONPATH'] = f"{env['PYTHONPATH']}:{tmp_path}"
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          env=env, capture_output=True, text=True,
                          timeout=180)


def test_no_fix_applies_on_a_fixed_stack(tmp_path):
    proc = run(FIXED_STACK + """
import kd_plugins
from kd_plugins import compat
print('applied:', compat.applied_fixes())
print('mmcv.ops stand-in:', 'kd_plugins' in str(
    getattr(sys.modules.get('mmcv.ops'), '__doc__', '')))
print('alias finder:', any(type(f).__name__ == '_MmclsAliasFinder'
                           for f in sys.meta_path))
import mmcls
print('mmcls from:', mmcls.__file__)
""" + SWITCHED_OFF_PROBE, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "applied: ['checkpoint-allow-list']" in proc.stdout
    assert ('kd_plugins.compat: applied checkpoint-allow-list '
            '(KD_PLUGINS_COMPAT=0 switches the layer off)') in proc.stdout
    assert 'mmcv.ops stand-in: False' in proc.stdout
    assert 'alias finder: False' in proc.stdout
    assert f'mmcls from: {tmp_path}' in proc.stdout
    assert 'allow-listed: True' in proc.stdout
    assert 'loader: kd_plugins.compat' in proc.stdout


def test_control_every_fix_applies_on_this_stack():
    """The same run without the simulation applies all five fixes."""
    proc = run("""
from kd_plugins import compat
print('applied:', compat.applied_fixes())
""")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert ("applied: ['torchvision', 'mmcv.ops', 'mmrazor-quantization', "
            "'checkpoint-allow-list', 'mmcls-alias']") in proc.stdout


def test_allow_list_is_a_noop_without_add_safe_globals(monkeypatch):
    import torch

    from kd_plugins.compat import checkpoint_allow_list
    assert checkpoint_allow_list.fix() is True
    monkeypatch.delattr(torch.serialization, 'add_safe_globals')
    assert checkpoint_allow_list.fix() is False


def test_mmcls_alias_is_not_installed_twice():
    from kd_plugins import compat
    from kd_plugins.compat import mmcls_alias
    assert 'mmcls-alias' in compat.applied_fixes()
    assert mmcls_alias.needed() is False
    assert mmcls_alias.fix() is False
    assert sum(type(f).__name__ == '_MmclsAliasFinder'
               for f in sys.meta_path) == 1


def test_switched_off_layer_changes_nothing(tmp_path):
    """KD_PLUGINS_COMPAT=0: on a stack that needs no fix kd_plugins imports
    and nothing is patched, not even the checkpoint allow-list."""
    proc = run(FIXED_STACK + SWITCHED_OFF_PROBE, tmp_path,
               KD_PLUGINS_COMPAT='0')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'applied: [] []' in proc.stdout
    assert 'allow-listed: False' in proc.stdout
    assert 'loader: mmengine.runner.checkpoint' in proc.stdout
    lines = [line for line in proc.stdout.splitlines()
             if 'kd_plugins.compat' in line]
    assert len(lines) == 1 and lines[0].endswith(
        'kd_plugins.compat: switched off (KD_PLUGINS_COMPAT=0), no fix '
        'applied'), lines
    # the control (layer on) is test_no_fix_applies_on_a_fixed_stack


def test_switched_off_layer_leaves_this_stack_broken():
    """On the pinned stack the switch really removes the fixes."""
    proc = run('import kd_plugins', KD_PLUGINS_COMPAT='off')
    assert proc.returncode != 0
    # the first break fix 1 repairs (mmpretrain imports torchvision)
    assert 'operator torchvision::nms does not exist' in proc.stderr
    assert 'kd_plugins.compat: switched off (KD_PLUGINS_COMPAT=off)' \
        in proc.stdout
