# SSD-KD on the digits teacher (recipe chosen on a validation split of the
# digits training images: docs/ssdkd.md, "How the digits recipe was
# chosen"): a small synthetic set (data_scale = 10 % of the 1,438 training
# images) filled by the warm-up rounds, then refreshed by one round every
# synthesis_interval KD steps (lowest priority out), priority sampling with
# importance weights, and the diversity-aware phi on the task loss. One
# iteration = one KD step; data_scale sets the set (and the fill), max_iters
# the distillation budget, synthesis_interval the refresh rate
# (--cfg-options model.data_scale=500).
_base_ = ['./_base_/fast_digits.py']

max_iters = 400  # KD steps of 64
model = dict(
    generator=dict(
        _delete_=True, type='SSDKDGenerator', img_size=32, out_channels=3,
        latent_dim=64, hidden_channels=64, num_blocks=3),
    data_scale=144,
    synthesis_batch_size=32,
    warmup_rounds=None,  # fill the set: ceil(144 / 32) = 5 rounds
    warmup_rounds_per_iter=1,
    synthesis_interval=4,  # 8 new images per KD step
    replay_buffer=dict(
        type='PrioritizedReplayBuffer',
        alpha=0.6,  # prioritized replay (Schaul et al.)
        beta=0.4,  # annealed to 1 by PrioritySamplingHook
        eps=1e-6,
        replace='lowest_priority',
        weight_norm='mean'),
    task_loss=dict(gamma=2.0, diversity=True),
    bn_loss=dict(momentum=0.0, first_bn_multiplier=10.0),
    adv_weight=1.0,
    distill_loss=dict(tau=4.0),
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
work_dir = 'work_dirs/ssdkd_resnet20_resnet8_digits'
