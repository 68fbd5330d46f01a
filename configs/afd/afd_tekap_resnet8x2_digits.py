# TeKAP inside AFD: configs/afd/afd_resnet8x2_digits.py with its mutual
# (logit) loss swapped for TeKAPLogitsLoss. Each network learns from its
# peer's detached logits plus M=3 noise-augmented copies of them (alpha=0.1,
# lambda=0.8, noise std 1: TeKAP's values, configs/tekap/_base_/); the
# temperature stays AFD's T=3 and the clean term keeps weight 1, so with
# alpha=0 and lambda=0 the loss is the default KLDivergence(tau=3) term.
# Nothing here was tuned on digits.
_base_ = ['./afd_resnet8x2_digits.py']

model = dict(
    logit_loss=dict(
        _delete_=True,
        type='TeKAPLogitsLoss',
        num_noisy=3,
        alpha=0.1,
        noisy_weight=0.8,
        tau=3.0,
        noise_std=1.0,
        loss_weight=1.0))
work_dir = 'work_dirs/afd_tekap_resnet8x2_digits'
