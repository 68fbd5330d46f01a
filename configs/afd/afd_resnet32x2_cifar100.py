# AFD (Chung et al., ICML 2020) on CIFAR-100: two resnet32 trained online
# together from scratch. Network k: CE + T^2 KL(softmax(z_peer/T) ||
# softmax(z_k/T)) at T=3 + LSGAN generator loss; discriminator D_k treats the
# peer's last pre-pooling feature map as real. UNCONFIRMED details (T, the
# optimizers of the adversarial part, per-sample discriminator scores) are
# explained in docs/afd.md. The other AFD CIFAR configs inherit this one.
_base_ = [
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar100_kd_240e.py',
    '../_base_/default_runtime.py',
]


def cifar_classifier(backbone, in_channels):
    # same layout as configs/_base_/models/cifar/<arch>.py
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(type=backbone),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=100,
            in_channels=in_channels,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
            topk=(1, 5)))


# data_preprocessor: the dataset base's top-level one (CIFAR-100 mean/std),
# built by the algorithm as mmpretrain's ClsDataPreprocessor.
model = dict(
    _scope_='mmrazor',
    type='OnlineAdversarialDistill',
    networks=[cifar_classifier('resnet32', 64)] * 2,
    adversarial=True,
    connector=dict(
        type='AFDDiscriminatorConnector',
        transfer='auto',  # 1x1 conv + BN only when channel counts differ
        score_reduction='mean'),
    logit_loss=dict(type='KLDivergence', tau=3.0, loss_weight=1.0),
    adversarial_loss=dict(type='AFDAdversarialLoss', loss_weight=1.0),
    logit_peers='cyclic',
    eval_index=0)

# Logit part: SGD lr 0.1, momentum 0.9, wd 1e-4 per network; adversarial
# part (transfer layers) and discriminators: Adam lr 2e-5, wd 0.1 (the
# reference reimplementation's values; UNCONFIRMED). The base schedule's
# MultiStepLR (x0.1 at 150/180/210 of 240 epochs) applies to every optimizer.
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.OnlineDistillOptimWrapperConstructor',
    networks=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)),
    adversarial=dict(optimizer=dict(type='Adam', lr=2e-5, weight_decay=0.1)),
    discriminators=dict(
        optimizer=dict(type='Adam', lr=2e-5, weight_decay=0.1)))

custom_hooks = [dict(type='mmrazor.CyclicDistillHook', logit_peers='cyclic')]
val_cfg = dict(_delete_=True, type='mmrazor.OnlineDistillValLoop')
test_cfg = dict(_delete_=True, type='mmrazor.OnlineDistillTestLoop')
default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook', interval=10, max_keep_ckpts=3,
        save_best='auto'))  # tracks best/accuracy/top1
model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
work_dir = 'work_dirs/afd_resnet32x2_cifar100'
