import pytest
import torch
from _helpers import afd_optim_cfg, build_afd

from kd_plugins.engine.optimizers import OnlineDistillOptimWrapperConstructor
from kd_plugins.models.algorithms import AFDConfigError


def _ids(wrapper):
    return {id(p) for g in wrapper.optimizer.param_groups for p in g['params']}


def _params(*modules):
    return {id(p) for m in modules for p in m.parameters()}


def test_alternating_keys_and_parameter_ownership():
    model = build_afd(3, bases=[8, 16, 8])
    optim = OnlineDistillOptimWrapperConstructor(
        afd_optim_cfg(net1=dict(optimizer=dict(type='SGD', lr=0.05)),
                      adv2=dict(optimizer=dict(type='Adam', lr=1e-4))))(model)
    assert sorted(optim.keys()) == [
        'adv0', 'adv1', 'adv2', 'discriminators', 'net0', 'net1', 'net2'
    ]
    for k in range(3):
        assert _ids(optim[f'net{k}']) == _params(model.networks[k])
        # its own optimizer over backbone k and transfer k
        assert _ids(optim[f'adv{k}']) == _params(
            model.networks[k].backbone, model.transfers[k])
        assert isinstance(optim[f'adv{k}'].optimizer, torch.optim.Adam)
    assert optim['net0'].optimizer.defaults['momentum'] == 0.9
    assert optim['net1'].optimizer.defaults['lr'] == 0.05  # override
    assert optim['adv0'].optimizer.defaults['lr'] == 2e-5
    assert optim['adv0'].optimizer.defaults['weight_decay'] == 0.1
    assert optim['adv2'].optimizer.defaults['lr'] == 1e-4  # override
    assert _ids(optim['discriminators']) == _params(model.discriminators)
    opts = [optim[k].optimizer for k in optim.keys()]
    assert len({id(o) for o in opts}) == len(opts)  # states apart


def test_joint_adversarial_optimizers_own_only_transfer_layers():
    model = build_afd(3, bases=[8, 16, 8], update='joint')
    optim = OnlineDistillOptimWrapperConstructor(afd_optim_cfg())(model)
    # network 1's transfer is the identity: no adv1
    assert sorted(optim.keys()) == [
        'adv0', 'adv2', 'discriminators', 'net0', 'net1', 'net2'
    ]
    for k in (0, 2):
        assert _ids(optim[f'adv{k}']) == _params(model.transfers[k])
    sizes = sum(len(_ids(optim[k])) for k in optim.keys())
    assert sizes == len(list(model.parameters()))  # nothing owned twice


def test_empty_groups_are_skipped_and_errors_are_clear():
    dml = build_afd(2, adversarial=False)
    optim = OnlineDistillOptimWrapperConstructor(afd_optim_cfg())(dml)
    assert sorted(optim.keys()) == ['net0', 'net1']
    with pytest.raises(KeyError,
                       match=r"unknown optim_wrapper keys \['gen'\]"):
        OnlineDistillOptimWrapperConstructor(afd_optim_cfg(gen=dict()))(dml)
    cfg = afd_optim_cfg()
    cfg.pop('networks')
    with pytest.raises(KeyError, match=r'optim_wrapper.net0 is missing '
                       r'\(or optim_wrapper.networks\)'):
        OnlineDistillOptimWrapperConstructor(cfg)(dml)
    cfg = afd_optim_cfg()
    cfg.pop('adversarial')
    with pytest.raises(KeyError, match='optim_wrapper.adv0 is missing'):
        OnlineDistillOptimWrapperConstructor(cfg)(build_afd(2))
    with pytest.raises(TypeError, match='not an OnlineDistillAlgorithm'):
        OnlineDistillOptimWrapperConstructor(afd_optim_cfg())(
            torch.nn.Linear(2, 2))


def test_gradient_accumulation_is_refused_at_build_time():
    cfg = afd_optim_cfg(networks=dict(
        optimizer=dict(type='SGD', lr=0.1), accumulative_counts=2))
    with pytest.raises(AFDConfigError,
                       match=r'optim_wrapper\.net0\.accumulative_counts=2\) '
                       "is not supported with update='alternating'"):
        OnlineDistillOptimWrapperConstructor(cfg)(build_afd(2))
