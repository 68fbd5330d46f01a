# SSD-KD on CIFAR-100, the recipe of every SSD-KD CIFAR config (CIFAR-10:
# ./ssdkd_cifar10.py). Data-free: the train loader is a placeholder; only
# validation reads the real test split (configs/_base_/datasets/cifar100.py).
# One iteration is one KD step (its synthesis rounds first). Fast's recipe
# (zju-vipa/Fast-Datafree scripts/fast_cifar.sh, fast_meta; sources in
# docs/ssdkd.md): FastGenerator (nz 256, ngf 64, Sigmoid + normaliser),
# meta-learned generator (2 steps, lr_g 5e-3, meta lr 1e-2, lr_z 0.015),
# lowest-loss batch kept, crop 4 + flip, BN x10 with momentum 0.9, CE x0.5
# (here phi * CE), adv 1.33 (ResNet pair; set per pair), KD at T=20, batch
# 256, SGD lr 0.2 wd 1e-4 with cosine to 2e-4 over the run
# (configs/_base_/schedules/datafree_fast.py). UNCONFIRMED (the SSD-KD
# paper's schedule is not public): 4,000 KD steps (200 passes over the
# 5,000-image set), the fill over the first 20 iterations (one round each),
# then one round of 256 every 10 KD steps (10 % of the set per pass, ~107k
# images in all), alpha/beta.
_base_ = [
    '../../_base_/datasets/cifar100.py',
    '../../_base_/datasets/datafree.py',
    '../../_base_/schedules/datafree_fast.py',
    '../../_base_/default_runtime.py',
    './ssdkd.py',
]

data_scale = 5000  # the synthetic data scale: 500 ... 50,000 (10 %: 5,000)
teacher_ckpt = None  # set by every pair config
mean = _base_.data_preprocessor.mean  # the dataset normaliser
std = _base_.data_preprocessor.std

# Student and teacher start as the ResNet18 of
# configs/_base_/models/cifar/ResNet18.py (SSD-KD's settings: ./ssdkd.py);
# the pair configs set backbone and head width. Its GlobalAveragePooling neck
# pools any of the pairs' maps (ResNet_CIFAR 4x4, WRN 8x8, vgg).
resnet18 = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='ResNet18'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
model = dict(
    # for validation on real images (synthetic ones are already normalised)
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=mean, std=std, bgr_to_rgb=False),
    architecture=resnet18,
    teacher=resnet18,
    teacher_ckpt=teacher_ckpt,
    generator=dict(
        type='FastGenerator', img_size=32, out_channels=3, latent_dim=256,
        ngf=64, mean=mean, std=std),
    data_scale=data_scale,
    synthesis_interval=10,
    adv_weight=1.33,
    distill_loss=dict(type='PerSampleKLLoss', tau=20.0),
    synthesis_batch_size=256,
    kd_batch_size=256,
    generator_steps=2,
    generator_lr=5e-3,
    synthesis_augment=dict(padding=4, flip=True),
    kd_augment=dict(padding=4, flip=True))

train_dataloader = dict(_base_.datafree_train_dataloader, _delete_=True)
val_dataloader = dict(batch_size=256)
test_dataloader = val_dataloader
auto_scale_lr = dict(base_batch_size=1)  # not meaningful

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=200,
        max_keep_ckpts=2))
