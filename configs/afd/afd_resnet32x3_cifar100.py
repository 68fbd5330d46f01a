# AFD with three networks and the cyclic scheme 1 -> 2 -> 3 -> 1: D_k treats
# network k-1 (mod 3) as real, 3 discriminators instead of 3 * 2. The logit
# term follows the same cycle; set model.logit_peers='all' for the mean KL
# over both other networks (whether the paper did this is UNCONFIRMED).
# Everything else as in afd_resnet32x2_cifar100.py.
_base_ = ['./afd_resnet32x2_cifar100.py']

model = dict(networks=[_base_.model.networks[0]] * 3, logit_peers='cyclic')
work_dir = 'work_dirs/afd_resnet32x3_cifar100'
