# SSD-KD's own settings (sources: docs/ssdkd.md), shared by the CIFAR and
# segmentation configs: a synthetic set refreshed by 10 % per epoch (lowest
# priority out) after one warm-up (fill) epoch, prioritized replay (alpha
# 0.6, beta 0.4 annealed to 1 by PrioritySamplingHook, importance weights
# normalised by the buffer maximum), BN statistics x10 (momentum 0.9), the
# diversity-aware phi on CE x0.5 (gamma 2), a meta-learned generator with
# latent lr 0.015 keeping the lowest-loss batch. Networks, generator, data
# scale, KD temperature, batch sizes and augmentation are set per config,
# which takes this out of its bases as its model:
# `model = dict(_base_.pop('ssdkd'), _delete_=True, architecture=..., ...)`.
ssdkd = dict(
    _scope_='mmrazor',
    type='SSDKDDataFreeDistillation',
    replace_fraction=0.1,
    warmup_epochs=1,
    replay_buffer=dict(
        type='PrioritizedReplayBuffer',
        alpha=0.6,
        beta=0.4,
        eps=1e-6,
        replace='lowest_priority',
        weight_norm='buffer'),
    bn_loss=dict(type='BNStatisticsLoss', loss_weight=10.0, momentum=0.9),
    task_loss=dict(
        type='DiversityAwareTaskLoss',
        loss_weight=0.5,
        gamma=2.0,
        diversity=True),
    priority_tau=1.0,
    latent_lr=0.015,
    meta_learning=True,
    keep='best',
    seed=0)

# The algorithm's own train_step (several optimizers) runs under DDP; the
# hook anneals the replay buffer's beta.
model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
custom_hooks = [dict(type='mmrazor.PrioritySamplingHook')]
