# AFD demo (Chung et al., ICML 2020): two resnet8 trained online together on
# the embedded digits (no teacher). Per iteration (update='alternating'):
# SGD step of network k on CE + 3^2 * KL(peer || k) at T=3, then an Adam step
# of its own adversarial optimizer (backbone + transfer) on the LSGAN
# generator loss against its discriminator (which treats the peer's last
# feature map as real), then the discriminators' step. Trains in a few
# minutes on 2 CPU cores; compare with configs/demo/student_resnet8_digits.py
# (resnet8 alone: the same data, schedule and network). Sources
# of the values: docs/afd.md.
_base_ = [
    '../_base_/datasets/digits.py',
    '../_base_/schedules/digits.py',
    '../_base_/default_runtime.py',
    './_base_/afd.py',
]

# data_preprocessor: the top-level one of the dataset base is used (the
# Runner passes it to the model; the algorithm builds it as mmpretrain's
# ClsDataPreprocessor). The networks: the resnet8 of
# configs/demo/student_resnet8_digits.py (configs/_base_/models/cifar/
# resnet8.py, 10 classes; a `model` base cannot sit beside the method base,
# which defines `model`). Both transfer layers are identities (64 channels).
# Names starting with `__` stay out of the resolved config (mmengine drops
# them).
__resnet8 = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='resnet8'),
    neck=dict(type='RepDistillerAvgPool', kernel_size=8),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
model = dict(networks=[__resnet8] * 2)

# Logit optimizers net0, net1: the digits recipe (SGD lr 0.05, momentum 0.9,
# wd 5e-4, cosine over 8 epochs, as configs/demo/student_resnet8_digits.py);
# the adversarial optimizers and the discriminators' are those of
# ./_base_/afd.py (values unchanged for this short schedule). The cosine
# schedule applies to every optimizer.
optim_wrapper = dict(
    _base_.afd_optim_wrapper,
    _delete_=True,
    networks=dict(optimizer=_base_.optim_wrapper.optimizer))

# Reports net0/..., net1/... and best/accuracy/top1.
val_cfg = dict(_delete_=True, type='mmrazor.OnlineDistillValLoop')
test_cfg = dict(_delete_=True, type='mmrazor.OnlineDistillTestLoop')
work_dir = 'work_dirs/afd_resnet8x2_digits'
