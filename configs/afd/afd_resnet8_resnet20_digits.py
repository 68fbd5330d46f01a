# AFD on digits with networks of different depth (the mismatched-size case
# the paper reports helps most): resnet8 (net0) and resnet20 (net1), both
# from the CIFAR zoo of configs/_base_/models/cifar/; both end in 64-channel
# 8x8 maps, so the transfer layers are identities. Everything else (data,
# schedule, optimizers, AFD settings) as configs/afd/afd_resnet8x2_digits.py.
# DML on this pair: model.adversarial=False.
_base_ = ['./afd_resnet8x2_digits.py']

model = dict(networks=[
    _base_.model.networks[0],
    dict(_base_.model.networks[0], backbone=dict(type='resnet20')),
])
work_dir = 'work_dirs/afd_resnet8_resnet20_digits'
