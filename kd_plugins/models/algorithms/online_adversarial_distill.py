"""AFD: feature-map-level online adversarial distillation (Chung et al., 2020).

K >= 2 classifiers (mmpretrain ``ImageClassifier``-like models: ``backbone``,
optional ``neck``, ``head``; architectures may differ) are trained together
from scratch. Network ``k``'s loss is::

    L_k = CE(y, z_k)
          + mean_{j in peers(k)} T^2 KL(softmax(z_j/T) || softmax(z_k/T))
          + w_adv * mean((1 - D_k(Tr_k(F_k)))^2)

where ``F_k`` is its last pre-pooling feature map, ``Tr_k`` its transfer layer
and ``D_k`` its discriminator (:class:`AFDDiscriminatorConnector`). ``D_k`` is
trained on ``(1 - D_k(Tr_p(F_p)))^2 + D_k(Tr_k(F_k))^2`` where ``p =
feature_peers[k]`` (the cyclic scheme: ``p = k - 1 mod K``, so for K = 2 each
network's peer is the other one). Peer logits and all features seen by the
discriminators are detached.

Update order of one :meth:`train_step` (one forward of every network):

1. networks: for each ``k``, ``optim_wrapper['net{k}'].update_params(L_k)``
   (the discriminators are frozen while ``L_k`` is built, so they receive no
   gradient); then ``optim_wrapper['adversarial']`` steps the transfer layers
   (their only gradient is the generator term);
2. discriminators: ``optim_wrapper['discriminators'].update_params(sum_k
   L_D_k)`` on detached transferred features (no gradient reaches networks or
   transfer layers).

UNCONFIRMED choices (configurable, see ``docs/afd.md``): ``T = 3``; the
``adversarial`` optimizer owns the transfer layers only (the paper's "feature
part" may have meant the feature extractors, which would need a second
backward per network); networks and the generator term share one step per
iteration; discriminators see one score per sample (connector default).
The logit term's peers are ``'cyclic'`` (``z_{k-1}`` only) or ``'all'``
(mean over every other network).
"""
import contextlib
import copy
from typing import (Any, Dict, Iterator, List, Optional, Sequence, Tuple,
                    Union)

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmengine.structures import BaseDataElement
from mmrazor.models.algorithms.base import BaseAlgorithm
from mmrazor.registry import MODELS

from ..losses.afd_adversarial_loss import discriminator_accuracy

__all__ = [
    'OnlineAdversarialDistill', 'cyclic_peers', 'logit_peer_lists',
    'LOGIT_PEER_MODES'
]

LOGIT_PEER_MODES = ('cyclic', 'all')


def cyclic_peers(num_networks: int) -> List[int]:
    """Cyclic peer assignment ``1 -> 2 -> ... -> K -> 1`` (0-based).

    Network ``k`` learns from network ``k - 1 (mod K)``: its discriminator
    treats that network's features as real.

    Args:
        num_networks (int): K, at least 2.

    Returns:
        list[int]: ``peers[k] = (k - 1) % K``.
    """
    if num_networks < 2:
        raise ValueError(f'cyclic_peers: need at least 2 networks, got '
                         f'{num_networks}')
    return [(k - 1) % num_networks for k in range(num_networks)]


def logit_peer_lists(mode: str,
                     feature_peers: Sequence[int]) -> List[List[int]]:
    """Peers of every network for the logit (KL) term.

    Args:
        mode (str): ``'cyclic'`` (the feature peer only) or ``'all'`` (every
            other network).
        feature_peers (Sequence[int]): The feature peer of each network.

    Returns:
        list[list[int]]: Peer indices per network.
    """
    num = len(feature_peers)
    if mode == 'cyclic':
        return [[int(p)] for p in feature_peers]
    if mode == 'all':
        return [[j for j in range(num) if j != k] for k in range(num)]
    raise ValueError(f'logit_peers must be one of {LOGIT_PEER_MODES}, got '
                     f'{mode!r}')


def _with_default_scope(cfg: dict, scope: str = 'mmpretrain') -> dict:
    """Copy of ``cfg`` with ``_scope_`` set when its type is unscoped."""
    cfg = copy.deepcopy(dict(cfg))
    type_ = cfg.get('type')
    if '_scope_' not in cfg and isinstance(type_, str) and '.' not in type_:
        cfg['_scope_'] = scope
    return cfg


