# SSD-KD on CIFAR (shared part): data-free, so the train loader is a blank
# placeholder; only validation reads the real test split. Recipe after Fast
# data-free KD (Fang et al., AAAI 2022): generator z(256) -> fc -> 2
# upsample conv blocks (Fast's CIFAR generator), Adam lr 5e-3 betas
# (0.5, 0.999), BN loss x10, CE x0.5 (here: diversity-aware phi * CE), adv
# x1, KD at T=20, student SGD lr 0.2 cosine, batch 256, 400 KD steps per
# epoch. UNCONFIRMED (the SSD-KD paper's exact schedule is not public):
# epochs, synthesis interval, buffer size (5,000 = 10% of CIFAR, the
# headline "small scale"), alpha/beta.
_base_ = ['../../_base_/default_runtime.py']

iters_per_epoch = 400
max_epochs = 200
max_iters = iters_per_epoch * max_epochs
buffer_capacity = 5000  # the synthetic data scale: 500 ... 50,000
num_classes = 100
teacher_ckpt = None  # set by every pair config

classifier = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='ResNet18'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=num_classes,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))

model = dict(
    _scope_='mmrazor',
    type='SSDKDDataFreeDistillation',
    architecture=classifier,
    teacher=classifier,
    teacher_ckpt=teacher_ckpt,
    generator=dict(
        type='SSDKDGenerator',
        img_size=32,
        out_channels=3,
        latent_dim=256,
        hidden_channels=128,
        num_blocks=2),
    replay_buffer=dict(
        type='PrioritizedReplayBuffer',
        capacity=buffer_capacity,
        alpha=0.6,
        beta=0.4,
        eps=1e-6,
        replace='lowest_priority'),
    bn_loss=dict(type='BNStatisticsLoss', loss_weight=10.0),
    task_loss=dict(
        type='DiversityAwareTaskLoss',
        loss_weight=0.5,
        gamma=2.0,
        diversity=True),
    adv_weight=1.0,
    kd_tau=20.0,
    priority_tau=1.0,
    synthesis_batch_size=256,
    kd_batch_size=256,
    generator_steps=2,
    warmup_generator_steps=200,
    synthesis_interval=50,
    student_steps=1,
    latent_lr=5e-3,
    kd_augment=dict(padding=4, flip=True),
    seed=0)

train_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=0,
    dataset=dict(type='DataFreePlaceholderDataset', length=iters_per_epoch),
    sampler=dict(type='DefaultSampler', shuffle=False))

optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(
            type='SGD', lr=0.2, momentum=0.9, weight_decay=5e-4)),
    generator=dict(
        optimizer=dict(type='Adam', lr=5e-3, betas=(0.5, 0.999))))
param_scheduler = dict(
    _delete_=True,
    architecture=dict(
        type='CosineAnnealingLR', by_epoch=False, T_max=max_iters,
        eta_min=0.0),
    generator=[])
train_cfg = dict(
    _delete_=True, by_epoch=True, max_epochs=max_epochs, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(_delete_=True, base_batch_size=1)  # not meaningful

model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
custom_hooks = [dict(type='mmrazor.PrioritySamplingHook')]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=100),
    checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=2))
