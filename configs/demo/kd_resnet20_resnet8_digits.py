# Plain KD baseline (Hinton et al.) with mmrazor's SingleTeacherDistill:
# resnet20 teacher -> resnet8 student on the embedded digits. Loss:
# 0.1 * CE + 0.9 * tau^2 * KL at tau=4 (the CRD/RepDistiller recipe).
# Every method's digits config compares against this one.
# Data, schedule and the student's network: the student trained alone.
_base_ = ['./student_resnet8_digits.py']

teacher_ckpt = 'work_dirs/teacher_resnet20_digits/epoch_8.pth'

# The networks of configs/_base_/models/cifar/ (10 digits): resnet8 and
# resnet20 share the neck (8x8 average pool) and head width (64), so the
# teacher is the student's network with the resnet20 backbone. Names
# starting with `__` stay out of the resolved config (mmengine drops them).
__resnet8 = dict(_base_.model, _scope_='mmpretrain')
model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=_base_.data_preprocessor.mean,
        std=_base_.data_preprocessor.std,
        bgr_to_rgb=False),
    architecture=dict(
        __resnet8,
        head=dict(
            __resnet8['head'],
            loss=dict(type='CrossEntropyLoss', loss_weight=0.1))),
    teacher=dict(__resnet8, backbone=dict(type='resnet20')),
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(
            loss_kl=dict(type='KLDivergence', tau=4, loss_weight=0.9)),
        loss_forward_mappings=dict(
            loss_kl=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
work_dir = 'work_dirs/kd_resnet20_resnet8_digits'
