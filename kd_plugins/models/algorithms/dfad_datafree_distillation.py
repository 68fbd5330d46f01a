"""DFAD: data-free adversarial distillation (Fang et al., 2019)."""
from typing import Dict, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import get_dist_info
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmrazor.registry import MODELS

from ..losses.per_sample_kl_loss import match_logit_size
from .datafree_base import BaseDataFreeDistillation, check_args, frozen

__all__ = ['DFADDataFreeDistillation']


@MODELS.register_module()
class DFADDataFreeDistillation(BaseDataFreeDistillation):
    """DFAD: a generator and the student play a min-max game on the
    teacher-student discrepancy, without any data (no BN statistics).

    One ``train_step`` is one DFAD iteration of the authors' code
    (VainF/Data-Free-Adversarial-Distillation, ``DFAD_nyu_deeplab.py`` /
    ``DFAD_cifar.py``): ``student_steps`` student steps, each on a fresh
    generated batch (``G(z)`` detached), minimising the mean absolute
    error ``L1(S(x), T(x))`` between the logits (per pixel for
    segmentation), then one generator step minimising
    ``-log(1 + L1(S(G(z)), T(G(z))))``, i.e. maximising the discrepancy.
    The teacher stays in eval mode; the student is in train mode in both
    steps, as in the authors' code, but only the generator is updated in
    the generator step.

    Args:
        architecture (dict | BaseModel): The student.
        teacher (dict | BaseModel): The teacher (frozen, eval mode).
        generator (dict | nn.Module): Needs ``latent_dim``; its output is
            fed to both networks as they are fed normalised images.
        teacher_ckpt (str, optional): Teacher checkpoint. Defaults to None.
        batch_size (int): Generated images per step and rank.
            Defaults to 64.
        student_steps (int): Student steps per iteration. Defaults to 5.
        seed (int): Seed of the latents. Defaults to 0.
        data_preprocessor (dict, optional): For validation. Defaults to None.
        init_cfg (dict, optional): Init config. Defaults to None.
    """

    owner = 'DFAD'

    def __init__(self,
                 architecture: Union[dict, BaseModel],
                 teacher: Union[dict, BaseModel],
                 generator: Union[dict, nn.Module],
                 teacher_ckpt: Optional[str] = None,
                 batch_size: int = 64,
                 student_steps: int = 5,
                 seed: int = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        check_args(self.owner, positive=(('batch_size', batch_size),
                                         ('student_steps', student_steps)))
        super().__init__(architecture, teacher, generator, teacher_ckpt,
                         seed, data_preprocessor, init_cfg)
        self.batch_size = batch_size
        self.student_steps = student_steps
        self.register_buffer('num_steps', torch.zeros((), dtype=torch.long))

    def discrepancy(self, x: torch.Tensor) -> torch.Tensor:
        """``L1(S(x), T(x))``: mean absolute logit difference (the
        student's logits resized to the teacher's for segmentation)."""
        with torch.no_grad():
            t_out = self._logits(self.teacher, x)
        s_out = match_logit_size(self._logits(self.student, x), t_out)
        return F.l1_loss(s_out, t_out)

    def _generate(self, key: int, sub: int) -> torch.Tensor:
        gen = self.seeds.fork(key, int(self.num_steps), sub,
                              get_dist_info()[0])
        return self.generator(self.sample_latents(self.batch_size, gen))

    def train_step(self, data, optim_wrapper: OptimWrapperDict
                   ) -> Dict[str, torch.Tensor]:
        """One iteration: ``student_steps`` student steps, one generator
        step.

        Args:
            data: Ignored (data-free); the loader only drives the loop.
            optim_wrapper (OptimWrapperDict): ``'generator'`` and
                ``'architecture'`` entries.

        Returns:
            dict[str, torch.Tensor]: ``loss`` (the last student L1) and
            ``loss_generator``.
        """
        self.check_optim_wrapper(optim_wrapper)
        self.student.train()
        self.generator.train()
        s_wrapper, g_wrapper = (optim_wrapper['architecture'],
                                optim_wrapper['generator'])
        for k in range(self.student_steps):
            with torch.no_grad():
                x = self._generate(0, k)
            with s_wrapper.optim_context(self.student):
                loss_s = self.discrepancy(x)
            s_wrapper.update_params(loss_s)

        with frozen(self.student, eval_mode=False):
            with g_wrapper.optim_context(self.generator):
                x = self._generate(1, 0)
                t_out = self._logits(self.teacher, x)
                s_out = match_logit_size(self._logits(self.student, x),
                                         t_out)
                loss_g = -torch.log1p(F.l1_loss(s_out, t_out))
            g_wrapper.update_params(loss_g)
        self.num_steps += 1
        return dict(loss=loss_s.detach(), loss_generator=loss_g.detach())
