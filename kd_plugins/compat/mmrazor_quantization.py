"""Fix "mmrazor-quantization": torch names mmrazor 1.0.0 imports.

What it fixes: mmrazor 1.0.0 imports quantization helpers that torch 2.x
renamed or removed, so ``import mmrazor.models`` fails with "torch>=1.13 is
not installed properly". The names are restored; mmrazor's quantization is
not made to work, distillation does not use it.

How it detects the need: each name is restored only where
``torch.ao.quantization`` lacks it (``fuser_method_mappings.reverse2``,
``reverse3``, ``reverse_sequential_wrapper2`` and three
``BackendPatternConfig`` setters).

When to delete: when the pinned mmrazor imports with the pinned torch
(``import mmrazor.models`` works with ``KD_PLUGINS_COMPAT=0``).
"""
import importlib

__all__ = ['NAME', 'fix']

NAME = 'mmrazor-quantization'
_PATTERN_SETTERS = ('_set_input_output_observed',
                    '_set_overwrite_output_observer',
                    '_set_overwrite_output_fake_quantize')


def _reverse_sequential_wrapper2(sequential):

    def fuser_method(is_qat, x1, x2):
        return sequential(x2, x1)

    return fuser_method


def fix() -> bool:
    """Restore the missing names; True when one was missing."""
    from torch.ao.quantization import fuser_method_mappings as fmm
    changed = False
    if not hasattr(fmm, 'reverse2'):
        fmm.reverse2 = fmm._reverse2
        changed = True
    if not hasattr(fmm, 'reverse3'):
        fmm.reverse3 = fmm._reverse3
        changed = True
    if not hasattr(fmm, 'reverse_sequential_wrapper2'):
        fmm.reverse_sequential_wrapper2 = _reverse_sequential_wrapper2
        changed = True
    # BackendConfig uses this submodule without importing it.
    importlib.import_module('torch.ao.quantization.backend_config.utils')
    from torch.ao.quantization.backend_config import BackendPatternConfig
    for name in _PATTERN_SETTERS:
        if not hasattr(BackendPatternConfig, name):
            setattr(BackendPatternConfig, name,
                    lambda self, *args, **kwargs: self)
            changed = True
    return changed
