"""SSD-KD: small-scale data-free knowledge distillation (CVPR 2024)."""
from typing import Dict, Optional, Union

import torch
import torch.nn as nn
from mmengine.dist import get_dist_info
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmrazor.registry import MODELS

from ..losses.per_sample_kl_loss import match_logit_size, per_sample_kl
from . import ssdkd_synthesis
from .batch_augment import BatchAugment
from .datafree_base import BaseDataFreeDistillation, check_args, gather_cat
from .grad_scaling import scale_sample_grads
from .synthesis_schedule import SynthesisSchedule
from .teacher_checks import random_batch, warn_about_teacher

__all__ = ['SSDKDDataFreeDistillation']


@MODELS.register_module()
class SSDKDDataFreeDistillation(BaseDataFreeDistillation):
    """SSD-KD data-free distillation (Liu et al., CVPR 2024) and Fast-2.

    One ``train_step`` is one KD step of the student, preceded by the
    synthesis rounds :class:`SynthesisSchedule` assigns to that iteration
    (the warm-up rounds that fill the buffer, then one round every
    ``synthesis_interval`` KD steps), so mmengine's ``IterBasedTrainLoop``,
    logger, LR schedule, checkpoints and ``--resume`` work per KD step. A
    round (Fast's meta-learned inversion) pushes its kept batch into the
    :class:`PrioritizedReplayBuffer` of ``data_scale`` images, replacing
    its lowest-priority samples once full: a clone of the generator and
    fresh latents are optimised ``generator_steps`` times on
    ``L_BN + phi L_task - adv L_adv`` (teacher BN statistics with momentum,
    diversity-aware task loss, Fast's masked adversarial KL, off in warm-up
    rounds; the student frozen in eval mode), the clone's gradients summed
    into the generator's (first-order MAML, Fast's ``is_maml``), one
    generator step. A KD step: draw ``(i, w_i)`` with raw
    ``w_i = (N P_i)^-beta``, set ``delta_i = w_i KL(T||S)``, train the
    student on ``distill_loss`` with each sample's gradient scaled by the
    normalised weight (``replay_buffer.weight_norm``: ``w_i / max w`` over
    the buffer as in PER, or ``w_i / mean w`` over the batch; exact for
    losses that are means over samples). Both priorities use the student
    in eval mode (:meth:`priority_kl`).

    Distributed: rounds gather every rank's batch, buffer draws are seeded
    identically on all ranks, each rank trains on its slice, the per-sample
    KL is gathered, so buffers stay identical; the wrapper averages
    gradients. Classification and segmentation (pixel-wise KL) both work.

    Args:
        architecture (dict | BaseModel): The student.
        teacher (dict | BaseModel): The teacher (frozen, eval mode).
        generator (dict | nn.Module): Needs ``latent_dim`` and ``out_shape``
            (``black_level`` optional: the padding value).
        teacher_ckpt (str, optional): Teacher checkpoint. Defaults to None.
        data_scale (int): Synthetic images held: the buffer capacity.
            Defaults to 5000.
        replay_buffer (dict): Buffer config without capacity.
            Defaults to ``dict(type='PrioritizedReplayBuffer')``.
        warmup_rounds (int, optional): Rounds without the adversarial
            term at the start; None fills the buffer (``ceil(data_scale /
            synthesis batch)``). Defaults to None.
        warmup_rounds_per_iter (int): Warm-up rounds per iteration.
            Defaults to 1.
        synthesis_interval (int): After the warm-up, KD steps per
            synthesis round (0: no refresh). Defaults to 1.
        bn_loss (dict): :class:`BNStatisticsLoss` config.
        task_loss (dict, optional): :class:`DiversityAwareTaskLoss` config;
            None disables the task term.
        adv_weight (float): Adversarial weight. Defaults to 1.0.
        distill_loss (dict): Student loss ``loss(preds_S, preds_T)`` from
            the registry. Defaults to ``dict(type='PerSampleKLLoss',
            tau=20.0)``.
        priority_tau (float): Temperature of the priority KL.
            Defaults to 1.0.
        task_type (str): ``'auto'``, ``'cls'`` or ``'seg'``.
            Defaults to 'auto'.
        task_targets (str): ``'random'`` (classes per sample, or per pixel
            for segmentation), ``'argmax'`` (the teacher's), ``'layout'``
            (segmentation: :func:`random_layouts` at the teacher's output
            size) or ``'auto'`` (random for classification, argmax for
            segmentation). Defaults to 'auto'.
        layout_background (int, optional): Background class of the
            ``'layout'`` targets; None draws one per sample.
            Defaults to None.
        synthesis_batch_size (int): Images per round and rank.
            Defaults to 64.
        kd_batch_size (int): Samples per KD step and rank. Defaults to 64.
        generator_steps (int): Inner steps per round. Defaults to 2.
        generator_lr (float): Inner Adam learning rate of the generator
            clone (Fast ``lr_g``); the optimizer of ``optim_wrapper``
            makes the meta step. Defaults to 5e-3.
        latent_lr (float): Adam learning rate of the latents. Defaults to
            0.015.
        meta_learning (bool): Fast's first-order meta-learning; False trains
            the generator directly with ``optim_wrapper``. Defaults to True.
        keep (str): ``'best'`` (lowest-loss batch of a round, Fast) or
            ``'last'``. Defaults to 'best'.
        synthesis_augment (dict, optional): :class:`BatchAugment` args for
            the teacher's view during synthesis. Defaults to
            ``dict(padding=4, flip=True)``.
        kd_augment (dict, optional): Same, for KD batches. Defaults to
            ``dict(padding=4, flip=True)``.
        seed (int): Seed of latents, targets, draws and views.
            Defaults to 0.
        data_preprocessor (dict, optional): For validation. Defaults to None.
        init_cfg (dict, optional): Init config. Defaults to None.
    """

    owner = 'SSDKD'

    def __init__(self,
                 architecture: Union[dict, BaseModel],
                 teacher: Union[dict, BaseModel],
                 generator: Union[dict, nn.Module],
                 teacher_ckpt: Optional[str] = None,
                 data_scale: int = 5000,
                 replay_buffer: dict = dict(type='PrioritizedReplayBuffer'),
                 warmup_rounds: Optional[int] = None,
                 warmup_rounds_per_iter: int = 1,
                 synthesis_interval: int = 1,
                 bn_loss: dict = dict(
                     type='BNStatisticsLoss', loss_weight=10.0,
                     momentum=0.9),
                 task_loss: Optional[dict] = dict(
                     type='DiversityAwareTaskLoss', loss_weight=0.5),
                 adv_weight: float = 1.0,
                 distill_loss: dict = dict(type='PerSampleKLLoss', tau=20.0),
                 priority_tau: float = 1.0,
                 task_type: str = 'auto',
                 task_targets: str = 'auto',
                 layout_background: Optional[int] = None,
                 synthesis_batch_size: int = 64,
                 kd_batch_size: int = 64,
                 generator_steps: int = 2,
                 generator_lr: float = 5e-3,
                 latent_lr: float = 0.015,
                 meta_learning: bool = True,
                 keep: str = 'best',
                 synthesis_augment: Optional[dict] = dict(
                     padding=4, flip=True),
                 kd_augment: Optional[dict] = dict(padding=4, flip=True),
                 seed: int = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        check_args(self.owner, choices=(
            ('task_type', task_type, ('auto', 'cls', 'seg')),
            ('task_targets', task_targets, ('auto', 'random', 'argmax',
                                            'layout')),
            ('keep', keep, ('best', 'last'))), positive=(
                ('synthesis_batch_size', synthesis_batch_size),
                ('kd_batch_size', kd_batch_size),
                ('generator_steps', generator_steps)))
        if 'capacity' in replay_buffer:
            raise ValueError('SSDKD: set data_scale, not '
                             'replay_buffer.capacity')
        schedule = SynthesisSchedule(
            data_scale, synthesis_batch_size, get_dist_info()[1],
            warmup_rounds, warmup_rounds_per_iter, synthesis_interval)
        super().__init__(architecture, teacher, generator, teacher_ckpt,
                         seed, data_preprocessor, init_cfg)
        self.schedule = schedule
        self.replay_buffer = MODELS.build(
            dict(replay_buffer, capacity=data_scale,
                 sample_shape=tuple(self.generator.out_shape)))
        self.bn_loss = MODELS.build(bn_loss)
        self.bn_loss.register(self.teacher)
        self.task_loss = MODELS.build(task_loss) if task_loss else None
        self.distill_loss = MODELS.build(distill_loss)
        self.synthesis_augment = BatchAugment(**synthesis_augment) \
            if synthesis_augment else None
        self.kd_augment = BatchAugment(**kd_augment) if kd_augment else None

        self.data_scale = int(data_scale)
        self.adv_weight = adv_weight
        self.priority_tau = priority_tau
        self.task_type = task_type
        self.task_targets = task_targets
        self.layout_background = layout_background
        self.synthesis_batch_size = synthesis_batch_size
        self.kd_batch_size = kd_batch_size
        self.generator_steps = generator_steps
        self.generator_lr = generator_lr
        self.latent_lr = latent_lr
        self.meta_learning = meta_learning
        self.keep = keep
        for name in ('num_rounds', 'num_steps'):
            self.register_buffer(name, torch.zeros((), dtype=torch.long))

    @property
    def images_per_iter(self) -> int:
        """Synthetic images the student trains on per iteration (rank)."""
        return self.kd_batch_size

    def _logits(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """``model``'s logits, checked against ``task_type``."""
        out = super()._logits(model, x)
        want = {'cls': (2, ), 'seg': (4, ), 'auto': (2, 4)}[self.task_type]
        if out.dim() not in want:
            raise ValueError(f'SSDKD: {type(model).__name__} returned '
                             f'{tuple(out.shape)}; task_type='
                             f'{self.task_type!r} expects logits of rank '
                             f'{want}')
        return out

    @torch.no_grad()
    def priority_kl(self, x: torch.Tensor,
                    t_out: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Per-sample ``KL(T||S)`` at ``priority_tau``, student in eval."""
        mode = self.student.training
        self.student.eval()
        s_out = self._logits(self.student, x)
        self.student.train(mode)
        if t_out is None:
            t_out = self._logits(self.teacher, x)
        return per_sample_kl(s_out, t_out, self.priority_tau)

    # ------------------------------------------------------------ synthesis
    def synthesize(self, optim_wrapper: OptimWrapper) -> Dict[str, float]:
        """One round: draw latents, invert them, store the kept batch
        (:mod:`.ssdkd_synthesis`)."""
        gen = self.seeds.fork(1, int(self.num_rounds), get_dist_info()[0])
        z = self.sample_latents(self.synthesis_batch_size, gen)
        x, logs = ssdkd_synthesis.invert(self, z.requires_grad_(True), gen,
                                         optim_wrapper)
        ssdkd_synthesis.store(self, x)
        self.num_rounds += 1
        return logs

    # ---------------------------------------------------------- distillation
    def distill_student(self,
                        optim_wrapper: OptimWrapper) -> Dict[str, float]:
        """One KD step on a priority-sampled buffer batch.

        Sets the drawn samples' priorities to ``w_raw * KL`` first.
        """
        rank, world_size = get_dist_info()
        step, kb = int(self.num_steps), self.kd_batch_size
        buf = self.replay_buffer
        idx_all, w_all = buf.sample(kb * world_size, self.seeds.fork(3, step))
        device = next(self.student.parameters()).device
        x = buf.get(idx_all[rank * kb:(rank + 1) * kb]).to(device)
        if self.kd_augment:
            x = self.kd_augment(x, self.seeds.fork(4, step, rank),
                                getattr(self.generator, 'black_level', None))
        w_loss = buf.normalize_weights(w_all)[rank * kb:(rank + 1) * kb]
        with torch.no_grad():
            t_out = self._logits(self.teacher, x)
        kl = gather_cat(self.priority_kl(x, t_out))
        buf.update_priorities(idx_all, w_all * kl.to(w_all.device))

        self.student.train()
        with optim_wrapper.optim_context(self.student):
            s_out = match_logit_size(self._logits(self.student, x), t_out)
            s_out = scale_sample_grads(s_out, w_loss.to(s_out))
            loss = self.distill_loss(s_out, t_out)
        optim_wrapper.update_params(loss)
        self.num_steps += 1
        return dict(loss_kd=loss.detach(), is_weight=w_loss.mean())

    def train_step(self, data, optim_wrapper: OptimWrapperDict
                   ) -> Dict[str, torch.Tensor]:
        """One iteration: its synthesis rounds, then one KD step.

        Args:
            data: Ignored (data-free); the loader only drives the loop.
            optim_wrapper (OptimWrapperDict): ``'generator'`` and
                ``'architecture'`` entries.

        Returns:
            dict[str, torch.Tensor]: The KD step's losses, the means of the
            rounds' losses (when the iteration had rounds), buffer size and
            beta.
        """
        self.check_optim_wrapper(optim_wrapper)
        if not getattr(self, '_teacher_checked', False):  # NaN / constant
            x = random_batch(self.generator.out_shape, self.teacher)
            self._teacher_checked = warn_about_teacher(self.teacher, x)
        sums: Dict[str, list] = {}
        for _ in range(self.schedule.rounds(int(self.num_steps))):
            for k, v in self.synthesize(optim_wrapper['generator']).items():
                sums.setdefault(f'generator.{k}', []).append(v)
        log_vars = {k: torch.stack(v).float().mean()
                    for k, v in sums.items()}
        for k, v in self.distill_student(
                optim_wrapper['architecture']).items():
            log_vars[f'distill.{k}'] = v
        log_vars['loss'] = log_vars['distill.loss_kd']
        log_vars['buffer.size'] = torch.tensor(float(len(self.replay_buffer)))
        log_vars['buffer.beta'] = self.replay_buffer.beta.detach().float()
        return log_vars
