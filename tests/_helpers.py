"""Shared helpers for the test-suite (not a test module)."""
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Callable, Sequence

import torch

REPO_ROOT = Path(__file__).resolve().parents[1]

__all__ = [
    'REPO_ROOT', 'run_tool', 'save_random_checkpoint', 'free_port',
    'spawn_gloo', 'tool_env'
]


def tool_env(**extra: str) -> dict:
    """Environment for subprocesses: this checkout first on PYTHONPATH and
    this interpreter for the shell tools (as in an activated venv)."""
    env = dict(os.environ)
    env['PATH'] = os.pathsep.join(
        [os.path.dirname(sys.executable), env.get('PATH', '')])
    env['PYTHON'] = sys.executable
    env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO_ROOT)] + [p for p in [env.get('PYTHONPATH')] if p])
    env.setdefault('OMP_NUM_THREADS', '1')
    env.update(extra)
    return env


def run_tool(script: str, *args: str, timeout: float = 300,
             cwd=None, **env: str) -> subprocess.CompletedProcess:
    """Run ``tools/<script>`` with the current interpreter.

    Returns the completed process (stdout/stderr as text); never raises on a
    non-zero exit so tests can assert on failures too.
    """
    cmd = [sys.executable, str(REPO_ROOT / 'tools' / script), *map(str, args)]
    return subprocess.run(
        cmd, cwd=cwd or REPO_ROOT, env=tool_env(**env), capture_output=True,
        text=True, timeout=timeout)


def save_random_checkpoint(model_cfg: dict, path, seed: int = 0,
                           scope: str = 'mmpretrain') -> torch.nn.Module:
    """Build ``model_cfg`` with random weights and save it as a checkpoint.

    The file has mmengine's layout (``{'meta': ..., 'state_dict': ...}``),
    so it stands in for a trained teacher. Returns the built model.
    """
    from mmengine.registry import MODELS, DefaultScope

    import kd_plugins  # noqa: F401
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(model_cfg)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save({'meta': {}, 'state_dict': model.state_dict()}, str(path))
    return model


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _gloo_entry(rank: int, fn: Callable, world_size: int, port: int,
                args: Sequence) -> None:
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                      RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE=str(world_size))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    try:
        fn(rank, world_size, *args)
    finally:
        dist.destroy_process_group()


def spawn_gloo(fn: Callable, nprocs: int = 2, args: Sequence = ()) -> None:
    """Run ``fn(rank, world_size, *args)`` in ``nprocs`` gloo processes.

    ``fn`` must be a module-level function; failures in any process raise
    here.
    """
    import torch.multiprocessing as mp
    mp.spawn(_gloo_entry, args=(fn, nprocs, free_port(), tuple(args)),
             nprocs=nprocs, join=True)
