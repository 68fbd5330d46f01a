# Feature+TeKAP on CIFAR-100: SingleTeacherDistill, CE 1.0 + TeKAPFeatureLoss
# 0.8 around L2Loss (normalised features) on the penultimate (pooled)
# features, student side through a 1x1 conv + BN connector; one noisy teacher
# feature, alpha=0.1, sigma=0.1. Weights mirror the reference's CRD+TeKAP
# (CE 1, CRD 0.8). Concrete configs set backbones, widths and `teacher_ckpt`.
_base_ = ['./tekap_kd_cifar100.py']

model = dict(
    architecture=dict(head=dict(loss=dict(loss_weight=1.0))),
    distiller=dict(
        _delete_=True,
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
