# AFD with a small/large pair (the case the paper reports helps most):
# wrn_16_2 (net0) and wrn_40_2 (net1), both end in 128-channel 8x8 maps, so
# the transfer layers are identities (set model.transfer.mode='always' to
# learn a 1x1 conv + BN anyway). Everything else as in
# afd_resnet32x2_cifar100.py.
_base_ = ['./afd_resnet32x2_cifar100.py']

# The WRNs of configs/_base_/models/cifar/ pool like resnet32 (8x8 average
# pool) and end in 128 channels: resnet32's network with their backbones and
# head width. Names starting with `__` stay out of the resolved config
# (mmengine drops them).
__resnet32 = _base_.model.networks[0]
model = dict(networks=[
    dict(
        __resnet32,
        backbone=dict(type=wrn),
        head=dict(__resnet32.head, in_channels=128))
    for wrn in ('wrn_16_2', 'wrn_40_2')
])
work_dir = 'work_dirs/afd_wrn_16_2_wrn_40_2_cifar100'
