"""AFD: feature-map-level online adversarial distillation (Chung et al., 2020).

K >= 2 classifiers (mmpretrain ``ImageClassifier``-like models: ``backbone``,
optional ``neck``, ``head``; architectures may differ) are trained together
from scratch. Network ``k`` has two losses::

    L_logit_k = CE(y, z_k) + mean_{j in peers(k)} T^2 KL(softmax(z_j/T) ||
                                                          softmax(z_k/T))
    L_G_k     = w_adv * mean((1 - D_k(Tr_k(F_k)))^2)

where ``F_k`` is its last pre-pooling feature map, ``Tr_k`` its transfer
layer (:class:`AFDTransferConnector`) and ``D_k`` its discriminator
(:class:`AFDDiscriminator`), trained on ``w_adv * [(1 - D_k(Tr_p(F_p)))^2 +
D_k(Tr_k(F_k))^2]`` with ``p = feature_peers[k]`` (cyclic scheme: ``p = k - 1
mod K``). Peer logits and every map a discriminator is trained on are
detached.

This module holds the algorithm's construction and interface; its parts are
functions of the algorithm in sibling modules: the forward passes and losses
in :mod:`.afd_losses`, the update schemes (``'alternating'``, ``'joint'``)
in :mod:`.afd_updates`, the argument and optim-wrapper checks in
:mod:`.afd_checks`, the pairing in :mod:`.afd_pairing`.
"""
from typing import Dict, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmrazor.registry import MODELS

from . import afd_losses, afd_pairing, afd_updates
from .afd_checks import (PassedOptimWrappers, build_network,
                         check_optim_wrapper, infer_channels, validate_args,
                         with_default_scope)
from .afd_pairing import (LOGIT_PEER_MODES, UPDATE_MODES, AFDConfigError,
                          cyclic_peers, keep_configured_pairing,
                          logit_peer_lists, resolve_feature_peers,
                          resolve_logit_peers)
from .online_distill_base import OnlineDistillAlgorithm

__all__ = [
    'OnlineAdversarialDistill', 'cyclic_peers', 'logit_peer_lists',
    'LOGIT_PEER_MODES', 'UPDATE_MODES', 'AFDConfigError'
]


