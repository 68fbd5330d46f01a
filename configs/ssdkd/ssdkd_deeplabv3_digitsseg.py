# SSD-KD data-free on DigitsSeg (11 classes, 64x64): the DeepLabV3-style
# ResNetV1c-18 teacher (1/4 width) -> student (1/8 width) of
# configs/demo/_digitsseg_common.py, without any training canvas. Same
# algorithm and hook as configs/ssdkd/deeplabv3_nyuv2.py; only the data and
# model sizes differ, and the budget is scaled to a few CPU minutes.
# Validation: mIoU of the student on the real DigitsSeg test canvases.
# Teacher: python tools/train.py configs/demo/deeplabv3_r18_digitsseg.py
_base_ = ['../demo/_digitsseg_common.py', './_base_/ssdkd.py']

teacher_ckpt = 'work_dirs/deeplabv3_r18_digitsseg/iter_1500.pth'
# The synthetic data scale is the budget (docs/ssdkd.md): one iteration is
# one SSD-KD epoch over the set; epoch 0 fills it (63 rounds of 16), each
# later epoch replaces 10 % (7 rounds) and runs ceil(1000 / 16) = 63 KD
# steps: 10 epochs ~ 1,900 images synthesised and 567 KD steps (the former
# 600-iteration schedule with a 1000-image buffer).
data_scale = 1000
max_iters = 10

# The Runner would inject the top-level SegDataPreProcessor into the
# mmrazor algorithm (wrong scope); the algorithm uses the student's.
data_preprocessor = None
# teacher-argmax targets for segmentation (task_targets='auto')
_base_.ssdkd.task_loss.ignore_index = 255
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
        latent_dim=64,
        hidden_channels=64,
        num_blocks=3),
    data_scale=data_scale,
    adv_weight=1.0,
    distill_loss=dict(type='PerSampleKLLoss', tau=1.0),
    synthesis_batch_size=16,
    kd_batch_size=16,
    generator_steps=3,
    generator_lr=1e-3,
    # a mirrored digit is not one
    synthesis_augment=dict(padding=4, flip=False),
    kd_augment=dict(padding=4, flip=False))

train_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=0,
    dataset=dict(type='DataFreePlaceholderDataset', length=1),
    sampler=dict(type='InfiniteSampler', shuffle=False))

optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    # the student's optimizer of the student-alone config
    architecture=dict(
        optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4)),
    # the meta step: generator_lr x generator_steps (Fast's meta optimizer)
    generator=dict(
        optimizer=dict(type='Adam', lr=3e-3, betas=(0.5, 0.999))))
param_scheduler = dict(
    _delete_=True,
    architecture=dict(
        type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
        by_epoch=False),
    generator=[])  # constant generator learning rate

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5)

model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
custom_hooks = [dict(type='mmrazor.PrioritySamplingHook')]
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=5))
work_dir = 'work_dirs/ssdkd_deeplabv3_digitsseg'
