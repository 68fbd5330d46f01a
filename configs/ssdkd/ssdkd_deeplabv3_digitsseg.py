# SSD-KD data-free on DigitsSeg (11 classes, 64x64): the DeepLabV3-style
# ResNetV1c-18 teacher (1/4 width) -> student (1/8 width) of
# configs/demo/_digitsseg_common.py, without any training canvas. Same
# algorithm and hook as configs/ssdkd/deeplabv3_nyuv2.py; only the data and
# model sizes differ, and the budget is scaled to a few CPU minutes.
# Validation: mIoU of the student on the real DigitsSeg test canvases.
# Teacher: python tools/train.py configs/demo/deeplabv3_r18_digitsseg.py
_base_ = ['../demo/_digitsseg_common.py', './_base_/ssdkd_seg.py']

teacher_ckpt = 'work_dirs/deeplabv3_r18_digitsseg/iter_1500.pth'
# One iteration is one KD step of 16 (docs/ssdkd.md): iterations 0-62 fill
# the 1,000-image set (one round of 16 each), then one round every 9 KD
# steps: 1,500 KD steps (the student-alone config's 1,500 steps of 16) and
# ~3,560 images synthesised. Budget and learning rate chosen on validation
# canvases (docs/ssdkd.md, "DigitsSeg: what limited the student"): 600 steps
# at lr 2e-3 gave 11.5 mIoU, 1,500 at 2e-3 21.5, 1,500 at 5e-3 30.5.
data_scale = 1000
max_iters = 1500

# The Runner would inject the top-level SegDataPreProcessor into the
# mmrazor algorithm (wrong scope); the algorithm uses the student's.
data_preprocessor = None
model = dict(
    # data_preprocessor: the student's (real-image validation only)
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=teacher_ckpt,
    generator=dict(
        img_size=_base_.crop_size, latent_dim=64, hidden_channels=64),
    data_scale=data_scale,
    synthesis_interval=9,
    generator_steps=3,
    # a mirrored digit is not one
    synthesis_augment=dict(padding=4, flip=False),
    kd_augment=dict(padding=4, flip=False))

# data-free: the placeholder loader (configs/_base_/datasets/datafree.py)
train_dataloader = dict(_base_.datafree_train_dataloader, _delete_=True)

# the schedule of ./_base_/ssdkd_seg.py over max_iters, with the student's
# optimizer of the student-alone config (AdamW) at lr 5e-3 (2e-3 there;
# chosen on validation canvases) and the generator's meta step at
# generator_lr x generator_steps
optim_wrapper = dict(
    architecture=dict(
        optimizer=dict(
            _delete_=True, type='AdamW', lr=5e-3, weight_decay=1e-4)),
    generator=dict(optimizer=dict(lr=3e-3)))
param_scheduler = dict(architecture=dict(end=max_iters))
train_cfg = dict(max_iters=max_iters, val_interval=500)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=500))
work_dir = 'work_dirs/ssdkd_deeplabv3_digitsseg'
