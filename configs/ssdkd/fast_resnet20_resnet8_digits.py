# Fast-style data-free KD baseline (Fang et al., AAAI 2022 losses) with the
# same generator, budget and buffer size as the SSD-KD digits config, but a
# uniform memory bank: no priorities (alpha=0, IS weights 1), FIFO
# replacement, no phi modulation (plain CE task loss). Fast's meta-learned
# generator initialisation is not included.
_base_ = ['./ssdkd_resnet20_resnet8_digits.py']

model = dict(
    replay_buffer=dict(alpha=0.0, beta=0.0, replace='fifo'),
    task_loss=dict(gamma=0.0, diversity=False))
custom_hooks = []  # nothing to update: priorities are not used
work_dir = 'work_dirs/fast_resnet20_resnet8_digits'
