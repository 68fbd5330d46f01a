"""Multi-process (gloo, CPU) test runs."""
import os
import socket
from typing import Callable, Sequence

import torch

__all__ = ['free_port', 'spawn_gloo']


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
