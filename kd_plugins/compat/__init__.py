"""Compatibility layer for the OpenMMLab stack on torch 2.x.

The pinned stack (torch 2.13 CPU, torchvision 0.28, mmcv-lite 2.1.0,
mmpretrain 1.2.0, mmsegmentation 1.2.2, mmrazor 1.0.0, mmengine 0.10.7) does
not import or run as released. :func:`apply`, called when ``kd_plugins`` is
imported, makes these fixes once, each in its own module (whose docstring
says what it fixes, how it detects the need and when it can be deleted):

1. :mod:`~kd_plugins.compat.torchvision_ops` (``torchvision``),
2. :mod:`~kd_plugins.compat.mmcv_ops` (``mmcv.ops``),
3. :mod:`~kd_plugins.compat.mmrazor_quantization`
   (``mmrazor-quantization``),
4. :mod:`~kd_plugins.compat.checkpoint_allow_list`
   (``checkpoint-allow-list``),
5. :mod:`~kd_plugins.compat.mmcls_alias` with
   :mod:`~kd_plugins.compat.mmcls_configs` (``mmcls-alias``).

Every fix is idempotent and checks whether it is needed, so the layer is a
no-op on a stack that does not need it. :func:`apply` logs one INFO line
naming the fixes it made (``kd_plugins.compat: applied torchvision, ...``).
Setting ``KD_PLUGINS_COMPAT=0`` (or ``off``/``false``/``no``) before
``import kd_plugins`` switches the layer off: nothing is patched,
:func:`applied_fixes` is empty and the line says so.

This package is the only place in ``kd_plugins`` that changes attributes of
third-party modules, classes or objects (checked by
``tests/test_compat_scope.py``). Besides the fixes, other modules call
runtime helpers for gaps of the stack with no public API:
:func:`filter_every_mmlogger` (:mod:`~kd_plugins.compat.mmlogger_filters`),
:func:`translated_config_paths` (:mod:`~kd_plugins.compat.mmcls_configs`)
and :func:`set_sampler_seed` (:mod:`~kd_plugins.compat.sampler_seed`).
"""
import logging
import os
from typing import List, Optional

from . import (checkpoint_allow_list, mmcls_alias, mmcv_ops,
               mmrazor_quantization, torchvision_ops)
from .mmcls_configs import translated_config_paths
from .mmlogger_filters import filter_every_mmlogger
from .sampler_seed import set_sampler_seed

__all__ = [
    'apply', 'applied_fixes', 'enabled', 'filter_every_mmlogger',
    'set_sampler_seed', 'translated_config_paths', 'ENV_SWITCH', 'FIXES'
]

#: Environment variable that switches the layer off (``0``, ``off``,
#: ``false`` or ``no``, any case) when set before ``import kd_plugins``.
ENV_SWITCH = 'KD_PLUGINS_COMPAT'
_OFF_VALUES = ('0', 'off', 'false', 'no')

#: The fix modules, in the order :func:`apply` runs them. Each has ``NAME``
#: and ``fix() -> bool`` (True when it changed something).
FIXES = (torchvision_ops, mmcv_ops, mmrazor_quantization,
         checkpoint_allow_list, mmcls_alias)

_APPLIED: Optional[List[str]] = None


def enabled() -> bool:
    """False when :data:`ENV_SWITCH` switches the layer off."""
    value = os.environ.get(ENV_SWITCH, '1').strip().lower()
    return value not in _OFF_VALUES


def _log_once(message: str) -> None:
    """One INFO line on mmengine's current logger (rank 0 only)."""
    if os.environ.get('RANK', '0') not in ('', '0'):
        return  # torchrun: every process imports kd_plugins; one line
    from mmengine.logging import print_log
    print_log(message, logger='current', level=logging.INFO)


def apply() -> List[str]:
    """Apply every needed fix once (nothing when :func:`enabled` is False).

    Logs one INFO line naming the fixes applied (or that none was needed,
    or that the layer is switched off).

    Returns:
        List[str]: Names of the fixes that changed something, in order. A
        second call returns the first call's list without doing anything.
    """
    global _APPLIED
    if _APPLIED is not None:
        return _APPLIED
    if not enabled():
        _APPLIED = []
        _log_once(f'kd_plugins.compat: switched off ({ENV_SWITCH}='
                  f'{os.environ[ENV_SWITCH]}), no fix applied')
        return _APPLIED
    _APPLIED = [fix.NAME for fix in FIXES if fix.fix()]
    if _APPLIED:
        _log_once('kd_plugins.compat: applied ' + ', '.join(_APPLIED)
                  + f' ({ENV_SWITCH}=0 switches the layer off)')
    else:
        _log_once('kd_plugins.compat: no fix needed on this stack')
    return _APPLIED


def applied_fixes() -> List[str]:
    """Names of the fixes :func:`apply` made (empty before it ran)."""
    return list(_APPLIED or [])
