# Feature+TeKAP (CE 1 + TeKAPFeatureLoss(L2) 0.8):
# vgg13 -> vgg8 on CIFAR-100, 240 epochs.
_base_ = ['./_base_/tekap_feat_cifar100.py']

# Teacher checkpoint (path or URL) of a CIFAR-100 vgg13.
teacher_ckpt = 'work_dirs/teacher_vgg13_cifar100/epoch_240.pth'  # noqa: E501

model = dict(
    architecture=dict(
        backbone=dict(type='vgg8'), head=dict(in_channels=512)),
    teacher=dict(
        backbone=dict(type='vgg13'), head=dict(in_channels=512)),
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        connectors=dict(
            loss_feat_sfeat=dict(in_channel=512, out_channel=512))))
