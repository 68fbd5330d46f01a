# AFD with a small/large pair (the case the paper reports helps most):
# wrn_16_2 (net0) and wrn_40_2 (net1), both end in 128-channel 8x8 maps, so
# the transfer layers are identities (set model.transfer.mode='always' to
# learn a 1x1 conv + BN anyway). Everything else as in
# afd_resnet32x2_cifar100.py.
_base_ = ['./afd_resnet32x2_cifar100.py']

model = dict(networks=[
    dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(type='wrn_16_2'),
        neck=dict(type='RepDistillerAvgPool', kernel_size=8),  # as the bases
        head=dict(
            type='LinearClsHead',
            num_classes=100,
            in_channels=128,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
            topk=(1, 5))),
    dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(type='wrn_40_2'),
        neck=dict(type='RepDistillerAvgPool', kernel_size=8),  # as the bases
        head=dict(
            type='LinearClsHead',
            num_classes=100,
            in_channels=128,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
            topk=(1, 5))),
])
work_dir = 'work_dirs/afd_wrn_16_2_wrn_40_2_cifar100'
