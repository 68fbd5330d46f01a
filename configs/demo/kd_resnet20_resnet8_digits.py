# Plain KD baseline (Hinton et al.) with mmrazor's SingleTeacherDistill:
# resnet20 teacher -> resnet8 student on the embedded digits. Loss:
# 0.1 * CE + 0.9 * tau^2 * KL at tau=4 (the CRD/RepDistiller recipe).
# Every method's digits config compares against this one.
_base_ = [
    '../_base_/datasets/digits.py',
    '../_base_/schedules/digits.py',
    '../_base_/default_runtime.py',
]

teacher_ckpt = 'work_dirs/teacher_resnet20_digits/epoch_8.pth'


def cifar_classifier(backbone, in_channels, loss_weight=1.0):
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(type=backbone),
        neck=dict(type='RepDistillerAvgPool', kernel_size=8),  # as the bases
        head=dict(
            type='LinearClsHead',
            num_classes=10,
            in_channels=in_channels,
            loss=dict(type='CrossEntropyLoss', loss_weight=loss_weight),
            topk=(1, )))


model = dict(
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=[77.9, 77.9, 77.9],
        std=[82.5, 82.5, 82.5],
        bgr_to_rgb=False),
    architecture=cifar_classifier('resnet8', 64, loss_weight=0.1),
    teacher=cifar_classifier('resnet20', 64),
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
