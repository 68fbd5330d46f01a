# KD+TeKAP (CE 0.1 + TeKAPLogitsLoss 0.9):
# wrn_40_2 -> wrn_16_2 on CIFAR-100, 240 epochs.
_base_ = ['./_base_/tekap_kd_cifar100.py']

# Teacher checkpoint (path or URL) of a CIFAR-100 wrn_40_2.
teacher_ckpt = 'work_dirs/teacher_wrn_40_2_cifar100/epoch_240.pth'  # noqa: E501

model = dict(
    architecture=dict(
        backbone=dict(type='wrn_16_2'), head=dict(in_channels=128)),
    teacher=dict(
        backbone=dict(type='wrn_40_2'), head=dict(in_channels=128)),
    teacher_ckpt=teacher_ckpt)
