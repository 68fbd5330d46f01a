"""Size check of the replay buffer's image store, before it is allocated."""
import math
import os
from typing import Optional, Sequence

import torch
from mmengine.logging import print_log

from kd_plugins.utils.errors import UserInputError

__all__ = [
    'BufferMemoryError', 'STORAGE_DTYPES', 'available_memory',
    'check_store_size'
]

#: ``storage_dtype`` names and their dtypes.
STORAGE_DTYPES = {'float32': torch.float32, 'float16': torch.float16,
                  'bfloat16': torch.bfloat16}


class BufferMemoryError(UserInputError, MemoryError):
    """The image store would not fit (a ``MemoryError`` the tools print as
    one ``error:`` line)."""


def available_memory() -> Optional[int]:
    """Bytes of memory available to allocate now (Linux ``MemAvailable``,
    else physical pages); None when unknown."""
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf('SC_AVPHYS_PAGES') * os.sysconf('SC_PAGE_SIZE')
    except (ValueError, OSError, AttributeError):
        return None


def _gib(n: float) -> str:
    """Bytes as GiB, or MiB below 1 GiB."""
    return f'{n / 2**30:.2f} GiB' if n >= 2**30 else f'{n / 2**20:.1f} MiB'


def check_store_size(capacity: int, sample_shape: Sequence[int],
                     storage_dtype: str,
                     max_bytes: Optional[int] = None) -> int:
    """Bytes of a store of ``capacity`` samples; refuse one that is too big.

    Logs the size in one INFO line, or raises :class:`BufferMemoryError`
    (one line naming ``data_scale``, the bytes and ``storage_dtype``) when
    it exceeds ``max_bytes`` or, when that is None, the memory available.

    Args:
        capacity (int): Samples held.
        sample_shape (Sequence[int]): Shape of one sample.
        storage_dtype (str): A key of :data:`STORAGE_DTYPES`.
        max_bytes (int, optional): Largest store allowed. Defaults to None.

    Returns:
        int: The store's bytes.
    """
    shape = tuple(sample_shape)
    nbytes = capacity * math.prod(shape) * torch.empty(
        (), dtype=STORAGE_DTYPES[storage_dtype]).element_size()
    limit, what = max_bytes, 'allowed (max_bytes)'
    if limit is None:
        limit, what = available_memory(), 'available'
    if limit is not None and nbytes > limit:
        raise BufferMemoryError(
            f'PrioritizedReplayBuffer: data_scale {capacity} x '
            f'{shape} {storage_dtype} needs '
            f'{_gib(nbytes)}, more than the {_gib(limit)} {what}; '
            'lower model.data_scale or set '
            "replay_buffer.storage_dtype='float16' (or 'bfloat16')")
    print_log(f'PrioritizedReplayBuffer: {capacity} x '
              f'{shape} {storage_dtype} = '
              f'{_gib(nbytes)}', logger='current')
    return nbytes
