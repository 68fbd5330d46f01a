# SSD-KD, CIFAR-10: ResNet34 teacher -> ResNet18 student (mmpretrain's
# ResNet_CIFAR, whose CIFAR-10 ResNet34 checkpoint is released by
# OpenMMLab: the teacher downloads, nothing to train first).
_base_ = ['./_base_/ssdkd_cifar10.py']

teacher_ckpt = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_b16x8_cifar10_20210528-a8aa36a6.pth'  # noqa: E501
model = dict(
    architecture=dict(
        backbone=dict(type='ResNet_CIFAR', depth=18), head=dict(in_channels=512)),
    teacher=dict(
        backbone=dict(type='ResNet_CIFAR', depth=34), head=dict(in_channels=512)),
    teacher_ckpt=teacher_ckpt)
work_dir = 'work_dirs/ssdkd_resnet34_resnet18_cifar10'
