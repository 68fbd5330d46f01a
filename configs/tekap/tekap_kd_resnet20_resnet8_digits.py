# KD+TeKAP on the digits demo pair (resnet20 -> resnet8): the plain KD
# baseline configs/demo/kd_resnet20_resnet8_digits.py with its KL loss swapped
# for TeKAPLogitsLoss (M=3 noisy teachers, alpha=0.1, lambda=0.8, T=4).
# Weights as in the reference recipe: CE 0.1 (inherited), TeKAP 0.9.
_base_ = ['../demo/kd_resnet20_resnet8_digits.py']

model = dict(
    distiller=dict(
        distill_losses=dict(
            _delete_=True,
            loss_tekap=dict(
                type='TeKAPLogitsLoss',
                num_noisy=3,
                alpha=0.1,
                noisy_weight=0.8,
                tau=4,
                noise_std=1.0,
                loss_weight=0.9)),
        loss_forward_mappings=dict(
            _delete_=True,
            loss_tekap=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))

work_dir = 'work_dirs/tekap_kd_resnet20_resnet8_digits'
