# DFAD (Fang et al. 2019, data-free adversarial distillation; no BN
# statistics, no synthetic set) on DigitsSeg: the baseline SSD-KD is
# compared with, on the same teacher, student and generator as
# ./ssdkd_deeplabv3_digitsseg.py. One iteration is one DFAD iteration of the
# authors' code (DFAD_nyu_deeplab.py): 5 student steps on fresh generated
# batches of 16 (L1 between the teacher's and the student's per-pixel
# logits), then one generator step maximising log(1 + L1). Departures from
# the authors' code (docs/ssdkd.md): SSD-KD's generator (the authors use a
# DCGAN generator with tanh) and SSD-KD's student optimizer (AdamW 5e-3,
# poly decay; the authors use SGD 0.1, and SGD left these from-scratch
# models at background-only on DigitsSeg). 400 iterations (2,000 student
# steps of 16) take about the wall time of SSD-KD's 1,500 KD steps with its
# synthesis (an iteration costs ~4.2 steady SSD-KD iterations, measured
# interleaved in one process on the 2-core VM).
# Validation: mIoU of the student on the real DigitsSeg test canvases.
# Teacher: python tools/train.py configs/demo/deeplabv3_r18_digitsseg.py
_base_ = ['../demo/_digitsseg_common.py', '../_base_/datasets/datafree.py']

teacher_ckpt = 'work_dirs/deeplabv3_r18_digitsseg/iter_1500.pth'
max_iters = 400

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
        latent_dim=64,
        hidden_channels=64),
    batch_size=16,
    student_steps=5,
    seed=0)
model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')

# data-free: the placeholder loader (configs/_base_/datasets/datafree.py)
train_dataloader = dict(_base_.datafree_train_dataloader, _delete_=True)

optim_wrapper = dict(
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='AdamW', lr=5e-3, weight_decay=1e-4)),
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)))
param_scheduler = dict(
    architecture=dict(
        type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
        by_epoch=False),
    generator=[])
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=max_iters))
work_dir = 'work_dirs/dfad_deeplabv3_digitsseg'
