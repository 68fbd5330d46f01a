# KD+TeKAP on CIFAR-100 (logit level): SingleTeacherDistill, CE 0.1 +
# TeKAPLogitsLoss 0.9 (M=3, alpha=0.1, lambda=0.8, T=4), the reference recipe.
# Concrete configs set the backbones, head widths and `teacher_ckpt`.
_base_ = [
    '../../_base_/models/cifar/resnet8x4.py',
    '../../_base_/datasets/cifar100.py',
    '../../_base_/schedules/cifar100_kd_240e.py',
    '../../_base_/default_runtime.py',
    './tekap_kd_distiller.py',
]

teacher_ckpt = None  # path or URL; concrete configs set model.teacher_ckpt

# Student and teacher templates: configs/_base_/models/cifar/resnet8x4.py
# (teacher: resnet32x4, same width) pooled by GlobalAveragePooling, which
# pools any student's map (ShuffleV2 4x4, vgg, resnet 8x8), so the pair
# configs swap only the backbone and head width.
_base_.model._scope_ = 'mmpretrain'
_base_.model.neck = dict(type='GlobalAveragePooling')
model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    data_preprocessor=dict(
        _base_.data_preprocessor, type='mmpretrain.ClsDataPreprocessor'),
    architecture=dict(
        _base_.model,
        head=dict(
            _base_.model.head,
            loss=dict(type='CrossEntropyLoss', loss_weight=0.1))),
    teacher=dict(_base_.model, backbone=dict(type='resnet32x4')),
    teacher_ckpt=teacher_ckpt,
    distiller=_base_.pop('tekap_kd_distiller'))

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
