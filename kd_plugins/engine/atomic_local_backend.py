"""A local file backend whose writes are atomic, for checkpoints.

mmengine's ``LocalBackend.put`` opens the target with ``'wb'`` and writes:
a full disk or a kill during the write leaves a truncated ``epoch_N.pth``
that looks like a checkpoint (and ``--resume`` picks it). This backend
writes to a temporary file in the same directory, flushes and fsyncs it,
then ``os.replace``-s it onto the target, so the target is either the old
file, absent, or complete. Registered as the mmengine file backend
``'atomic_local'``; ``configs/_base_/default_runtime.py`` passes
``backend_args=dict(backend='atomic_local')`` to ``CheckpointHook``.
"""
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

__all__ = ['AtomicLocalBackend']


def _fsync_dir(dirname: str) -> None:
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` with atomic ``put``/``put_text``."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write bytes to ``filepath`` atomically (temp file + rename)."""
        filepath = str(filepath)
        dirname = osp.dirname(osp.abspath(filepath))
        os.makedirs(dirname, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f'.{osp.basename(filepath)}.', suffix='.tmp', dir=dirname)
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(obj)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filepath)
        except BaseException:
            try:
                os.remove(tmp)
            except OSError:
                pass
            raise
        _fsync_dir(dirname)

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        """Write text to ``filepath`` atomically."""
        self.put(obj.encode(encoding), filepath)


register_backend('atomic_local', AtomicLocalBackend, force=True)
