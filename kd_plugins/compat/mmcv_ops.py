"""Fix "mmcv.ops": a ``mmcv.ops`` package under mmcv-lite.

What it fixes: mmseg imports ``point_sample`` from ``mmcv.ops`` at module
level, and mmcv-lite ships no compiled ops, so ``import mmseg.models`` fails.
A ``mmcv.ops`` module is provided holding mmcv's own pure-PyTorch
``point_sample``; any other op raises ``ModuleNotFoundError`` as if absent,
which mmseg already tolerates.

How it detects the need: mmcv is installed, ``mmcv.ops`` is not imported yet
and ``mmcv._ext`` (the compiled ops of full mmcv) cannot be imported.

When to delete: when the stack installs full mmcv (with ``mmcv._ext``), or
mmseg stops importing ``mmcv.ops`` at module level.
"""
import importlib
import importlib.util
import os
import sys
import types
import warnings

__all__ = ['NAME', 'fix']

NAME = 'mmcv.ops'


def _missing(name: str) -> ModuleNotFoundError:
    # mmseg guards optional ops with ``except ModuleNotFoundError``.
    return ModuleNotFoundError(
        f'mmcv.ops.{name} needs compiled mmcv ops; mmcv-lite has none',
        name=f'mmcv.ops.{name}')


def _stand_in(point_sample: types.ModuleType) -> types.ModuleType:
    ops = types.ModuleType('mmcv.ops', 'mmcv-lite stand-in (kd_plugins).')
    ops.__path__ = []
    ops.point_sample = point_sample.point_sample
    ops.bilinear_grid_sample = point_sample.bilinear_grid_sample
    ops.SimpleRoIAlign = point_sample.SimpleRoIAlign

    def sigmoid_focal_loss(*args, **kwargs):
        raise _missing('sigmoid_focal_loss')

    def __getattr__(name: str):
        if name.startswith('__'):
            raise AttributeError(name)
        raise _missing(name)

    ops.sigmoid_focal_loss = sigmoid_focal_loss
    ops.__getattr__ = __getattr__
    return ops


def fix() -> bool:
    """Install the ``mmcv.ops`` stand-in; True when it did."""
    if 'mmcv.ops' in sys.modules:
        return False
    try:
        import mmcv
    except ImportError:
        return False
    try:
        importlib.import_module('mmcv._ext')
        return False  # full mmcv: real compiled ops
    except ImportError:
        pass
    path = os.path.join(os.path.dirname(mmcv.__file__), 'ops',
                        'point_sample.py')
    spec = importlib.util.spec_from_file_location('mmcv.ops.point_sample',
                                                  path)
    point_sample = importlib.util.module_from_spec(spec)
    sys.modules['mmcv.ops.point_sample'] = point_sample
    spec.loader.exec_module(point_sample)
    ops = _stand_in(point_sample)
    sys.modules['mmcv.ops'] = ops
    mmcv.ops = ops
    # mmcv's transformer bricks warn on every import that mmcv-lite lacks
    # this op; with mmcv-lite that is expected, not news.
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
    return True
