# DFAD (Fang et al. 2019, data-free adversarial distillation) on NYUv2: the
# baseline of ./deeplabv3_nyuv2.py, on the same DeepLabV3-ResNet50-D8
# teacher, MobileNetV2-D8 student and generator. The settings are those of
# the authors' DFAD_nyu_deeplab.py (VainF/Data-Free-Adversarial-
# Distillation): one iteration = 5 student steps on fresh generated
# batches of 64 (L1 between the per-pixel logits) + one generator step
# maximising log(1 + L1); student SGD lr 0.1, momentum 0.9, wd 5e-5,
# constant; generator Adam lr 1e-3; 300 x 50 = 15,000 iterations; 128x128
# images. Departure: SSD-KD's generator (the authors use a DCGAN generator
# with tanh). Validation: mIoU of the student on the real NYUv2 test split.
# Teacher: python tools/train.py configs/ssdkd/teacher_deeplabv3_r50_nyuv2.py
_base_ = ['./_nyuv2_common.py', '../_base_/datasets/datafree.py']

teacher_ckpt = 'work_dirs/teacher_deeplabv3_r50_nyuv2/iter_20000.pth'
max_iters = 15000

# The Runner would inject the top-level SegDataPreProcessor into the
# mmrazor algorithm (wrong scope); the algorithm uses the student's.
data_preprocessor = None
model = dict(
    _scope_='mmrazor',
    type='DFADDataFreeDistillation',
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=teacher_ckpt,
    generator=dict(
        type='SSDKDGenerator',
        img_size=_base_.crop_size,
        out_channels=3,
        num_blocks=3,
        latent_dim=256,
        hidden_channels=128),
    batch_size=64,
    student_steps=5,
    seed=0)
model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')

# data-free: the placeholder loader (configs/_base_/datasets/datafree.py)
train_dataloader = _base_.datafree_train_dataloader

optim_wrapper = dict(
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-5)),
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)))
param_scheduler = dict(architecture=[], generator=[])
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=1500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=1500))
work_dir = 'work_dirs/dfad_deeplabv3_r50_mbv2_nyuv2'
