"""Safe, strict checkpoint loading with one-line errors.

Every checkpoint kd_plugins reads goes through :func:`load_checkpoint_file`:
``torch.load(weights_only=True)`` with the allow-list of
:mod:`kd_plugins.compat` (which also routes mmengine's local loader here, so
``load_from``, ``--resume`` and mmrazor's ``load_checkpoint`` use it too).
Hostile, corrupt, truncated or non-checkpoint files become a
:class:`CheckpointError` naming the file; nothing in the file is executed.

:func:`load_weights` adds strict key checking: missing, unexpected or
mis-shaped keys stop with one line giving counts and a few keys, with a hint
when the keys only differ by a prefix. :func:`load_teacher` is the teacher
variant used by the algorithms and, through
:func:`kd_plugins.cli.teachers.load_deferred_teachers`, by the tools for
mmrazor's algorithms (``teacher_ckpt``, ``teachers.<name>.ckpt_path``).
"""
import logging
import os.path as osp
import pickle
import re
from collections import Counter, OrderedDict
from typing import List, Mapping, Optional, Sequence

import torch
from torch import nn

from .errors import UserInputError

__all__ = [
    'CheckpointError', 'CheckpointNotFoundError', 'UnsafeCheckpointError',
    'CheckpointMismatchError', 'load_checkpoint_file', 'load_checkpoint',
    'get_state_dict', 'check_keys', 'load_state', 'load_weights',
    'load_teacher', 'check_resume_checkpoint'
]

# How many keys a mismatch message names per kind.
_SHOWN_KEYS = 3


class CheckpointError(UserInputError):
    """A checkpoint file that cannot be used (message names the file)."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The checkpoint file does not exist."""


class UnsafeCheckpointError(CheckpointError):
    """The file pickles something a checkpoint may not contain."""


class CheckpointMismatchError(CheckpointError):
    """The checkpoint's keys or shapes do not match the model."""


def _first_line(text: str, limit: int = 120) -> str:
    for line in str(text).splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[:limit - 3] + '...'
    return ''


def _unsafe_detail(message: str) -> Optional[str]:
    """What an UnpicklingError of torch's weights_only unpickler refused, or
    None when the error means a damaged file rather than a refused one."""
    if 'Unsupported operand' in message or 'String is too long' in message:
        return None
    found = re.search(r'GLOBAL (\S+)', message)
    if found:
        return f'the global {found.group(1)}'
    found = re.search(r'(getattr\(.*?\)) is not allowed', message)
    if found:
        return found.group(1)
    found = re.search(r'WeightsUnpickler error:\s*(.+)', message)
    return _first_line(found.group(1) if found else message) or 'an object'


