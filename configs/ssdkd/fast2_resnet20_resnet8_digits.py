# Fast-2 baseline (Fang et al., AAAI 2022; zju-vipa/Fast-Datafree
# scripts/fast_cifar.sh, fast_meta) on the digits teacher: 20 warm-up
# rounds (adversarial term off, no KD), then one synthesis round of 64
# images every 45 KD steps (Fast: one round per epoch, then its KD phase);
# every synthetic image is kept (Fast's ImagePool grows without bound) and
# sampled uniformly. Scaled to digits: Fast's KD phase is 400 steps x 256 = 2
# passes over CIFAR's 50,000 images; here 45 steps x 64 = 2 passes over the
# 1,438 digits training images. One iteration = one KD step; iteration 0
# runs the 20 warm-up rounds before its KD step (Fast's 20 warm-up epochs).
_base_ = ['./_base_/fast_digits.py']

max_iters = 450  # 10 KD epochs of 45 steps (Fast: 200; CPU budget here)
model = dict(
    data_scale=(20 + 10) * 64,  # room for every image ever synthesised
    warmup_rounds=20,
    warmup_rounds_per_iter=20,
    synthesis_interval=45,
    replay_buffer=dict(
        type='PrioritizedReplayBuffer', alpha=0.0, beta=0.0,
        replace='fifo'))
param_scheduler = dict(architecture=dict(end=max_iters, T_max=max_iters))
train_cfg = dict(max_iters=max_iters)
# uniform sampling: no beta to anneal; the grid of synthetic images
custom_hooks = [dict(type='mmrazor.SyntheticGridHook', interval=100)]
work_dir = 'work_dirs/fast2_resnet20_resnet8_digits'
