# The data-free schedule of Fast (Fang et al., AAAI 2022; zju-vipa/
# Fast-Datafree scripts/fast_cifar.sh, fast_meta; sources in docs/ssdkd.md),
# shared by the SSD-KD CIFAR configs and the digits data-free configs. One
# runner iteration is one epoch over the synthetic set (a synthesis phase,
# then a KD phase), driven by one placeholder item: a config takes
# `datafree_train_dataloader` as its loader with
# `train_dataloader = dict(_base_.pop('datafree_train_dataloader'),
# _delete_=True)` (a dataset base beside this one also sets
# train_dataloader, and sibling bases may not share a key).
# Student: SGD lr 0.2, momentum 0.9, wd 1e-4, cosine to 2e-4 over the KD
# epochs after the warm-up (fill) epoch. Generator: the meta step, Adam lr
# 1e-2 (Fast's meta optimizer: lr_g 5e-3 x 2 generator steps), constant.
# 200 KD epochs + 1 warm-up, validated every 5; a config with another length
# sets param_scheduler.architecture (begin, end, T_max) and train_cfg.
warmup_epochs = 1
max_epochs = 201

datafree_train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type='DataFreePlaceholderDataset', length=1),
    sampler=dict(type='DefaultSampler', shuffle=False))

optim_wrapper = dict(
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4)),
    generator=dict(optimizer=dict(type='Adam', lr=1e-2, betas=(0.5, 0.999))))
param_scheduler = dict(
    architecture=dict(
        type='CosineAnnealingLR', by_epoch=False, begin=warmup_epochs,
        end=max_epochs, T_max=max_epochs - warmup_epochs, eta_min=2e-4),
    generator=[])
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=5)
val_cfg = dict()
test_cfg = dict()
