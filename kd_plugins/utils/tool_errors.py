"""Turn the errors a user can cause into one ``error: ...`` line.

:func:`run_cli` runs a tool's body; an exception that :func:`describe_error`
recognises as the user's (see there for the exact rule) is printed as
``error: <one line>`` on stderr with exit code 1; with ``--debug`` the
traceback is printed first. Anything else keeps its traceback: a
``ValueError`` from deep inside a training step is a bug to report, not a
user error to hide.
"""
import difflib
import errno
import inspect
import io
import os.path as osp
import re
import sys
import traceback
import urllib.error
from dataclasses import dataclass, field
from types import FrameType
from typing import Callable, List, Optional, Sequence

from .errors import UserInputError
from .quiet import silence_known_noise

__all__ = ['ToolState', 'run_cli', 'describe_error', 'BUILD_ERROR_TYPES']

# Exception types that count as user errors when raised while a component
# is being built from the config (registry ``build_from_cfg`` or one of the
# Runner's ``build_*`` methods / its constructor), never during a step.
BUILD_ERROR_TYPES = (ValueError, TypeError, KeyError, AssertionError,
                     ImportError, FileNotFoundError, NotADirectoryError)
_WRITE_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR,
                 errno.EEXIST)
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_UNKNOWN_TYPE = re.compile(r"^(\S+) is not in the (\S+)::(\S+) registry")
_UNKNOWN_KW = re.compile(
    r"(?:(\w+)\.)?(\w+)\(\) got an unexpected keyword argument '(\w+)'")
# mmengine < 0.8 wrapped build errors as "class `X` in scope/name: msg".
_WRAPPED = re.compile(r'^class `[^`]+` in \S+: ')


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


def _one_line(text) -> str:
    return ' '.join(str(text).split())


def _message(exc: BaseException) -> str:
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
    text = _one_line(text)
    while _WRAPPED.match(text):
        text = _WRAPPED.sub('', text, count=1)
    return text or f'{type(exc).__name__} (no message)'


def _frames(exc: BaseException) -> List[FrameType]:
    frames, tb = [], exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _is(frame: FrameType, path_end: str, names=None) -> bool:
    code = frame.f_code
    return (code.co_filename.replace('\\', '/').endswith(path_end)
            and (names is None or names(code.co_name)))


def _is_build_frame(frame: FrameType) -> bool:
    return (_is(frame, 'mmengine/registry/build_functions.py')
            or _is(frame, 'mmengine/runner/runner.py',
                   lambda n: n.startswith('build_') or n in
                   ('__init__', 'from_cfg')))


def _walk(node, prefix=''):
    if isinstance(node, dict):
        yield prefix, node
        for key, value in node.items():
            yield from _walk(value, f'{prefix}.{key}' if prefix else str(key))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _walk(value, f'{prefix}[{i}]')


def _key_of(cfg, type_name=None, keyword=None, same_as=None
            ) -> Optional[str]:
    """Dotted key of the first config dict with this type / keyword; of the
    one equal to ``same_as`` (the dict being built) when several have it,
    e.g. the train and the val dataset."""
    if cfg is None:
        return None
    try:
        nodes = list(_walk(cfg.to_dict() if hasattr(cfg, 'to_dict') else cfg))
        same_as = same_as.to_dict() if hasattr(same_as, 'to_dict') else \
            same_as
    except Exception:
        return None
    found = [path for path, node in nodes
             if path and (type_name is None or node.get('type') == type_name)
             and (keyword is None or keyword in node)]
    if len(found) > 1 and isinstance(same_as, dict):
        node_of = dict(nodes)
        equal = [path for path in found if node_of[path] == same_as]
        found = equal or found
    return found[0] if found else None


def _registry_names(registry) -> tuple:
    """(names reachable from ``registry``, ``scope.name`` of the others)."""
    reachable, node = set(), registry
    while node is not None:
        reachable |= set(node.module_dict)
        node = node.parent
    root, others = registry, set()
    while root.parent is not None:
        root = root.parent
    todo = [root]
    while todo:
        node = todo.pop()
        try:
            node.import_from_location()
        except Exception:
            pass
        for name in node.module_dict:
            if name not in reachable:
                others.add(f'{node.scope}.{name}')
        todo += list(node.children.values())
    return reachable, others


def _suggest_type(name: str, registry) -> Optional[str]:
    reachable, others = _registry_names(registry)
    bare = name.split('.')[-1]
    match = difflib.get_close_matches(bare, sorted(reachable), n=1, cutoff=.6)
    if match:
        return match[0]
    scoped = {o.split('.', 1)[1]: o for o in sorted(others)}
    match = difflib.get_close_matches(bare, list(scoped), n=1, cutoff=.6)
    return scoped[match[0]] if match else None


def _keywords(obj) -> List[str]:
    """Keyword arguments ``obj`` accepts (following ``**kwargs`` up the
    class hierarchy)."""
    targets = [c.__init__ for c in obj.__mro__[:-1]] if inspect.isclass(
        obj) else [obj]
    names: List[str] = []
    for target in targets:
        try:
            params = inspect.signature(target).parameters.values()
        except (TypeError, ValueError):
            break
        names += [p.name for p in params if p.name not in ('self', )
                  and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                  and p.name not in names]
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    return names