@MODELS.register_module()
class OnlineAdversarialDistill(BaseAlgorithm):
    """Online adversarial distillation of K networks (AFD).

    Use with ``OnlineDistillOptimWrapperConstructor`` (keys ``net0`` ..
    ``net{K-1}``, ``adversarial``, ``discriminators``),
    :class:`~kd_plugins.engine.hooks.CyclicDistillHook` and
    :class:`~kd_plugins.engine.loops.OnlineDistillValLoop`.

    Unlike other mmrazor algorithms it holds no single ``architecture``
    submodule: the networks live in ``self.networks`` (checkpoint keys
    ``networks.<k>.backbone...``) and :attr:`architecture` is a read-only
    alias of the network used by ``val_step``/``test_step``
    (``eval_index``).

    Args:
        networks (Sequence[dict | BaseModel]): K >= 2 classifier configs or
            models. Unscoped config types get ``_scope_='mmpretrain'``.
        adversarial (bool): Build connectors/discriminators and train the
            adversarial term. False gives plain DML (CE + mutual KL).
            Defaults to True.
        connector (dict, optional): Template of every network's connector;
            ``in_channels``/``out_channels`` are filled in. None means
            ``dict(type='AFDDiscriminatorConnector')``. Defaults to None.
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
        logit_peers (str): ``'cyclic'`` or ``'all'``. Defaults to
            ``'cyclic'``. :class:`CyclicDistillHook` may override it.
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
                 connector: Optional[dict] = None,
                 feature_channels: Optional[Sequence[int]] = None,
                 common_channels: Optional[int] = None,
                 feature_index: int = -1,
                 logit_loss: dict = dict(type='KLDivergence', tau=3.0),
                 adversarial_loss: dict = dict(
                     type='AFDAdversarialLoss', loss_weight=1.0),
                 logit_peers: str = 'cyclic',
                 eval_index: int = 0,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if not isinstance(networks, (list, tuple)) or len(networks) < 2:
            raise ValueError('OnlineAdversarialDistill: networks must be a '
                             'list of at least 2 model configs')
        built = [self._build_network(i, n) for i, n in enumerate(networks)]
        if data_preprocessor is None:
            data_preprocessor = built[0].data_preprocessor
        elif isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor)
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
            data_preprocessor = MODELS.build(
                _with_default_scope(data_preprocessor))
        # BaseAlgorithm.__init__ registers one ``architecture``; K networks
        # are held in ``self.networks`` instead (see the class docstring).
        BaseModel.__init__(
            self, data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.networks = nn.ModuleList(built)
        self.feature_index = feature_index
        self.logit_loss = MODELS.build(logit_loss)
        self.adversarial = adversarial
        num = len(built)
        if adversarial:
            channels = self._infer_channels(feature_channels)
            common = common_channels or max(channels)
            template = dict(connector
                            or dict(type='AFDDiscriminatorConnector'))
            self.connectors = nn.ModuleList([
                MODELS.build(
                    dict(template, in_channels=c, out_channels=common))
                for c in channels
            ])
            self.adversarial_loss = MODELS.build(adversarial_loss)
        else:
            self.connectors = None
            self.adversarial_loss = None
        self.register_buffer('feature_peers',
                             torch.tensor(cyclic_peers(num), dtype=torch.long))
        self.register_buffer('logit_peer_mask',
                             torch.zeros(num, num, dtype=torch.bool))
        self.set_pairing(cyclic_peers(num), logit_peers)
        self.eval_index = eval_index
        #: Diagnostics of the last discriminator step (read by the hook).
        self.last_stats: Dict[str, float] = {}

    # ------------------------------------------------------------------ setup
    @staticmethod
    def _build_network(index: int, cfg: Union[dict, nn.Module]) -> BaseModel:
        net = cfg
        if isinstance(cfg, dict):
            net = MODELS.build(_with_default_scope(cfg))
        if not isinstance(net, BaseModel) or not hasattr(net, 'backbone') \
                or getattr(net, 'head', None) is None:
            raise TypeError(f'OnlineAdversarialDistill: networks[{index}] '
                            f'must be a classifier with backbone and head, '
                            f'got {type(net).__name__}')
        return net

    def _infer_channels(
            self, feature_channels: Optional[Sequence[int]]) -> List[int]:
        num = len(self.networks)
        if feature_channels is not None:
            if len(feature_channels) != num:
                raise ValueError(f'OnlineAdversarialDistill: feature_channels '
                                 f'has {len(feature_channels)} entries for '
                                 f'{num} networks')
            return [int(c) for c in feature_channels]
        channels = []
        for k, net in enumerate(self.networks):
            out = getattr(net.backbone, 'out_channels', None)
            if isinstance(out, (list, tuple)):
                out = out[self.feature_index]
            if out is None and self.feature_index == -1:
                out = getattr(net.head, 'in_channels', None)
            if not isinstance(out, int):
                raise ValueError(f'OnlineAdversarialDistill: cannot infer the '
                                 f'feature channels of networks[{k}]; set '
                                 f'feature_channels')
            channels.append(out)
        return channels

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
        if not 0 <= index < len(self.networks):
            raise ValueError(f'OnlineAdversarialDistill: eval_index {index} '
                             f'out of range for {len(self.networks)} networks')
        self._eval_index = index

    @property
    def architecture(self) -> BaseModel:
        """The network used by ``val_step``/``test_step`` (not a submodule)."""
        return self.networks[self.eval_index]

    # ---------------------------------------------------------------- pairing
    def set_pairing(self, feature_peers: Sequence[int],
                    logit_peers: Union[str, Sequence[Sequence[int]]]) -> None:
        """Set which peer each network learns from.

        Args:
            feature_peers (Sequence[int]): ``feature_peers[k]`` is the network
                whose features ``D_k`` treats as real.
            logit_peers (str | Sequence[Sequence[int]]): ``'cyclic'``,
                ``'all'`` or explicit peer lists per network.
        """
        num = len(self.networks)
        peers = [int(p) for p in feature_peers]
        if len(peers) != num or any(
                p == k or not 0 <= p < num for k, p in enumerate(peers)):
            raise ValueError(f'OnlineAdversarialDistill: feature_peers '
                             f'{peers} invalid for {num} networks (need one '
                             f'other network per network)')
        lists = logit_peer_lists(logit_peers, peers) if isinstance(
            logit_peers, str) else [list(map(int, p)) for p in logit_peers]
        mask = torch.zeros(num, num, dtype=torch.bool)
        for k, js in enumerate(lists):
            if not js or any(j == k or not 0 <= j < num for j in js):
                raise ValueError(f'OnlineAdversarialDistill: logit peers '
                                 f'{js} of network {k} invalid')
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
    def _run_network(
        self, k: int, inputs: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, Tuple[torch.Tensor, ...]]:
        """Feature map, logits and neck output of network ``k``."""
        net = self.networks[k]
        feats = net.backbone(inputs)
        if not isinstance(feats, (tuple, list)):
            feats = (feats, )
        fmap = feats[self.feature_index]
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
        params = [] if self.connectors is None else [
            p for c in self.connectors for p in c.discriminator.parameters()
        ]
        flags = [p.requires_grad for p in params]
        for p in params:
            p.requires_grad_(False)
        try:
            yield
        finally:
            for p, flag in zip(params, flags):
                p.requires_grad_(flag)

    def forward_train(
        self, inputs: torch.Tensor, data_samples: List[BaseDataElement]
    ) -> Tuple[List[Dict[str, torch.Tensor]], List[torch.Tensor]]:
        """Per-network losses and transferred feature maps.

        Args:
            inputs (torch.Tensor): Preprocessed batch.
            data_samples (list): Data samples with ground truth.

        Returns:
            tuple: ``losses[k]`` (``loss_cls``, ``loss_kl`` and, when
            adversarial, ``loss_adv``; each depends on network ``k``'s
            parameters and transfer layer only) and the transferred feature
            maps ``Tr_k(F_k)`` (still attached; empty list without the
            adversarial part).
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
        transferred: List[torch.Tensor] = []
        if self.adversarial:
            transferred = [c(f) for c, f in zip(self.connectors, fmaps)]
            with self._frozen_discriminators():
                for k, conn in enumerate(self.connectors):
                    scores = conn.discriminate(transferred[k])
                    losses[k]['loss_adv'] = \
                        self.adversarial_loss.generator_loss(scores)
        return losses, transferred

    def discriminator_losses(
        self, transferred: Sequence[torch.Tensor]
    ) -> Tuple[Dict[str, torch.Tensor], Dict[str, float]]:
        """LSGAN losses of every discriminator on detached features.

        Args:
            transferred (Sequence[torch.Tensor]): ``Tr_k(F_k)`` per network
                (detached here).

        Returns:
            tuple: ``{'disc{k}.loss': ...}`` and diagnostics
            ``disc{k}.acc`` / ``disc{k}.real_score`` / ``disc{k}.fake_score``.
        """
        feats = [t.detach() for t in transferred]
        peers, _ = self.get_pairing()
        losses, stats = {}, {}
        for k, conn in enumerate(self.connectors):
            real = conn.discriminate(feats[peers[k]])
            fake = conn.discriminate(feats[k])
            losses[f'disc{k}.loss'] = \
                self.adversarial_loss.discriminator_loss(real, fake)
            stats[f'disc{k}.acc'] = float(discriminator_accuracy(real, fake))
            stats[f'disc{k}.real_score'] = float(real.detach().mean())
            stats[f'disc{k}.fake_score'] = float(fake.detach().mean())
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

    def _forward(self,
                 inputs: torch.Tensor,
                 data_samples: Optional[List[BaseDataElement]] = None):
        return self.architecture(inputs, data_samples, mode='tensor')

    def _predict(self,
                 inputs: torch.Tensor,
                 data_samples: Optional[List[BaseDataElement]] = None):
        return self.architecture(inputs, data_samples, mode='predict')

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

    # ------------------------------------------------------------- train step
    def optim_wrapper_modules(self) -> Dict[str, nn.Module]:
        """Module each ``OptimWrapperDict`` key optimises.

        ``net{k}``: network ``k``; ``adversarial``: the transfer layers that
        have parameters; ``discriminators``: all discriminators. The last two
        are empty ``ModuleList`` s when there is nothing to optimise (identity
        transfers, ``adversarial=False``); such keys get no optimizer.
        """
        modules: Dict[str, nn.Module] = {
            f'net{k}': net
            for k, net in enumerate(self.networks)
        }
        connectors = list(self.connectors) if self.adversarial else []
        modules['adversarial'] = nn.ModuleList(
            [c.transfer for c in connectors if c.has_transfer])
        modules['discriminators'] = nn.ModuleList(
            [c.discriminator for c in connectors])
        return modules

    def _check_optim_wrapper(self, optim_wrapper: OptimWrapperDict) -> None:
        expected = {
            key
            for key, module in self.optim_wrapper_modules().items()
            if any(p.requires_grad for p in module.parameters())
        }
        got = set(optim_wrapper.keys()) if isinstance(
            optim_wrapper, OptimWrapperDict) else None
        if got != expected:
            raise ValueError(f'OnlineAdversarialDistill: optim_wrapper must '
                             f'be an OptimWrapperDict with keys '
                             f'{sorted(expected)}, got '
                             f'{None if got is None else sorted(got)}')
        if 'adversarial' in got and \
                optim_wrapper['adversarial']._accumulative_counts != 1:
            raise ValueError('OnlineAdversarialDistill: gradient '
                             'accumulation is not supported for '
                             'optim_wrapper.adversarial')

    def update_networks(self, losses: Sequence[Dict[str, torch.Tensor]],
                        optim_wrapper: OptimWrapperDict
                        ) -> Dict[str, torch.Tensor]:
        """Step every network on its loss, then the transfer layers.

        Args:
            losses (Sequence[dict]): Output of :meth:`forward_train`.
            optim_wrapper (OptimWrapperDict): The algorithm's wrappers.

        Returns:
            dict: Log variables (``loss``, ``net{k}.loss``, ``net{k}.loss_*``).
        """
        log_vars = {}
        total = 0.
        for k, per_net in enumerate(losses):
            loss, net_vars = self.parse_losses(per_net)
            optim_wrapper[f'net{k}'].update_params(loss)
            total = total + loss.detach()
            log_vars.update(
                {f'net{k}.{name}': value
                 for name, value in net_vars.items()})
        if 'adversarial' in optim_wrapper.keys():
            optim_wrapper['adversarial'].step()
            optim_wrapper['adversarial'].zero_grad()
        return dict(loss=total, **log_vars)

    def update_discriminators(self, transferred: Sequence[torch.Tensor],
                              optim_wrapper: OptimWrapperDict
                              ) -> Dict[str, torch.Tensor]:
        """One discriminator step on detached transferred features.

        Args:
            transferred (Sequence[torch.Tensor]): ``Tr_k(F_k)`` per network.
            optim_wrapper (OptimWrapperDict): The algorithm's wrappers.

        Returns:
            dict: Log variables (``disc.loss``, ``disc{k}.loss``).
        """
        wrapper = optim_wrapper['discriminators']
        with wrapper.optim_context(self.connectors):
            losses, stats = self.discriminator_losses(transferred)
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        self.last_stats = stats
        log_vars = dict(log_vars)
        log_vars['disc.loss'] = log_vars.pop('loss')
        return log_vars

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """Networks step (CE + KL + generator), then discriminators step.

        Args:
            data (dict | tuple | list): A batch from the dataloader.
            optim_wrapper (OptimWrapperDict): Keys ``net0`` .. ``net{K-1}``,
                ``adversarial`` (when some transfer layer has parameters) and
                ``discriminators`` (when ``adversarial=True``).

        Returns:
            dict: Detached log variables.
        """
        self._check_optim_wrapper(optim_wrapper)
        with contextlib.ExitStack() as stack:
            for k, net in enumerate(self.networks):
                stack.enter_context(
                    optim_wrapper[f'net{k}'].optim_context(net))
            data = self.data_preprocessor(data, True)
            losses, transferred = self.forward_train(data['inputs'],
                                                     data['data_samples'])
        log_vars = self.update_networks(losses, optim_wrapper)
        if self.adversarial:
            log_vars.update(
                self.update_discriminators(transferred, optim_wrapper))
        return {key: value.detach() if isinstance(value, torch.Tensor) else
                value for key, value in log_vars.items()}
