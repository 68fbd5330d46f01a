# SSD-KD on CIFAR (shared part): data-free, so the train loader is a blank
# placeholder; only validation reads the real test split. One iteration is
# one epoch over the synthetic set. Fast-2's recipe (zju-vipa/Fast-Datafree
# scripts/fast_cifar.sh, fast_meta; sources in docs/ssdkd.md): FastGenerator
# (nz 256, ngf 64, Sigmoid + normaliser), meta-learned generator (2 steps,
# lr_g 5e-3, meta lr 1e-2, lr_z 0.015), lowest-loss batch kept, crop 4 +
# flip, BN x10 with momentum 0.9, CE x0.5 (here phi * CE), adv 1.33
# (ResNet pair; set per pair), KD at T=20, SGD lr 0.2 wd 1e-4, cosine to
# 2e-4 over the KD epochs, batch 256. UNCONFIRMED (the SSD-KD paper's
# schedule is not public): 200 KD epochs over the synthetic set, one warm-up
# (fill) epoch, 10 % replaced per epoch, one KD pass per epoch, alpha/beta.
_base_ = [
    '../../_base_/models/cifar/ResNet18.py',
    '../../_base_/default_runtime.py',
    './ssdkd.py',
]

warmup_epochs = 1
max_epochs = 201
data_scale = 5000  # the synthetic data scale: 500 ... 50,000 (10 %: 5,000)
teacher_ckpt = None  # set by every pair config

# Student and teacher start as configs/_base_/models/cifar/ResNet18.py; the
# pair configs set backbone and head width. Its GlobalAveragePooling neck
# pools any of the pairs' maps (ResNet_CIFAR 4x4, WRN 8x8, vgg).
_base_.model._scope_ = 'mmpretrain'
model = dict(
    _base_.pop('ssdkd'),
    _delete_=True,
    architecture=_base_.model,
    teacher=_base_.model,
    teacher_ckpt=teacher_ckpt,
    generator=dict(
        type='FastGenerator',
        img_size=32,
        out_channels=3,
        latent_dim=256,
        ngf=64),  # mean/std: the dataset normaliser, set per dataset
    data_scale=data_scale,
    kd_passes=1.0,
    warmup_epochs=warmup_epochs,
    adv_weight=1.33,
    distill_loss=dict(type='PerSampleKLLoss', tau=20.0),
    synthesis_batch_size=256,
    kd_batch_size=256,
    generator_steps=2,
    generator_lr=5e-3,
    synthesis_augment=dict(padding=4, flip=True),
    kd_augment=dict(padding=4, flip=True))

train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type='DataFreePlaceholderDataset', length=1),
    sampler=dict(type='DefaultSampler', shuffle=False))

optim_wrapper = dict(
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(
            type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4)),
    # the meta step: Fast's meta optimizer has lr_g x g_steps
    generator=dict(
        optimizer=dict(type='Adam', lr=1e-2, betas=(0.5, 0.999))))
param_scheduler = dict(
    architecture=dict(
        type='CosineAnnealingLR', by_epoch=False, begin=warmup_epochs,
        end=max_epochs, T_max=max_epochs - warmup_epochs, eta_min=2e-4),
    generator=[])
train_cfg = dict(
    by_epoch=True, max_epochs=max_epochs, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=1)  # not meaningful

model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
custom_hooks = [dict(type='mmrazor.PrioritySamplingHook')]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1),
    checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=2))
