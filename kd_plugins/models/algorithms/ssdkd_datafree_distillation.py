"""SSD-KD: small-scale data-free knowledge distillation (CVPR 2024)."""
import warnings
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import all_gather, get_dist_info
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmrazor.models.algorithms.base import BaseAlgorithm
from mmrazor.registry import MODELS

from kd_plugins.utils.checkpoint import load_teacher

__all__ = ['SSDKDDataFreeDistillation', 'per_sample_kl']


def per_sample_kl(student_logits: torch.Tensor,
                  teacher_logits: torch.Tensor,
                  tau: float = 1.0) -> torch.Tensor:
    """``KL(softmax(t/tau) || softmax(s/tau))`` per sample.

    Classification logits (N, K) give one value per sample; segmentation
    logits (N, K, H, W) give the mean pixel-wise KL per sample (the
    student map is resized bilinearly to the teacher's size if they
    differ).

    Args:
        student_logits (torch.Tensor): Student logits.
        teacher_logits (torch.Tensor): Teacher logits.
        tau (float): Temperature. Defaults to 1.0.

    Returns:
        torch.Tensor: Shape (N,), not multiplied by ``tau**2``.
    """
    if student_logits.dim() == 4 and \
            student_logits.shape[-2:] != teacher_logits.shape[-2:]:
        student_logits = F.interpolate(
            student_logits, size=teacher_logits.shape[-2:],
            mode='bilinear', align_corners=False)
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(
            f'SSDKD: student logits {tuple(student_logits.shape)} and '
            f'teacher logits {tuple(teacher_logits.shape)} differ')
    log_p_s = F.log_softmax(student_logits.float() / tau, dim=1)
    log_p_t = F.log_softmax(teacher_logits.float() / tau, dim=1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1)
    return kl.reshape(kl.shape[0], -1).mean(dim=1)


def _masked_adversarial_kl(student_logits: torch.Tensor,
                           teacher_logits: torch.Tensor) -> torch.Tensor:
    """Fast's adversarial term: mean KL(T||S) where argmax S == argmax T."""
    if student_logits.dim() == 4 and \
            student_logits.shape[-2:] != teacher_logits.shape[-2:]:
        student_logits = F.interpolate(
            student_logits, size=teacher_logits.shape[-2:],
            mode='bilinear', align_corners=False)
    log_p_s = F.log_softmax(student_logits.float(), dim=1)
    log_p_t = F.log_softmax(teacher_logits.float(), dim=1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1)
    mask = (student_logits.argmax(1) == teacher_logits.argmax(1)).float()
    return (kl * mask).mean()


