"""Tiny SSD-KD builders shared by the SSD-KD tests (not a test module)."""
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmrazor.registry import MODELS


def classifier(backbone='resnet8', num_classes=10):
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(type=backbone),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=num_classes,
                  in_channels=64))


def tiny_algorithm(**kwargs):
    torch.manual_seed(0)
    cfg = dict(
        type='SSDKDDataFreeDistillation',
        architecture=classifier(),
        teacher=classifier(),
        generator=dict(type='SSDKDGenerator', img_size=16, latent_dim=8,
                       hidden_channels=16, num_blocks=2),
        data_scale=8,
        synthesis_batch_size=4,
        kd_batch_size=4,
        generator_steps=2)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def optim_wrappers(algo, lr=0.1):
    return OptimWrapperDict(
        architecture=OptimWrapper(
            torch.optim.SGD(algo.student.parameters(), lr=lr)),
        generator=OptimWrapper(
            torch.optim.Adam(algo.generator.parameters(), lr=1e-2)))


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()
            if torch.is_tensor(v)}


def changed(before, module):
    now = module.state_dict()
    return [k for k, v in before.items() if not torch.equal(v, now[k])]
