# The AFD algorithm (Chung et al., ICML 2020; sources of every value:
# docs/afd.md) without its networks, shared by the CIFAR-100 and digits
# configs. update='alternating' is the paper's scheme ('joint': one SGD step
# on logit + adversarial terms); the transfer layers are a 1x1 conv + BN only
# where the two maps' channel counts differ (mode='auto'); the pairing is set
# here only (cyclic). A config takes it out of its bases as its model:
# `model = dict(_base_.pop('afd'), _delete_=True, networks=[...])`.
afd = dict(
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
