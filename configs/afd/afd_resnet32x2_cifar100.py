# AFD (Chung et al., ICML 2020) on CIFAR-100: two resnet32 trained online
# together from scratch. Per iteration (update='alternating', the paper's
# scheme): (1) SGD step of each network on CE + T^2 KL(softmax(z_peer/T) ||
# softmax(z_k/T)) at T=3; (2) a fresh backbone forward and an Adam step of
# each network's own adversarial optimizer (backbone + transfer layer) on the
# LSGAN generator loss; (3) discriminator step (D_k treats the peer's last
# pre-pooling feature map as real). Sources of every value and UNCONFIRMED
# details: docs/afd.md. The other AFD CIFAR configs inherit this one.
_base_ = [
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar100_kd_240e.py',
    '../_base_/default_runtime.py',
    './_base_/afd.py',
]

# data_preprocessor: the dataset base's top-level one (CIFAR-100 mean/std),
# built by the algorithm as mmpretrain's ClsDataPreprocessor. The networks:
# the resnet32 of configs/_base_/models/cifar/resnet32.py (a `model` base
# cannot sit beside the method base, which defines `model`). Names starting
# with `__` stay out of the resolved config (mmengine drops them).
__resnet32 = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='resnet32'),
    neck=dict(type='RepDistillerAvgPool', kernel_size=8),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
model = dict(networks=[__resnet32] * 2)

# Logit part (net0, net1): SGD lr 0.1, momentum 0.9, wd 1e-4 (paper); the
# adversarial part and discriminators: ./_base_/afd.py. The base schedule's
# MultiStepLR (x0.1 at 150/180/210 of 240 epochs) applies to every optimizer.
optim_wrapper = dict(
    _base_.afd_optim_wrapper,
    _delete_=True,
    networks=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)))

val_cfg = dict(_delete_=True, type='mmrazor.OnlineDistillValLoop')
test_cfg = dict(_delete_=True, type='mmrazor.OnlineDistillTestLoop')
default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook', interval=10, max_keep_ckpts=3,
        save_best='auto'))  # tracks best/accuracy/top1
work_dir = 'work_dirs/afd_resnet32x2_cifar100'
