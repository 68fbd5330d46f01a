# KD+TeKAP on ImageNet-1k: ResNet34 (mmpretrain model-zoo teacher) ->
# ResNet18, mmpretrain's standard bs256 / 100-epoch schedule. Loss weights
# (CE 0.1, TeKAP 0.9, T=4; ./_base_/tekap_kd.py) are the CIFAR recipe of the
# reference code, which has no ImageNet script: UNCONFIRMED for ImageNet.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    '../_base_/default_runtime.py',
    './_base_/tekap_kd.py',
]

# mmpretrain metafile (configs/resnet/metafile.yml): resnet34_8xb32_in1k.
teacher_ckpt = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth'  # noqa: E501

# Student: mmpretrain's _base_/models/resnet18.py (CE weight 0.1); teacher:
# the same with depth 34 (mmpretrain's resnet34.py differs only there).
# Names starting with `__` stay out of the resolved config (mmengine drops
# them).
__resnet18 = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
model = dict(
    data_preprocessor=dict(
        _base_.data_preprocessor, type='mmpretrain.ClsDataPreprocessor'),
    architecture=dict(
        __resnet18,
        head=dict(
            __resnet18['head'],
            loss=dict(type='CrossEntropyLoss', loss_weight=0.1))),
    teacher=dict(
        __resnet18, backbone=dict(__resnet18['backbone'], depth=34)),
    teacher_ckpt=teacher_ckpt)

val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
