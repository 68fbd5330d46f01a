# The DigitsSeg (11 classes, 64x64) configs' data, networks and runtime, in
# the form of configs/ssdkd/_nyuv2_common.py, scaled to train in minutes on
# 2 CPU cores: runtime in the mmseg scope, the data, a DeepLabV3-style
# teacher (`teacher_model`: the DeepLabV3 of mmseg's
# _base_/models/deeplabv3_r50-d8.py with a ResNetV1c-18 at 1/4 width, output
# stride 8, ASPP) and a smaller student (`student_model`: the same at 1/8
# width, ~4x fewer parameters). A config sets `model` from them. A
# MobileNetV2 student (as for NYUv2) costs more CPU time per step than this
# teacher at 64x64 (depthwise convolutions), so both are ResNets here.
# Trained from scratch with AdamW (../_base_/schedules/digitsseg_1500i.py):
# SGD left every model predicting only background after 600 iterations.
# Initialisation: the heads keep PyTorch's default init (`init_cfg=None`).
# With mmseg's default (classifier conv ~ Normal(0, 0.01)) these small
# from-scratch models stayed at "background everywhere" (validation mIoU
# 6.9 after 100-400 iterations on canvases of training digits, seed 1;
# 10.1 and rising with init_cfg=None); chosen on those validation canvases.
_base_ = ['../_base_/seg_runtime.py']

# The data: DigitsSeg (kd_plugins DigitsSegDataset), 64x64 RGB canvases of
# 1-4 real scikit-learn digits over random backgrounds, 11 classes
# (background + 10 digits), 255 = ignored stroke rim. Generated
# deterministically in memory (nothing to download or cache): 1000 train
# canvases from the training digits, 500 test canvases from the test digits.
dataset_type = 'DigitsSegDataset'
num_classes = 11
crop_size = (64, 64)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=False,  # the canvases are RGB already
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)

# Items carry the image and label map (no loading step). No flip: a
# mirrored digit is not the same digit.
train_pipeline = [dict(type='PackSegInputs')]
test_pipeline = [dict(type='PackSegInputs')]

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        split='train',
        num_samples=1000,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        split='test',
        num_samples=500,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# The teacher: DeepLabV3, ResNetV1c-18 at 1/4 width (output stride 8,
# dilations 1/1/2/4), ASPP decode head on stage 4 with rates for an 8x8
# feature map (DeepLabV3's 12/24/36 are for 64x64+), FCN auxiliary head on
# stage 3; init_cfg=None: see the note on initialisation above.
norm_cfg = dict(type='BN', requires_grad=True)
aspp_dilations = (1, 2, 4, 6)
teacher_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        type='ResNetV1c',
        depth=18,
        stem_channels=16,
        base_channels=16,
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
        in_channels=128,
        in_index=3,
        channels=32,
        dilations=aspp_dilations,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        init_cfg=None),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=64,
        in_index=2,
        channels=16,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4),
        init_cfg=None),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# the student: the teacher at half its width
student_model = dict(
    teacher_model,
    backbone=dict(teacher_model['backbone'], stem_channels=8,
                  base_channels=8),
    decode_head=dict(teacher_model['decode_head'], in_channels=64,
                     channels=16),
    auxiliary_head=dict(teacher_model['auxiliary_head'], in_channels=32))

# checkpoints every 500 iterations (the schedule: ../_base_/schedules/
# digitsseg_1500i.py)
default_hooks = dict(checkpoint=dict(interval=500))
