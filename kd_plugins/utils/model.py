"""Reach the algorithm inside a model wrapper and check what it offers.

Hooks, loops and optimizer constructors get ``runner.model``, which may be a
model wrapper (``MMDistributedDataParallel``, kd_plugins'
``DistributedAlgorithmWrapper``, ...). :func:`unwrap_model` returns the
wrapped model and checks that it has the methods/attributes the caller is
about to use, so a wrong model fails with one line naming the caller and
what is missing.
"""
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence

import torch.nn as nn

__all__ = ['frozen', 'unwrap_model']


def _missing(model: object, required: Sequence[str]) -> List[str]:
    """The entries of ``required`` that ``model`` lacks.

    An entry is an attribute path (``'replay_buffer.set_beta'``); a trailing
    ``()`` asks for something callable (``'predict_all()'``).
    """
    missing = []
    for name in required:
        call = name.endswith('()')
        path = name[:-2] if call else name
        obj = model
        for part in path.split('.'):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is None or (call and not callable(obj)):
            missing.append(name)
    return missing


def unwrap_model(model: nn.Module,
                 required: Sequence[str] = (),
                 owner: str = 'kd_plugins',
                 kind: Optional[str] = None,
                 hint: Optional[str] = None) -> nn.Module:
    """The model inside ``model``'s wrapper, checked to have ``required``.

    ``model.module`` is returned when ``model`` is a registered mmengine
    model wrapper, or when it has a ``module`` that offers ``required`` and
    ``model`` itself does not (a wrapper mmengine does not know).

    Args:
        model (nn.Module): ``runner.model`` (wrapped or not).
        required (Sequence[str]): Attribute paths the caller uses; a
            trailing ``()`` requires a callable, e.g.
            ``('predict_all()', 'num_networks')``. Defaults to ().
        owner (str): Who asks, first word of the error. Defaults to
            ``'kd_plugins'``.
        kind (str, optional): What the model should be, for the error
            (``'an OnlineDistillAlgorithm'``). Defaults to None.
        hint (str, optional): What to do instead, appended to the error.
            Defaults to None.

    Returns:
        nn.Module: The unwrapped model.

    Raises:
        TypeError: One line: ``<owner>: the model <Type> is not <kind> (no
            <missing>); <hint>``.
    """
    from mmengine.model import is_model_wrapper
    inner = getattr(model, 'module', None)
    if is_model_wrapper(model) or (
            inner is not None and required and _missing(model, required)
            and not _missing(inner, required)):
        model = inner
    missing = _missing(model, required)
    if missing:
        name = type(model).__name__
        what = ', '.join(missing)
        message = (f'{owner}: the model {name} is not {kind} (no {what})'
                   if kind else f'{owner}: the model {name} has no {what}')
        raise TypeError(message + (f'; {hint}' if hint else ''))
    return model


@contextmanager
def frozen(module: nn.Module, eval_mode: bool = True) -> Iterator[None]:
    """Turn off ``requires_grad`` of ``module`` (and, with ``eval_mode``,
    put it in eval mode) inside the block; restore both afterwards."""
    mode = module.training
    flags = [p.requires_grad for p in module.parameters()]
    module.requires_grad_(False)
    if eval_mode:
        module.eval()
    try:
        yield
    finally:
        for p, flag in zip(module.parameters(), flags):
            p.requires_grad_(flag)
        if eval_mode:
            module.train(mode)
