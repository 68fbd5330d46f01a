"""Tiny SSD-KD builders shared by the SSD-KD tests."""
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmrazor.registry import MODELS

__all__ = [
    'ssdkd_classifier', 'tiny_ssdkd', 'ssdkd_optim_wrappers', 'snapshot',
    'changed'
]


def ssdkd_classifier(backbone='resnet8', num_classes=10):
    """ImageClassifier config with a RepDistiller CIFAR backbone."""
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(type=backbone),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=num_classes,
                  in_channels=64))


def tiny_ssdkd(**kwargs):
    """SSDKDDataFreeDistillation with 16 px images and tiny buffers."""
    torch.manual_seed(0)
    cfg = dict(
        type='SSDKDDataFreeDistillation',
        architecture=ssdkd_classifier(),
        teacher=ssdkd_classifier(),
        generator=dict(type='SSDKDGenerator', img_size=16, latent_dim=8,
                       hidden_channels=16, num_blocks=2),
        data_scale=8,
        synthesis_batch_size=4,
        kd_batch_size=4,
        generator_steps=2)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def ssdkd_optim_wrappers(algo, lr=0.1):
    return OptimWrapperDict(
        architecture=OptimWrapper(
            torch.optim.SGD(algo.student.parameters(), lr=lr)),
        generator=OptimWrapper(
            torch.optim.Adam(algo.generator.parameters(), lr=1e-2)))


def snapshot(module):
    """Copies of a module's state-dict tensors."""
    return {k: v.detach().clone() for k, v in module.state_dict().items()
            if torch.is_tensor(v)}


def changed(before, module):
    """Keys whose tensors differ from the :func:`snapshot` ``before``."""
    now = module.state_dict()
    return [k for k, v in before.items() if not torch.equal(v, now[k])]
