# Shared pieces of the NYUv2 (13 classes) configs: runtime in the mmseg
# scope, data pipelines (resize 256, random crop 128, flip), the DeepLabV3
# teacher (`teacher_model`: ResNet50-D8) and student (`student_model`:
# MobileNetV2-D8, the teacher's heads on its channels) dicts; a config sets
# `model` from them.
_base_ = ['../_base_/seg_runtime.py']

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

# The teacher: DeepLabV3 (mmseg EncoderDecoder), ResNetV1c-50 at output
# stride 8 (dilations 1/1/2/4), ASPP decode head on stage 4, FCN auxiliary
# head on stage 3: mmseg's configs/_base_/models/deeplabv3_r50-d8.py with BN
# for SyncBN (set norm_cfg to SyncBN for multi-GPU runs) and no pretrained
# weights.
norm_cfg = dict(type='BN', requires_grad=True)
teacher_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        type='ResNetV1c',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='ASPPHead',
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=(1, 12, 24, 36),
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=1024,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

student_model = dict(
    teacher_model,
    # 'mmcls://mobilenet_v2' for an ImageNet-initialised backbone
    pretrained=None,
    backbone=dict(
        type='MobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 1, 1, 1, 1),
        dilations=(1, 1, 1, 2, 2, 4, 4),
        out_indices=(1, 2, 4, 6),
        norm_cfg=norm_cfg),
    decode_head=dict(teacher_model['decode_head'], in_channels=320),
    auxiliary_head=dict(teacher_model['auxiliary_head'], in_channels=96))
