# SSD-KD on NYUv2 (13 classes): DeepLabV3-ResNet50-D8 teacher ->
# DeepLabV3-MobileNetV2-D8 student, without any training image. The
# generator synthesises 128x128 images; the student learns the teacher's
# pixel-wise class distributions (KL) on a prioritized replay buffer of
# `data_scale` samples (SSD-KD reports ~16k for NYUv2). One iteration is one
# KD step of 16 with the synthesis rounds the schedule gives it run first:
# iterations 0-999 one fill round of 16 each (adversarial term off), then
# one round every 10 KD steps (1.6 new images per step); 20,000 iterations
# synthesise ~46k images. Validation: mIoU of the student on the real NYUv2
# test split.
# Teacher: python tools/train.py configs/ssdkd/teacher_deeplabv3_r50_nyuv2.py
_base_ = ['./_nyuv2_common.py', './_base_/ssdkd_seg.py']

teacher_ckpt = 'work_dirs/teacher_deeplabv3_r50_nyuv2/iter_20000.pth'
data_scale = 16000
max_iters = 20000  # KD steps of 16

# The Runner would inject the top-level SegDataPreProcessor into the
# mmrazor algorithm (wrong scope); the algorithm uses the student's.
data_preprocessor = None
model = dict(
    # data_preprocessor: the student's (real-image validation only)
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=teacher_ckpt,
    generator=dict(
        img_size=_base_.crop_size, latent_dim=256, hidden_channels=128),
    # the buffer in float16: 16k x 3x128x128 is 1.6 GB
    replay_buffer=dict(storage_dtype='float16'),
    data_scale=data_scale,
    synthesis_interval=10,
    generator_steps=5,
    synthesis_augment=dict(padding=8, flip=True),
    kd_augment=dict(padding=8, flip=True))

# data-free: the placeholder loader (configs/_base_/datasets/datafree.py)
train_dataloader = _base_.datafree_train_dataloader

# the schedule of ./_base_/ssdkd_seg.py (mmseg's SGD recipe) over max_iters
param_scheduler = dict(architecture=dict(end=max_iters))
train_cfg = dict(max_iters=max_iters, val_interval=2000)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=2000))
work_dir = 'work_dirs/ssdkd_deeplabv3_r50_mbv2_nyuv2'
