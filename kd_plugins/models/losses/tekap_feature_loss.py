"""TeKAP feature-level loss: any feature loss plus noise-augmented teachers.

Reference: "Single Teacher, Multiple Perspectives" (TeKAP, ICLR 2025). Each
of the N noisy teacher features is

.. math:: \\tilde f_n = (1 - \\alpha) f_t + \\alpha \\sigma \\epsilon_n,
          \\quad \\epsilon_n \\sim \\mathcal{N}(0, I)

and is distilled with the same base loss beside the clean feature:

.. math:: L = w (B(f_s, f_t) + \\lambda \\sum_{n=1}^{N} B(f_s, \\tilde f_n)).
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmrazor.registry import MODELS

from kd_plugins.utils import SeededGenerators
from kd_plugins.utils.params import check_number

__all__ = ['perturb_teacher_feature', 'TeKAPFeatureLoss']

_NAME = 'TeKAPFeatureLoss'
Feature = Union[torch.Tensor, Sequence[torch.Tensor]]


def perturb_teacher_feature(feat_T: torch.Tensor,
                            num_noisy: int = 1,
                            alpha: float = 0.1,
                            sigma: float = 0.1,
                            generator: Optional[torch.Generator] = None,
                            noise: Optional[torch.Tensor] = None
                            ) -> torch.Tensor:
    """Build ``num_noisy`` noisy copies of a teacher feature in one pass.

    ``feat_T`` is not modified in place.

    Args:
        feat_T (torch.Tensor): Teacher feature of any shape S.
        num_noisy (int): Number N of noisy copies. Defaults to 1.
        alpha (float): Noise mixing weight. Defaults to 0.1.
        sigma (float): Standard deviation of the noise before mixing.
            Defaults to 0.1.
        generator (torch.Generator, optional): Generator for the noise (on
            ``feat_T``'s device); None uses the global RNG. Defaults to None.
        noise (torch.Tensor, optional): Pre-drawn standard-normal noise of
            shape (N, *S); overrides ``generator``. Defaults to None.

    Returns:
        torch.Tensor: Shape (N, *S): ``(1 - alpha) f_t + alpha sigma eps_n``.
    """
    shape = (num_noisy, ) + tuple(feat_T.shape)
    if noise is None:
        noise = torch.randn(
            shape,
            generator=generator,
            device=feat_T.device,
            dtype=feat_T.dtype)
    elif tuple(noise.shape) != shape:
        raise ValueError(f'{_NAME}: noise shape {tuple(noise.shape)} != '
                         f'expected {shape}')
    return (1.0 - alpha) * feat_T.unsqueeze(0) + (alpha * sigma) * noise


@MODELS.register_module()
class TeKAPFeatureLoss(nn.Module):
    """Wrap a registered feature loss with TeKAP teacher-feature augmentation.

    ``L = loss_weight * (base(f_s, f_t) + noisy_weight * sum_n base(f_s,
    f_n))`` with ``f_n = (1 - alpha) f_t + alpha * sigma * eps_n``. The base
    loss keeps its own ``loss_weight``; ``loss_weight`` here multiplies the
    whole sum.

    Usage in a ``ConfigurableDistiller``: map the student / teacher records
    (after their connectors) to ``preds_S`` / ``preds_T``; losses that need
    the batch's data samples (e.g. mmrazor's ``CRDLoss``) also get
    ``data_samples``. The base loss is called positionally as
    ``base(preds_S, preds_T)`` or ``base(preds_S, preds_T, data_samples)``,
    so its own argument names do not matter.

    Design choices (UNCONFIRMED in the reference, documented here):

    * ``noisy_weight`` defaults to 1.0: the clean and the noisy terms are
      summed with equal weight.
    * Noise is added to the tensor the loss receives, i.e. after any
      teacher-side connector.
    * The N noisy features are drawn in one vectorised ``randn`` call, but
      the base loss is called once per noisy teacher (a loop over N, which
      is small). A single call on concatenated tensors would only be
      equivalent for losses that average over the batch, which is not true
      of e.g. ``L2Loss(div_element=False)`` or CRD's memory bank.
    * Stateful base losses are called N + 1 times per step: e.g. a CRD
      memory bank is updated with the clean and with each noisy feature.
    * ``teacher_detach`` defaults to False, like mmrazor's feature losses:
      in ``SingleTeacherDistill`` the teacher runs under ``no_grad`` so
      gradients reach only the student and the connectors (including a
      trainable teacher-side connector such as CRD's embedding). Set it to
      True to also stop gradients into a teacher-side connector.

    Args:
        base_loss (dict | nn.Module): Config of any loss registered in
            mmrazor MODELS (or a built module). Defaults to
            ``dict(type='L2Loss')``.
        num_noisy (int): Number N of noisy teachers; 0 gives the plain base
            loss. Defaults to 1.
        alpha (float): Noise mixing weight. Defaults to 0.1.
        sigma (float): Noise standard deviation. Defaults to 0.1.
        noisy_weight (float): Weight of each noisy-teacher term.
            Defaults to 1.0.
        loss_weight (float): Multiplier of the whole loss. Defaults to 1.0.
        teacher_detach (bool): Detach the teacher feature before use.
            Defaults to False.
        check_shape (bool): Require student and teacher features of the same
            shape (raises a ValueError suggesting a connector otherwise). Set
            False for base losses that compare different shapes.
            Defaults to True.
        seed (int, optional): Seed of a private per-device
            ``torch.Generator`` for the noise (fresh noise every call,
            reproducible across runs); None uses the global RNG.
            Defaults to None.
    """

    def __init__(self,
                 base_loss: Union[Dict, nn.Module] = dict(type='L2Loss'),
                 num_noisy: int = 1,
                 alpha: float = 0.1,
                 sigma: float = 0.1,
                 noisy_weight: float = 1.0,
                 loss_weight: float = 1.0,
                 teacher_detach: bool = False,
                 check_shape: bool = True,
                 seed: Optional[int] = None) -> None:
        super().__init__()
        check_number(_NAME, 'num_noisy', num_noisy, low=0, integer=True)
        check_number(_NAME, 'alpha', alpha, low=0, high=1)
        check_number(_NAME, 'sigma', sigma, low=0)
        check_number(_NAME, 'noisy_weight', noisy_weight, low=0)
        check_number(_NAME, 'loss_weight', loss_weight, low=0)
        if isinstance(base_loss, nn.Module):
            self.base_loss = base_loss
        elif isinstance(base_loss, dict):
            if 'type' not in base_loss:
                raise KeyError(f"{_NAME}: base_loss config needs a 'type' "
                               f'key, got {base_loss}')
            self.base_loss = MODELS.build(base_loss)
        else:
            raise TypeError(f'{_NAME}: base_loss must be a dict or an '
                            f'nn.Module, got {type(base_loss).__name__}')
        self.num_noisy = num_noisy
        self.alpha = alpha
        self.sigma = sigma
        self.noisy_weight = noisy_weight
        self.loss_weight = loss_weight
        self.teacher_detach = teacher_detach
        self.check_shape = check_shape
        self.seed = seed
        self._generators = SeededGenerators(seed)

    def _generator(self, device: torch.device) -> Optional[torch.Generator]:
        """Return the private generator for ``device`` (None if unseeded)."""
        return self._generators.get(device)

    @staticmethod
    def _as_list(feat: Feature, who: str) -> Tuple[List[torch.Tensor], bool]:
        """Return ``feat`` as a list of tensors and whether it was a tensor."""
        if isinstance(feat, torch.Tensor):
            return [feat], True
        if isinstance(feat, (list, tuple)) and all(
                isinstance(f, torch.Tensor) for f in feat):
            return list(feat), False
        raise TypeError(f'{_NAME}: {who} feature must be a tensor or a '
                        f'list/tuple of tensors, got {type(feat).__name__}')

    def _check(self, s: List[torch.Tensor], t: List[torch.Tensor]) -> None:
        """Validate that student and teacher features pair up."""
        if len(s) != len(t):
            raise ValueError(f'{_NAME}: {len(s)} student features vs '
                             f'{len(t)} teacher features')
        if not self.check_shape:
            return
        for i, (fs, ft) in enumerate(zip(s, t)):
            if fs.shape != ft.shape:
                where = '' if len(s) == 1 else f' #{i}'
                raise ValueError(
                    f'{_NAME}: student feature{where} {tuple(fs.shape)} and '
                    f'teacher feature {tuple(ft.shape)} differ in shape; add '
                    f'a connector (or set check_shape=False)')

    def forward(self,
                preds_S: Feature,
                preds_T: Feature,
                data_samples: Optional[Any] = None) -> torch.Tensor:
        """Compute the clean plus noisy-teacher base losses.

        Args:
            preds_S (Tensor | Sequence[Tensor]): Student feature(s).
            preds_T (Tensor | Sequence[Tensor]): Teacher feature(s), paired
                with ``preds_S``. Never modified in place.
            data_samples (Any, optional): Passed as third positional
                argument to the base loss when not None. Defaults to None.

        Returns:
            torch.Tensor: Scalar loss.
        """
        s_list, _ = self._as_list(preds_S, 'student')
        t_list, t_is_tensor = self._as_list(preds_T, 'teacher')
        self._check(s_list, t_list)
        if self.teacher_detach:
            t_list = [t.detach() for t in t_list]

        extra = () if data_samples is None else (data_samples, )
        teacher = t_list[0] if t_is_tensor else type(preds_T)(t_list)
        loss = self.base_loss(preds_S, teacher, *extra)
        if self.num_noisy > 0:
            noisy = [
                perturb_teacher_feature(
                    t,
                    num_noisy=self.num_noisy,
                    alpha=self.alpha,
                    sigma=self.sigma,
                    generator=self._generator(t.device)) for t in t_list
            ]
            noisy_sum = 0.
            for n in range(self.num_noisy):
                noisy_T = noisy[0][n] if t_is_tensor else type(preds_T)(
                    x[n] for x in noisy)
                noisy_sum = noisy_sum + self.base_loss(preds_S, noisy_T,
                                                       *extra)
            loss = loss + self.noisy_weight * noisy_sum
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        """Hyper-parameters shown in ``print(module)``."""
        return (f'num_noisy={self.num_noisy}, alpha={self.alpha}, '
                f'sigma={self.sigma}, noisy_weight={self.noisy_weight}, '
                f'loss_weight={self.loss_weight}, seed={self.seed}')
