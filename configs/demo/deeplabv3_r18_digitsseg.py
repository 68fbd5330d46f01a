# DigitsSeg teacher: DeepLabV3-style ResNetV1c-18 (1/4 width, output stride
# 8) trained from scratch on the 1000 training canvases. Writes
# work_dirs/deeplabv3_r18_digitsseg/iter_1500.pth, the teacher of
# configs/ssdkd/ssdkd_deeplabv3_digitsseg.py.
_base_ = [
    './_digitsseg_common.py', '../_base_/schedules/digitsseg_1500i.py'
]
model = _base_.teacher_model
work_dir = 'work_dirs/deeplabv3_r18_digitsseg'
