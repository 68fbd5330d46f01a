"""BaseDataFreeDistillation helpers and per-sample gradient scaling."""
import pytest
import torch
import torch.nn as nn

from kd_plugins.models.algorithms import (DFADDataFreeDistillation,
                                          SSDKDDataFreeDistillation)
from kd_plugins.models.algorithms.datafree_base import (
    BaseDataFreeDistillation, check_args, frozen, gather_cat)
from kd_plugins.models.algorithms.grad_scaling import scale_sample_grads


def test_both_algorithms_share_the_base():
    for cls in (DFADDataFreeDistillation, SSDKDDataFreeDistillation):
        assert issubclass(cls, BaseDataFreeDistillation)


@pytest.mark.parametrize('eval_mode', [True, False])
def test_frozen_restores_flags_and_mode(eval_mode):
    net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).train()
    net[0].bias.requires_grad_(False)
    with frozen(net, eval_mode=eval_mode):
        assert not any(p.requires_grad for p in net.parameters())
        assert net.training is not eval_mode
    assert [p.requires_grad for p in net.parameters()] == [
        True, False, True, True]
    assert net.training


def test_frozen_restores_after_an_error():
    net = nn.Linear(2, 2).train()
    with pytest.raises(RuntimeError):
        with frozen(net):
            raise RuntimeError('x')
    assert net.training and net.weight.requires_grad


def test_check_args_names_the_argument():
    check_args('X', choices=(('a', 'p', ('p', 'q')), ), positive=(('n', 1), ))
    with pytest.raises(ValueError, match=r"X: a must be one of \('p',\)"):
        check_args('X', choices=(('a', 'z', ('p', )), ))
    with pytest.raises(ValueError, match='X: n must be >= 1, got 0'):
        check_args('X', positive=(('n', 0), ))


def test_gather_cat_is_identity_on_one_process():
    x = torch.arange(3.)
    assert gather_cat(x) is x


def test_scale_sample_grads_weights_each_sample():
    x = torch.randn(3, 2, 4, requires_grad=True)
    w = torch.tensor([0., 1., 2.])
    y = scale_sample_grads(x, w)
    assert torch.equal(y, x)
    y.sum().backward()
    assert torch.equal(x.grad, w.view(3, 1, 1).expand(3, 2, 4))
