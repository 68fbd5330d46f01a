# Feature+TeKAP on the digits demo pair (resnet20 -> resnet8): CE 1.0 +
# 0.8 * TeKAPFeatureLoss around L2Loss (normalised features) on the
# penultimate (pooled) features; student side through a 1x1 conv + BN
# connector; one noisy teacher feature, alpha=0.1, sigma=0.1
# (./_base_/tekap_feat_distiller.py, 64-channel features here).
_base_ = [
    '../demo/kd_resnet20_resnet8_digits.py',
    './_base_/tekap_feat_distiller.py',
]

_base_.tekap_feat_distiller.connectors.loss_feat_sfeat.update(
    in_channel=64, out_channel=64)
model = dict(
    architecture=dict(head=dict(loss=dict(loss_weight=1.0))),
    distiller=dict(_base_.pop('tekap_feat_distiller'), _delete_=True))

work_dir = 'work_dirs/tekap_feat_resnet20_resnet8_digits'
