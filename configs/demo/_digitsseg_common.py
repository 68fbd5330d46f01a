# Shared pieces of the DigitsSeg (11 classes, 64x64) configs, in the form of
# configs/ssdkd/_nyuv2_common.py, scaled to train in minutes on 2 CPU
# cores: runtime in the mmseg scope, the data (../_base_/datasets/
# digitsseg.py), a DeepLabV3-style teacher (`model`: the DeepLabV3 of
# ../_base_/models/deeplabv3_r50-d8.py with a ResNetV1c-18 at 1/4 width,
# output stride 8, ASPP) and a smaller student (`student_model`: the same at
# 1/8 width, ~4x fewer parameters). A MobileNetV2 student (as for
# NYUv2) costs more CPU time per step than this teacher at 64x64 (depthwise
# convolutions), so both are ResNets here. Trained from scratch with AdamW
# (../_base_/schedules/digitsseg_1500i.py): SGD left every model predicting
# only background after 600 iterations.
# Initialisation: the heads keep PyTorch's default init (`init_cfg=None`).
# With mmseg's default (classifier conv ~ Normal(0, 0.01)) these small
# from-scratch models stayed at "background everywhere" (validation mIoU
# 6.9 after 100-400 iterations on canvases of training digits, seed 1;
# 10.1 and rising with init_cfg=None); chosen on those validation canvases.
_base_ = [
    '../_base_/models/deeplabv3_r50-d8.py', '../_base_/datasets/digitsseg.py',
    '../_base_/seg_runtime.py'
]

# ASPP rates for an 8x8 feature map (DeepLabV3's 12/24/36 are for 64x64+)
aspp_dilations = (1, 2, 4, 6)

_base_.model.data_preprocessor = _base_.data_preprocessor
_base_.model.backbone.update(depth=18, stem_channels=16, base_channels=16)
# init_cfg=None: see the note on initialisation above
_base_.model.decode_head.update(
    in_channels=128,
    channels=32,
    dilations=aspp_dilations,
    num_classes=_base_.num_classes,
    init_cfg=None)
_base_.model.auxiliary_head.update(
    in_channels=64, channels=16, num_classes=_base_.num_classes, init_cfg=None)

# the student: the teacher at half its width
student_model = dict(
    _base_.model,
    backbone=dict(_base_.model.backbone, stem_channels=8, base_channels=8),
    decode_head=dict(_base_.model.decode_head, in_channels=64, channels=16),
    auxiliary_head=dict(_base_.model.auxiliary_head, in_channels=32))

# checkpoints every 500 iterations (the schedule: ../_base_/schedules/
# digitsseg_1500i.py)
default_hooks = dict(checkpoint=dict(interval=500))
