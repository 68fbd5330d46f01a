"""Fix "torchvision": torchvision's compiled ops against a CPU build of torch.

What it fixes: PyPI's torchvision wheel is built against CUDA torch. Its
``_C`` library cannot load beside the CPU build of torch, and
``import torchvision`` then fails with ``operator torchvision::nms does not
exist``. Defining the two op schemas first lets its pure-Python parts
(transforms, box helpers) work; compiled ops keep raising when called.

How it detects the need: torchvision is installed, not imported yet, and its
``_C*.so`` is missing or ``torch.ops.load_library`` rejects it.

When to delete: when the pinned torchvision matches the pinned torch build
(``import torchvision`` works with ``KD_PLUGINS_COMPAT=0``).
"""
import glob
import importlib.util
import os
import sys

import torch

__all__ = ['NAME', 'needed', 'fix']

NAME = 'torchvision'
# The op definitions vanish when the Library object is freed.
_LIBRARY = None


def needed() -> bool:
    """Whether torchvision is installed with a ``_C`` library torch rejects."""
    if 'torchvision' in sys.modules:
        return False  # already imported (so it worked, or it is too late)
    spec = importlib.util.find_spec('torchvision')
    if spec is None or spec.origin is None:
        return False
    libs = glob.glob(os.path.join(os.path.dirname(spec.origin), '_C*.so'))
    if not libs:
        return True
    try:
        torch.ops.load_library(libs[0])
    except OSError:
        return True
    return False


def fix() -> bool:
    """Define ``torchvision::nms`` and ``qnms``; True when it did."""
    global _LIBRARY
    if not needed():
        return False
    try:
        torch.ops.torchvision.nms.default
        return False  # defined by an earlier copy of this layer
    except (AttributeError, RuntimeError):
        pass
    _LIBRARY = torch.library.Library('torchvision', 'DEF')
    _LIBRARY.define(
        'nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    _LIBRARY.define(
        'qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    return True
