"""Compatibility layer for the OpenMMLab stack on torch 2.x.

The pinned stack (torch 2.13 CPU, torchvision 0.28, mmcv-lite 2.1.0,
mmpretrain 1.2.0, mmsegmentation 1.2.2, mmrazor 1.0.0, mmengine 0.10.7) does
not import or run as released. :func:`apply` fixes the four known breaks, once,
and is called when ``kd_plugins`` is imported:

1. ``torchvision``: PyPI's wheel is built against CUDA torch. Its ``_C``
   library cannot load beside the CPU build of torch, and ``torchvision``
   then fails at import with ``operator torchvision::nms does not exist``.
   Defining the two op schemas first lets its pure-Python parts
   (transforms, box helpers) work. Compiled ops keep raising when called.
2. ``mmcv.ops`` under mmcv-lite: mmseg imports ``point_sample`` at module
   level. We provide a ``mmcv.ops`` package holding mmcv's own pure-PyTorch
   ``point_sample``; any other op raises ``ModuleNotFoundError`` as if absent,
   which mmseg already tolerates.
3. mmrazor 1.0.0 imports quantization helpers that torch 2.x renamed or
   removed, so ``import mmrazor.models`` fails with "torch>=1.13 is not
   installed properly". The names are restored; mmrazor's quantization is not
   made to work, distillation does not use it.
4. ``torch.load`` defaults to ``weights_only=True`` since torch 2.6, and
   mmengine checkpoints (message hub history, numpy scalars) cannot be read.
   The exact types mmengine stores are allow-listed; ``weights_only`` stays on.
   ``getattr`` is allow-listed only as a stand-in limited to HistoryBuffer's
   statistics methods (the real one would let a file run ``eval``), and
   mmengine's local checkpoint loader is routed through
   :func:`kd_plugins.utils.checkpoint.load_checkpoint_file`, which turns
   unsafe, corrupt or truncated files into a one-line ``CheckpointError``.
5. mmrazor 1.0.0 imports mmcls (renamed mmpretrain; the two cannot be
   installed together), so e.g. ``KDSoftCELoss``, ``PackCRDClsInputs`` and
   ``DeiTClsHead`` get placeholders and fail on first use. When mmcls is
   absent and mmpretrain present, ``mmcls.models``, ``mmcls.datasets``,
   ``mmcls.structures`` and ``mmcls.evaluation`` (and their submodules) are
   served from mmpretrain's modules of the same path, with the renamed
   classes of :data:`kd_plugins.utils.mmcls_compat.MMCLS_TYPE_RENAMES`.
   Nothing else of mmcls exists (``mmcls.registry``, ``mmcls.utils``,
   ``mmcls.apis``, names mmpretrain dropped): those imports still fail, and
   mmengine still reports mmcls as not installed. ``mmengine.hub.get_config``
   (which mmrazor uses for ``cfg_path`` models) translates mmcls configs; a
   top-level config is translated by
   :func:`kd_plugins.utils.mmcls_compat.load_config`.

Every step is idempotent and checks whether it is needed, so the layer is a
no-op on a stack that does not need it (full mmcv, a matching torchvision,
mmcls installed). :func:`apply` logs one INFO line naming the fixes it made
(``kd_plugins.compat: applied torchvision, mmcv.ops, ...``). Setting the
environment variable ``KD_PLUGINS_COMPAT=0`` (or ``off``/``false``/``no``)
before ``import kd_plugins`` switches the whole layer off: nothing is
patched, :func:`applied_fixes` is empty and the line says so.

Runtime patches. This module is the only one in ``kd_plugins`` that changes
attributes of third-party modules, classes or objects (checked by
``tests/test_compat_scope.py``). Besides the fixes above, other modules call
these, each for a gap of the stack with no public API:

* :func:`filter_every_mmlogger`: a logging filter on every mmengine
  ``MMLogger``, also those created later (the runner builds its own and
  takes no filter); used by :func:`kd_plugins.utils.silence_known_noise`.
* :func:`translated_config_paths`: while active, ``package::path`` config
  bases go through a translation (``mmcls::`` -> ``mmpretrain::``, fix 5);
  mmengine resolves ``_base_`` entries in a private static method.
* :func:`set_sampler_seed`: a resumed run's train sampler gets the
  checkpoint's seed; mmengine's resume restores the runner's seed only, the
  sampler was built before (used by ``RandomStateHook``).
"""
import contextlib
import glob
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import os
import pickle
import sys
import types
import warnings
from typing import Callable, Iterator, List, Optional

