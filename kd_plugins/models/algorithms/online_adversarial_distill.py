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

``update='alternating'`` (default; the paper's scheme, METHODS.md section 2),
one :meth:`train_step`:

1. logit step: one forward of every network; ``optim_wrapper['net{k}']``
   (SGD) steps network ``k`` on ``L_logit_k``;
2. adversarial step: a fresh forward of every backbone up to ``F_k`` (the
   networks have just moved), ``Tr_k``, the frozen ``D_k``;
   ``optim_wrapper['adv{k}']`` (its own optimizer, e.g. Adam 2e-5, over
   backbone ``k`` and ``Tr_k``) steps on ``L_G_k``;
3. discriminator step: ``optim_wrapper['discriminators']`` on the detached
   maps of step 2.

``update='joint'`` (the earlier behaviour, kept for ablation): one forward;
``optim_wrapper['net{k}']`` steps network ``k`` on ``L_logit_k + L_G_k``;
``adv{k}`` steps only ``Tr_k`` (skipped when it is the identity); then the
discriminators as in step 3.
"""
import contextlib
import copy
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmengine.structures import BaseDataElement
from mmrazor.registry import MODELS

from ..losses.afd_adversarial_loss import discriminator_accuracy
from .afd_pairing import (LOGIT_PEER_MODES, UPDATE_MODES, AFDConfigError,
                          cyclic_peers, logit_peer_lists,
                          resolve_feature_peers, resolve_logit_peers)
from .online_distill_base import OnlineDistillAlgorithm

__all__ = [
    'OnlineAdversarialDistill', 'cyclic_peers', 'logit_peer_lists',
    'LOGIT_PEER_MODES', 'UPDATE_MODES', 'AFDConfigError'
]

_LEGACY_CONNECTOR = 'AFDDiscriminatorConnector'


def _with_default_scope(cfg: dict, scope: str = 'mmpretrain') -> dict:
    """Copy of ``cfg`` with ``_scope_`` set when its type is unscoped."""
    cfg = copy.deepcopy(dict(cfg))
    type_ = cfg.get('type')
    if '_scope_' not in cfg and isinstance(type_, str) and '.' not in type_:
        cfg['_scope_'] = scope
    return cfg


def _split_legacy_connector(connector: dict) -> Tuple[dict, dict]:
    """``connector=dict(type='AFDDiscriminatorConnector', ...)`` (before the
    split) -> ``(transfer, discriminator)`` templates."""
    cfg = dict(connector)
    type_ = str(cfg.pop('type', _LEGACY_CONNECTOR)).split('.')[-1]
    if type_ != _LEGACY_CONNECTOR:
        raise AFDConfigError(f'OnlineAdversarialDistill: connector type '
                             f'{type_!r} unknown; use transfer=dict(...) and '
                             f'discriminator=dict(...)')
    cfg.pop('_scope_', None)
    transfer = dict(type='AFDTransferConnector',
                    mode=cfg.pop('transfer', 'auto'))
    disc = dict(type='AFDDiscriminator')
    for key in ('hidden_channels', 'negative_slope', 'score_reduction'):
        if key in cfg:
            disc[key] = cfg.pop(key)
    if cfg:
        raise AFDConfigError(f'OnlineAdversarialDistill: connector keys '
                             f'{sorted(cfg)} unknown')
    return transfer, disc


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
        connector (dict, optional): The pre-split
            ``dict(type='AFDDiscriminatorConnector', transfer=...,
            score_reduction=..., ...)``, translated into ``transfer`` and
            ``discriminator``. Defaults to None.
        feature_channels (Sequence[int], optional): Channels of each
            network's feature map. None: read ``backbone.out_channels`` (an
            int, or a sequence indexed by ``feature_index``), else the head's
            ``in_channels``. Defaults to None.
        common_channels (int, optional): Channels the discriminators work on.
            None means the largest feature channel count. Defaults to None.
        feature_index (int): Which backbone output is the feature map.
            Defaults to -1 (the last, pre-pooling map).
        logit_loss (dict): Mutual-learning loss ``(preds_S, preds_T)``; the
            peer logits are always detached before the call.
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
                 connector: Optional[dict] = None,
                 feature_channels: Optional[Sequence[int]] = None,
                 common_channels: Optional[int] = None,
                 feature_index: int = -1,
                 logit_loss: dict = dict(type='KLDivergence', tau=3.0),
                 adversarial_loss: dict = dict(
                     type='AFDAdversarialLoss', loss_weight=1.0),
                 logit_peers: Union[str, Sequence[Sequence[int]]] = 'cyclic',
                 feature_peers: Union[str, Sequence[int]] = 'cyclic',
                 eval_index: int = 0,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        self._validate_args(networks, adversarial, update, transfer,
                            discriminator, connector, common_channels,
                            feature_index, eval_index)
        num = len(networks)
        # validated before any network is built (cheap, one-line errors)
        peers = resolve_feature_peers(feature_peers, num)
        logit_lists = resolve_logit_peers(logit_peers, peers)
        built = [self._build_network(i, n) for i, n in enumerate(networks)]
        if data_preprocessor is None:
            data_preprocessor = built[0].data_preprocessor
        elif isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor)
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
            data_preprocessor = MODELS.build(
                _with_default_scope(data_preprocessor))
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.networks = nn.ModuleList(built)
        self.feature_index = feature_index
        self.logit_loss = MODELS.build(logit_loss)
        self.adversarial = adversarial
        self.update = update
        if adversarial:
            if connector is not None:
                transfer, discriminator = _split_legacy_connector(connector)
            channels = self._infer_channels(feature_channels)
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
        else:
            self.transfers = None
            self.discriminators = None
            self.adversarial_loss = None
        self.register_buffer('feature_peers',
                             torch.tensor(peers, dtype=torch.long))
        self.register_buffer('logit_peer_mask',
                             torch.zeros(num, num, dtype=torch.bool))
        self.set_pairing(peers, logit_lists)
        self.eval_index = eval_index
        self._register_load_state_dict_pre_hook(self._upgrade_state_dict)

    # ------------------------------------------------------------------ setup
    @staticmethod
    def _validate_args(networks, adversarial, update, transfer, discriminator,
                       connector, common_channels, feature_index,
                       eval_index) -> None:
        name = 'OnlineAdversarialDistill'
        if not isinstance(networks, (list, tuple)) or len(networks) < 2:
            got = len(networks) if isinstance(networks, (list, tuple)) \
                else type(networks).__name__
            raise AFDConfigError(f'{name}: networks must be a list of at '
                                 f'least 2 model configs, got {got}')
        if not isinstance(adversarial, bool):
            raise AFDConfigError(f'{name}: adversarial must be True or '
                                 f'False, got {adversarial!r}')
        if update not in UPDATE_MODES:
            raise AFDConfigError(f'{name}: update must be one of '
                                 f'{UPDATE_MODES}, got {update!r}')
        if connector is not None and (transfer is not None
                                      or discriminator is not None):
            raise AFDConfigError(f'{name}: give transfer/discriminator or '
                                 f'the legacy connector, not both')
        for key, value in (('transfer', transfer),
                           ('discriminator', discriminator),
                           ('connector', connector)):
            if value is not None and not isinstance(value, dict):
                raise AFDConfigError(f'{name}: {key} must be a dict, got '
                                     f'{type(value).__name__}')
        if common_channels is not None and (
                isinstance(common_channels, bool)
                or not isinstance(common_channels, int)
                or common_channels < 1):
            raise AFDConfigError(f'{name}: common_channels must be a '
                                 f'positive int or None, got '
                                 f'{common_channels!r}')
        if isinstance(feature_index, bool) or not isinstance(
                feature_index, int):
            raise AFDConfigError(f'{name}: feature_index must be an int, got '
                                 f'{feature_index!r}')
        if isinstance(eval_index, bool) or not isinstance(
                eval_index, int) or not 0 <= eval_index < len(networks):
            raise AFDConfigError(f'{name}: eval_index {eval_index!r} out of '
                                 f'range for {len(networks)} networks')

    @staticmethod
    def _build_network(index: int, cfg: Union[dict, nn.Module]) -> BaseModel:
        net = cfg
        if isinstance(cfg, dict):
            net = MODELS.build(_with_default_scope(cfg))
        if not isinstance(net, BaseModel) or not hasattr(net, 'backbone') \
                or getattr(net, 'head', None) is None:
            raise AFDConfigError(f'OnlineAdversarialDistill: networks[{index}]'
                                 f' must be a classifier with backbone and '
                                 f'head, got {type(net).__name__}')
        return net

    def _infer_channels(
            self, feature_channels: Optional[Sequence[int]]) -> List[int]:
        num = len(self.networks)
        if feature_channels is not None:
            if len(feature_channels) != num or not all(
                    isinstance(c, int) and c > 0 for c in feature_channels):
                raise AFDConfigError(f'OnlineAdversarialDistill: '
                                     f'feature_channels has '
                                     f'{len(feature_channels)} entries for '
                                     f'{num} networks (need positive ints)')
            return [int(c) for c in feature_channels]
        channels = []
        for k, net in enumerate(self.networks):
            out = getattr(net.backbone, 'out_channels', None)
            if isinstance(out, (list, tuple)):
                out = out[self.feature_index]
            if out is None and self.feature_index == -1:
                out = getattr(net.head, 'in_channels', None)
            if not isinstance(out, int):
                raise AFDConfigError(f'OnlineAdversarialDistill: cannot infer '
                                     f'the feature channels of networks[{k}];'
                                     f' set feature_channels')
            channels.append(out)
        return channels

    @staticmethod
    def _upgrade_state_dict(state_dict, prefix, *args) -> None:
        """Read checkpoints written before the connector split
        (``connectors.<k>.transfer/discriminator``)."""
        old = prefix + 'connectors.'
        for key in [k for k in state_dict if k.startswith(old)]:
            k, rest = key[len(old):].split('.', 1)
            if rest.startswith('transfer.'):
                new = f'{prefix}transfers.{k}.{rest}'
            else:
                new = f'{prefix}discriminators.{k}.layers.' + \
                    rest[len('discriminator.'):]
            state_dict[new] = state_dict.pop(key)

    def _load_from_state_dict(self, state_dict, prefix, *args,
                              **kwargs) -> None:
        """The configured pairing wins over a checkpoint's (with a warning).
        """
        for name in ('feature_peers', 'logit_peer_mask'):
            key = prefix + name
            mine = getattr(self, name)
            if key in state_dict:
                theirs = state_dict[key]
                if theirs.shape != mine.shape or not torch.equal(
                        theirs.to(mine.device), mine):
                    print_log(
                        f'OnlineAdversarialDistill: checkpoint {name} '
                        f'{theirs.tolist()} differs from the config '
                        f'{mine.tolist()}; keeping the config',
                        logger='current', level=30)
                state_dict[key] = mine.detach().clone()
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # ---------------------------------------------------------------- pairing
    def set_pairing(self, feature_peers: Union[str, Sequence[int]],
                    logit_peers: Union[str, Sequence[Sequence[int]]]) -> None:
        """Set which peer each network learns from (validated).

        Args:
            feature_peers (str | Sequence[int]): ``'cyclic'`` or
                ``feature_peers[k]``, the network ``D_k`` treats as real.
            logit_peers (str | Sequence[Sequence[int]]): ``'cyclic'``,
                ``'all'`` or explicit peer lists per network.
        """
        num = len(self.networks)
        peers = resolve_feature_peers(feature_peers, num)
        lists = resolve_logit_peers(logit_peers, peers)
        mask = torch.zeros(num, num, dtype=torch.bool)
        for k, js in enumerate(lists):
            mask[k, js] = True
        self.feature_peers.copy_(torch.tensor(peers))
        self.logit_peer_mask.copy_(mask)

    def get_pairing(self) -> Tuple[List[int], List[List[int]]]:
        """Current ``(feature_peers, logit_peer_lists)``."""
        feature = [int(p) for p in self.feature_peers.tolist()]
        logit = [
            torch.nonzero(row).flatten().tolist()
            for row in self.logit_peer_mask.cpu()
        ]
        return feature, logit

    # ---------------------------------------------------------------- forward
    def _features(self, k: int,
                  inputs: torch.Tensor) -> Tuple[torch.Tensor, Tuple]:
        """Backbone outputs of network ``k`` and its feature map."""
        feats = self.networks[k].backbone(inputs)
        if not isinstance(feats, (tuple, list)):
            feats = (feats, )
        return feats[self.feature_index], feats

    def _run_network(
        self, k: int, inputs: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, Tuple[torch.Tensor, ...]]:
        """Feature map, logits and neck output of network ``k``."""
        net = self.networks[k]
        fmap, feats = self._features(k, inputs)
        neck_out = net.neck(feats) if getattr(net, 'neck',
                                              None) is not None else feats
        logits = net.head(neck_out)
        return fmap, logits, neck_out

    def _cls_loss(self, k: int, logits: torch.Tensor, neck_out: Tuple,
                  data_samples: List[BaseDataElement]) -> Dict[str, Any]:
        head = self.networks[k].head
        if hasattr(head, '_get_loss'):  # mmpretrain ClsHead: reuse logits
            raw = head._get_loss(logits, data_samples)
        else:
            raw = head.loss(neck_out, data_samples)
        return {('loss_cls' if key == 'loss' else key): value
                for key, value in raw.items()}

    @contextlib.contextmanager
    def _frozen_discriminators(self) -> Iterator[None]:
        """Discriminator params do not require grad inside the context."""
        params = [] if self.discriminators is None else list(
            self.discriminators.parameters())
        flags = [p.requires_grad for p in params]
        for p in params:
            p.requires_grad_(False)
        try:
            yield
        finally:
            for p, flag in zip(params, flags):
                p.requires_grad_(flag)

    def logit_losses(
        self, inputs: torch.Tensor, data_samples: List[BaseDataElement]
    ) -> Tuple[List[Dict[str, torch.Tensor]], List[torch.Tensor]]:
        """``loss_cls`` and ``loss_kl`` of every network (one forward each).

        Returns:
            tuple: ``losses[k]`` (each depends on network ``k`` only) and the
            feature maps ``F_k`` (attached).
        """
        fmaps, logits, losses = [], [], []
        for k in range(self.num_networks):
            fmap, z, neck_out = self._run_network(k, inputs)
            fmaps.append(fmap)
            logits.append(z)
            losses.append(self._cls_loss(k, z, neck_out, data_samples))
        _, peer_lists = self.get_pairing()
        for k, peers in enumerate(peer_lists):
            kl = sum(
                self.logit_loss(logits[k], logits[j].detach()) for j in peers)
            losses[k]['loss_kl'] = kl / len(peers)
        return losses, fmaps

    def generator_loss(self, k: int, fmap: torch.Tensor
                       ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``L_G_k`` of network ``k``'s feature map (``D_k`` frozen).

        Returns:
            tuple: the loss and ``Tr_k(F_k)`` (attached).
        """
        transferred = self.transfers[k](fmap)
        with self._frozen_discriminators():
            scores = self.discriminators[k](transferred)
            loss = self.adversarial_loss.generator_loss(scores)
        return loss, transferred

    def forward_train(
        self, inputs: torch.Tensor, data_samples: List[BaseDataElement]
    ) -> Tuple[List[Dict[str, torch.Tensor]], List[torch.Tensor]]:
        """Per-network losses of the joint scheme and transferred maps.

        Returns:
            tuple: ``losses[k]`` (``loss_cls``, ``loss_kl`` and, when
            adversarial, ``loss_adv``; each depends on network ``k``'s
            parameters and ``Tr_k`` only) and ``Tr_k(F_k)`` (attached; empty
            without the adversarial part).
        """
        losses, fmaps = self.logit_losses(inputs, data_samples)
        transferred: List[torch.Tensor] = []
        if self.adversarial:
            for k, fmap in enumerate(fmaps):
                losses[k]['loss_adv'], t = self.generator_loss(k, fmap)
                transferred.append(t)
        return losses, transferred

    def discriminator_losses(
        self, transferred: Sequence[torch.Tensor]
    ) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
        """LSGAN losses of every discriminator on detached features.

        Args:
            transferred (Sequence[torch.Tensor]): ``Tr_k(F_k)`` per network
                (detached here).

        Returns:
            tuple: ``{'disc{k}.loss': ...}`` and diagnostics (0-dim tensors,
            no gradient) ``disc{k}.acc`` / ``disc{k}.real_score`` /
            ``disc{k}.fake_score``.
        """
        feats = [t.detach() for t in transferred]
        peers, _ = self.get_pairing()
        losses, stats = {}, {}
        for k, disc in enumerate(self.discriminators):
            real = disc(feats[peers[k]])
            fake = disc(feats[k])
            losses[f'disc{k}.loss'] = \
                self.adversarial_loss.discriminator_loss(real, fake)
            stats[f'disc{k}.acc'] = discriminator_accuracy(real, fake)
            stats[f'disc{k}.real_score'] = real.detach().mean()
            stats[f'disc{k}.fake_score'] = fake.detach().mean()
        return losses, stats

    def loss(self,
             inputs: torch.Tensor,
             data_samples: Optional[List[BaseDataElement]] = None
             ) -> Dict[str, torch.Tensor]:
        """Network losses, keys prefixed ``net{k}.`` (no discriminator term).
        """
        losses, _ = self.forward_train(inputs, data_samples)
        return {
            f'net{k}.{name}': value
            for k, per_net in enumerate(losses)
            for name, value in per_net.items()
        }

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
        expected = {
            key
            for key, module in self.optim_wrapper_modules().items()
            if any(p.requires_grad for p in module.parameters())
        }
        got = set(optim_wrapper.keys()) if isinstance(
            optim_wrapper, OptimWrapperDict) else None
        if got != expected:
            raise AFDConfigError(f'OnlineAdversarialDistill: optim_wrapper '
                                 f'must be an OptimWrapperDict with keys '
                                 f'{sorted(expected)}, got '
                                 f'{None if got is None else sorted(got)}')
        for key in sorted(got):
            counts = optim_wrapper[key]._accumulative_counts
            shared = key.startswith('adv') or (
                self.update == 'alternating' and self.adversarial
                and key.startswith('net'))
            if counts != 1 and shared:
                raise AFDConfigError(
                    f'OnlineAdversarialDistill: gradient accumulation '
                    f'(optim_wrapper.{key}.accumulative_counts={counts}) is '
                    f"not supported with update='{self.update}'")

    # ------------------------------------------------------------- train step
    def _step_networks(self, losses: Sequence[Dict[str, torch.Tensor]],
                       optim_wrapper: OptimWrapperDict
                       ) -> Dict[str, torch.Tensor]:
        """``net{k}`` steps on the sum of ``losses[k]``."""
        log_vars = {}
        total = 0.
        for k, per_net in enumerate(losses):
            loss, net_vars = self.parse_losses(per_net)
            optim_wrapper[f'net{k}'].update_params(loss)
            total = total + loss.detach()
            log_vars.update(
                {f'net{k}.{name}': value
                 for name, value in net_vars.items()})
        return dict(loss=total, **log_vars)

    def update_networks(self, losses: Sequence[Dict[str, torch.Tensor]],
                        optim_wrapper: OptimWrapperDict
                        ) -> Dict[str, torch.Tensor]:
        """Joint scheme: every network on its full loss, then ``adv{k}``
        (the transfer layers, whose only gradient is the generator term).

        Args:
            losses (Sequence[dict]): Output of :meth:`forward_train`.
            optim_wrapper (OptimWrapperDict): The algorithm's wrappers.

        Returns:
            dict: Log variables (``loss``, ``net{k}.loss``, ``net{k}.loss_*``).
        """
        log_vars = self._step_networks(losses, optim_wrapper)
        for k in range(self.num_networks):
            if f'adv{k}' in optim_wrapper.keys():
                optim_wrapper[f'adv{k}'].step()
                optim_wrapper[f'adv{k}'].zero_grad()
        return log_vars

    def update_adversarial(self, inputs: torch.Tensor,
                           optim_wrapper: OptimWrapperDict
                           ) -> Tuple[Dict[str, torch.Tensor],
                                      List[torch.Tensor]]:
        """Alternating scheme, step 2: fresh backbone forward, ``adv{k}``
        steps backbone ``k`` and ``Tr_k`` on ``L_G_k``.

        Returns:
            tuple: log variables (``net{k}.loss_adv``) and the detached
            ``Tr_k(F_k)`` for the discriminator step.
        """
        log_vars, transferred = {}, []
        for k in range(self.num_networks):
            wrapper = optim_wrapper[f'adv{k}']
            with wrapper.optim_context(self.networks[k]):
                fmap, _ = self._features(k, inputs)
                loss, t = self.generator_loss(k, fmap)
            wrapper.update_params(loss)
            log_vars[f'net{k}.loss_adv'] = loss.detach()
            transferred.append(t.detach())
        return log_vars, transferred

    def update_discriminators(self, transferred: Sequence[torch.Tensor],
                              optim_wrapper: OptimWrapperDict
                              ) -> Dict[str, torch.Tensor]:
        """One discriminator step on detached transferred features.

        Args:
            transferred (Sequence[torch.Tensor]): ``Tr_k(F_k)`` per network.
            optim_wrapper (OptimWrapperDict): The algorithm's wrappers.

        Returns:
            dict: Log variables (``disc.loss``, ``disc{k}.loss`` and the
            diagnostics ``disc{k}.acc/real_score/fake_score``).
        """
        wrapper = optim_wrapper['discriminators']
        with wrapper.optim_context(self.discriminators):
            losses, stats = self.discriminator_losses(transferred)
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        log_vars = dict(log_vars)
        log_vars['disc.loss'] = log_vars.pop('loss')
        log_vars.update(stats)
        return log_vars

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One iteration of the ``update`` scheme (see the module docstring).

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
        self.check_optim_wrapper(optim_wrapper)
        alternating = self.adversarial and self.update == 'alternating'
        with contextlib.ExitStack() as stack:
            for k, net in enumerate(self.networks):
                stack.enter_context(
                    optim_wrapper[f'net{k}'].optim_context(net))
            data = self.data_preprocessor(data, True)
            if alternating:
                losses, _ = self.logit_losses(data['inputs'],
                                              data['data_samples'])
            else:
                losses, transferred = self.forward_train(
                    data['inputs'], data['data_samples'])
        if alternating:
            log_vars = self._step_networks(losses, optim_wrapper)
            adv_vars, transferred = self.update_adversarial(
                data['inputs'], optim_wrapper)
            log_vars.update(adv_vars)
            log_vars['loss'] = log_vars['loss'] + sum(adv_vars.values())
        else:
            log_vars = self.update_networks(losses, optim_wrapper)
        if self.adversarial:
            log_vars.update(
                self.update_discriminators(transferred, optim_wrapper))
        return {key: value.detach() if isinstance(value, torch.Tensor) else
                value for key, value in log_vars.items()}
