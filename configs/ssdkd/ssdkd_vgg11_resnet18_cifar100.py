# SSD-KD, CIFAR-100: vgg11 teacher -> ResNet18 student (CIFAR KD zoo).
# Teacher: train vgg11 on CIFAR-100 first (any mmpretrain classifier config
# with backbone vgg11); its checkpoint path is teacher_ckpt below.
_base_ = ['./_base_/ssdkd_cifar100.py']

teacher_ckpt = 'work_dirs/teacher_vgg11_cifar100/epoch_240.pth'
model = dict(
    architecture=dict(
        backbone=dict(type='ResNet18'), head=dict(in_channels=512)),
    teacher=dict(
        backbone=dict(type='vgg11'), head=dict(in_channels=512)),
    adv_weight=1.0,  # Fast: vgg11 -> resnet18
    teacher_ckpt=teacher_ckpt)
work_dir = 'work_dirs/ssdkd_vgg11_resnet18_cifar100'