@MODELS.register_module()
class OnlineAdversarialDistill(OnlineDistillAlgorithm):
    """Online adversarial distillation of K networks (AFD).

    Use with ``OnlineDistillOptimWrapperConstructor`` (keys ``net{k}``,
    ``adv{k}``, ``discriminators``),
    :class:`~kd_plugins.engine.loops.OnlineDistillValLoop` and optionally
    :class:`~kd_plugins.engine.hooks.CyclicDistillHook` (logs the pairing).
    The networks live in ``self.networks`` (checkpoint keys
    ``networks.<k>.backbone...``); :attr:`architecture` is a read-only alias
    of the network used by ``val_step``/``test_step`` (``eval_index``).

    Args:
        networks (Sequence[dict | BaseModel]): K >= 2 classifier configs or
            models. Unscoped config types get ``_scope_='mmpretrain'``.
        adversarial (bool): Build transfer layers/discriminators and train
            the adversarial term. False gives plain DML (CE + mutual KL).
            Defaults to True.
        update (str): ``'alternating'`` (logit step, adversarial step with
            each network's own ``adv{k}`` optimizer, discriminator step) or
            ``'joint'`` (one step on logit + generator loss). Defaults to
            ``'alternating'``.
        transfer (dict, optional): Template of every transfer layer;
            ``in_channels``/``out_channels`` are filled in. None means
            ``dict(type='AFDTransferConnector', mode='auto')``.
            Defaults to None.
        discriminator (dict, optional): Template of every discriminator;
            ``in_channels`` is filled in. None means
            ``dict(type='AFDDiscriminator')``. Defaults to None.
        feature_channels (Sequence[int], optional): Channels of each
            network's feature map. None: read ``backbone.out_channels`` (an
            int, or a sequence indexed by ``feature_index``), else the head's
            ``in_channels``. Defaults to None.
        common_channels (int, optional): Channels the discriminators work on.
            None means the largest feature channel count. Defaults to None.
        feature_index (int): Which backbone output is the feature map.
            Defaults to -1 (the last, pre-pooling map).
        logit_loss (dict | nn.Module): Mutual-learning loss ``(preds_S,
            preds_T) -> scalar``: any loss registered in mmrazor's
            ``MODELS`` (a config dict) or a built module, e.g.
            ``dict(type='TeKAPLogitsLoss', tau=3.0)`` (TeKAP's noisy
            copies of each peer; configs/afd/afd_tekap_resnet8x2_digits.py).
            The peer logits are always detached before the call.
            Defaults to ``dict(type='KLDivergence', tau=3.0)`` (mmrazor;
            ``tau^2 * KL``, batch mean).
        adversarial_loss (dict): LSGAN loss; its ``loss_weight`` scales both
            the generator and the discriminator term.
            Defaults to ``dict(type='AFDAdversarialLoss', loss_weight=1.0)``.
        logit_peers (str | Sequence[Sequence[int]]): ``'cyclic'`` (the
            feature peer), ``'all'`` (mean over every other network) or
            explicit peer lists. The only place the pairing is set.
            Defaults to ``'cyclic'``.
        feature_peers (str | Sequence[int]): ``'cyclic'`` (``D_k`` treats
            network ``k - 1 mod K`` as real) or an explicit list.
            Defaults to ``'cyclic'``.
        eval_index (int): Network used by ``val_step``/``test_step``/
            ``forward``. Defaults to 0.
        data_preprocessor (dict | nn.Module, optional): None shares the
            first network's preprocessor; an unscoped dict is built in the
            mmpretrain scope (type defaults to ``ClsDataPreprocessor``).
            Defaults to None.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 networks: Sequence[Union[dict, BaseModel]],
                 adversarial: bool = True,
                 update: str = 'alternating',
                 transfer: Optional[dict] = None,
                 discriminator: Optional[dict] = None,
                 feature_channels: Optional[Sequence[int]] = None,
                 common_channels: Optional[int] = None,
                 feature_index: int = -1,
                 logit_loss: Union[dict, nn.Module] = dict(
                     type='KLDivergence', tau=3.0),
                 adversarial_loss: dict = dict(
                     type='AFDAdversarialLoss', loss_weight=1.0),
                 logit_peers: Union[str, Sequence[Sequence[int]]] = 'cyclic',
                 feature_peers: Union[str, Sequence[int]] = 'cyclic',
                 eval_index: int = 0,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        validate_args(networks, adversarial, update, transfer, discriminator,
                      common_channels, feature_index, eval_index)
        num = len(networks)
        # validated before any network is built (cheap, one-line errors)
        peers = resolve_feature_peers(feature_peers, num)
        logit_lists = resolve_logit_peers(logit_peers, peers)
        built = [build_network(i, n) for i, n in enumerate(networks)]
        if data_preprocessor is None:
            data_preprocessor = built[0].data_preprocessor
        elif isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor)
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
            data_preprocessor = MODELS.build(
                with_default_scope(data_preprocessor))
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.networks = nn.ModuleList(built)
        self.feature_index = feature_index
        self.logit_loss = logit_loss if isinstance(
            logit_loss, nn.Module) else MODELS.build(logit_loss)
        self.adversarial = adversarial
        self.update = update
        self.transfers = self.discriminators = self.adversarial_loss = None
        if adversarial:
            channels = infer_channels(built, feature_channels, feature_index)
            common = common_channels or max(channels)
            t_cfg = dict(transfer or dict(type='AFDTransferConnector'))
            d_cfg = dict(discriminator or dict(type='AFDDiscriminator'))
            transfers, discs = [], []
            for c in channels:  # per network: keeps the RNG order of init
                transfers.append(
                    MODELS.build(dict(t_cfg, in_channels=c,
                                      out_channels=common)))
                discs.append(MODELS.build(dict(d_cfg, in_channels=common)))
            self.transfers = nn.ModuleList(transfers)
            self.discriminators = nn.ModuleList(discs)
            self.adversarial_loss = MODELS.build(adversarial_loss)
        self.register_buffer('feature_peers',
                             torch.tensor(peers, dtype=torch.long))
        self.register_buffer('logit_peer_mask',
                             torch.zeros(num, num, dtype=torch.bool))
        self.set_pairing(peers, logit_lists)
        self.eval_index = eval_index
        self._passed_optim_wrappers = PassedOptimWrappers()

    set_pairing = afd_pairing.set_pairing
    get_pairing = afd_pairing.get_pairing

    def _load_from_state_dict(self, state_dict, prefix, *args,
                              **kwargs) -> None:
        """The configured pairing wins over a checkpoint's (with a warning).
        """
        keep_configured_pairing(self, state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # ------------------------------------------------------ forward, losses
    _features = afd_losses.features
    _run_network = afd_losses.run_network
    _cls_loss = afd_losses.cls_loss
    _frozen_discriminators = afd_losses.frozen_discriminators
    logit_losses = afd_losses.logit_losses
    generator_loss = afd_losses.generator_loss
    forward_train = afd_losses.forward_train
    discriminator_losses = afd_losses.discriminator_losses
    loss = afd_losses.loss

    # ------------------------------------------------------------- optimizers
    def optim_wrapper_modules(self) -> Dict[str, nn.Module]:
        """Module each ``OptimWrapperDict`` key optimises.

        ``net{k}``: network ``k``; ``adv{k}``: ``alternating``: backbone
        ``k`` + ``Tr_k``, ``joint``: ``Tr_k`` only; ``discriminators``: all
        discriminators. Keys without trainable parameters (identity
        transfers in joint mode, ``adversarial=False``) get no optimizer.
        """
        modules: Dict[str, nn.Module] = {
            f'net{k}': net
            for k, net in enumerate(self.networks)
        }
        if not self.adversarial:  # a configured key is skipped, no error
            modules['discriminators'] = nn.ModuleList()
            return modules
        for k, tr in enumerate(self.transfers):
            parts = [tr] if self.update == 'joint' else [
                self.networks[k].backbone, tr
            ]
            modules[f'adv{k}'] = nn.ModuleList(parts)
        modules['discriminators'] = self.discriminators
        return modules

    def check_optim_wrapper(self, optim_wrapper: OptimWrapperDict) -> None:
        """Keys must match :meth:`optim_wrapper_modules`; gradient
        accumulation is refused where wrappers share parameters."""
        check_optim_wrapper(self, optim_wrapper)

    # ------------------------------------------------------------- train step
    _step_networks = afd_updates.step_networks
    update_networks = afd_updates.update_networks
    update_adversarial = afd_updates.update_adversarial
    update_discriminators = afd_updates.update_discriminators

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One iteration of the ``update`` scheme (see :mod:`.afd_updates`).

        :meth:`check_optim_wrapper` runs on the first step with a given
        ``OptimWrapperDict`` object; once it passed, that object is not
        checked again.

        Args:
            data (dict | tuple | list): A batch from the dataloader.
            optim_wrapper (OptimWrapperDict): Keys from
                :meth:`optim_wrapper_modules`.

        Returns:
            dict: Detached log variables: ``loss``, ``net{k}.loss_cls``,
            ``net{k}.loss_kl``, ``net{k}.loss_adv``, ``net{k}.loss``,
            ``disc{k}.loss``, ``disc.loss``, ``disc{k}.acc``,
            ``disc{k}.real_score``, ``disc{k}.fake_score``.
        """
        if optim_wrapper not in self._passed_optim_wrappers:
            self.check_optim_wrapper(optim_wrapper)
            self._passed_optim_wrappers.add(optim_wrapper)
        return afd_updates.train_step(self, data, optim_wrapper)