def load_checkpoint_file(filename: str,
                         map_location: Optional[str] = 'cpu') -> dict:
    """Read a local checkpoint with ``weights_only=True``.

    Args:
        filename (str): Path of the checkpoint.
        map_location (str, optional): As in :func:`torch.load`. Defaults to
            ``'cpu'``.

    Returns:
        dict: The checkpoint.

    Raises:
        CheckpointNotFoundError: The file does not exist.
        UnsafeCheckpointError: The file pickles code or objects outside the
            allow-list (nothing of it is executed).
        CheckpointError: The file is truncated, corrupt, or not a checkpoint.
    """
    path = osp.expanduser(str(filename))
    if not osp.exists(path):
        raise CheckpointNotFoundError(f'checkpoint file not found: {filename}')
    if osp.isdir(path):
        raise CheckpointError(f'{filename}: is a directory, not a checkpoint')
    try:
        checkpoint = torch.load(
            path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        detail = _unsafe_detail(str(e))
        if detail is not None:
            raise UnsafeCheckpointError(
                f'{filename}: refused as unsafe: it contains {detail}, which '
                'a checkpoint may not contain (loading it could run code); '
                'nothing from it was loaded') from None
        raise CheckpointError(
            f'{filename}: not a readable checkpoint (corrupt, or not written '
            f'by torch.save): {_first_line(str(e).split("error:")[-1])}'
        ) from None
    except MemoryError:
        raise
    except Exception as e:  # torch/zip/pickle internals: damaged file
        reason = '' if isinstance(e, KeyError) else _first_line(str(e))
        if 'central directory' in reason or isinstance(e, EOFError):
            reason = 'the file is truncated or empty'
        raise CheckpointError(
            f'{filename}: not a readable checkpoint (truncated, corrupt, or '
            f'not written by torch.save): {type(e).__name__}'
            f'{": " + reason if reason else ""}') from None
    if not isinstance(checkpoint, Mapping):
        raise CheckpointError(
            f'{filename}: not a checkpoint: it holds a '
            f'{type(checkpoint).__name__}, expected a dict of tensors or '
            "{'state_dict': ...}")
    return checkpoint


def load_checkpoint(filename: str,
                    map_location: Optional[str] = 'cpu') -> dict:
    """Local files through :func:`load_checkpoint_file`, URLs through
    mmengine's loaders (which use ``torch.load``'s weights_only default)."""
    if '://' not in str(filename):
        return load_checkpoint_file(filename, map_location)
    from mmengine.runner.checkpoint import CheckpointLoader
    checkpoint = CheckpointLoader.load_checkpoint(
        str(filename), map_location=map_location)
    if not isinstance(checkpoint, Mapping):
        raise CheckpointError(f'{filename}: not a checkpoint: it holds a '
                              f'{type(checkpoint).__name__}')
    return checkpoint


def get_state_dict(checkpoint: Mapping,
                   filename: str = 'checkpoint') -> 'OrderedDict':
    """The weights of a loaded checkpoint (``state_dict`` or the dict itself),
    without a DataParallel ``module.`` prefix.

    Raises:
        CheckpointError: The file holds no tensors under its weight keys.
    """
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, Mapping):
        raise CheckpointError(f'{filename}: not a checkpoint: its state_dict '
                              f'is a {type(state).__name__}')
    bad = [k for k, v in state.items() if not isinstance(v, torch.Tensor)]
    if bad or not state:
        raise CheckpointError(
            f'{filename}: not a model checkpoint: '
            + (f'{len(bad)} entries are not tensors (e.g. {bad[0]!r})'
               if bad else 'it holds no weights'))
    return OrderedDict((re.sub(r'^module\.', '', k), v)
                       for k, v in state.items())


def _prefix_hint(ckpt_keys: Sequence[str], model_keys: Sequence[str]) -> str:
    """A hint when the two key sets only differ by a leading prefix."""
    model_set, ckpt_set = set(model_keys), set(ckpt_keys)
    candidates = Counter()
    for k in ckpt_keys:  # checkpoint keys = prefix + model keys?
        for m in model_keys:
            if k.endswith('.' + m):
                candidates['+' + k[:len(k) - len(m)]] += 1
                break
    for m in model_keys:  # model keys = prefix + checkpoint keys?
        for k in ckpt_keys:
            if m.endswith('.' + k):
                candidates['-' + m[:len(m) - len(k)]] += 1
                break
    fits = []  # (exact, rank, hint) of the prefixes that explain the keys
    for rank, (cand, _) in enumerate(candidates.most_common(5)):
        prefix = cand[1:]
        if cand[0] == '+':
            stripped = {k[len(prefix):] for k in ckpt_set
                        if k.startswith(prefix)}
            if model_set <= stripped:
                fits.append((stripped != model_set, rank, (
                    f'; the checkpoint keys carry the prefix {prefix!r}: '
                    'extract that part first, e.g. `python '
                    'tools/extract_student.py CKPT OUT --prefix '
                    f'{prefix.rstrip(".")}`')))
        else:
            added = {prefix + k for k in ckpt_set}
            if added <= model_set and len(ckpt_set) >= len(model_set) // 2:
                fits.append((added != model_set, rank, (
                    f'; the checkpoint keys lack the prefix {prefix!r} '
                    "of the model's keys: convert the checkpoint (rename "
                    f'its keys to start with {prefix!r})')))
    return min(fits)[2] if fits else ''


