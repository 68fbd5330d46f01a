"""Turn the errors a user can cause into one ``error: ...`` line.

:func:`run_cli` runs a tool's body; an exception that :func:`describe_error`
recognises as the user's (see there for the exact rule) is printed as
``error: <one line>`` on stderr with exit code 1; with ``--debug`` the
traceback is printed first. Anything else keeps its traceback: a
``ValueError`` from deep inside a training step is a bug to report, not a
user error to hide.
"""
import errno
import io
import os.path as osp
import sys
import traceback
import urllib.error
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence

from kd_plugins.utils.errors import UserInputError

from .build_errors import (describe_build_error, error_message, frames_of,
                           in_file, is_build_frame)
from .quiet import silence_known_noise
from .text import exception_summary, one_line

__all__ = ['ToolState', 'run_cli', 'describe_error', 'BUILD_ERROR_TYPES']

# Exception types that count as user errors when raised while a component
# is being built from the config (registry ``build_from_cfg`` or one of the
# Runner's ``build_*`` methods / its constructor), never during a step.
BUILD_ERROR_TYPES = (ValueError, TypeError, KeyError, AssertionError,
                     ImportError, FileNotFoundError, NotADirectoryError)
_WRITE_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR,
                 errno.EEXIST)
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


@dataclass
class ToolState:
    """What a tool has learned so far, for the error messages."""
    cfg: object = None
    work_dir: Optional[str] = None
    remote: List[str] = field(default_factory=list)

    def record(self, cfg, remote: List[str]) -> None:
        """Remember the loaded config, its work dir and the remote paths
        it names (so later errors can name them)."""
        self.cfg, self.work_dir = cfg, cfg.get('work_dir')
        self.remote = list(remote)


def run_cli(body: Callable[[List[str], ToolState], object],
            argv: Optional[Sequence[str]] = None):
    """Run ``body(argv, state)``; user errors exit 1 with one line.

    Args:
        body (callable): The tool, taking the argument list and a
            :class:`ToolState` it fills in as it goes.
        argv (list[str], optional): Arguments. Defaults to ``sys.argv[1:]``.

    Returns:
        The body's return value.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    silence_known_noise()  # known deprecation noise of the stack, by message
    state = ToolState()
    try:
        return body(argv, state)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:
        message = describe_error(exc, state)
        if message is None:
            raise
        if '--debug' in argv:
            traceback.print_exc()
        sys.stdout.flush()
        sys.exit(f'error: {message}')


def _open_file(frames) -> Optional[str]:
    """Name of the file being written when an ``OSError`` carries none
    (a ``write``/``flush``/``close`` of an open file): the innermost open
    file object (or logging file handler) in the traceback's frames."""
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            name = getattr(value, 'name', None) if isinstance(
                value, io.IOBase) else getattr(value, 'baseFilename', None)
            if isinstance(name, str) and name:
                return name
    return None


def _torch_io(frames, func: str) -> Optional[str]:
    for frame in reversed(frames):
        if in_file(frame, 'torch/serialization.py', lambda n: n == func):
            file = frame.f_locals.get('f')
            return str(getattr(file, 'name', file))
    return None


def _under(path: str, directory: Optional[str]) -> bool:
    if not path or not directory:
        return False
    path, directory = osp.abspath(path), osp.abspath(directory)
    return (path == directory or path.startswith(directory + osp.sep)
            or directory.startswith(path + osp.sep))


def describe_error(exc: BaseException,
                   state: Optional[ToolState] = None) -> Optional[str]:
    """One line for an error the user can fix, or None for anything else.

    User errors are, in this order:

    - any :class:`~kd_plugins.utils.UserInputError` (config problems,
      missing files, bad checkpoints, invalid parameters), wherever raised;
    - a download that failed (``urllib.error.URLError``);
    - any exception raised inside ``torch.load`` (a corrupt, truncated or
      non-checkpoint file, also a ``teacher_ckpt`` read while the model is
      built) or ``torch.save`` (work dir full or unwritable);
    - an ``OSError`` for a full disk, or a permission/read-only/not-a-dir
      error on a path in (or above) the work dir;
    - a ``ValueError``/``TypeError``/``KeyError``/``AssertionError``/
      ``ImportError``/``FileNotFoundError``/``NotADirectoryError`` raised
      while a component is built from the config, i.e. with mmengine's
      ``build_from_cfg`` or one of the Runner's ``build_*`` methods / its
      constructor on the stack (unknown registry type, unknown keyword,
      parameter validation).

    The same types raised elsewhere (in a training step, a hook, the data
    pipeline) are not recognised: they keep their traceback.

    Args:
        exc (BaseException): The exception.
        state (ToolState, optional): The tool's config and work dir, used to
            name config keys and to recognise work-dir errors. Defaults to
            None.

    Returns:
        str | None: The message, one line, without the ``error: `` prefix.
    """
    state = state or ToolState()
    if isinstance(exc, UserInputError):
        return error_message(exc)
    if isinstance(exc, urllib.error.URLError):
        what = ', '.join(state.remote) or 'a file'
        return (f'cannot download {what} ({one_line(exc.reason)}); without '
                'network, pass a local path instead')
    frames = frames_of(exc)
    loaded = _torch_io(frames, 'load')
    if loaded is not None:
        return (f'cannot read checkpoint {loaded}: {exception_summary(exc)} '
                '(corrupt, truncated or not a PyTorch checkpoint)')
    saved = _torch_io(frames, 'save')
    if saved is not None:
        parent = osp.dirname(osp.abspath(saved))
        if not osp.isdir(parent):
            return f'cannot write {saved}: directory {parent} does not exist'
        return (f'cannot write {saved}: {exception_summary(exc)} (is the disk '
                'full or the work dir read-only?)')
    if isinstance(exc, OSError):
        name = exc.filename or ''
        if exc.errno in _FULL_ERRNOS:  # full disk, quota, file size limit
            name = name or _open_file(frames) or ''
            return (f'no space left writing {name or "a file"} '
                    f'({exc.strerror})')
        if exc.errno in _WRITE_ERRNOS and _under(name, state.work_dir):
            return (f'cannot write to the work dir {state.work_dir}: '
                    f'{exc.strerror} ({name})')
    if isinstance(exc, BUILD_ERROR_TYPES) and any(
            is_build_frame(f) for f in frames):
        return describe_build_error(exc, frames, state)
    return None
