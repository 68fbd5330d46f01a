"""The two update schemes of AFD, as functions of the algorithm.

``update='alternating'`` (default; the paper's scheme, docs/afd.md),
one :func:`train_step`:

1. logit step: one forward of every network; ``optim_wrapper['net{k}']``
   (SGD) steps network ``k`` on ``L_logit_k`` (:func:`step_networks`);
2. adversarial step: a fresh forward of every backbone up to ``F_k`` (the
   networks have just moved), ``Tr_k``, the frozen ``D_k``;
   ``optim_wrapper['adv{k}']`` (its own optimizer, e.g. Adam 2e-5, over
   backbone ``k`` and ``Tr_k``) steps on ``L_G_k``
   (:func:`update_adversarial`);
3. discriminator step: ``optim_wrapper['discriminators']`` on the detached
   maps of step 2 (:func:`update_discriminators`).

``update='joint'`` (kept for ablation): one forward;
``optim_wrapper['net{k}']`` steps network ``k`` on ``L_logit_k + L_G_k``;
``adv{k}`` steps only ``Tr_k`` (skipped when it is the identity)
(:func:`update_networks`); then the discriminators as in step 3.

``OnlineAdversarialDistill`` binds these functions as its methods
(``update_networks``, ``update_adversarial``, ``update_discriminators``,
``_step_networks``); :func:`train_step` calls the steps through the
algorithm's attributes.
"""
import contextlib
from typing import Dict, List, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapperDict

__all__ = [
    'step_networks', 'update_networks', 'update_adversarial',
    'update_discriminators', 'train_step'
]


def step_networks(algorithm: nn.Module,
                  losses: Sequence[Dict[str, torch.Tensor]],
                  optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
    """``net{k}`` steps on the sum of ``losses[k]``.

    Returns:
        dict: Log variables (``loss``, ``net{k}.loss``, ``net{k}.loss_*``).
    """
    log_vars = {}
    total = 0.
    for k, per_net in enumerate(losses):
        loss, net_vars = algorithm.parse_losses(per_net)
        optim_wrapper[f'net{k}'].update_params(loss)
        total = total + loss.detach()
        log_vars.update(
            {f'net{k}.{name}': value
             for name, value in net_vars.items()})
    return dict(loss=total, **log_vars)


def update_networks(algorithm: nn.Module,
                    losses: Sequence[Dict[str, torch.Tensor]],
                    optim_wrapper: OptimWrapperDict
                    ) -> Dict[str, torch.Tensor]:
    """Joint scheme: every network on its full loss, then ``adv{k}`` (the
    transfer layers, whose only gradient is the generator term).

    Args:
        algorithm (nn.Module): An ``OnlineAdversarialDistill``.
        losses (Sequence[dict]): Output of its ``forward_train``.
        optim_wrapper (OptimWrapperDict): The algorithm's wrappers.

    Returns:
        dict: Log variables (``loss``, ``net{k}.loss``, ``net{k}.loss_*``).
    """
    log_vars = algorithm._step_networks(losses, optim_wrapper)
    for k in range(algorithm.num_networks):
        if f'adv{k}' in optim_wrapper.keys():
            optim_wrapper[f'adv{k}'].step()
            optim_wrapper[f'adv{k}'].zero_grad()
    return log_vars


def update_adversarial(algorithm: nn.Module, inputs: torch.Tensor,
                       optim_wrapper: OptimWrapperDict
                       ) -> Tuple[Dict[str, torch.Tensor], List[torch.Tensor]]:
    """Alternating scheme, step 2: fresh backbone forward, ``adv{k}`` steps
    backbone ``k`` and ``Tr_k`` on ``L_G_k``.

    Returns:
        tuple: log variables (``net{k}.loss_adv``) and the detached
        ``Tr_k(F_k)`` for the discriminator step.
    """
    log_vars, transferred = {}, []
    for k in range(algorithm.num_networks):
        wrapper = optim_wrapper[f'adv{k}']
        with wrapper.optim_context(algorithm.networks[k]):
            fmap, _ = algorithm._features(k, inputs)
            loss, t = algorithm.generator_loss(k, fmap)
        wrapper.update_params(loss)
        log_vars[f'net{k}.loss_adv'] = loss.detach()
        transferred.append(t.detach())
    return log_vars, transferred


def update_discriminators(algorithm: nn.Module,
                          transferred: Sequence[torch.Tensor],
                          optim_wrapper: OptimWrapperDict
                          ) -> Dict[str, torch.Tensor]:
    """One discriminator step on detached transferred features.

    Args:
        algorithm (nn.Module): An ``OnlineAdversarialDistill``.
        transferred (Sequence[torch.Tensor]): ``Tr_k(F_k)`` per network.
        optim_wrapper (OptimWrapperDict): The algorithm's wrappers.

    Returns:
        dict: Log variables (``disc.loss``, ``disc{k}.loss`` and the
        diagnostics ``disc{k}.acc/real_score/fake_score``).
    """
    wrapper = optim_wrapper['discriminators']
    with wrapper.optim_context(algorithm.discriminators):
        losses, stats = algorithm.discriminator_losses(transferred)
    loss, log_vars = algorithm.parse_losses(losses)
    wrapper.update_params(loss)
    log_vars = dict(log_vars)
    log_vars['disc.loss'] = log_vars.pop('loss')
    log_vars.update(stats)
    return log_vars


def train_step(algorithm: nn.Module, data: Union[dict, tuple, list],
               optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
    """One iteration of ``algorithm.update``'s scheme on a checked wrapper.

    Args:
        algorithm (nn.Module): An ``OnlineAdversarialDistill``.
        data (dict | tuple | list): A batch from the dataloader.
        optim_wrapper (OptimWrapperDict): Keys from its
            ``optim_wrapper_modules()``.

    Returns:
        dict: Detached log variables (see
        ``OnlineAdversarialDistill.train_step``).
    """
    alternating = algorithm.adversarial and algorithm.update == 'alternating'
    with contextlib.ExitStack() as stack:
        for k, net in enumerate(algorithm.networks):
            stack.enter_context(optim_wrapper[f'net{k}'].optim_context(net))
        data = algorithm.data_preprocessor(data, True)
        if alternating:
            losses, _ = algorithm.logit_losses(data['inputs'],
                                               data['data_samples'])
        else:
            losses, transferred = algorithm.forward_train(
                data['inputs'], data['data_samples'])
    if alternating:
        log_vars = algorithm._step_networks(losses, optim_wrapper)
        adv_vars, transferred = algorithm.update_adversarial(
            data['inputs'], optim_wrapper)
        log_vars.update(adv_vars)
        log_vars['loss'] = log_vars['loss'] + sum(adv_vars.values())
    else:
        log_vars = algorithm.update_networks(losses, optim_wrapper)
    if algorithm.adversarial:
        log_vars.update(
            algorithm.update_discriminators(transferred, optim_wrapper))
    return {key: value.detach() if isinstance(value, torch.Tensor) else
            value for key, value in log_vars.items()}