@MODELS.register_module()
class SSDKDDataFreeDistillation(BaseAlgorithm):
    """SSD-KD data-free distillation (Liu et al., CVPR 2024).

    A frozen teacher, a student (``architecture``) and a generator. One
    ``train_step`` (one runner iteration) does:

    1. every ``synthesis_interval`` iterations (and whenever the buffer is
       empty) a synthesis round: ``generator_steps`` Adam steps of the
       generator on ``L_BN + phi * L_task - adv_weight * L_adv`` (BN
       statistics on every teacher BatchNorm, diversity-aware modulated task
       loss, Fast's masked adversarial KL; the student is in eval mode and
       receives no gradient), then the last synthetic batch is pushed into
       the replay buffer with initial priority ``KL(T||S)`` (``w_{-1}=1``);
    2. ``student_steps`` KD steps on buffer batches drawn with priorities:
       ``L = kd_weight * tau^2 * mean_i w_i KL_tau(T(x_i) || S(x_i))`` with
       importance weights ``w_i``. The per-sample KL (at ``priority_tau``)
       is kept for :class:`PrioritySamplingHook`, which sets the new
       priorities ``delta = w * KL`` and anneals ``beta``.

    Classification (mmpretrain classifiers: logits from ``mode='tensor'``)
    and segmentation (mmseg segmentors: decode-head maps, pixel-wise KL)
    are both supported (``task_type='auto'`` decides from the teacher's
    output rank). No training data is used: the train dataloader only
    drives the loop (see ``DataFreePlaceholderDataset``); validation runs
    the student on real data.

    Distributed (``model_wrapper_cfg=dict(type=
    'mmrazor.DistributedAlgorithmWrapper')``): every rank generates its own
    batch (latents seeded by ``seed``, round and rank), the batches are
    all-gathered and pushed in rank order, so every rank holds the same
    buffer; buffer draws use a CPU generator seeded by ``seed`` and the
    iteration (identical on every rank) for ``kd_batch_size * world_size``
    indices, and each rank trains on its own slice; the per-sample KL
    values are all-gathered so priorities stay identical. The wrapper
    averages generator and student gradients.

    Args:
        architecture (dict | BaseModel): The student.
        teacher (dict | BaseModel): The teacher (frozen, kept in eval mode).
        generator (dict | nn.Module): The generator, e.g.
            ``dict(type='SSDKDGenerator')``; needs ``latent_dim``,
            ``out_shape`` and ``sample_latent``-free ``forward(z)``.
        teacher_ckpt (str, optional): Teacher checkpoint path or URL.
            Defaults to None.
        replay_buffer (dict): :class:`PrioritizedReplayBuffer` config;
            ``sample_shape`` is taken from the generator.
            Defaults to ``dict(type='PrioritizedReplayBuffer')``.
        bn_loss (dict): :class:`BNStatisticsLoss` config (Fast: weight 10).
            Defaults to ``dict(type='BNStatisticsLoss', loss_weight=10.)``.
        task_loss (dict, optional): :class:`DiversityAwareTaskLoss` config
            (Fast: CE weight 0.5); None disables the task term. Defaults to
            ``dict(type='DiversityAwareTaskLoss', loss_weight=0.5)``.
        adv_weight (float): Weight of the adversarial term. Defaults to 1.0.
        kd_tau (float): KD temperature (Fast: 20). Defaults to 20.0.
        kd_weight (float): Weight of the student KD loss. Defaults to 1.0.
        priority_tau (float): Temperature of the KL used for priorities.
            Defaults to 1.0.
        task_type (str): ``'auto'``, ``'cls'`` or ``'seg'``.
            Defaults to 'auto'.
        task_targets (str): ``'random'`` (uniform random classes, Fast) or
            ``'argmax'`` (the teacher's own prediction); ``'auto'`` picks
            random for classification and argmax for segmentation.
            Defaults to 'auto'.
        synthesis_batch_size (int): Synthetic samples per round and rank.
            Defaults to 64.
        kd_batch_size (int): Buffer samples per student step and rank.
            Defaults to 64.
        generator_steps (int): Generator updates per round. Defaults to 5.
        synthesis_interval (int): Iterations between synthesis rounds.
            Defaults to 10.
        student_steps (int): Student updates per iteration. Defaults to 1.
        warmup_generator_steps (int, optional): Generator updates of the
            very first round (a better first buffer); None uses
            ``generator_steps``. Defaults to None.
        latent_lr (float): Fast also optimises the latent codes of a round
            (Adam, betas (0.5, 0.999)) with this learning rate; 0 keeps them
            fixed. Defaults to 5e-3.
        kd_augment (dict, optional): Augmentation of the buffer batches in
            the student step (teacher and student see the same view):
            ``dict(padding=4, flip=True)`` gives a random shift of up to
            ``padding`` pixels (zero = mean padding) and a horizontal flip
            with probability 0.5. None disables it. Defaults to None.
        seed (int): Seed of the latents and of the buffer draws.
            Defaults to 0.
        data_preprocessor (dict, optional): For validation; defaults to the
            student's. Defaults to None.
        init_cfg (dict, optional): Init config. Defaults to None.
    """

    def __init__(self,
                 architecture: Union[dict, BaseModel],
                 teacher: Union[dict, BaseModel],
                 generator: Union[dict, nn.Module],
                 teacher_ckpt: Optional[str] = None,
                 replay_buffer: dict = dict(type='PrioritizedReplayBuffer'),
                 bn_loss: dict = dict(
                     type='BNStatisticsLoss', loss_weight=10.0),
                 task_loss: Optional[dict] = dict(
                     type='DiversityAwareTaskLoss', loss_weight=0.5),
                 adv_weight: float = 1.0,
                 kd_tau: float = 20.0,
                 kd_weight: float = 1.0,
                 priority_tau: float = 1.0,
                 task_type: str = 'auto',
                 task_targets: str = 'auto',
                 synthesis_batch_size: int = 64,
                 kd_batch_size: int = 64,
                 generator_steps: int = 5,
                 synthesis_interval: int = 10,
                 student_steps: int = 1,
                 warmup_generator_steps: Optional[int] = None,
                 latent_lr: float = 5e-3,
                 kd_augment: Optional[dict] = None,
                 seed: int = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(architecture, data_preprocessor, init_cfg)
        if task_type not in ('auto', 'cls', 'seg'):
            raise ValueError(f'SSDKD: task_type must be auto, cls or seg, '
                             f'got {task_type!r}')
        if task_targets not in ('auto', 'random', 'argmax'):
            raise ValueError(f'SSDKD: task_targets must be auto, random or '
                             f'argmax, got {task_targets!r}')
        for name, value in (('synthesis_batch_size', synthesis_batch_size),
                            ('kd_batch_size', kd_batch_size),
                            ('generator_steps', generator_steps),
                            ('synthesis_interval', synthesis_interval),
                            ('student_steps', student_steps)):
            if value < 1:
                raise ValueError(f'SSDKD: {name} must be >= 1, got {value}')

        self.teacher = MODELS.build(teacher) if isinstance(teacher,
                                                           dict) else teacher
        if teacher_ckpt:
            # init first so the runner's init_weights() cannot overwrite it
            self.teacher.init_weights()
            load_teacher(self.teacher, teacher_ckpt)  # strict, safe
            self.teacher._is_init = True
        for p in self.teacher.parameters():
            p.requires_grad_(False)
        self.teacher.eval()

        self.generator = MODELS.build(generator) if isinstance(
            generator, dict) else generator
        buffer_cfg = dict(replay_buffer)
        shape = tuple(self.generator.out_shape)
        if 'sample_shape' in buffer_cfg and \
                tuple(buffer_cfg['sample_shape']) != shape:
            raise ValueError(
                f'SSDKD: replay_buffer.sample_shape '
                f'{tuple(buffer_cfg["sample_shape"])} != generator output '
                f'{shape}')
        buffer_cfg['sample_shape'] = shape
        self.replay_buffer = MODELS.build(buffer_cfg)
        self.bn_loss = MODELS.build(bn_loss)
        self.bn_loss.register(self.teacher)
        self.task_loss = MODELS.build(task_loss) if task_loss else None

        self.adv_weight = adv_weight
        self.kd_tau = kd_tau
        self.kd_weight = kd_weight
        self.priority_tau = priority_tau
        self.task_type = task_type
        self.task_targets = task_targets
        self.synthesis_batch_size = synthesis_batch_size
        self.kd_batch_size = kd_batch_size
        self.generator_steps = generator_steps
        self.synthesis_interval = synthesis_interval
        self.student_steps = student_steps
        self.warmup_generator_steps = warmup_generator_steps or \
            generator_steps
        self.latent_lr = latent_lr
        if kd_augment is not None:
            unknown = set(kd_augment) - {'padding', 'flip'}
            if unknown:
                raise ValueError(f'SSDKD: unknown kd_augment keys '
                                 f'{sorted(unknown)} (use padding, flip)')
        self.kd_augment = kd_augment
        self.seed = int(seed)
        self.register_buffer('num_steps', torch.zeros((), dtype=torch.long))
        self.register_buffer('num_rounds', torch.zeros((),
                                                       dtype=torch.long))
        # (indices, weights, kl) of the last steps, consumed by the hook
        self.pending_priorities: List[Tuple[torch.Tensor, torch.Tensor,
                                            torch.Tensor]] = []
        self._warned_no_hook = False

    @property
    def images_per_iter(self) -> int:
        """Synthetic images the student trains on per iteration (rank)."""
        return self.kd_batch_size * self.student_steps

    @property
    def student(self) -> nn.Module:
        """Alias for ``architecture``."""
        return self.architecture

    def train(self, mode: bool = True) -> 'SSDKDDataFreeDistillation':
        """Set the mode; the teacher always stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self

    # ---------------------------------------------------------------- utils
    def _logits(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        out = model(x, None, mode='tensor')
        if isinstance(out, (tuple, list)):
            out = out[-1]
        if out.dim() not in (2, 4):
            raise ValueError(f'SSDKD: {type(model).__name__} returned an '
                             f'output of shape {tuple(out.shape)}; expected '
                             'logits (N, K) or (N, K, H, W)')
        if self.task_type == 'cls' and out.dim() != 2 or \
                self.task_type == 'seg' and out.dim() != 4:
            raise ValueError(f'SSDKD: task_type={self.task_type!r} but '
                             f'{type(model).__name__} returned '
                             f'{tuple(out.shape)}')
        return out

    def _cpu_generator(self, *keys: int) -> torch.Generator:
        seed = self.seed
        for k in keys:
            seed = (seed * 1000003 + int(k)) % (2**63 - 1)
        return torch.Generator().manual_seed(seed)

    def _apply_pending(self) -> None:
        """Apply priority records the hook has not consumed (no hook)."""
        if not self.pending_priorities:
            return
        buf = self.replay_buffer
        uses_priorities = buf.alpha > 0 or buf.beta_start > 0
        if not self._warned_no_hook and uses_priorities:
            warnings.warn('SSDKD: priorities were not consumed by '
                          'PrioritySamplingHook; the algorithm applies them '
                          'itself and beta is not annealed. Add '
                          "custom_hooks=[dict(type='mmrazor."
                          "PrioritySamplingHook')].")
            self._warned_no_hook = True
        self.apply_pending_priorities()

    def apply_pending_priorities(self) -> int:
        """Set ``delta = w * KL`` for the recorded draws, oldest first.

        Returns:
            int: Number of records applied.
        """
        records, self.pending_priorities = self.pending_priorities, []
        for idx, weights, kl in records:
            self.replay_buffer.update_priorities(idx, weights * kl)
        return len(records)

    # ------------------------------------------------------------ synthesis
    def synthesize(self, optim_wrapper: OptimWrapper) -> Dict[str, float]:
        """One synthesis round; pushes the last batch into the buffer.

        The student gets no gradient (its parameters are frozen for the
        round) and stays in eval mode, so neither its weights, its
        gradients nor its BN statistics are touched.

        Args:
            optim_wrapper (OptimWrapper): The generator's optimizer wrapper.

        Returns:
            dict: Loss values for logging.
        """
        rank, world_size = get_dist_info()
        rnd = int(self.num_rounds)
        gen = self._cpu_generator(1, rnd, rank)
        device = next(self.generator.parameters()).device
        bs = self.synthesis_batch_size
        z = torch.randn(bs, self.generator.latent_dim,
                        generator=gen).to(device)
        z_optim = None
        if self.latent_lr > 0:
            z.requires_grad_(True)
            z_optim = torch.optim.Adam([z], lr=self.latent_lr,
                                       betas=(0.5, 0.999))
        steps = self.warmup_generator_steps if rnd == 0 else \
            self.generator_steps

        student_mode = self.student.training
        grad_flags = [p.requires_grad for p in self.student.parameters()]
        self.student.eval()
        for p in self.student.parameters():
            p.requires_grad_(False)
        self.generator.train()
        targets = None
        logs: Dict[str, torch.Tensor] = {}
        try:
            for _ in range(steps):
                with optim_wrapper.optim_context(self.generator):
                    x = self.generator(z)
                    with self.bn_loss.recording():
                        t_out = self._logits(self.teacher, x)
                    if targets is None and self.task_loss is not None:
                        targets = self._task_targets(t_out, gen)
                    loss_bn = self.bn_loss()
                    loss = loss_bn
                    logs = dict(loss_bn=loss_bn.detach())
                    if self.task_loss is not None:
                        loss_task = self.task_loss(t_out, targets)
                        loss = loss + loss_task
                        logs['loss_task'] = loss_task.detach()
                    s_out = self._logits(self.student, x)
                    if self.adv_weight:
                        loss_adv = -self.adv_weight * _masked_adversarial_kl(
                            s_out, t_out)
                        loss = loss + loss_adv
                        logs['loss_adv'] = loss_adv.detach()
                    logs['loss'] = loss.detach()
                optim_wrapper.update_params(loss)
                if z_optim is not None:
                    # the codes are rank-local: no gradient averaging
                    z_optim.step()
                    z_optim.zero_grad()
            with torch.no_grad():
                kl = per_sample_kl(s_out.detach(), t_out.detach(),
                                   self.priority_tau)
            samples = x.detach()
        finally:
            for p, flag in zip(self.student.parameters(), grad_flags):
                p.requires_grad_(flag)
            self.student.train(student_mode)

        if world_size > 1:
            samples = torch.cat(all_gather(samples.contiguous()))
            kl = torch.cat(all_gather(kl.contiguous()))
        self.replay_buffer.push(
            samples, kl, generator=self._cpu_generator(2, rnd))
        self.num_rounds += 1
        return logs

    def _task_targets(self, t_out: torch.Tensor,
                      gen: torch.Generator) -> Optional[torch.Tensor]:
        mode = self.task_targets
        if mode == 'auto':
            mode = 'random' if t_out.dim() == 2 else 'argmax'
        if mode == 'argmax':
            return None
        shape = (t_out.shape[0], ) + tuple(t_out.shape[2:])
        return torch.randint(
            t_out.shape[1], shape, generator=gen).to(t_out.device)

    def _augment(self, x: torch.Tensor,
                 gen: torch.Generator) -> torch.Tensor:
        """Random shift (zero padding) and horizontal flip, per sample."""
        n, _, h, w = x.shape
        pad = int(self.kd_augment.get('padding', 0))
        if pad > 0:
            padded = F.pad(x, (pad, pad, pad, pad))
            oy = torch.randint(0, 2 * pad + 1, (n, ), generator=gen)
            ox = torch.randint(0, 2 * pad + 1, (n, ), generator=gen)
            rows = (oy[:, None] + torch.arange(h)).to(x.device)
            cols = (ox[:, None] + torch.arange(w)).to(x.device)
            nidx = torch.arange(n, device=x.device)[:, None, None]
            x = padded.permute(0, 2, 3, 1)[nidx, rows[:, :, None],
                                           cols[:, None, :]]
            x = x.permute(0, 3, 1, 2).contiguous()
        if self.kd_augment.get('flip', False):
            flip = (torch.rand(n, generator=gen) < 0.5).to(x.device)
            x = torch.where(flip[:, None, None, None], x.flip(-1), x)
        return x

    # ---------------------------------------------------------- distillation
    def distill_student(self,
                        optim_wrapper: OptimWrapper) -> Dict[str, float]:
        """One student KD step on a priority-sampled buffer batch.

        Args:
            optim_wrapper (OptimWrapper): The student's optimizer wrapper.

        Returns:
            dict: Loss values for logging.
        """
        rank, world_size = get_dist_info()
        kb = self.kd_batch_size
        gen = self._cpu_generator(3, int(self.num_steps))
        idx_all, w_all = self.replay_buffer.sample(kb * world_size, gen)
        idx = idx_all[rank * kb:(rank + 1) * kb]
        device = next(self.student.parameters()).device
        weights = w_all[rank * kb:(rank + 1) * kb].to(device)
        x = self.replay_buffer.get(idx).to(device)
        if self.kd_augment:
            x = self._augment(x, self._cpu_generator(4, int(self.num_steps),
                                                     rank))

        self.student.train()
        with optim_wrapper.optim_context(self.student):
            with torch.no_grad():
                t_out = self._logits(self.teacher, x)
            s_out = self._logits(self.student, x)
            kl = per_sample_kl(s_out, t_out, self.kd_tau)
            loss = self.kd_weight * self.kd_tau**2 * (weights * kl).mean()
        optim_wrapper.update_params(loss)

        with torch.no_grad():
            pkl = kl.detach() if self.priority_tau == self.kd_tau else \
                per_sample_kl(s_out.detach(), t_out, self.priority_tau)
        if world_size > 1:
            pkl = torch.cat(all_gather(pkl.contiguous()))
        self.pending_priorities.append(
            (idx_all, w_all, pkl.to(w_all.device)))
        return dict(loss_kd=loss.detach(), is_weight=weights.mean())

    def train_step(self, data, optim_wrapper: OptimWrapperDict
                   ) -> Dict[str, torch.Tensor]:
        """One iteration: maybe a synthesis round, then KD step(s).

        Args:
            data: Ignored (data-free); the loader only drives the loop.
            optim_wrapper (OptimWrapperDict): With keys ``'generator'`` and
                ``'architecture'``.

        Returns:
            dict[str, torch.Tensor]: Log variables.
        """
        for key in ('generator', 'architecture'):
            if key not in optim_wrapper:
                raise KeyError(
                    f'SSDKD: optim_wrapper has no {key!r} entry; use '
                    "constructor='mmrazor.SeparateOptimWrapperConstructor'"
                    ' with architecture=... and generator=...')
        self._apply_pending()
        log_vars: Dict[str, torch.Tensor] = {}
        if len(self.replay_buffer) == 0 or \
                int(self.num_steps) % self.synthesis_interval == 0:
            for k, v in self.synthesize(optim_wrapper['generator']).items():
                log_vars[f'generator.{k}'] = v
        for _ in range(self.student_steps):
            logs = self.distill_student(optim_wrapper['architecture'])
        for k, v in logs.items():
            log_vars[f'distill.{k}'] = v
        log_vars['loss'] = logs['loss_kd']
        log_vars['buffer.size'] = torch.tensor(float(len(self.replay_buffer)))
        log_vars['buffer.beta'] = self.replay_buffer.beta.detach().float()
        self.num_steps += 1
        return log_vars
