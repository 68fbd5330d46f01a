"""The parts the data-free algorithms share: networks, freezing, latents."""
from typing import Iterable, Mapping, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.dist import all_gather, get_dist_info
from mmengine.model import BaseModel
from mmrazor.models.algorithms.base import BaseAlgorithm
from mmrazor.registry import MODELS

from kd_plugins.utils import SeededGenerators
from kd_plugins.utils.checkpoint import load_teacher
from kd_plugins.utils.model import frozen

__all__ = [
    'BaseDataFreeDistillation', 'check_args', 'frozen', 'gather_cat'
]


def check_args(owner: str,
               choices: Iterable[Tuple[str, object, tuple]] = (),
               positive: Iterable[Tuple[str, int]] = ()) -> None:
    """Raise one ``ValueError`` line for the first bad argument.

    Args:
        owner (str): Prefix of the message, e.g. ``'SSDKD'``.
        choices: ``(name, value, allowed)`` triples. Defaults to ().
        positive: ``(name, value)`` pairs that must be >= 1.
            Defaults to ().
    """
    for name, value, allowed in choices:
        if value not in allowed:
            raise ValueError(f'{owner}: {name} must be one of {allowed}, '
                             f'got {value!r}')
    for name, value in positive:
        if value < 1:
            raise ValueError(f'{owner}: {name} must be >= 1, got {value}')


def gather_cat(x: torch.Tensor) -> torch.Tensor:
    """``x`` of every rank concatenated in rank order (``x`` itself on a
    single process)."""
    if get_dist_info()[1] > 1:
        return torch.cat(all_gather(x.contiguous()))
    return x


class BaseDataFreeDistillation(BaseAlgorithm):
    """A student, a frozen teacher and a generator, trained without data.

    Builds the three networks (the teacher's checkpoint loaded strictly,
    the teacher frozen and kept in eval mode) and the seeded random
    sources; subclasses implement ``train_step``, which takes an
    ``OptimWrapperDict`` with ``'generator'`` and ``'architecture'``
    entries (:meth:`check_optim_wrapper`). The student and generator are
    the submodules ``architecture`` and ``generator``, the teacher
    ``teacher``.

    Args:
        architecture (dict | BaseModel): The student.
        teacher (dict | BaseModel): The teacher (frozen, eval mode).
        generator (dict | nn.Module): Needs ``latent_dim``.
        teacher_ckpt (str, optional): Teacher checkpoint. Defaults to None.
        seed (int): Seed of :attr:`seeds`. Defaults to 0.
        data_preprocessor (dict, optional): For validation. Defaults to None.
        init_cfg (dict, optional): Init config. Defaults to None.
    """

    #: Prefix of error messages.
    owner = 'DataFree'

    def __init__(self,
                 architecture: Union[dict, BaseModel],
                 teacher: Union[dict, BaseModel],
                 generator: Union[dict, nn.Module],
                 teacher_ckpt: Optional[str] = None,
                 seed: int = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(architecture, data_preprocessor, init_cfg)
        self.teacher = MODELS.build(teacher) if isinstance(
            teacher, dict) else teacher
        if teacher_ckpt:  # strictly, through the safe loader, after the
            # teacher's own init (so the runner's init_weights cannot undo it)
            load_teacher(self.teacher, teacher_ckpt)
        self.teacher.requires_grad_(False).eval()
        self.generator = MODELS.build(generator) if isinstance(
            generator, dict) else generator
        self.seeds = SeededGenerators(int(seed))

    @property
    def student(self) -> nn.Module:
        """Alias for ``architecture``."""
        return self.architecture

    def train(self, mode: bool = True) -> 'BaseDataFreeDistillation':
        """Set the mode; the teacher always stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self

    def _logits(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """``model``'s logits (the last output when it returns several)."""
        out = model(x, None, mode='tensor')
        return out[-1] if isinstance(out, (tuple, list)) else out

    def sample_latents(self, n: int,
                       generator: torch.Generator) -> torch.Tensor:
        """``n`` standard normal latents drawn on the CPU from
        ``generator``, on the generator network's device."""
        z = torch.randn(n, self.generator.latent_dim, generator=generator)
        return z.to(next(self.generator.parameters()).device)

    def check_optim_wrapper(self, optim_wrapper: Mapping) -> None:
        """Raise a one-line ``KeyError`` unless ``optim_wrapper`` has the
        ``'generator'`` and ``'architecture'`` entries."""
        for key in ('generator', 'architecture'):
            if key not in optim_wrapper:
                raise KeyError(
                    f'{self.owner}: optim_wrapper has no {key!r} entry; use '
                    "constructor='mmrazor.SeparateOptimWrapperConstructor'"
                    ' with architecture=... and generator=...')
