# SSD-KD's own settings (sources: docs/ssdkd.md), shared by the CIFAR and
# segmentation configs: a synthetic set filled by the warm-up rounds (no
# adversarial term), then refreshed by one round every synthesis_interval KD
# steps (lowest priority out; set per config), prioritized replay (alpha
# 0.6, beta 0.4 annealed to 1 by PrioritySamplingHook, importance weights
# normalised by the buffer maximum), BN statistics x10 (momentum 0.9), the
# diversity-aware phi on CE x0.5 (gamma 2), a meta-learned generator with
# latent lr 0.015 keeping the lowest-loss batch. Networks, generator, data
# scale, KD temperature, batch sizes and augmentation are set per config
# (`model = dict(architecture=..., teacher=..., ...)`).
model = dict(
    _scope_='mmrazor',
    type='SSDKDDataFreeDistillation',
    warmup_rounds=None,  # the rounds that fill the set
    warmup_rounds_per_iter=1,
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
# hooks anneal the replay buffer's beta and write a grid of synthetic images
# (with the teacher's masks for segmentation) every 1,000 iterations and at
# the end, through the visualizer.
model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
custom_hooks = [
    dict(type='mmrazor.PrioritySamplingHook'),
    dict(type='mmrazor.SyntheticGridHook', interval=1000)
]
