"""kd_plugins: knowledge-distillation methods for mmrazor on today's stack.

Importing the package applies :mod:`kd_plugins.compat` (before any OpenMMLab
model code is imported; one INFO line names the fixes it made) and registers
every component into the OpenMMLab registries. Configs load it with
``custom_imports=dict(imports=['kd_plugins'], allow_failed_imports=False)``.

A stack that does not need the compatibility layer (matching torchvision,
full mmcv, mmcls or a torch that mmrazor imports with) can switch it off:
``KD_PLUGINS_COMPAT=0`` in the environment before the import (see
:func:`kd_plugins.compat.enabled`).
"""
from .compat import apply as _apply_compat

_apply_compat()

from . import datasets, engine, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__', 'datasets', 'engine', 'models']
