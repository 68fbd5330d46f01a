"""The forward passes and loss terms of AFD, as functions of the algorithm.

``OnlineAdversarialDistill`` binds these functions as its methods
(``logit_losses``, ``generator_loss``, ``forward_train``,
``discriminator_losses``, ``loss`` and the private ``_features``,
``_run_network``, ``_cls_loss``, ``_frozen_discriminators``); each takes the
algorithm first and calls the others through its attributes.
"""
import contextlib
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.structures import BaseDataElement

from kd_plugins.utils.model import frozen

from ..losses.afd_adversarial_loss import discriminator_accuracy

__all__ = [
    'features', 'run_network', 'cls_loss', 'frozen_discriminators',
    'logit_losses', 'generator_loss', 'forward_train', 'discriminator_losses',
    'loss'
]

Losses = List[Dict[str, torch.Tensor]]


def features(algorithm: nn.Module, k: int,
             inputs: torch.Tensor) -> Tuple[torch.Tensor, Tuple]:
    """Feature map ``F_k`` of network ``k`` and all its backbone outputs."""
    feats = algorithm.networks[k].backbone(inputs)
    if not isinstance(feats, (tuple, list)):
        feats = (feats, )
    return feats[algorithm.feature_index], feats


def run_network(
    algorithm: nn.Module, k: int, inputs: torch.Tensor
) -> Tuple[torch.Tensor, torch.Tensor, Tuple[torch.Tensor, ...]]:
    """Feature map, logits and neck output of network ``k``."""
    net = algorithm.networks[k]
    fmap, feats = algorithm._features(k, inputs)
    neck_out = net.neck(feats) if getattr(net, 'neck',
                                          None) is not None else feats
    logits = net.head(neck_out)
    return fmap, logits, neck_out


def cls_loss(algorithm: nn.Module, k: int, logits: torch.Tensor,
             neck_out: Tuple,
             data_samples: List[BaseDataElement]) -> Dict[str, Any]:
    """Head loss of network ``k`` (key ``loss`` renamed ``loss_cls``)."""
    head = algorithm.networks[k].head
    if hasattr(head, '_get_loss'):  # mmpretrain ClsHead: reuse logits
        raw = head._get_loss(logits, data_samples)
    else:
        raw = head.loss(neck_out, data_samples)
    return {('loss_cls' if key == 'loss' else key): value
            for key, value in raw.items()}


def frozen_discriminators(algorithm: nn.Module):
    """Discriminator params do not require grad inside the context (the
    discriminators' train/eval mode is left as it is)."""
    if algorithm.discriminators is None:
        return contextlib.nullcontext()
    return frozen(algorithm.discriminators, eval_mode=False)


def logit_losses(
    algorithm: nn.Module, inputs: torch.Tensor,
    data_samples: List[BaseDataElement]
) -> Tuple[Losses, List[torch.Tensor]]:
    """``loss_cls`` and ``loss_kl`` of every network (one forward each).

    Returns:
        tuple: ``losses[k]`` (each depends on network ``k`` only) and the
        feature maps ``F_k`` (attached).
    """
    fmaps, logits, losses = [], [], []
    for k in range(algorithm.num_networks):
        fmap, z, neck_out = algorithm._run_network(k, inputs)
        fmaps.append(fmap)
        logits.append(z)
        losses.append(algorithm._cls_loss(k, z, neck_out, data_samples))
    _, peer_lists = algorithm.get_pairing()
    for k, peers in enumerate(peer_lists):
        kl = sum(
            algorithm.logit_loss(logits[k], logits[j].detach())
            for j in peers)
        losses[k]['loss_kl'] = kl / len(peers)
    return losses, fmaps


def generator_loss(algorithm: nn.Module, k: int, fmap: torch.Tensor
                   ) -> Tuple[torch.Tensor, torch.Tensor]:
    """``L_G_k`` of network ``k``'s feature map (``D_k`` frozen).

    Returns:
        tuple: the loss and ``Tr_k(F_k)`` (attached).
    """
    transferred = algorithm.transfers[k](fmap)
    with algorithm._frozen_discriminators():
        scores = algorithm.discriminators[k](transferred)
        loss = algorithm.adversarial_loss.generator_loss(scores)
    return loss, transferred


def forward_train(
    algorithm: nn.Module, inputs: torch.Tensor,
    data_samples: List[BaseDataElement]
) -> Tuple[Losses, List[torch.Tensor]]:
    """Per-network losses of the joint scheme and transferred maps.

    Returns:
        tuple: ``losses[k]`` (``loss_cls``, ``loss_kl`` and, when
        adversarial, ``loss_adv``; each depends on network ``k``'s
        parameters and ``Tr_k`` only) and ``Tr_k(F_k)`` (attached; empty
        without the adversarial part).
    """
    losses, fmaps = algorithm.logit_losses(inputs, data_samples)
    transferred: List[torch.Tensor] = []
    if algorithm.adversarial:
        for k, fmap in enumerate(fmaps):
            losses[k]['loss_adv'], t = algorithm.generator_loss(k, fmap)
            transferred.append(t)
    return losses, transferred


def discriminator_losses(
    algorithm: nn.Module, transferred: Sequence[torch.Tensor]
) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
    """LSGAN losses of every discriminator on detached features.

    Args:
        algorithm (nn.Module): An ``OnlineAdversarialDistill``.
        transferred (Sequence[torch.Tensor]): ``Tr_k(F_k)`` per network
            (detached here).

    Returns:
        tuple: ``{'disc{k}.loss': ...}`` and diagnostics (0-dim tensors,
        no gradient) ``disc{k}.acc`` / ``disc{k}.real_score`` /
        ``disc{k}.fake_score``.
    """
    feats = [t.detach() for t in transferred]
    peers, _ = algorithm.get_pairing()
    losses, stats = {}, {}
    for k, disc in enumerate(algorithm.discriminators):
        real = disc(feats[peers[k]])
        fake = disc(feats[k])
        losses[f'disc{k}.loss'] = \
            algorithm.adversarial_loss.discriminator_loss(real, fake)
        stats[f'disc{k}.acc'] = discriminator_accuracy(real, fake)
        stats[f'disc{k}.real_score'] = real.detach().mean()
        stats[f'disc{k}.fake_score'] = fake.detach().mean()
    return losses, stats


def loss(algorithm: nn.Module,
         inputs: torch.Tensor,
         data_samples: Optional[List[BaseDataElement]] = None
         ) -> Dict[str, torch.Tensor]:
    """Network losses, keys prefixed ``net{k}.`` (no discriminator term)."""
    losses, _ = algorithm.forward_train(inputs, data_samples)
    return {
        f'net{k}.{name}': value
        for k, per_net in enumerate(losses)
        for name, value in per_net.items()
    }