def _examples(keys: Sequence[str]) -> str:
    shown = ', '.join(keys[:_SHOWN_KEYS])
    return shown + (', ...' if len(keys) > _SHOWN_KEYS else '')


def check_keys(model: nn.Module, state: Mapping, filename: str,
               what: str = 'checkpoint', strict: bool = True,
               relax_hint: str = '') -> List[str]:
    """Compare a state dict with a model.

    Args:
        model (nn.Module): The model to load into.
        state (Mapping): The checkpoint's weights.
        filename (str): The file, for the message.
        what (str): What the file is, for the message. Defaults to
            ``'checkpoint'``.
        strict (bool): Raise on any difference; otherwise log one warning
            line. Defaults to True.
        relax_hint (str): How to allow a partial load, appended to the error.
            Defaults to ''.

    Returns:
        list[str]: Checkpoint keys whose shape does not match (skipped when
        not strict).

    Raises:
        CheckpointMismatchError: ``strict`` and the keys or shapes differ.
    """
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [k for k in state if k in own and state[k].shape != own[k].shape]
    if not (missing or unexpected or shapes):
        return []
    parts = []
    if missing:
        parts.append(f'{len(missing)} missing keys ({_examples(missing)})')
    if unexpected:
        parts.append(f'{len(unexpected)} unexpected keys '
                     f'({_examples(unexpected)})')
    if shapes:
        k = shapes[0]
        parts.append(f'{len(shapes)} shape mismatches ({k}: checkpoint '
                     f'{tuple(state[k].shape)} vs model '
                     f'{tuple(own[k].shape)})')
    message = (f'{what} {filename} does not match the model '
               f'{type(model).__name__}: ' + ', '.join(parts) +
               _prefix_hint(list(state), list(own)))
    if strict:
        raise CheckpointMismatchError(message + relax_hint)
    from mmengine.logging import print_log
    print_log(
        f'partial load (strict off): {message}',
        logger='current',
        level=logging.WARNING)
    return shapes


def load_weights(model: nn.Module,
                 filename: str,
                 strict: bool = True,
                 what: str = 'checkpoint',
                 relax_hint: str = '',
                 map_location: Optional[str] = 'cpu') -> dict:
    """Load a checkpoint file into a model, strictly by default.

    Args:
        model (nn.Module): The model (unwrapped).
        filename (str): Checkpoint path (or URL).
        strict (bool): Stop on missing/unexpected/mis-shaped keys; when
            False, load the matching keys and log one warning line.
            Defaults to True.
        what (str): What the file is, for messages. Defaults to
            ``'checkpoint'``.
        relax_hint (str): How to allow a partial load, for the error.
            Defaults to ''.
        map_location (str, optional): As in :func:`torch.load`. Defaults to
            ``'cpu'``.

    Returns:
        dict: The loaded checkpoint.
    """
    checkpoint = load_checkpoint(filename, map_location)
    load_state(model, checkpoint, filename, strict, what, relax_hint)
    return checkpoint


def load_state(model: nn.Module,
               checkpoint: Mapping,
               filename: str,
               strict: bool = True,
               what: str = 'checkpoint',
               relax_hint: str = '') -> None:
    """Load a loaded checkpoint's weights into a model (see
    :func:`load_weights` for the arguments)."""
    state = get_state_dict(checkpoint, filename)
    skipped = check_keys(model, state, filename, what, strict, relax_hint)
    for k in skipped:
        state.pop(k)
    model.load_state_dict(state, strict=False)