import torch

__all__ = [
    'apply', 'applied_fixes', 'enabled', 'filter_every_mmlogger',
    'set_sampler_seed', 'translated_config_paths', 'ENV_SWITCH'
]

#: Environment variable that switches the layer off (``0``, ``off``,
#: ``false`` or ``no``, any case) when set before ``import kd_plugins``.
ENV_SWITCH = 'KD_PLUGINS_COMPAT'
_OFF_VALUES = ('0', 'off', 'false', 'no')

_APPLIED: Optional[List[str]] = None
# The torchvision op definitions vanish when the Library object is freed.
_TV_LIBRARY = None


def _torchvision_needs_fix() -> bool:
    """Whether torchvision is installed with a ``_C`` library torch rejects."""
    if 'torchvision' in sys.modules:
        return False  # already imported (so it worked, or it is too late)
    spec = importlib.util.find_spec('torchvision')
    if spec is None or spec.origin is None:
        return False
    libs = glob.glob(os.path.join(os.path.dirname(spec.origin), '_C*.so'))
    if not libs:
        return True
    try:
        torch.ops.load_library(libs[0])
    except OSError:
        return True
    return False


def _fix_torchvision() -> bool:
    global _TV_LIBRARY
    if not _torchvision_needs_fix():
        return False
    try:
        torch.ops.torchvision.nms.default
        return False  # defined by an earlier copy of this layer
    except (AttributeError, RuntimeError):
        pass
    _TV_LIBRARY = torch.library.Library('torchvision', 'DEF')
    _TV_LIBRARY.define(
        'nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    _TV_LIBRARY.define(
        'qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    return True


def _fix_mmcv_ops() -> bool:
    if 'mmcv.ops' in sys.modules:
        return False
    try:
        import mmcv
    except ImportError:
        return False
    try:
        importlib.import_module('mmcv._ext')
        return False  # full mmcv: real compiled ops
    except ImportError:
        pass
    sys.modules.pop('mmcv.ops', None)
    path = os.path.join(os.path.dirname(mmcv.__file__), 'ops',
                        'point_sample.py')
    spec = importlib.util.spec_from_file_location('mmcv.ops.point_sample',
                                                  path)
    point_sample = importlib.util.module_from_spec(spec)
    sys.modules['mmcv.ops.point_sample'] = point_sample
    spec.loader.exec_module(point_sample)

    ops = types.ModuleType('mmcv.ops', 'mmcv-lite stand-in (kd_plugins).')
    ops.__path__ = []
    ops.point_sample = point_sample.point_sample
    ops.bilinear_grid_sample = point_sample.bilinear_grid_sample
    ops.SimpleRoIAlign = point_sample.SimpleRoIAlign

    def _missing(name: str):
        # mmseg guards optional ops with ``except ModuleNotFoundError``.
        return ModuleNotFoundError(
            f'mmcv.ops.{name} needs compiled mmcv ops; mmcv-lite has none',
            name=f'mmcv.ops.{name}')

    def sigmoid_focal_loss(*args, **kwargs):
        raise _missing('sigmoid_focal_loss')

    def __getattr__(name: str):
        if name.startswith('__'):
            raise AttributeError(name)
        raise _missing(name)

    ops.sigmoid_focal_loss = sigmoid_focal_loss
    ops.__getattr__ = __getattr__
    sys.modules['mmcv.ops'] = ops
    mmcv.ops = ops
    # mmcv's transformer bricks warn on every import that mmcv-lite lacks
    # this op; with mmcv-lite that is expected, not news.
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
    return True


def _fix_mmrazor_quantization() -> bool:
    from torch.ao.quantization import fuser_method_mappings as fmm
    changed = False
    if not hasattr(fmm, 'reverse2'):
        fmm.reverse2 = fmm._reverse2
        changed = True
    if not hasattr(fmm, 'reverse3'):
        fmm.reverse3 = fmm._reverse3
        changed = True
    if not hasattr(fmm, 'reverse_sequential_wrapper2'):

        def reverse_sequential_wrapper2(sequential):

            def fuser_method(is_qat, x1, x2):
                return sequential(x2, x1)

            return fuser_method

        fmm.reverse_sequential_wrapper2 = reverse_sequential_wrapper2
        changed = True
    # BackendConfig uses this submodule without importing it.
    importlib.import_module('torch.ao.quantization.backend_config.utils')
    from torch.ao.quantization.backend_config import BackendPatternConfig
    for name in ('_set_input_output_observed',
                 '_set_overwrite_output_observer',
                 '_set_overwrite_output_fake_quantize'):
        if not hasattr(BackendPatternConfig, name):
            setattr(BackendPatternConfig, name,
                    lambda self, *args, **kwargs: self)
            changed = True
    return changed


# What mmengine checkpoints pickle through ``getattr``: the statistics
# methods of the message hub's HistoryBuffer. Nothing else is reachable.
_SAFE_GETATTR_NAMES = {'min', 'max', 'mean', 'current'}


def _safe_getattr(obj, name):
    """``getattr`` limited to what mmengine checkpoints pickle.

    Registered for torch's weights_only unpickler under the name
    ``builtins.getattr``. Allow-listing the real ``getattr`` lets a crafted
    file reach ``builtins.eval`` (``getattr(getattr, '__self__')`` is the
    builtins module) and run it through torch's default-allowed
    ``torch._tensor._rebuild_from_type_v2``.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if (obj is HistoryBuffer or isinstance(obj, HistoryBuffer)) \
            and name in _SAFE_GETATTR_NAMES:
        return getattr(obj, name)
    owner = obj.__name__ if isinstance(obj, type) else type(obj).__name__
    raise pickle.UnpicklingError(
        f'getattr({owner}, {name!r}) is not allowed in a checkpoint')


def _allow_checkpoint_types() -> bool:
    if not hasattr(torch.serialization, 'add_safe_globals'):
        return False
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer
    multiarray = getattr(np, '_core', getattr(np, 'core', None)).multiarray
    allowed = [
        HistoryBuffer, np.ndarray, np.dtype, multiarray.scalar,
        multiarray._reconstruct, (_safe_getattr, 'builtins.getattr')
    ]
    allowed += [
        getattr(np.dtypes, n) for n in dir(np.dtypes) if n.endswith('DType')
    ]
    torch.serialization.add_safe_globals(allowed)
    _route_local_checkpoints()
    return True


def _route_local_checkpoints() -> None:
    """Load local checkpoints through :func:`kd_plugins.utils.checkpoint.
    load_checkpoint_file` (weights_only, one-line ``CheckpointError``).

    mmengine's ``CheckpointLoader`` reads every local file (``load_from``,
    ``--resume``, ``load_checkpoint`` of mmrazor's teachers) through the
    loader registered for the empty prefix; this replaces that loader.
    """
    from mmengine.runner.checkpoint import CheckpointLoader

    from kd_plugins.utils.checkpoint import load_checkpoint_file

    def load_from_local(filename, map_location):
        return load_checkpoint_file(filename, map_location=map_location)

    CheckpointLoader.register_scheme(prefixes='', force=True)(
        load_from_local)


# --- fix 5: mmcls imports in mmrazor served by mmpretrain -------------------
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
        renames = _mmcls_type_renames()

        def __getattr__(attr):
            if target is None or attr.startswith('__'):
                raise AttributeError(f'module {name!r} has no attribute '
                                     f'{attr!r} (kd_plugins mmcls alias)')
            return getattr(target, renames.get(attr, attr))

        module.__getattr__ = __getattr__
        module.__path__ = []
        module.__doc__ = (f'kd_plugins alias of mmpretrain{name[5:]} '
                          '(mmcls is not installed).')


def _mmcls_type_renames() -> dict:
    from kd_plugins.utils.mmcls_compat import MMCLS_TYPE_RENAMES
    return MMCLS_TYPE_RENAMES


def _mmcls_alias_needed() -> bool:
    """True when mmcls is missing, mmpretrain present, alias not yet set."""
    if any(isinstance(f, _MmclsAliasFinder) for f in sys.meta_path):
        return False
    return (importlib.util.find_spec('mmcls') is None
            and importlib.util.find_spec('mmpretrain') is not None)


def _fix_mmcls_alias() -> bool:
    if not _mmcls_alias_needed():
        return False
    sys.meta_path.append(_MmclsAliasFinder())
    _translate_hub_configs()
    return True


def _translate_hub_configs() -> None:
    """mmrazor builds ``cfg_path`` models with ``mmengine.hub.get_config``;
    route it through the mmcls -> mmpretrain config translation (e.g.
    ``mmrazor::vanilla/mmcls/...`` inherits ``mmcls::`` bases)."""
    from mmengine.hub import hub
    if getattr(hub.get_config, '_kd_plugins_mmcls', False):
        return
    original = hub.get_config

    def get_config(cfg_path: str, pretrained: bool = False):
        from kd_plugins.utils import mmcls_compat as mc
        if cfg_path.startswith('mmcls::'):
            cfg_path = mc.translate_config_path(cfg_path)
        with mc.mmcls_bases_as_mmpretrain():
            cfg = original(cfg_path, pretrained)
        mc.translate_mmcls_config(cfg)
        return cfg

    get_config._kd_plugins_mmcls = True
    hub.get_config = get_config  # used by hub.get_model
    mmengine_hub = sys.modules['mmengine.hub']
    if mmengine_hub.get_config is original:
        mmengine_hub.get_config = get_config


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
    fixes = [('torchvision', _fix_torchvision), ('mmcv.ops', _fix_mmcv_ops),
             ('mmrazor-quantization', _fix_mmrazor_quantization),
             ('checkpoint-allow-list', _allow_checkpoint_types),
             ('mmcls-alias', _fix_mmcls_alias)]
    _APPLIED = [name for name, fix in fixes if fix()]
    if _APPLIED:
        _log_once('kd_plugins.compat: applied ' + ', '.join(_APPLIED)
                  + f' ({ENV_SWITCH}=0 switches the layer off)')
    else:
        _log_once('kd_plugins.compat: no fix needed on this stack')
    return _APPLIED


def applied_fixes() -> List[str]:
    """Names of the fixes :func:`apply` made (empty before it ran)."""
    return list(_APPLIED or [])


# --- runtime patches, called by other kd_plugins modules --------------------
_FILTER_MARK = '_kd_plugins_filters'


def filter_every_mmlogger(log_filter: logging.Filter) -> None:
    """Add ``log_filter`` to every mmengine ``MMLogger``, existing and future.

    The runner builds its logger itself (``Runner.build_logger``) and takes
    no filter, so ``MMLogger.__init__`` is wrapped (once) to add the filters
    registered here to each new instance. Idempotent per filter.

    Args:
        log_filter (logging.Filter): The filter.
    """
    from mmengine.logging import MMLogger
    for logger in list(MMLogger._instance_dict.values()):
        if log_filter not in logger.filters:
            logger.addFilter(log_filter)
    filters = getattr(MMLogger.__init__, _FILTER_MARK, None)
    if filters is None:
        original_init = MMLogger.__init__
        filters = []

        def __init__(self, *args, **kwargs):
            original_init(self, *args, **kwargs)
            for each in filters:
                self.addFilter(each)

        setattr(__init__, _FILTER_MARK, filters)
        MMLogger.__init__ = __init__
    if log_filter not in filters:
        filters.append(log_filter)


@contextlib.contextmanager
def translated_config_paths(
        translate: Callable[[str], str]) -> Iterator[None]:
    """While active, mmengine's ``Config`` resolves every ``package::path``
    (``_base_`` entries, ``Config._get_cfg_path``) as ``translate(path)``.

    mmengine resolves bases in the private static method
    ``Config._get_cfg_path``; it is replaced for the duration and restored
    after (nested uses restore in order). Used by
    :mod:`kd_plugins.utils.mmcls_compat` for ``mmcls::`` bases (fix 5).

    Args:
        translate (callable): ``path -> path``; returns other paths
            unchanged.
    """
    from mmengine.config import Config
    original = Config.__dict__['_get_cfg_path']
    get_path = original.__func__

    def _get_cfg_path(cfg_path: str, filename: str):
        return get_path(translate(cfg_path), filename)

    Config._get_cfg_path = staticmethod(_get_cfg_path)
    try:
        yield
    finally:
        Config._get_cfg_path = original


def set_sampler_seed(sampler, seed: int) -> None:
    """Give a built sampler (mmengine ``DefaultSampler``-like, with a
    ``seed`` attribute) another seed.

    mmengine's resume restores the checkpoint's seed into the runner
    (``Runner.resume`` -> ``set_randomness``) but the train dataloader's
    sampler was built before, with the new run's seed, and samplers have no
    setter. Used by :class:`kd_plugins.engine.hooks.RandomStateHook`.

    Args:
        sampler: The sampler.
        seed (int): The seed to shuffle with from now on.
    """
    sampler.seed = seed
