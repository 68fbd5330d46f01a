# SSD-KD, CIFAR-100: ResNet34 teacher -> ResNet18 student (CIFAR KD zoo).
# Teacher: train ResNet34 on CIFAR-100 first (any mmpretrain classifier config
# with backbone ResNet34); its checkpoint path is teacher_ckpt below.
_base_ = ['./_base_/ssdkd_cifar100.py']

teacher_ckpt = 'work_dirs/teacher_ResNet34_cifar100/epoch_240.pth'
model = dict(
    architecture=dict(backbone=dict(type='ResNet18'), head=dict(in_channels=512)),
    teacher=dict(backbone=dict(type='ResNet34'), head=dict(in_channels=512)),
    teacher_ckpt=teacher_ckpt)
work_dir = 'work_dirs/ssdkd_resnet34_resnet18_cifar100'
