# Feature+TeKAP, the method base of the CIFAR-100 and digits configs:
# mmrazor's SingleTeacherDistill with TeKAPFeatureLoss 0.8 around L2Loss
# (normalised features) on the penultimate (pooled) features `neck.gap`,
# student side through a 1x1 conv + BN connector (its widths are set per
# pair); one noisy teacher feature, alpha=0.1, sigma=0.1. A config merges
# its networks into it:
# `model = dict(architecture=..., teacher=..., teacher_ckpt=...)`.
model = dict(
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            feat=dict(type='ModuleOutputs', source='neck.gap')),
        teacher_recorders=dict(
            feat=dict(type='ModuleOutputs', source='neck.gap')),
        connectors=dict(
            loss_feat_sfeat=dict(
                type='ConvModuleConnector',
                in_channel=256,
                out_channel=256,
                norm_cfg=dict(type='BN'),
                act_cfg=None)),
        distill_losses=dict(
            loss_feat=dict(
                type='TeKAPFeatureLoss',
                base_loss=dict(type='L2Loss', normalize=True),
                num_noisy=1,
                alpha=0.1,
                sigma=0.1,
                noisy_weight=1.0,
                loss_weight=0.8)),
        loss_forward_mappings=dict(
            loss_feat=dict(
                preds_S=dict(
                    from_student=True,
                    recorder='feat',
                    connector='loss_feat_sfeat'),
                preds_T=dict(from_student=False, recorder='feat')))))

find_unused_parameters = True
