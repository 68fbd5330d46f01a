"""The synthesis round of SSD-KD, as functions of the algorithm.

``SSDKDDataFreeDistillation.synthesize`` draws the round's latents, then
:func:`invert` runs Fast's meta-learned inversion on the loss terms of
:func:`inversion_terms` and :func:`store` pushes the kept batch of every
rank into the replay buffer with its initial priority. The functions reach
the networks, losses and buffer through the algorithm's attributes.
"""
from typing import Callable, Dict, Tuple

import torch
import torch.nn as nn
from mmengine.dist import get_dist_info
from mmengine.optim import OptimWrapper

from ..losses.masked_adversarial_kl import masked_adversarial_kl
from .datafree_base import frozen, gather_cat
from .layout_targets import task_targets
from .meta_inversion import meta_invert

__all__ = ['invert', 'inversion_terms', 'store']


def inversion_terms(algorithm: nn.Module, gen_targets: torch.Generator
                    ) -> Callable[[torch.Tensor], Dict[str, torch.Tensor]]:
    """The loss terms of the current round as a function of the images.

    ``loss_bn`` (teacher BN statistics), ``loss_task`` (when the algorithm
    has a task loss; targets drawn from ``gen_targets`` on the first call,
    then reused) and ``loss_adv`` (``-adv_weight`` times Fast's masked
    adversarial KL; not in warm-up rounds), all on the teacher's view
    (``synthesis_augment``) of the images.
    """
    rnd = int(algorithm.num_rounds)
    adv_on = algorithm.adv_weight and \
        not algorithm.schedule.is_warmup_round(rnd)
    views = algorithm.seeds.fork(5, rnd, get_dist_info()[0])
    fill = getattr(algorithm.generator, 'black_level', None)
    targets = []

    def loss_terms(x: torch.Tensor) -> Dict[str, torch.Tensor]:
        if algorithm.synthesis_augment:
            x = algorithm.synthesis_augment(x, views, fill)
        with algorithm.bn_loss.recording():
            t_out = algorithm._logits(algorithm.teacher, x)
        terms = dict(loss_bn=algorithm.bn_loss())
        if algorithm.task_loss is not None:
            if not targets:
                targets.append(task_targets(t_out, algorithm.task_targets,
                                            gen_targets,
                                            algorithm.layout_background))
            terms['loss_task'] = algorithm.task_loss(t_out, targets[0])
        if adv_on:
            terms['loss_adv'] = -algorithm.adv_weight * masked_adversarial_kl(
                algorithm._logits(algorithm.student, x), t_out)
        return terms

    return loss_terms


def invert(algorithm: nn.Module, z: torch.Tensor,
           gen_targets: torch.Generator, optim_wrapper: OptimWrapper
           ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
    """Meta-learned inversion of ``z`` (the student frozen in eval mode),
    then the BN-statistics momentum update; returns the kept batch and the
    round's losses."""
    loss_terms = inversion_terms(algorithm, gen_targets)
    with frozen(algorithm.student):
        x, logs = meta_invert(algorithm.generator, z, loss_terms,
                              optim_wrapper, algorithm.generator_steps,
                              algorithm.generator_lr, algorithm.latent_lr,
                              algorithm.meta_learning, algorithm.keep)
    algorithm.bn_loss.update_momentum()
    return x, logs


def store(algorithm: nn.Module, x: torch.Tensor) -> None:
    """Push the batch (all ranks') with initial priority KL(T||S)."""
    kl = algorithm.priority_kl(x)
    algorithm.replay_buffer.push(
        gather_cat(x), gather_cat(kl),
        generator=algorithm.seeds.fork(2, int(algorithm.num_rounds)))
