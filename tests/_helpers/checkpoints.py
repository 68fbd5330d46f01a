"""Checkpoint files for tests: random "trained" teachers and hostile
pickles for the safe-loading tests.

Both hostile writers create a file that, if unpickled without restrictions
(or with ``builtins.getattr`` allow-listed), creates ``marker``.
"""
import io
import pickle
import zipfile
from pathlib import Path

import torch

__all__ = [
    'save_random_checkpoint', 'write_getattr_chain', 'write_reduce_payload'
]


def save_random_checkpoint(model_cfg: dict, path, seed: int = 0,
                           scope: str = 'mmpretrain') -> torch.nn.Module:
    """Build ``model_cfg`` with random weights and save it as a checkpoint.

    The file has mmengine's layout (``{'meta': ..., 'state_dict': ...}``),
    so it stands in for a trained teacher. Returns the built model.
    """
    from mmengine.registry import MODELS, DefaultScope
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(model_cfg)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save({'meta': {}, 'state_dict': model.state_dict()}, str(path))
    return model


def _global(module: str, name: str) -> bytes:
    return pickle.GLOBAL + f'{module}\n{name}\n'.encode()


def _str(text: str) -> bytes:
    data = text.encode()
    return pickle.BINUNICODE + len(data).to_bytes(4, 'little') + data


def getattr_chain_pickle(code: str) -> bytes:
    """``_rebuild_from_type_v2(getattr(getattr(getattr, '__self__'),
    'eval'), Tensor, (code, ), {})``: torch allows the outer function by
    default, so with the real ``getattr`` allow-listed this runs ``eval``."""
    builtins_module = (_global('builtins', 'getattr') +
                       _global('builtins', 'getattr') + _str('__self__') +
                       pickle.TUPLE2 + pickle.REDUCE)
    evaluate = (_global('builtins', 'getattr') + builtins_module +
                _str('eval') + pickle.TUPLE2 + pickle.REDUCE)
    return (pickle.PROTO + b'\x02' +
            _global('torch._tensor', '_rebuild_from_type_v2') + pickle.MARK +
            evaluate + _global('torch', 'Tensor') + _str(code) +
            pickle.TUPLE1 + pickle.EMPTY_DICT + pickle.TUPLE +
            pickle.REDUCE + pickle.STOP)


def write_getattr_chain(path, marker) -> None:
    """A torch zip checkpoint whose ``data.pkl`` is the getattr chain."""
    code = f'__import__("pathlib").Path({str(marker)!r}).touch()'
    buf = io.BytesIO()
    torch.save({'state_dict': {}}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, \
            zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith('/data.pkl'):
                data = getattr_chain_pickle(code)
            zout.writestr(info.filename, data)


class _Touch:

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def write_reduce_payload(path, marker) -> None:
    """A checkpoint made by ``torch.save`` holding an object whose
    ``__reduce__`` opens (creates) ``marker``."""
    torch.save({'state_dict': {'w': torch.ones(1)}, 'x': _Touch(marker)},
               str(path))
