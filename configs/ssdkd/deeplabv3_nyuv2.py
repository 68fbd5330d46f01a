# SSD-KD on NYUv2 (13 classes): DeepLabV3-ResNet50-D8 teacher ->
# DeepLabV3-MobileNetV2-D8 student, without any training image. The
# generator synthesises 128x128 images; the student learns the teacher's
# pixel-wise class distributions (KL) on a prioritized replay buffer of
# `data_scale` samples (SSD-KD reports ~16k for NYUv2). One iteration is one
# epoch over the synthetic set (synthesis phase + KD phase of data_scale /
# kd_batch_size steps). Validation: mIoU of the student on the real NYUv2
# test split.
# Teacher: python tools/train.py configs/ssdkd/teacher_deeplabv3_r50_nyuv2.py
_base_ = ['./_nyuv2_common.py', './_base_/ssdkd.py']

teacher_ckpt = 'work_dirs/teacher_deeplabv3_r50_nyuv2/iter_20000.pth'
data_scale = 16000
max_iters = 20  # epochs: 20 x 1,000 KD steps of 16 (the former 20k iters)

# The Runner would inject the top-level SegDataPreProcessor into the
# mmrazor algorithm (wrong scope); the algorithm uses the student's.
data_preprocessor = None
# teacher-argmax targets for segmentation (task_targets='auto')
_base_.ssdkd.task_loss.ignore_index = 255
_base_.ssdkd.replay_buffer.storage_dtype = 'float16'  # 16k x 3x128x128: 1.6 GB
model = dict(
    _base_.pop('ssdkd'),
    _delete_=True,
    # data_preprocessor: the student's (real-image validation only)
    architecture={{_base_.student_model}},
    teacher={{_base_.model}},
    teacher_ckpt=teacher_ckpt,
    generator=dict(
        type='SSDKDGenerator',
        img_size={{_base_.crop_size}},
        out_channels=3,
        latent_dim=256,
        hidden_channels=128,
        num_blocks=3),
    data_scale=data_scale,
    adv_weight=1.0,
    distill_loss=dict(type='PerSampleKLLoss', tau=1.0),
    synthesis_batch_size=16,
    kd_batch_size=16,
    generator_steps=5,
    generator_lr=1e-3,
    synthesis_augment=dict(padding=8, flip=True),
    kd_augment=dict(padding=8, flip=True))

train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type='DataFreePlaceholderDataset', length=1000),
    sampler=dict(type='InfiniteSampler', shuffle=False))

optim_wrapper = dict(
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(
            type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)),
    # the meta step: generator_lr x generator_steps (Fast's meta optimizer)
    generator=dict(
        optimizer=dict(type='Adam', lr=5e-3, betas=(0.5, 0.999))))
param_scheduler = dict(
    architecture=dict(
        type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
        by_epoch=False),
    generator=[])  # constant generator learning rate

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=2)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
custom_hooks = [dict(type='mmrazor.PrioritySamplingHook')]
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=2))
work_dir = 'work_dirs/ssdkd_deeplabv3_r50_mbv2_nyuv2'
