# SSD-KD, CIFAR-100: wrn_40_2 teacher -> wrn_16_1 student (CIFAR KD zoo).
# Teacher: train wrn_40_2 on CIFAR-100 first (any mmpretrain classifier config
# with backbone wrn_40_2); its checkpoint path is teacher_ckpt below.
_base_ = ['./_base_/ssdkd_cifar100.py']

teacher_ckpt = 'work_dirs/teacher_wrn_40_2_cifar100/epoch_240.pth'
model = dict(
    architecture=dict(
        backbone=dict(type='wrn_16_1'), head=dict(in_channels=64)),
    teacher=dict(
        backbone=dict(type='wrn_40_2'), head=dict(in_channels=128)),
    adv_weight=1.1,  # Fast: wrn pairs (adv 1.1, oh 0.4)
    task_loss=dict(loss_weight=0.4),
    teacher_ckpt=teacher_ckpt)
work_dir = 'work_dirs/ssdkd_wrn_40_2_wrn_16_1_cifar100'
