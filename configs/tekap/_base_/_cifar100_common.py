# The TeKAP CIFAR-100 configs' data, schedule, runtime and networks: the
# CRD/RepDistiller recipe (configs/_base_/schedules/cifar100_kd_240e.py) and
# the networks `student_model` / `teacher_model` (resnet8x4 / resnet32x4 of
# configs/_base_/models/cifar/, pooled by GlobalAveragePooling, which pools
# any student's map: ShuffleV2 4x4, vgg, resnet 8x8), so the pair configs
# swap only the backbone and head width. A method config
# (../tekap_kd_cifar100.py, ../tekap_feat_cifar100.py) sets `model` from them.
_base_ = [
    '../../_base_/datasets/cifar100.py',
    '../../_base_/schedules/cifar100_kd_240e.py',
    '../../_base_/default_runtime.py',
]

teacher_ckpt = None  # path or URL; concrete configs set model.teacher_ckpt

student_model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='resnet8x4'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=256,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
teacher_model = dict(student_model, backbone=dict(type='resnet32x4'))

val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
