# The memory-bank baseline on digits: Fast's losses
# without its recipe. One round of 32 images every 4 KD steps (iterations),
# 400 KD steps, the adversarial term on from the start (no warm-up), no
# meta-learning (the generator trained directly), the lighter SSDKDGenerator
# (affine-free BatchNorm output), no synthesis augmentation, no BN-statistics
# momentum, the last batch of a round kept, a uniform FIFO memory bank of
# 1,000 images, T 4 / lr 0.1 / wd 5e-4 / adv 1.0 / latent lr 5e-3.
_base_ = ['./_base_/fast_digits.py']

max_iters = 400
model = dict(
    generator=dict(
        _delete_=True, type='SSDKDGenerator', img_size=32, out_channels=3,
        latent_dim=64, hidden_channels=64, num_blocks=3),
    data_scale=1000,
    warmup_rounds=0,
    synthesis_interval=4,
    replay_buffer=dict(
        type='PrioritizedReplayBuffer', alpha=0.0, beta=0.0,
        replace='fifo'),
    bn_loss=dict(momentum=0.0, first_bn_multiplier=10.0),
    adv_weight=1.0,
    distill_loss=dict(tau=4.0),
    synthesis_batch_size=32,
    generator_steps=3,
    latent_lr=5e-3,
    meta_learning=False,
    keep='last',
    synthesis_augment=None)
optim_wrapper = dict(
    architecture=dict(optimizer=dict(lr=0.1, weight_decay=5e-4)),
    generator=dict(optimizer=dict(lr=5e-3)))
param_scheduler = dict(
    architecture=dict(end=max_iters, T_max=max_iters, eta_min=0.0))
train_cfg = dict(max_iters=max_iters)
# uniform sampling: no beta to anneal; the grid of synthetic images
custom_hooks = [dict(type='mmrazor.SyntheticGridHook', interval=100)]
work_dir = 'work_dirs/memorybank_resnet20_resnet8_digits'
