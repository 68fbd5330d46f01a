"""Distributed launch on machines without CUDA (gloo on CPU)."""
import torch
import torch.distributed as dist
from mmengine.config import Config

__all__ = ['prepare_distributed']


def prepare_distributed(cfg: Config, launcher: str) -> bool:
    """Make ``launcher`` work on a CPU-only machine, before the Runner.

    mmengine's launch path calls ``torch.cuda.set_device`` and wraps models
    in DDP with ``device_ids``, both of which fail without CUDA. When
    ``launcher`` is not ``'none'`` and CUDA is unavailable, this function
    sets ``env_cfg.dist_cfg.backend='gloo'``, initialises the process group
    itself (the Runner then skips its own initialisation), and, when the
    config names no ``model_wrapper_cfg``, uses
    ``DistributedAlgorithmWrapper``. GPU runs are left untouched.

    Args:
        cfg (Config): The config, modified in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Returns:
        bool: Whether the CPU path was taken.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='mmrazor.DistributedAlgorithmWrapper')
    if launcher == 'pytorch' and not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    return True
