# KD+TeKAP (logit level), the method base of the CIFAR-100, ImageNet and
# digits configs: mmrazor's SingleTeacherDistill with TeKAPLogitsLoss 0.9
# (M=3 noisy teachers, alpha=0.1, lambda=0.8, T=4) between the student's and
# teacher's head.fc outputs, the reference recipe. A config merges its
# networks into it:
# `model = dict(architecture=..., teacher=..., teacher_ckpt=...)`.
model = dict(
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(
            loss_kd=dict(
                type='TeKAPLogitsLoss',
                num_noisy=3,
                alpha=0.1,
                noisy_weight=0.8,
                tau=4,
                noise_std=1.0,
                loss_weight=0.9)),
        loss_forward_mappings=dict(
            loss_kd=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))

find_unused_parameters = True
