# Fast-2 baseline (Fang et al., AAAI 2022; zju-vipa/Fast-Datafree
# scripts/fast_cifar.sh, fast_meta) on the digits teacher: 20 warm-up
# epochs of one synthesis round each (adversarial term off, no KD), then per
# epoch one synthesis batch and a fixed KD phase; every synthetic image is
# kept (Fast's ImagePool grows without bound) and sampled uniformly.
# Scaled to digits: Fast's KD phase is 400 steps x 256 = 2 passes over
# CIFAR's 50,000 images; here 45 steps x 64 = 2 passes over the 1,438
# digits training images.
_base_ = ['./_base_/fast_digits.py']

warmup_epochs = 20
max_epochs = warmup_epochs + 10  # Fast: 200 KD epochs (CPU budget here)
model = dict(
    data_scale=max_epochs * 64,  # room for every image ever synthesised
    rounds_per_epoch=1,
    kd_steps_per_epoch=45,
    warmup_epochs=warmup_epochs,
    replay_buffer=dict(
        type='PrioritizedReplayBuffer', alpha=0.0, beta=0.0,
        replace='fifo'))
param_scheduler = dict(
    architecture=dict(
        begin=warmup_epochs, end=max_epochs,
        T_max=max_epochs - warmup_epochs))
train_cfg = dict(max_epochs=max_epochs)
custom_hooks = []  # uniform sampling: nothing to anneal
work_dir = 'work_dirs/fast2_resnet20_resnet8_digits'
