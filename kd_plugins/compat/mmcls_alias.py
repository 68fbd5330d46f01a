"""Fix "mmcls-alias", imports: mmrazor's ``mmcls`` imports served by
mmpretrain.

What it fixes: mmrazor 1.0.0 imports mmcls (renamed mmpretrain; the two
cannot be installed together), so e.g. ``KDSoftCELoss``, ``PackCRDClsInputs``
and ``DeiTClsHead`` get placeholders and fail on first use. ``mmcls.models``,
``mmcls.datasets``, ``mmcls.structures`` and ``mmcls.evaluation`` (and their
submodules) are served from mmpretrain's modules of the same path, with the
renamed classes of :data:`~kd_plugins.compat.mmcls_configs.MMCLS_TYPE_RENAMES`.
Nothing else of mmcls exists (``mmcls.registry``, ``mmcls.utils``, names
mmpretrain dropped): those imports still fail, and mmengine still reports
mmcls as not installed. ``mmengine.hub.get_config`` (which mmrazor uses for
``cfg_path`` models) translates mmcls configs
(:mod:`kd_plugins.compat.mmcls_configs`).

How it detects the need: mmcls cannot be found, mmpretrain can, and the alias
finder is not on ``sys.meta_path`` yet.

When to delete: when the pinned mmrazor imports mmpretrain instead of mmcls.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

from .mmcls_configs import (MMCLS_TYPE_RENAMES, mmcls_bases_as_mmpretrain,
                            translate_config_path, translate_mmcls_config)

__all__ = ['NAME', 'needed', 'fix']

NAME = 'mmcls-alias'
_MMCLS_SUBPACKAGES = ('models', 'datasets', 'structures', 'evaluation')


class _MmclsAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``mmcls[.models|.datasets|.structures|.evaluation[...]]`` as
    views of the mmpretrain modules with the same path."""

    def find_spec(self, fullname, path=None, target=None):
        parts = fullname.split('.')
        if parts[0] != 'mmcls' or (len(parts) > 1
                                   and parts[1] not in _MMCLS_SUBPACKAGES):
            return None
        target_name = '.'.join(['mmpretrain'] + parts[1:])
        if len(parts) > 1 and importlib.util.find_spec(target_name) is None:
            return None
        # origin=None: mmengine's is_installed('mmcls') stays False.
        return importlib.machinery.ModuleSpec(
            fullname, self, origin=None, is_package=True)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        target = None
        if name != 'mmcls':
            target = importlib.import_module('mmpretrain' + name[5:])

        def __getattr__(attr):
            if target is None or attr.startswith('__'):
                raise AttributeError(f'module {name!r} has no attribute '
                                     f'{attr!r} (kd_plugins mmcls alias)')
            return getattr(target, MMCLS_TYPE_RENAMES.get(attr, attr))

        module.__getattr__ = __getattr__
        module.__path__ = []
        module.__doc__ = (f'kd_plugins alias of mmpretrain{name[5:]} '
                          '(mmcls is not installed).')


def needed() -> bool:
    """True when mmcls is missing, mmpretrain present, alias not yet set."""
    if any(isinstance(f, _MmclsAliasFinder) for f in sys.meta_path):
        return False
    return (importlib.util.find_spec('mmcls') is None
            and importlib.util.find_spec('mmpretrain') is not None)


def _translate_hub_configs() -> None:
    """mmrazor builds ``cfg_path`` models with ``mmengine.hub.get_config``;
    route it through the mmcls -> mmpretrain config translation (e.g.
    ``mmrazor::vanilla/mmcls/...`` inherits ``mmcls::`` bases)."""
    from mmengine.hub import hub
    if getattr(hub.get_config, '_kd_plugins_mmcls', False):
        return
    original = hub.get_config

    def get_config(cfg_path: str, pretrained: bool = False):
        cfg_path = translate_config_path(cfg_path)
        with mmcls_bases_as_mmpretrain():
            cfg = original(cfg_path, pretrained)
        translate_mmcls_config(cfg)
        return cfg

    get_config._kd_plugins_mmcls = True
    hub.get_config = get_config  # used by hub.get_model
    mmengine_hub = sys.modules['mmengine.hub']
    if mmengine_hub.get_config is original:
        mmengine_hub.get_config = get_config


def fix() -> bool:
    """Install the alias finder and the hub translation; True when it did."""
    if not needed():
        return False
    sys.meta_path.append(_MmclsAliasFinder())
    _translate_hub_configs()
    return True
