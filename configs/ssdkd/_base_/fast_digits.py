# Shared parts of the digits data-free configs, after Fast data-free KD
# (zju-vipa/Fast-Datafree; every value's source is in docs/ssdkd.md):
# resnet20 teacher -> resnet8 student on the embedded digits (1,438 train /
# 359 test images). No training image is used: validation runs the student
# on the real test split. One runner iteration = one KD step, with the
# synthesis rounds the schedule gives it run first. Teacher first:
#   python tools/train.py configs/demo/teacher_resnet20_digits.py
_base_ = [
    '../../_base_/models/cifar/resnet8.py',
    '../../_base_/datasets/digits.py',
    '../../_base_/datasets/datafree.py',
    '../../_base_/schedules/datafree_fast.py',
    '../../_base_/default_runtime.py',
]

teacher_ckpt = 'work_dirs/teacher_resnet20_digits/epoch_8.pth'
max_iters = 400  # KD steps; set by every config
mean = _base_.data_preprocessor.mean  # the digits normaliser
std = _base_.data_preprocessor.std

# The networks of configs/_base_/models/cifar/ for the 10 digits: resnet8
# and resnet20 share the neck (8x8 average pool) and head width (64), so the
# teacher is the student's network with the resnet20 backbone.
model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='SSDKDDataFreeDistillation',
    # for validation on real images (synthetic ones are already normalised)
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=mean, std=std, bgr_to_rgb=False),
    architecture=dict(
        _base_.model,
        _scope_='mmpretrain',
        head=dict(_base_.model.head, num_classes=10, topk=(1, ))),
    teacher=dict(
        _base_.model,
        _scope_='mmpretrain',
        backbone=dict(type='resnet20'),
        head=dict(_base_.model.head, num_classes=10, topk=(1, ))),
    teacher_ckpt=teacher_ckpt,
    # Fast: nz 256, ngf 64, Sigmoid, then the dataset normaliser
    generator=dict(
        type='FastGenerator', img_size=32, out_channels=3, latent_dim=256,
        ngf=64, mean=mean, std=std),
    bn_loss=dict(type='BNStatisticsLoss', loss_weight=10.0, momentum=0.9),
    task_loss=dict(
        type='DiversityAwareTaskLoss', loss_weight=0.5, gamma=0.0,
        diversity=False),  # Fast: plain CE ("oh") with weight 0.5
    adv_weight=1.33,  # Fast's ResNet pair (resnet34 -> resnet18)
    distill_loss=dict(type='PerSampleKLLoss', tau=20.0),
    priority_tau=1.0,
    synthesis_batch_size=64,  # the digits batch (Fast: 256 = its KD batch)
    kd_batch_size=64,
    generator_steps=2,  # Fast-2
    generator_lr=5e-3,
    latent_lr=0.015,
    meta_learning=True,
    keep='best',
    # Fast uses its dataset's train augmentation (CIFAR: crop 4 + flip) for
    # synthesis and KD; digits train with crop 2 and no flip
    synthesis_augment=dict(padding=2, flip=False),
    kd_augment=dict(padding=2, flip=False),
    seed=0)

# Data-free: one placeholder item, cycled, only drives the loop.
train_dataloader = dict(_base_.datafree_train_dataloader, _delete_=True)
# Fast's schedule (../../_base_/schedules/datafree_fast.py) over max_iters
param_scheduler = dict(architecture=dict(end=max_iters, T_max=max_iters))
train_cfg = dict(max_iters=max_iters, val_interval=100)

# The algorithm's own train_step runs under DDP (several optimizers).
model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
# beta annealing; a grid of synthetic images every 100 iterations and at the
# end (<work_dir>/<timestamp>/vis_data/vis_image/synthetic_<iter>.png)
custom_hooks = [
    dict(type='mmrazor.PrioritySamplingHook'),
    dict(type='mmrazor.SyntheticGridHook', interval=100)
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=100,
        max_keep_ckpts=2))
