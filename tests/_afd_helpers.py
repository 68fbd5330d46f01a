"""Tiny models and builders shared by the AFD tests (CPU, seconds)."""
import copy
from typing import List, Optional

import torch
from mmengine.optim import OptimWrapperDict

import kd_plugins  # noqa: F401  (compat + registries first)
from mmpretrain.structures import DataSample  # noqa: E402
from mmrazor.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS  # noqa: E402


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


def optim_wrappers(model, net_lr=0.1, adv_lr=1e-3, disc_lr=1e-3,
                   net_momentum=0.0) -> OptimWrapperDict:
    """OptimWrapperDict through the plugin's constructor (plain SGD)."""
    cfg = dict(
        constructor='OnlineDistillOptimWrapperConstructor',
        networks=dict(
            optimizer=dict(type='SGD', lr=net_lr, momentum=net_momentum)),
        adversarial=dict(optimizer=dict(type='SGD', lr=adv_lr)),
        discriminators=dict(optimizer=dict(type='SGD', lr=disc_lr)))
    cfg = copy.deepcopy(cfg)
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(_scope_='mmrazor', type=cfg.pop('constructor'),
             optim_wrapper_cfg=cfg))
    return constructor(model)


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
