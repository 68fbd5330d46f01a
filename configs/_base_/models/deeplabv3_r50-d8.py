# DeepLabV3 (mmseg EncoderDecoder): ResNetV1c-50 at output stride 8
# (dilations 1/1/2/4), ASPP decode head on stage 4, FCN auxiliary head on
# stage 3: mmseg's configs/_base_/models/deeplabv3_r50-d8.py with BN for
# SyncBN (set norm_cfg to SyncBN for multi-GPU runs), no pretrained weights
# and no data_preprocessor (set with the data). The NYUv2 configs
# (configs/ssdkd/_nyuv2_common.py) use it with 13 classes; the DigitsSeg ones
# (configs/demo/_digitsseg_common.py) shrink it.
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
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
        num_classes=19,
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
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
