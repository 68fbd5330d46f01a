"""Tiny models and builders shared by the AFD tests (CPU, seconds).

:func:`write_joint_reference` records the joint-mode reference pinned by
``tests/models/algorithms/test_online_adversarial_distill.py``.
"""
import hashlib
from typing import List, Optional

import torch
from mmengine.optim import OptimWrapperDict
from mmpretrain.structures import DataSample
from mmrazor.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

__all__ = [
    'tiny_classifier', 'build_afd', 'afd_optim_cfg', 'afd_optim_wrappers',
    'fake_batch',
    'JOINT_REFERENCE', 'tensor_digest', 'digest_run', 'joint_reference_run',
    'write_joint_reference'
]


def tiny_classifier(base: int = 8, num_classes: int = 5) -> dict:
    """ImageClassifier config: 2-stage ResNet-CIFAR, ``2 * base`` channels."""
    return dict(
        type='ImageClassifier',
        _scope_='mmpretrain',
        backbone=dict(
            type='ResNet_CIFAR',
            depth=18,
            stem_channels=base,
            base_channels=base,
            num_stages=2,
            strides=(1, 2),
            dilations=(1, 1),
            out_indices=(1, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=num_classes,
            in_channels=2 * base,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))


def build_afd(num: int = 2,
              bases: Optional[List[int]] = None,
              **kwargs) -> torch.nn.Module:
    """OnlineAdversarialDistill over ``num`` tiny classifiers."""
    bases = bases or [8] * num
    cfg = dict(
        _scope_='mmrazor',
        type='OnlineAdversarialDistill',
        networks=[tiny_classifier(b) for b in bases],
        **kwargs)
    return MODELS.build(cfg)


def _online_distill_optim_wrappers(model, cfg: dict) -> OptimWrapperDict:
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(_scope_='mmrazor', type='OnlineDistillOptimWrapperConstructor',
             optim_wrapper_cfg=cfg))
    return constructor(model)


def afd_optim_cfg(adam_lr: float = 2e-5, **parts) -> dict:
    """``optim_wrapper`` parts in the shipped AFD configs' recipe: SGD (lr
    0.1, momentum 0.9, weight decay 1e-4) for the networks, Adam (``adam_lr``,
    weight decay 0.1) for the adversarial and discriminator parts; ``parts``
    are added (e.g. ``net1=dict(optimizer=...)``) or replace those."""
    cfg = dict(
        networks=dict(
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                           weight_decay=1e-4)),
        adversarial=dict(
            optimizer=dict(type='Adam', lr=adam_lr, weight_decay=0.1)),
        discriminators=dict(
            optimizer=dict(type='Adam', lr=adam_lr, weight_decay=0.1)))
    cfg.update(parts)
    return cfg


def afd_optim_wrappers(model, net_lr=0.1, adv_lr=1e-3, disc_lr=1e-3,
                       net_momentum=0.0, adv_type='SGD',
                       disc_type='SGD') -> OptimWrapperDict:
    """OptimWrapperDict through the plugin's constructor (plain SGD unless
    ``adv_type``/``disc_type`` say otherwise)."""
    return _online_distill_optim_wrappers(
        model,
        dict(
            networks=dict(
                optimizer=dict(type='SGD', lr=net_lr, momentum=net_momentum)),
            adversarial=dict(optimizer=dict(type=adv_type, lr=adv_lr)),
            discriminators=dict(optimizer=dict(type=disc_type, lr=disc_lr))))


def fake_batch(n: int = 4, size: int = 16, num_classes: int = 5,
               seed: int = 0) -> dict:
    """A dataloader-style batch of uint8 images and labels."""
    g = torch.Generator().manual_seed(seed)
    inputs = [
        torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
        for _ in range(n)
    ]
    labels = torch.randint(0, num_classes, (n, ), generator=g)
    samples = [DataSample().set_gt_label(int(lbl)) for lbl in labels]
    return dict(inputs=inputs, data_samples=samples)


JOINT_REFERENCE = 'afd_joint_reference.json'


def tensor_digest(t: torch.Tensor) -> str:
    """sha256 of a tensor's dtype, shape and raw bytes (bit-exact pin)."""
    t = t.detach().cpu().contiguous()
    h = hashlib.sha256(f'{t.dtype}{tuple(t.shape)}'.encode())
    h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def digest_run(run: dict) -> dict:
    """JSON-able digest of :func:`joint_reference_run`'s result; optimizer
    states are keyed by parameter name (wrapper keys may differ)."""
    return dict(
        log_vars=run['log_vars'],
        state={k: tensor_digest(v) for k, v in run['state'].items()},
        optim={
            name: {
                k: (tensor_digest(v) if torch.is_tensor(v) else v)
                for k, v in s.items()
            }
            for name, s in run['optim_by_param'].items()
        })


def joint_reference_run(scenario: str, **algo_kwargs) -> dict:
    """Two ``train_step`` s of a fixed tiny AFD setup (1 CPU thread).

    Used to pin ``update='joint'`` bit for bit against the numbers recorded
    on main before the alternating scheme existed
    (``tests/models/algorithms/afd_joint_reference.json``, written by
    ``python tests/_afd_helpers.py`` on that commit; now
    :func:`write_joint_reference`).

    Args:
        scenario (str): ``'k3_transfer'`` (3 networks, channels 16/32/16, so
            networks 0 and 2 have a transfer layer, logit peers 'all') or
            ``'k2_identity'`` (2 equal networks, identity transfers, the
            shipped configs' case).
        **algo_kwargs: Extra algorithm arguments (e.g. ``update='joint'``).

    Returns:
        dict: ``log_vars`` (per step, floats), ``state`` (state dict after
        2 steps) and ``optim_by_param`` (``{'<key[:3]>:<param name>':
        optimizer state}``, e.g. ``'net:networks.0.head.fc.weight'``,
        ``'adv:connectors.0.transfer.0.weight'``).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        if scenario == 'k3_transfer':
            model = build_afd(3, bases=[8, 16, 8], logit_peers='all',
                              **algo_kwargs)
        elif scenario == 'k2_identity':
            model = build_afd(2, **algo_kwargs)
        else:
            raise ValueError(scenario)
        optim = _online_distill_optim_wrappers(model,
                                               afd_optim_cfg(adam_lr=1e-3))
        logs = []
        for step in range(2):
            out = model.train_step(fake_batch(n=6, seed=100 + step), optim)
            logs.append({k: float(v) for k, v in out.items()})
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        names = {id(p): n for n, p in model.named_parameters()}
        by_param = {}
        for key in optim.keys():
            opt = optim[key].optimizer
            for group in opt.param_groups:
                for p in group['params']:
                    if p in opt.state:
                        by_param[f'{key[:3]}:{names[id(p)]}'] = {
                            k: v.clone() if torch.is_tensor(v) else v
                            for k, v in opt.state[p].items()
                        }
        return dict(log_vars=logs, state=state, optim_by_param=by_param)
    finally:
        torch.set_num_threads(threads)


def write_joint_reference() -> str:
    """Record the joint-mode reference (see :func:`joint_reference_run`)::

        PYTHONPATH=.:tests python -c \\
            'import _helpers; _helpers.write_joint_reference()'
    """
    import json
    import os.path as osp
    out = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'models',
                   'algorithms', JOINT_REFERENCE)
    with open(out, 'w') as f:
        json.dump({s: digest_run(joint_reference_run(s))
                   for s in ('k3_transfer', 'k2_identity')}, f, indent=0,
                  sort_keys=True)
    return out
