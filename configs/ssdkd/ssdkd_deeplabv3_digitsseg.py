# SSD-KD data-free on DigitsSeg (11 classes, 64x64): the DeepLabV3-style
# ResNetV1c-18 teacher (1/4 width) -> student (1/8 width) of
# configs/demo/_digitsseg_common.py, without any training canvas. Same
# algorithm and hook as configs/ssdkd/deeplabv3_nyuv2.py; only the data and
# model sizes differ, and the budget is scaled to a few CPU minutes.
# Validation: mIoU of the student on the real DigitsSeg test canvases.
# Teacher: python tools/train.py configs/demo/deeplabv3_r18_digitsseg.py
_base_ = ['../demo/_digitsseg_common.py']

teacher_ckpt = 'work_dirs/deeplabv3_r18_digitsseg/iter_1500.pth'
buffer_capacity = 1000
max_iters = 600

# The Runner would inject the top-level SegDataPreProcessor into the
# mmrazor algorithm (wrong scope); the algorithm uses the student's.
data_preprocessor = None
model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='SSDKDDataFreeDistillation',
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
    replay_buffer=dict(
        type='PrioritizedReplayBuffer',
        capacity=buffer_capacity,
        alpha=0.6,
        beta=0.4,
        eps=1e-6,
        replace='lowest_priority',
        weight_norm='batch'),
    bn_loss=dict(type='BNStatisticsLoss', loss_weight=10.0),
    # teacher-argmax targets for segmentation (task_targets='auto')
    task_loss=dict(
        type='DiversityAwareTaskLoss',
        loss_weight=0.5,
        gamma=2.0,
        diversity=True,
        ignore_index=255),
    adv_weight=1.0,
    kd_tau=1.0,
    priority_tau=1.0,
    synthesis_batch_size=16,
    kd_batch_size=16,
    generator_steps=3,
    warmup_generator_steps=20,
    synthesis_interval=4,
    student_steps=1,
    kd_augment=dict(padding=4, flip=False),  # a mirrored digit is not one
    seed=0)

train_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=0,
    dataset=dict(type='DataFreePlaceholderDataset', length=1000),
    sampler=dict(type='InfiniteSampler', shuffle=False))

optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    # the student's optimizer of the student-alone config
    architecture=dict(
        optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4)),
    generator=dict(
        optimizer=dict(type='Adam', lr=1e-3, betas=(0.5, 0.999))))
param_scheduler = dict(
    _delete_=True,
    architecture=dict(
        type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
        by_epoch=False),
    generator=[])  # constant generator learning rate

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=200)

model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
custom_hooks = [dict(type='mmrazor.PrioritySamplingHook')]
work_dir = 'work_dirs/ssdkd_deeplabv3_digitsseg'
