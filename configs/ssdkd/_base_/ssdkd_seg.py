# SSD-KD for segmentation (sources: docs/ssdkd.md), shared by the NYUv2 and
# DigitsSeg configs: SSD-KD's settings (./ssdkd.py) with the teacher's
# per-pixel argmax as the task target (task_targets='auto', 255 ignored),
# the lighter SSDKDGenerator (3 blocks), the student learning the teacher's
# pixel-wise class distributions (KL at T=1), adversarial weight 1,
# synthesis and KD batches of 16, generator lr 1e-3. A config sets the
# generator's img_size, latent_dim and hidden_channels, the networks and the
# data scale in `model = dict(architecture=..., teacher=..., ...)`; the train
# loader is the data-free one (../../_base_/datasets/datafree.py).
# The schedule: one iteration is one KD step (its synthesis rounds first);
# the student follows mmseg's DeepLabV3 recipe (SGD lr 0.01,
# momentum 0.9, wd 5e-4, poly decay, power 0.9, to 1e-4), the generator's
# meta step is Adam at generator_lr x generator_steps (Fast's meta
# optimizer; 5e-3 for 5 steps), constant. A config with another length sets
# max_iters in param_scheduler.architecture.end and train_cfg.
_base_ = ['./ssdkd.py', '../../_base_/datasets/datafree.py']

model = dict(
    task_loss=dict(ignore_index=255),
    generator=dict(type='SSDKDGenerator', out_channels=3, num_blocks=3),
    adv_weight=1.0,
    distill_loss=dict(type='PerSampleKLLoss', tau=1.0),
    synthesis_batch_size=16,
    kd_batch_size=16,
    generator_lr=1e-3)

max_iters = 20000
optim_wrapper = dict(
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)),
    generator=dict(optimizer=dict(type='Adam', lr=5e-3, betas=(0.5, 0.999))))
param_scheduler = dict(
    architecture=dict(
        type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
        by_epoch=False),
    generator=[])
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=2000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
