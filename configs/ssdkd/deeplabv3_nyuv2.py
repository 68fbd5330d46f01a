# SSD-KD on NYUv2 (13 classes): DeepLabV3-ResNet50-D8 teacher ->
# DeepLabV3-MobileNetV2-D8 student, without any training image. The
# generator synthesises 128x128 images; the student learns the teacher's
# pixel-wise class distributions (KL) on a prioritized replay buffer of
# `data_scale` samples (SSD-KD reports ~16k for NYUv2). One iteration is one
# epoch over the synthetic set (synthesis phase + KD phase of data_scale /
# kd_batch_size steps). Validation: mIoU of the student on the real NYUv2
# test split.
# Teacher: python tools/train.py configs/ssdkd/teacher_deeplabv3_r50_nyuv2.py
_base_ = ['./_nyuv2_common.py', './_base_/ssdkd_seg.py']

teacher_ckpt = 'work_dirs/teacher_deeplabv3_r50_nyuv2/iter_20000.pth'
data_scale = 16000
max_iters = 20  # epochs: 20 x 1,000 KD steps of 16 (the former 20k iters)

# The Runner would inject the top-level SegDataPreProcessor into the
# mmrazor algorithm (wrong scope); the algorithm uses the student's.
data_preprocessor = None
_base_.ssdkd_seg.generator.update(
    img_size=_base_.crop_size, latent_dim=256, hidden_channels=128)
# the buffer in float16: 16k x 3x128x128 is 1.6 GB
_base_.ssdkd_seg.replay_buffer.storage_dtype = 'float16'
model = dict(
    _base_.pop('ssdkd_seg'),
    _delete_=True,
    # data_preprocessor: the student's (real-image validation only)
    architecture=_base_.student_model,
    teacher=_base_.model,
    teacher_ckpt=teacher_ckpt,
    data_scale=data_scale,
    generator_steps=5,
    synthesis_augment=dict(padding=8, flip=True),
    kd_augment=dict(padding=8, flip=True))

train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type='DataFreePlaceholderDataset', length=1000),
    sampler=dict(type='InfiniteSampler', shuffle=False))

# the schedule of ./_base_/ssdkd_seg.py (mmseg's SGD recipe) over max_iters
param_scheduler = dict(architecture=dict(end=max_iters))
train_cfg = dict(max_iters=max_iters, val_interval=2)

default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=2))
work_dir = 'work_dirs/ssdkd_deeplabv3_r50_mbv2_nyuv2'
