# The data-free schedule of Fast (Fang et al., AAAI 2022; zju-vipa/
# Fast-Datafree scripts/fast_cifar.sh, fast_meta; sources in docs/ssdkd.md),
# shared by the SSD-KD CIFAR configs and the digits data-free configs. One
# runner iteration is one KD step of the student, with the synthesis rounds
# the algorithm's schedule assigns to it run first (IterBasedTrainLoop),
# driven by one placeholder item (the loader: ../datasets/datafree.py).
# Student: SGD lr 0.2, momentum 0.9, wd 1e-4, cosine to 2e-4 over the run's
# iterations (Fast steps its cosine once per epoch of 400 KD steps; here per
# KD step). Generator: the meta step, Adam lr 1e-2 (Fast's meta optimizer:
# lr_g 5e-3 x 2 generator steps), constant. 4,000 KD steps (Fast's 200 KD
# epochs over a 10 % set of CIFAR, 5,000 images at batch 256: 20 steps per
# pass), validated every 200 (configs set their checkpoint and logger
# intervals in iterations, by_epoch=False); a config with another length sets
# max_iters in param_scheduler.architecture (end, T_max) and train_cfg.
max_iters = 4000

optim_wrapper = dict(
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4)),
    generator=dict(optimizer=dict(type='Adam', lr=1e-2, betas=(0.5, 0.999))))
param_scheduler = dict(
    architecture=dict(
        type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters,
        T_max=max_iters, eta_min=2e-4),
    generator=[])
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
log_processor = dict(by_epoch=False)
