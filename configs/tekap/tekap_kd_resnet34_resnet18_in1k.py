# KD+TeKAP on ImageNet-1k: ResNet34 (mmpretrain model-zoo teacher) ->
# ResNet18, mmpretrain's standard bs256 / 100-epoch schedule. Loss weights
# (CE 0.1, TeKAP 0.9, T=4) are the CIFAR recipe of the reference code, which
# has no ImageNet script: UNCONFIRMED for ImageNet.
_base_ = [
    'mmpretrain::_base_/models/resnet18.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    '../_base_/default_runtime.py',
    './_base_/tekap_kd_distiller.py',
]

# mmpretrain metafile (configs/resnet/metafile.yml): resnet34_8xb32_in1k.
teacher_ckpt = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth'  # noqa: E501

# Student: mmpretrain's ResNet18 model base (CE weight 0.1); teacher: the
# same with depth 34 (mmpretrain's resnet34.py differs only there).
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
    teacher=dict(
        _base_.model, backbone=dict(_base_.model.backbone, depth=34)),
    teacher_ckpt=teacher_ckpt,
    distiller=_base_.pop('tekap_kd_distiller'))

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
