# DigitsSeg student alone: DeepLabV3-style ResNetV1c-18 at 1/8 width (output
# stride 8) trained from scratch on the real training canvases (the
# reference the data-free student is compared with).
_base_ = [
    './_digitsseg_common.py', '../_base_/schedules/digitsseg_1500i.py'
]
model = _base_.student_model
work_dir = 'work_dirs/student_deeplabv3_r18w8_digitsseg'