def _describe_build_error(exc, frames, state) -> str:
    builds = [f for f in frames
              if _is(f, 'mmengine/registry/build_functions.py',
                     lambda n: n == 'build_from_cfg')]
    local = builds[-1].f_locals if builds else {}
    cfg = state.cfg
    text = _message(exc)

    match = _UNKNOWN_TYPE.match(text) if isinstance(exc, KeyError) else None
    if match and local.get('registry') is not None:
        name, scope, reg_name = match.groups()
        key = _key_of(cfg, type_name=name)
        hint = _suggest_type(name, local['registry'])
        where = f'{key}.type: ' if key else ''
        return (f"{where}unknown type '{name}' (not in the {scope}::"
                f'{reg_name} registry)'
                + (f"; did you mean '{hint}'?" if hint else ''))

    match = _UNKNOWN_KW.search(text) if isinstance(exc, TypeError) else None
    if match:
        cls_name, func_name, keyword = match.groups()
        owner = local.get('obj_cls')
        args = local.get('args') or {}
        if owner is None or keyword not in args:  # Runner.build_dataloader
            wanted = cls_name or func_name
            for frame in reversed(frames):
                owner = frame.f_locals.get(wanted, frame.f_globals.get(wanted))
                if owner is not None:
                    break
        if owner is not None:
            valid = _keywords(owner)
            obj_type = local.get('obj_type') if local else None
            key = _key_of(cfg, type_name=obj_type if isinstance(
                obj_type, str) else None, keyword=keyword) or _key_of(
                    cfg, keyword=keyword)
            hint = difflib.get_close_matches(keyword, valid, n=1, cutoff=.6)
            name = getattr(owner, '__name__', str(owner))
            where = f'{key}: ' if key else ''
            return (f"{where}unknown keyword '{keyword}' for {name}"
                    + (f"; did you mean '{hint[0]}'?" if hint else '')
                    + f" (valid: {', '.join(valid) or 'none'})")

    loader_key = _dataloader_key(frames, cfg, text)
    if loader_key:
        return f'{loader_key}: {text}'
    obj_type = local.get('obj_type')
    if obj_type is not None:
        name = obj_type if isinstance(obj_type, str) else getattr(
            obj_type, '__name__', str(obj_type))
        key = _key_of(cfg, type_name=obj_type, same_as=local.get(
            'cfg')) if isinstance(obj_type, str) else None
        where = f' ({key})' if key else ''
        return f'building {name}{where}: {text}'
    return f'invalid config: {text}'


def _dataloader_key(frames, cfg, text: str) -> Optional[str]:
    """``train_dataloader.batch_size`` for an error the DataLoader raised
    while the Runner built it (``batch_size=0``): the loader whose config is
    being built, and its key the message names."""
    index = [i for i, f in enumerate(frames) if _is(
        f, 'mmengine/runner/runner.py', lambda n: n == 'build_dataloader')]
    if not index or cfg is None or any(
            _is(f, 'mmengine/registry/build_functions.py')
            for f in frames[index[-1] + 1:]):  # a dataset/sampler was built
        return None
    loader = frames[index[-1]].f_locals.get('dataloader')
    if not isinstance(loader, dict):
        return None
    plain = loader.to_dict() if hasattr(loader, 'to_dict') else dict(loader)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        node = cfg.get(name) if hasattr(cfg, 'get') else None
        node = node.to_dict() if hasattr(node, 'to_dict') else node
        if node == plain:
            words = [k for k in plain if k != 'dataset' and re.search(
                rf'\b{re.escape(str(k))}\b', text)]
            return f'{name}.{words[0]}' if words else name
    return None


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
        if _is(frame, 'torch/serialization.py', lambda n: n == func):
            file = frame.f_locals.get('f')
            return str(getattr(file, 'name', file))
    return None


def _first_line(exc) -> str:
    """``Type: first sentence of the message``."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ''
    if len(text) > 100 and '. ' in text:
        text = text[:text.index('. ') + 1]
    return f'{type(exc).__name__}: {text}' if text else type(exc).__name__


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
        return _message(exc)
    if isinstance(exc, urllib.error.URLError):
        what = ', '.join(state.remote) or 'a file'
        return (f'cannot download {what} ({_one_line(exc.reason)}); without '
                'network, pass a local path instead')
    frames = _frames(exc)
    loaded = _torch_io(frames, 'load')
    if loaded is not None:
        return (f'cannot read checkpoint {loaded}: {_first_line(exc)} '
                '(corrupt, truncated or not a PyTorch checkpoint)')
    saved = _torch_io(frames, 'save')
    if saved is not None:
        parent = osp.dirname(osp.abspath(saved))
        if not osp.isdir(parent):
            return f'cannot write {saved}: directory {parent} does not exist'
        return (f'cannot write {saved}: {_first_line(exc)} (is the disk '
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
            _is_build_frame(f) for f in frames):
        return _describe_build_error(exc, frames, state)
    return None
