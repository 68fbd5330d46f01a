"""The interface of online-distillation algorithms (K networks, no teacher).

:class:`~kd_plugins.engine.loops.OnlineDistillValLoop`,
:class:`~kd_plugins.engine.optimizers.OnlineDistillOptimWrapperConstructor`
and :class:`~kd_plugins.engine.hooks.CyclicDistillHook` work with any
subclass of :class:`OnlineDistillAlgorithm` (checked with ``isinstance``,
one-line ``TypeError`` otherwise). It is an mmengine ``BaseModel``: ``forward``
dispatches ``'loss'`` to :meth:`loss` and ``'tensor'``/``'predict'`` to the
evaluated network (``eval_index``), so ``val_step``/``test_step`` and
``tools/test.py`` use one network, the val loop all of them.
"""
from abc import abstractmethod
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict

from kd_plugins.utils import UserInputError

__all__ = ['OnlineDistillAlgorithm', 'OnlineDistillConfigError']


class OnlineDistillConfigError(UserInputError, ValueError):
    """A bad argument of an online-distillation algorithm (one line; also a
    ``ValueError``)."""


class OnlineDistillAlgorithm(BaseModel):
    """Base class of algorithms that train K networks together.

    Subclasses set ``self.networks`` (an ``nn.ModuleList``; checkpoint keys
    ``networks.<k>.``, which ``tools/extract_student.py --network k`` reads)
    and implement :meth:`loss`, :meth:`optim_wrapper_modules`,
    :meth:`get_pairing` and ``train_step``.

    Args:
        data_preprocessor (dict | nn.Module, optional): As for mmengine's
            ``BaseModel``. Defaults to None.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    networks: nn.ModuleList

    def __init__(self,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self._eval_index = 0

    # ------------------------------------------------------------ interface
    @property
    def num_networks(self) -> int:
        """Number of networks K."""
        return len(self.networks)

    @property
    def eval_index(self) -> int:
        """Index of the network used by val/test/predict."""
        return self._eval_index

    @eval_index.setter
    def eval_index(self, index: int) -> None:
        num = len(self.networks)
        if isinstance(index, bool) or not isinstance(index, int) \
                or not 0 <= index < num:
            raise OnlineDistillConfigError(
                f'{type(self).__name__}: eval_index {index!r} out of range '
                f'for {num} networks')
        self._eval_index = index

    @property
    def architecture(self) -> BaseModel:
        """The network used by ``val_step``/``test_step`` (not a submodule)."""
        return self.networks[self.eval_index]

    @abstractmethod
    def optim_wrapper_modules(self) -> Dict[str, nn.Module]:
        """``{optim wrapper key: module it optimises}``.

        Keys whose module has no trainable parameter get no optimizer.
        """

    def check_optim_wrapper(self, optim_wrapper: OptimWrapperDict) -> None:
        """Raise a one-line error if ``optim_wrapper`` cannot train this
        model (called by the optimizer constructor and by ``train_step``).
        """

    @abstractmethod
    def get_pairing(self) -> Tuple[List[int], List[List[int]]]:
        """``(feature_peers, logit_peer_lists)``: who learns from whom."""

    @abstractmethod
    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[list] = None) -> Dict[str, torch.Tensor]:
        """Losses of all networks (keys prefixed ``net{k}.``)."""

    # -------------------------------------------------------------- forward
    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        """``'loss'``: :meth:`loss`; ``'tensor'``/``'predict'``: the
        ``eval_index`` network.

        Args:
            inputs (torch.Tensor): Preprocessed batch.
            data_samples (list, optional): Data samples. Defaults to None.
            mode (str): ``'loss'``, ``'tensor'`` or ``'predict'``.
                Defaults to ``'tensor'``.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode in ('tensor', 'predict'):
            return self.architecture(inputs, data_samples, mode=mode)
        raise ValueError(f'{type(self).__name__}: invalid mode {mode!r}; '
                         f"use 'loss', 'tensor' or 'predict'")

    @torch.no_grad()
    def predict_all(self, data: Union[dict, tuple, list]) -> List[list]:
        """Predictions of every network on one raw batch (for val loops).

        Args:
            data (dict | tuple | list): A batch from the dataloader.

        Returns:
            list[list]: ``outputs[k]`` are network ``k``'s data samples (each
            network writes into its own copy of the data samples).
        """
        data = self.data_preprocessor(data, False)
        inputs, samples = data['inputs'], data.get('data_samples')
        outputs = []
        for net in self.networks:
            copies = None if samples is None else [s.clone() for s in samples]
            outputs.append(net(inputs, copies, mode='predict'))
        return outputs
