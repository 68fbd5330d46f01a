"""One round of Fast's meta-learned data inversion (first-order MAML)."""
import copy
from typing import Callable, Dict, Tuple

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from .teacher_checks import check_finite_terms

__all__ = ['meta_invert']


def meta_invert(generator: nn.Module,
                z: torch.Tensor,
                loss_terms: Callable[[torch.Tensor], Dict[str, torch.Tensor]],
                optim_wrapper: OptimWrapper,
                steps: int,
                generator_lr: float,
                latent_lr: float,
                meta_learning: bool = True,
                keep: str = 'best'
                ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
    """Optimise a generator (clone) and latents ``z``; return one batch.

    Fast's ``FastMetaSynthesizer.synthesize`` (``datafree/synthesis/
    fast_meta.py``, ``is_maml=1``): a clone of the generator and the
    latents take ``steps`` Adam steps (betas (0.5, 0.999); ``generator_lr``
    for the clone, ``latent_lr`` for ``z``) on the summed ``loss_terms(x)``;
    the clone's gradient of every step is added to the generator's
    (first-order MAML) and ``optim_wrapper`` (the meta optimizer) steps
    once at the end. ``meta_learning=False`` trains the generator itself
    with ``optim_wrapper`` at every step instead. The batch kept is the one
    of lowest loss (``keep='best'``, Fast) or the last one.

    Args:
        generator (nn.Module): The generator, ``x = generator(z)``.
        z (torch.Tensor): Latents with ``requires_grad=True``.
        loss_terms (callable): ``x -> dict`` of loss tensors to sum.
        optim_wrapper (OptimWrapper): The generator's optimizer wrapper.
        steps (int): Inner steps.
        generator_lr (float): Inner learning rate of the clone.
        latent_lr (float): Learning rate of ``z``.
        meta_learning (bool): First-order MAML. Defaults to True.
        keep (str): ``'best'`` or ``'last'``. Defaults to 'best'.

    Returns:
        tuple: The kept batch (detached) and the detached loss terms of the
        last step plus ``'loss'``, the kept batch's loss.
    """
    clone = copy.deepcopy(generator) if meta_learning else generator
    groups = [dict(params=[z], lr=latent_lr)]
    if meta_learning:
        groups.append(dict(params=list(clone.parameters())))
    inner = torch.optim.Adam(groups, lr=generator_lr, betas=(0.5, 0.999))
    best, best_loss, logs = None, float('inf'), {}
    clone.train()
    optim_wrapper.zero_grad()
    for _ in range(steps):
        with optim_wrapper.optim_context(generator):
            x = clone(z)
            logs = loss_terms(x)
            loss = sum(logs.values())
        value = float(loss.detach())
        check_finite_terms(logs)  # a NaN teacher: stop, naming the terms
        if keep == 'last' or value < best_loss:
            best, best_loss = x.detach(), value
        inner.zero_grad()
        if meta_learning:
            optim_wrapper.backward(loss)
            for p, q in zip(generator.parameters(), clone.parameters()):
                if q.grad is not None:
                    p.grad = q.grad.clone() if p.grad is None \
                        else p.grad + q.grad
        else:
            optim_wrapper.update_params(loss)
        inner.step()
    if meta_learning:
        optim_wrapper.step()
        optim_wrapper.zero_grad()
    logs = {k: v.detach() for k, v in logs.items()}
    logs['loss'] = torch.tensor(best_loss)
    return best, logs
