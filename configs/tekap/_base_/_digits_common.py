# The TeKAP digits configs' data, schedule, runtime and networks: those of
# the plain KD baseline configs/demo/kd_resnet20_resnet8_digits.py, which
# every method's digits config compares against (the embedded digits, the
# digits schedule; resnet8 student and resnet20 teacher of
# configs/_base_/models/cifar/ for the 10 digits, both with the 8x8 average
# pool and 64-channel head). A method config
# (../tekap_*_resnet20_resnet8_digits.py) sets `model` from
# `student_model` and `teacher_model`.
_base_ = [
    '../../_base_/datasets/digits.py',
    '../../_base_/schedules/digits.py',
    '../../_base_/default_runtime.py',
]

teacher_ckpt = 'work_dirs/teacher_resnet20_digits/epoch_8.pth'

student_model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='resnet8'),
    neck=dict(type='RepDistillerAvgPool', kernel_size=8),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
teacher_model = dict(student_model, backbone=dict(type='resnet20'))

val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
