# DigitsSeg student alone: DeepLabV3-style ResNetV1c-18 at 1/8 width (output
# stride 8) trained from scratch on the real training canvases (the
# reference the data-free student is compared with).
_base_ = [
    './_digitsseg_common.py', '../_base_/schedules/digitsseg_1500i.py'
]
model = dict(
    _delete_=True,
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor={{_base_.data_preprocessor}},
    pretrained=None,
    backbone={{_base_.student_model.backbone}},
    decode_head={{_base_.student_model.decode_head}},
    auxiliary_head={{_base_.student_model.auxiliary_head}},
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
work_dir = 'work_dirs/student_deeplabv3_r18w8_digitsseg'
