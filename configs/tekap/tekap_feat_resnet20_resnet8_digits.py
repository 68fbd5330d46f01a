# Feature+TeKAP on the digits demo pair (resnet20 -> resnet8): CE 1.0 +
# 0.8 * TeKAPFeatureLoss around L2Loss (normalised features) on the
# penultimate (pooled) features; student side through a 1x1 conv + BN
# connector; one noisy teacher feature, alpha=0.1, sigma=0.1
# (./_base_/tekap_feat.py, 64-channel features here). Data, schedule and
# networks: those of the plain KD baseline (./_base_/_digits_common.py).
_base_ = ['./_base_/_digits_common.py', './_base_/tekap_feat.py']

model = dict(
    data_preprocessor=dict(
        type='ImgDataPreprocessor',
        mean=_base_.data_preprocessor.mean,
        std=_base_.data_preprocessor.std,
        bgr_to_rgb=False),
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=_base_.teacher_ckpt,
    distiller=dict(
        connectors=dict(
            loss_feat_sfeat=dict(in_channel=64, out_channel=64))))

work_dir = 'work_dirs/tekap_feat_resnet20_resnet8_digits'
