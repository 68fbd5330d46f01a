# KD+TeKAP on the digits demo pair (resnet20 -> resnet8): the plain KD
# baseline configs/demo/kd_resnet20_resnet8_digits.py with its KL loss swapped
# for TeKAPLogitsLoss (M=3 noisy teachers, alpha=0.1, lambda=0.8, T=4; the
# loss of ./_base_/tekap_kd_distiller.py, named loss_tekap here).
# Weights as in the reference recipe: CE 0.1 (inherited), TeKAP 0.9.
_base_ = [
    '../demo/kd_resnet20_resnet8_digits.py',
    './_base_/tekap_kd_distiller.py',
]

model = dict(
    distiller=dict(
        distill_losses=dict(
            _delete_=True,
            loss_tekap=_base_.tekap_kd_distiller.distill_losses.loss_kd),
        loss_forward_mappings=dict(
            _delete_=True,
            loss_tekap=_base_.tekap_kd_distiller.loss_forward_mappings.
            loss_kd)))
_base_.pop('tekap_kd_distiller')  # used through model.distiller only

work_dir = 'work_dirs/tekap_kd_resnet20_resnet8_digits'
