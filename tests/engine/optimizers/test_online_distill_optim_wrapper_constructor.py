import pytest
import torch

from _afd_helpers import build_afd
from kd_plugins.engine.optimizers import OnlineDistillOptimWrapperConstructor


def _cfg(**extra):
    cfg = dict(
        networks=dict(
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                           weight_decay=1e-4)),
        adversarial=dict(
            optimizer=dict(type='Adam', lr=2e-5, weight_decay=0.1)),
        discriminators=dict(
            optimizer=dict(type='Adam', lr=2e-5, weight_decay=0.1)))
    cfg.update(extra)
    return cfg


def _ids(wrapper):
    return {id(p) for g in wrapper.optimizer.param_groups for p in g['params']}


def test_keys_and_parameter_ownership():
    model = build_afd(3, bases=[8, 16, 8])
    optim = OnlineDistillOptimWrapperConstructor(
        _cfg(net1=dict(optimizer=dict(type='SGD', lr=0.05))))(model)
    assert sorted(optim.keys()) == [
        'adversarial', 'discriminators', 'net0', 'net1', 'net2'
    ]
    for k in range(3):
        assert _ids(optim[f'net{k}']) == {
            id(p) for p in model.networks[k].parameters()
        }
    assert optim['net0'].optimizer.defaults['momentum'] == 0.9
    assert optim['net1'].optimizer.defaults['lr'] == 0.05  # override
    assert isinstance(optim['adversarial'].optimizer, torch.optim.Adam)
    assert _ids(optim['adversarial']) == {
        id(p)
        for k in (0, 2) for p in model.connectors[k].transfer.parameters()
    }
    assert _ids(optim['discriminators']) == {
        id(p) for c in model.connectors for p in c.discriminator.parameters()
    }
    # no parameter is owned twice
    sizes = sum(len(_ids(optim[k])) for k in optim.keys())
    assert sizes == len(list(model.parameters()))


def test_empty_groups_are_skipped_and_errors_are_clear():
    dml = build_afd(2, adversarial=False)
    assert sorted(OnlineDistillOptimWrapperConstructor(_cfg())(dml).keys()) \
        == ['net0', 'net1']
    with pytest.raises(KeyError,
                       match=r"unknown optim_wrapper keys \['gen'\]"):
        OnlineDistillOptimWrapperConstructor(_cfg(gen=dict()))(dml)
    cfg = _cfg()
    cfg.pop('networks')
    with pytest.raises(KeyError, match='optim_wrapper.net0 is missing'):
        OnlineDistillOptimWrapperConstructor(cfg)(dml)
    with pytest.raises(TypeError, match='optim_wrapper_modules'):
        OnlineDistillOptimWrapperConstructor(_cfg())(torch.nn.Linear(2, 2))
