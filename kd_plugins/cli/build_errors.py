"""One line for an exception raised while the Runner builds a component.

:func:`describe_build_error` names the config key of the dict being built
and, where it can, the fix: an unknown registry type (with the closest
registered name), an unknown keyword (with the valid ones), a DataLoader
argument, or the failing component and its message.
"""
import inspect
import re
from types import FrameType
from typing import List, Optional

from .text import closest, one_line

__all__ = [
    'describe_build_error', 'error_message', 'frames_of', 'in_file',
    'is_build_frame'
]

_UNKNOWN_TYPE = re.compile(r"^(\S+) is not in the (\S+)::(\S+) registry")
_UNKNOWN_KW = re.compile(
    r"(?:(\w+)\.)?(\w+)\(\) got an unexpected keyword argument '(\w+)'")
# mmengine < 0.8 wrapped build errors as "class `X` in scope/name: msg".
_WRAPPED = re.compile(r'^class `[^`]+` in \S+: ')


def error_message(exc: BaseException) -> str:
    """The exception's message on one line (a KeyError's without quotes,
    mmengine's build-error wrapping removed)."""
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
    text = one_line(text)
    while _WRAPPED.match(text):
        text = _WRAPPED.sub('', text, count=1)
    return text or f'{type(exc).__name__} (no message)'


def frames_of(exc: BaseException) -> List[FrameType]:
    """The frames of ``exc``'s traceback, outermost first."""
    frames, tb = [], exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def in_file(frame: FrameType, path_end: str, names=None) -> bool:
    """Whether ``frame`` runs code of a file ending in ``path_end`` (and a
    function whose name satisfies ``names``)."""
    code = frame.f_code
    return (code.co_filename.replace('\\', '/').endswith(path_end)
            and (names is None or names(code.co_name)))


def is_build_frame(frame: FrameType) -> bool:
    """Whether ``frame`` builds a component from the config."""
    return (in_file(frame, 'mmengine/registry/build_functions.py')
            or in_file(frame, 'mmengine/runner/runner.py',
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
    match = closest(bare, sorted(reachable))
    if match:
        return match
    scoped = {o.split('.', 1)[1]: o for o in sorted(others)}
    match = closest(bare, scoped)
    return scoped[match] if match else None


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


def describe_build_error(exc: BaseException, frames: List[FrameType],
                         state) -> str:
    """One line for ``exc``, raised while a component was built.

    Args:
        exc (BaseException): The exception.
        frames (list): Its traceback's frames (:func:`frames_of`).
        state (ToolState): The tool's config, to name config keys.

    Returns:
        str: The message, without the ``error: `` prefix.
    """
    builds = [f for f in frames
              if in_file(f, 'mmengine/registry/build_functions.py',
                         lambda n: n == 'build_from_cfg')]
    local = builds[-1].f_locals if builds else {}
    cfg = state.cfg
    text = error_message(exc)

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
            hint = closest(keyword, valid)
            name = getattr(owner, '__name__', str(owner))
            where = f'{key}: ' if key else ''
            return (f"{where}unknown keyword '{keyword}' for {name}"
                    + (f"; did you mean '{hint}'?" if hint else '')
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
    index = [i for i, f in enumerate(frames) if in_file(
        f, 'mmengine/runner/runner.py', lambda n: n == 'build_dataloader')]
    if not index or cfg is None or any(
            in_file(f, 'mmengine/registry/build_functions.py')
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
