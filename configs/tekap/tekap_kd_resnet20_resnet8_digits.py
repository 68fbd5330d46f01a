# KD+TeKAP on the digits demo pair (resnet20 -> resnet8): the plain KD
# baseline configs/demo/kd_resnet20_resnet8_digits.py (its data, schedule
# and networks: ./_base_/_digits_common.py) with its KL loss swapped for
# TeKAPLogitsLoss (M=3 noisy teachers, alpha=0.1, lambda=0.8, T=4; the loss
# of ./_base_/tekap_kd.py, named loss_tekap here).
# Weights as in the reference recipe: CE 0.1, TeKAP 0.9.
_base_ = ['./_base_/_digits_common.py', './_base_/tekap_kd.py']

model = dict(
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=_base_.data_preprocessor.mean,
        std=_base_.data_preprocessor.std,
        bgr_to_rgb=False),
    architecture=dict(
        _base_.student_model,
        head=dict(
            _base_.student_model.head,
            loss=dict(type='CrossEntropyLoss', loss_weight=0.1))),
    teacher=_base_.teacher_model,
    teacher_ckpt=_base_.teacher_ckpt,
    distiller=dict(
        distill_losses=dict(
            _delete_=True,
            loss_tekap=_base_.model.distiller.distill_losses.loss_kd),
        loss_forward_mappings=dict(
            _delete_=True,
            loss_tekap=_base_.model.distiller.loss_forward_mappings.loss_kd)))

work_dir = 'work_dirs/tekap_kd_resnet20_resnet8_digits'