def load_teacher(teacher: nn.Module,
                 filename: str,
                 strict: bool = True,
                 what: str = 'teacher checkpoint') -> dict:
    """Initialise a teacher, load its checkpoint and mark it initialised
    (so the runner's ``init_weights`` cannot overwrite it).

    Args:
        teacher (nn.Module): The teacher model.
        filename (str): Checkpoint path (or URL).
        strict (bool): See :func:`load_weights`. Defaults to True.
        what (str): What the file is, for messages. Defaults to
            ``'teacher checkpoint'``.

    Returns:
        dict: The loaded checkpoint.
    """
    if hasattr(teacher, 'init_weights') and not getattr(
            teacher, 'is_init', False):
        teacher.init_weights()
    checkpoint = load_weights(
        teacher,
        filename,
        strict=strict,
        what=what,
        relax_hint='; set model.teacher_ckpt_strict=False to load only the '
        'matching keys')
    teacher.is_init = True  # mmengine BaseModule's public flag
    return checkpoint


def _top_prefixes(keys) -> str:
    """``'architecture.* (53 keys), teacher.* (112 keys)'``."""
    counts = Counter(k.split('.')[0] for k in keys)
    return ', '.join(f'{p}.* ({n} keys)' for p, n in sorted(counts.items()))


def check_resume_checkpoint(model: nn.Module, filename: str,
                            what: str = '--resume') -> None:
    """Refuse to resume ``model`` from a checkpoint of another model.

    mmengine's ``Runner.resume`` loads the weights with ``strict=False`` (a
    foreign checkpoint gives hundreds of missing-key warnings, then
    ``KeyError: 'param_groups'`` or an optimizer group mismatch, or, when
    the optimizer happens to fit, a run resumed with the wrong weights).
    This reads the file with :func:`load_checkpoint` and compares its keys
    and shapes with the model's first. The buffers' ``_extra_state`` (the
    replay buffer's filled images) are compared by name only.

    Args:
        model (nn.Module): The model to resume (unwrapped).
        filename (str): The checkpoint.
        what (str): How the user gave the file, for the message. Defaults to
            ``'--resume'``.

    Raises:
        CheckpointMismatchError: One line: whose checkpoint it is (the
            top-level key prefixes of the file and of the model, the run
            that wrote it), or the missing/unexpected/mis-shaped keys.
    """
    checkpoint = load_checkpoint(filename)
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, Mapping):
        raise CheckpointError(f'{what} {filename}: not a checkpoint: its '
                              f'state_dict is a {type(state).__name__}')
    state = {re.sub(r'^module\.', '', k): v for k, v in state.items()}
    own = model.state_dict()
    name = type(model).__name__
    meta = checkpoint.get('meta')
    run = meta.get('experiment_name') if isinstance(meta, Mapping) else None
    run = f' (written by a run of {re.sub(r"_[0-9]{8}_[0-9]{6}$", "", run)})' \
        if isinstance(run, str) and run else ''
    if {k.split('.')[0] for k in state} != {k.split('.')[0] for k in own}:
        hint = _prefix_hint(list(state), list(own))
        raise CheckpointMismatchError(
            f'{what} {filename} is not a checkpoint of this model ({name}): '
            f'it holds {_top_prefixes(state)}{run}, the model has '
            f'{_top_prefixes(own)}; resume from a checkpoint this config '
            'wrote' + hint + (' and start from it with load_from=OUT '
                              'instead of --resume' if 'extract' in hint
                              else ''))
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [k for k in state if k in own and not k.endswith('_extra_state')
              and hasattr(state[k], 'shape') and hasattr(own[k], 'shape')
              and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or shapes:
        parts = [f'{len(missing)} missing keys ({_examples(missing)})'
                 ] if missing else []
        if unexpected:
            parts.append(f'{len(unexpected)} unexpected keys '
                         f'({_examples(unexpected)})')
        if shapes:
            k = shapes[0]
            parts.append(f'{len(shapes)} shape mismatches ({k}: checkpoint '
                         f'{tuple(state[k].shape)} vs model '
                         f'{tuple(own[k].shape)})')
        raise CheckpointMismatchError(
            f'{what} {filename} is not a checkpoint of this model ({name})'
            f'{run}: ' + ', '.join(parts) + '; resume from a checkpoint '
            'this config wrote')
