"""Distributed launch preparation for the tools (CPU gloo and GPU nccl).

Used by ``tools/train.py`` and ``tools/test.py`` before the Runner is built.
"""
import os
from typing import Dict, Iterator, List, Optional, Tuple

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log

from kd_plugins.utils.errors import UserInputError

__all__ = [
    'prepare_distributed', 'iter_optim_wrapper_cfgs',
    'use_averaging_optim_wrappers', 'check_launcher_env', 'LauncherError'
]

#: what torchrun sets and ``env://`` rendezvous reads
TORCHRUN_ENV = ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')


class LauncherError(UserInputError):
    """``--launcher`` given without the environment its launcher sets."""


def check_launcher_env(launcher: str) -> None:
    """Refuse ``--launcher pytorch`` outside torchrun, in one line.

    Without torchrun's environment, ``torch.distributed`` fails with
    ``ValueError: Error initializing torch.distributed using env://
    rendezvous: environment variable RANK expected, but not set``.

    Raises:
        LauncherError: Naming the variables that are not set.
    """
    if launcher != 'pytorch' or (dist.is_available()
                                 and dist.is_initialized()):
        return
    missing = [name for name in TORCHRUN_ENV if name not in os.environ]
    if missing:
        raise LauncherError(
            f'--launcher pytorch needs the environment torchrun sets '
            f'({", ".join(missing)} not set): start it with '
            "'bash tools/dist_train.sh CONFIG NUM_PROCS' (tools/dist_test.sh "
            "for testing) or 'torchrun --nproc_per_node=N tools/train.py "
            "CONFIG --launcher pytorch', or drop --launcher for one process")


ALGORITHM_WRAPPER = 'mmrazor.DistributedAlgorithmWrapper'


def type_name(cfg: dict, default: str) -> str:
    """The registered name of ``cfg['type']`` without its scope."""
    return str(cfg.get('type') or default).rpartition('.')[-1]


def iter_optim_wrapper_cfgs(cfg: Config) -> Iterator[Tuple[str, dict]]:
    """Yield ``(key, config)`` of each optim wrapper in ``cfg.optim_wrapper``.

    The wrapper itself, or, for an ``OptimWrapperDict`` built by a
    constructor (one entry per part), each entry that has an ``optimizer``.
    """
    optim_wrapper = cfg.get('optim_wrapper')
    if not isinstance(optim_wrapper, dict):
        return
    if 'optimizer' in optim_wrapper:
        yield 'optim_wrapper', optim_wrapper
        return
    for key, sub in optim_wrapper.items():
        if isinstance(sub, dict) and 'optimizer' in sub:
            yield f'optim_wrapper.{key}', sub


def _wrapper_class(model_wrapper_cfg: Optional[dict]) -> Optional[type]:
    from mmrazor.registry import MODEL_WRAPPERS
    if model_wrapper_cfg is None:
        return None
    return MODEL_WRAPPERS.get(
        model_wrapper_cfg.get('type', 'MMDistributedDataParallel'))


def use_averaging_optim_wrappers(
        cfg: Config, replacements: Optional[Dict[str, str]] = None
) -> List[str]:
    """Give every optim wrapper of ``cfg`` the type its model wrapper needs.

    Args:
        cfg (Config): The config, modified in place.
        replacements (dict, optional): Optim wrapper type (without scope) ->
            the type to use instead; other types are left alone. Defaults to
            ``DistributedAlgorithmWrapper.optim_wrapper_types``
            (``OptimWrapper`` / ``AmpOptimWrapper`` -> their
            gradient-averaging subclasses).

    Returns:
        list[str]: The keys changed.
    """
    if replacements is None:
        replacements = _wrapper_class(
            dict(type=ALGORITHM_WRAPPER)).optim_wrapper_types
    changed = []
    for key, wrapper in iter_optim_wrapper_cfgs(cfg):
        name = type_name(wrapper, 'OptimWrapper')
        if name in replacements:
            wrapper['type'] = replacements[name]
            changed.append(key)
    return changed


def _rank() -> int:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return int(os.environ.get('RANK', 0))


def prepare_distributed(cfg: Config, launcher: str) -> bool:
    """Prepare a ``--launcher`` run, before the Runner is built.

    * Without CUDA (mmengine's launch path calls ``torch.cuda.set_device``
      and gives DDP a GPU id): ``env_cfg.dist_cfg.backend='gloo'``, the
      process group is initialised here (the Runner then skips its own),
      a config without ``model_wrapper_cfg`` gets
      ``DistributedAlgorithmWrapper``, and a DDP-type wrapper
      (``MMSeparateDistributedDataParallel`` of mmrazor's DAFL/DFAD/ZSKT
      configs) gets ``device_ids=None``.
    * CPU or GPU: a model wrapper that declares ``optim_wrapper_types``
      (``DistributedAlgorithmWrapper`` and its subclasses) gets the optim
      wrapper types it needs, e.g. every ``OptimWrapper`` /
      ``AmpOptimWrapper`` becomes its gradient-averaging subclass
      (``mmrazor.DistributedOptimWrapper`` /
      ``mmrazor.DistributedAmpOptimWrapper``), so a GPU config needs no
      edit for ``tools/dist_train.sh``.

    What changed is logged in one line (rank 0). ``launcher='none'`` changes
    nothing. The tools call :func:`check_launcher_env` first.

    Args:
        cfg (Config): The config, modified in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Returns:
        bool: Whether the CPU path was taken.
    """
    if launcher == 'none':
        return False
    from torch.nn.parallel import DistributedDataParallel
    on_cpu = not torch.cuda.is_available()
    notes = []
    if on_cpu:
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg',
                                                 {})['backend'] = 'gloo'
        notes.append('backend gloo')
        if cfg.get('model_wrapper_cfg') is None:
            cfg.model_wrapper_cfg = dict(type=ALGORITHM_WRAPPER)
            notes.append(f'model wrapper {ALGORITHM_WRAPPER}')
    wrapper = _wrapper_class(cfg.get('model_wrapper_cfg'))
    if on_cpu and wrapper is not None and issubclass(
            wrapper, DistributedDataParallel):
        cfg.model_wrapper_cfg['device_ids'] = None
        notes.append('model_wrapper_cfg.device_ids=None')
    needs = getattr(wrapper, 'optim_wrapper_types', None)
    if needs:
        changed = use_averaging_optim_wrappers(cfg, needs)
        if changed:
            notes.append(f'{", ".join(sorted(changed))} -> '
                         'Distributed*OptimWrapper')
    if on_cpu and launcher == 'pytorch' and not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    if notes and _rank() == 0:
        where = 'CPU (no CUDA)' if on_cpu else 'GPU'
        print_log(f'Distributed {where} run: {"; ".join(notes)}',
                  logger='current')
    return on_cpu
