# Feature+TeKAP on CIFAR-100: SingleTeacherDistill, CE 1.0 + TeKAPFeatureLoss
# 0.8 around L2Loss (normalised features) on the penultimate (pooled)
# features, student side through a 1x1 conv + BN connector; one noisy teacher
# feature, alpha=0.1, sigma=0.1 (./tekap_feat.py). Weights mirror the
# reference's CRD+TeKAP (CE 1, CRD 0.8). Data, schedule and networks:
# ./_cifar100_common.py. Concrete configs set backbones, widths and
# `teacher_ckpt`.
_base_ = ['./_cifar100_common.py', './tekap_feat.py']

model = dict(
    data_preprocessor=dict(
        _base_.data_preprocessor, type='mmpretrain.ClsDataPreprocessor'),
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=_base_.teacher_ckpt)
