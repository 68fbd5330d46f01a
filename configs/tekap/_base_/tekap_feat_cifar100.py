# Feature+TeKAP on CIFAR-100: SingleTeacherDistill, CE 1.0 + TeKAPFeatureLoss
# 0.8 around L2Loss (normalised features) on the penultimate (pooled)
# features, student side through a 1x1 conv + BN connector; one noisy teacher
# feature, alpha=0.1, sigma=0.1. Weights mirror the reference's CRD+TeKAP
# (CE 1, CRD 0.8). Concrete configs set backbones, widths and `teacher_ckpt`.
_base_ = ['./tekap_kd_cifar100.py', './tekap_feat_distiller.py']

model = dict(
    architecture=dict(head=dict(loss=dict(loss_weight=1.0))),
    distiller=dict(_base_.pop('tekap_feat_distiller'), _delete_=True))
