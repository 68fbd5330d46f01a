# Shared pieces of the NYUv2 (13 classes) configs: runtime in the mmseg
# scope, data pipelines (resize 256, random crop 128, flip), the DeepLabV3
# teacher (`model`: ResNet50-D8, configs/_base_/models/deeplabv3_r50-d8.py)
# and student (`student_model`: MobileNetV2-D8, the teacher's heads on its
# channels) dicts.
_base_ = [
    '../_base_/models/deeplabv3_r50-d8.py', '../_base_/seg_runtime.py'
]

data_root = 'data/NYUv2'
num_classes = 13
crop_size = (128, 128)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    size=crop_size,  # stack_batch needs one of size / size_divisor
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # shorter side -> 256 (640x480 -> 341x256)
    dict(type='Resize', scale=(2048, 256), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 256), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='NYUv2SegDataset',
        data_root=data_root,
        split='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

_base_.model.data_preprocessor = data_preprocessor
_base_.model.decode_head.num_classes = num_classes
_base_.model.auxiliary_head.num_classes = num_classes

student_model = dict(
    _base_.model,
    # 'mmcls://mobilenet_v2' for an ImageNet-initialised backbone
    pretrained=None,
    backbone=dict(
        type='MobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 1, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4, 4),
        out_indices=(1, 2, 4, 6),
        norm_cfg=_base_.norm_cfg),
    decode_head=dict(_base_.model.decode_head, in_channels=320),
    auxiliary_head=dict(_base_.model.auxiliary_head, in_channels=96))
