"""Fix "checkpoint-allow-list": mmengine checkpoints under weights-only load.

What it fixes: ``torch.load`` defaults to ``weights_only=True`` since torch
2.6, and mmengine checkpoints (message hub history, numpy scalars) cannot be
read. The exact types mmengine stores are allow-listed; ``weights_only``
stays on. ``getattr`` is allow-listed only as a stand-in limited to
HistoryBuffer's statistics methods (the real one would let a file run
``eval``), and mmengine's local checkpoint loader is routed through
:func:`kd_plugins.utils.checkpoint.load_checkpoint_file`, which turns unsafe,
corrupt or truncated files into a one-line ``CheckpointError``.

How it detects the need: torch has ``torch.serialization.add_safe_globals``
(every torch >= 2.6, whose ``torch.load`` is weights-only by default).

When to delete: not while torch loads weights-only by default and mmengine
pickles these types; the loader routing stays as long as kd_plugins wants its
one-line checkpoint errors for ``load_from`` and ``--resume``.
"""
import pickle

import torch

__all__ = ['NAME', 'fix']

NAME = 'checkpoint-allow-list'
# What mmengine checkpoints pickle through ``getattr``: the statistics
# methods of the message hub's HistoryBuffer. Nothing else is reachable.
_SAFE_GETATTR_NAMES = {'min', 'max', 'mean', 'current'}


def _safe_getattr(obj, name):
    """``getattr`` limited to what mmengine checkpoints pickle.

    Registered for torch's weights_only unpickler under the name
    ``builtins.getattr``. Allow-listing the real ``getattr`` lets a crafted
    file reach ``builtins.eval`` (``getattr(getattr, '__self__')`` is the
    builtins module) and run it through torch's default-allowed
    ``torch._tensor._rebuild_from_type_v2``.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if (obj is HistoryBuffer or isinstance(obj, HistoryBuffer)) \
            and name in _SAFE_GETATTR_NAMES:
        return getattr(obj, name)
    owner = obj.__name__ if isinstance(obj, type) else type(obj).__name__
    raise pickle.UnpicklingError(
        f'getattr({owner}, {name!r}) is not allowed in a checkpoint')


def _route_local_checkpoints() -> None:
    """Load local checkpoints through :func:`kd_plugins.utils.checkpoint.
    load_checkpoint_file` (weights_only, one-line ``CheckpointError``).

    mmengine's ``CheckpointLoader`` reads every local file (``load_from``,
    ``--resume``, ``load_checkpoint`` of mmrazor's teachers) through the
    loader registered for the empty prefix; this replaces that loader.
    """
    from mmengine.runner.checkpoint import CheckpointLoader

    from kd_plugins.utils.checkpoint import load_checkpoint_file

    def load_from_local(filename, map_location):
        return load_checkpoint_file(filename, map_location=map_location)

    CheckpointLoader.register_scheme(prefixes='', force=True)(
        load_from_local)


def fix() -> bool:
    """Allow-list mmengine's checkpoint types and route the local loader;
    True when it did."""
    if not hasattr(torch.serialization, 'add_safe_globals'):
        return False
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer
    multiarray = getattr(np, '_core', getattr(np, 'core', None)).multiarray
    allowed = [
        HistoryBuffer, np.ndarray, np.dtype, multiarray.scalar,
        multiarray._reconstruct, (_safe_getattr, 'builtins.getattr')
    ]
    allowed += [
        getattr(np.dtypes, n) for n in dir(np.dtypes) if n.endswith('DType')
    ]
    torch.serialization.add_safe_globals(allowed)
    _route_local_checkpoints()
    return True
