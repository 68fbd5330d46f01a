"""One ``tools/train.py`` run per work dir at a time.

Two runs on the same work dir both train and overwrite each other's
checkpoints and ``last_checkpoint``. :func:`work_dir_lock` takes an
exclusive ``fcntl.flock`` on ``<work_dir>/.train.lock`` (which holds the
owner's pid) for the duration of the run; a second run stops with one line
naming the first. The operating system releases the lock when its process
ends, however it ends (``kill -9`` included), so a lock file left by a
finished run is ignored. Only rank 0 (or a non-distributed run) takes it.
On platforms without ``fcntl`` nothing is locked.
"""
import contextlib
import os
import os.path as osp
from typing import Iterator, Optional

from kd_plugins.utils.errors import UserInputError

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None

__all__ = ['WorkDirBusyError', 'work_dir_lock', 'LOCK_NAME']

LOCK_NAME = '.train.lock'


class WorkDirBusyError(UserInputError):
    """Another training run holds the work dir."""


def _rank() -> int:
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    for name in ('RANK', 'SLURM_PROCID', 'OMPI_COMM_WORLD_RANK'):
        if name in os.environ:
            return int(os.environ[name])
    return 0


def _owner(handle) -> str:
    handle.seek(0)
    text = handle.read().strip()
    return f'pid {text}' if text.isdigit() else 'unknown pid'


@contextlib.contextmanager
def work_dir_lock(work_dir: Optional[str]) -> Iterator[None]:
    """Hold ``<work_dir>/.train.lock`` while the block runs (rank 0 only).

    Args:
        work_dir (str, optional): The run's work dir (created if needed).
            None locks nothing.

    Raises:
        WorkDirBusyError: Another live process holds the lock.
    """
    if fcntl is None or not work_dir or _rank() != 0:
        yield
        return
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, LOCK_NAME)
    handle = open(path, 'a+')
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkDirBusyError(
                f'work dir {work_dir} is in use by another training run '
                f'({_owner(handle)}, lock {path}); wait for it to end or '
                'pass another --work-dir') from None
        handle.seek(0)
        handle.truncate()
        handle.write(f'{os.getpid()}\n')
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
