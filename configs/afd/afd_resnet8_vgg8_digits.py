# AFD on digits with networks of different family: resnet8 (net0, 64-channel
# 8x8 map) and vgg8 (net1, the CIFAR zoo's VGG-8 with BN: 512-channel 4x4
# map; network as configs/_base_/models/cifar/vgg8.py with 10 classes). The
# transfer layer of resnet8 is a learned 1x1 conv + BN to the common 512
# channels (mode='auto'); vgg8's is an identity. The discriminators score
# maps of either size (one score per sample). Everything else (data,
# schedule, optimizers, AFD settings) as configs/afd/afd_resnet8x2_digits.py.
# DML on this pair: model.adversarial=False. (ShuffleV1, the zoo's other
# non-ResNet family with a map of at least 3x3, costs twice vgg8's CPU time
# per step; mobile_half ends in a 2x2 map, too small for the discriminator.)
_base_ = ['./afd_resnet8x2_digits.py']

model = dict(networks=[
    _base_.model.networks[0],
    dict(
        _base_.model.networks[0],
        backbone=dict(type='vgg8'),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(_base_.model.networks[0].head, in_channels=512)),
])
work_dir = 'work_dirs/afd_resnet8_vgg8_digits'
