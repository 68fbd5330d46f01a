# KD+TeKAP (CE 0.1 + TeKAPLogitsLoss 0.9):
# resnet32x4 -> ShuffleV2 on CIFAR-100, 240 epochs.
_base_ = ['./_base_/tekap_kd_cifar100.py']

# Teacher checkpoint (path or URL) of a CIFAR-100 resnet32x4.
teacher_ckpt = 'work_dirs/teacher_resnet32x4_cifar100/epoch_240.pth'  # noqa: E501

model = dict(
    architecture=dict(
        backbone=dict(type='ShuffleV2'), head=dict(in_channels=1024)),
    teacher=dict(
        backbone=dict(type='resnet32x4'), head=dict(in_channels=256)),
    teacher_ckpt=teacher_ckpt)

# ShuffleNet/MobileNet students use lr 0.01 in the reference recipe.
optim_wrapper = dict(optimizer=dict(lr=0.01))
