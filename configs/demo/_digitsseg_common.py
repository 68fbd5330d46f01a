# Shared pieces of the DigitsSeg (11 classes, 64x64) configs, in the form of
# configs/ssdkd/_nyuv2_common.py, scaled to train in minutes on 2 CPU
# cores: runtime in the mmseg scope, the data (../_base_/datasets/
# digitsseg.py), a DeepLabV3-style teacher (`model`: ResNetV1c-18 at 1/4
# width, output stride 8, ASPP) and a smaller student (`student_model`: the
# same at 1/8 width, ~4x fewer parameters). A MobileNetV2 student (as for
# NYUv2) costs more CPU time per step than this teacher at 64x64 (depthwise
# convolutions), so both are ResNets here. Trained from scratch with AdamW:
# SGD left every model predicting only background after 600 iterations.
# Initialisation: the heads keep PyTorch's default init (`init_cfg=None`).
# With mmseg's default (classifier conv ~ Normal(0, 0.01)) these small
# from-scratch models stayed at "background everywhere" (validation mIoU
# 6.9 after 100-400 iterations on canvases of training digits, seed 1;
# 10.1 and rising with init_cfg=None); chosen on those validation canvases.
_base_ = ['../_base_/datasets/digitsseg.py', '../_base_/seg_runtime.py']

norm_cfg = dict(type='BN', requires_grad=True)  # SyncBN on GPUs
# ASPP rates for an 8x8 feature map (DeepLabV3's 12/24/36 are for 64x64+)
aspp_dilations = (1, 2, 4, 6)

model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor={{_base_.data_preprocessor}},
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
        num_classes={{_base_.num_classes}},
        norm_cfg=norm_cfg,
        align_corners=False,
        init_cfg=None,  # see the note on initialisation above
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=64,
        in_index=2,
        channels=16,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes={{_base_.num_classes}},
        norm_cfg=norm_cfg,
        align_corners=False,
        init_cfg=None,  # see the note on initialisation above
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# the student: the teacher at half its width
student_model = dict(
    model,
    backbone=dict(model['backbone'], stem_channels=8, base_channels=8),
    decode_head=dict(model['decode_head'], in_channels=64, channels=16),
    auxiliary_head=dict(model['auxiliary_head'], in_channels=32))

max_iters = 1500
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(checkpoint=dict(interval=500))
