# AFD demo (Chung et al., ICML 2020): two resnet8 trained online together on
# the embedded digits (no teacher). Per iteration (update='alternating'):
# SGD step of network k on CE + 3^2 * KL(peer || k) at T=3, then an Adam step
# of its own adversarial optimizer (backbone + transfer) on the LSGAN
# generator loss against its discriminator (which treats the peer's last
# feature map as real), then the discriminators' step. Trains in a few
# minutes on 2 CPU cores; compare with configs/demo/student_resnet8_digits.py
# (resnet8 alone: its data, schedule and network are inherited here). Sources
# of the values: docs/afd.md.
_base_ = ['../demo/student_resnet8_digits.py', './_base_/afd.py']

# data_preprocessor: the top-level one of the dataset base is used (the
# Runner passes it to the model; the algorithm builds it as mmpretrain's
# ClsDataPreprocessor). Both transfer layers are identities (64 channels).
_base_.model._scope_ = 'mmpretrain'
model = dict(_base_.pop('afd'), _delete_=True, networks=[_base_.model] * 2)

# Logit optimizers net0, net1: the digits recipe (SGD lr 0.05, momentum 0.9,
# wd 5e-4, cosine over 8 epochs, as configs/demo/student_resnet8_digits.py);
# the adversarial optimizers and the discriminators' are those of
# ./_base_/afd.py (values unchanged for this short schedule). The cosine
# schedule applies to every optimizer.
optim_wrapper = dict(
    _base_.pop('afd_optim_wrapper'),
    _delete_=True,
    networks=dict(optimizer=_base_.optim_wrapper.optimizer))

# Reports net0/..., net1/... and best/accuracy/top1.
val_cfg = dict(_delete_=True, type='mmrazor.OnlineDistillValLoop')
test_cfg = dict(_delete_=True, type='mmrazor.OnlineDistillTestLoop')
work_dir = 'work_dirs/afd_resnet8x2_digits'
