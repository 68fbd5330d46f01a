# Feature+TeKAP (CE 1 + TeKAPFeatureLoss(L2) 0.8):
# resnet56 -> resnet20 on CIFAR-100, 240 epochs.
_base_ = ['./_base_/tekap_feat_cifar100.py']

# Teacher checkpoint (path or URL) of a CIFAR-100 resnet56.
teacher_ckpt = 'work_dirs/teacher_resnet56_cifar100/epoch_240.pth'  # noqa: E501

model = dict(
    architecture=dict(
        backbone=dict(type='resnet20'), head=dict(in_channels=64)),
    teacher=dict(
        backbone=dict(type='resnet56'), head=dict(in_channels=64)),
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        connectors=dict(
            loss_feat_sfeat=dict(in_channel=64, out_channel=64))))
