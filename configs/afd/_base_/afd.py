# The AFD algorithm (Chung et al., ICML 2020; sources of every value:
# docs/afd.md), the method base of the CIFAR-100 and digits configs.
# update='alternating' is the paper's scheme ('joint': one SGD step on logit
# + adversarial terms); the transfer layers are a 1x1 conv + BN only where
# the two maps' channel counts differ (mode='auto'); the pairing is set here
# only (cyclic). A config merges its networks into it:
# `model = dict(networks=[...])`.
model = dict(
    _scope_='mmrazor',
    type='OnlineAdversarialDistill',
    adversarial=True,
    update='alternating',
    transfer=dict(type='AFDTransferConnector', mode='auto'),
    discriminator=dict(type='AFDDiscriminator', score_reduction='mean'),
    logit_loss=dict(type='KLDivergence', tau=3.0, loss_weight=1.0),
    adversarial_loss=dict(type='AFDAdversarialLoss', loss_weight=1.0),
    logit_peers='cyclic',
    feature_peers='cyclic',
    eval_index=0)

# The adversarial optimizers (adv_k: backbone k + transfer k, Adam state apart
# from network k's logit optimizer) and the discriminators': Adam lr 2e-5,
# wd 0.1 (public reimplementation, see docs/afd.md). It is named
# `afd_optim_wrapper` because the schedule base beside this one also sets
# `optim_wrapper`; a config adds its logit optimizer (net_k) and takes it as
# its optim_wrapper:
# `optim_wrapper = dict(_base_.afd_optim_wrapper, _delete_=True,
# networks=dict(optimizer=...))`.
afd_optim_wrapper = dict(
    constructor='mmrazor.OnlineDistillOptimWrapperConstructor',
    adversarial=dict(optimizer=dict(type='Adam', lr=2e-5, weight_decay=0.1)),
    discriminators=dict(
        optimizer=dict(type='Adam', lr=2e-5, weight_decay=0.1)))

custom_hooks = [dict(type='mmrazor.CyclicDistillHook')]  # logs the pairing
# Distributed runs (tools/dist_train.sh) must call the algorithm's own
# train_step (several optimizers), not DDP's default one.
model_wrapper_cfg = dict(type='mmrazor.DistributedAlgorithmWrapper')
