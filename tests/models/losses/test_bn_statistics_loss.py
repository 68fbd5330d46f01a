import math

import pytest
import torch
import torch.nn as nn
from mmrazor.registry import MODELS

from kd_plugins.models.losses import BNStatisticsLoss
from kd_plugins.models.losses.bn_statistics_loss import (batch_statistics,
                                                         bn_statistics_loss)


def test_pure_function_hand_value():
    mean = torch.tensor([1.0, 2.0])
    var = torch.tensor([1.0, 1.0])
    loss = bn_statistics_loss(mean, var, torch.zeros(2),
                              torch.tensor([1.0, 3.0]))
    # ||(1, 2)|| + ||(0, -2)||
    assert loss.item() == pytest.approx(math.sqrt(5) + 2)


def test_pure_function_shape_error():
    with pytest.raises(ValueError, match='shapes differ'):
        bn_statistics_loss(torch.zeros(2), torch.zeros(3), torch.zeros(2),
                           torch.zeros(2))


def test_batch_statistics_biased():
    x = torch.randn(4, 3, 5, 5)
    mean, var = batch_statistics(x)
    assert torch.allclose(mean, x.mean((0, 2, 3)), atol=1e-6)
    assert torch.allclose(var, x.var((0, 2, 3), unbiased=False), atol=1e-5)


def _net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Conv2d(4, 5, 3, padding=1), nn.BatchNorm2d(5), nn.ReLU())


def _set_running_to_batch_stats(net, x):
    """Running statistics := exact (biased) statistics of batch x."""
    stats = []
    handles = [
        m.register_forward_hook(
            lambda m, i, o: stats.append((m, *batch_statistics(i[0]))))
        for m in net.modules() if isinstance(m, nn.BatchNorm2d)
    ]
    net.eval()
    with torch.no_grad():
        # layer by layer: later inputs depend on earlier running stats
        for _ in range(2):
            stats.clear()
            net(x)
            for m, mean, var in stats:
                m.running_mean.copy_(mean)
                m.running_var.copy_(var)
    for h in handles:
        h.remove()


def test_zero_when_batch_equals_running_and_positive_otherwise():
    net = _net()
    x = torch.randn(8, 3, 6, 6)
    _set_running_to_batch_stats(net, x)
    loss = BNStatisticsLoss(loss_weight=10.0)
    assert loss.register(net) == 2
    with loss.recording():
        net(x)
    assert loss().item() == pytest.approx(0.0, abs=1e-4)
    with loss.recording():
        net(x * 2 + 1)
    assert loss().item() > 1.0


def test_gradient_reaches_input_not_running_stats():
    net = _net()
    for p in net.parameters():
        p.requires_grad_(False)
    net.eval()
    loss = BNStatisticsLoss()
    loss.register(net)
    x = torch.randn(4, 3, 6, 6, requires_grad=True)
    with loss.recording():
        net(x)
    loss().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_weight_first_multiplier_and_removal():
    net = _net()
    x = torch.randn(4, 3, 6, 6)
    net.eval()
    plain = BNStatisticsLoss()
    plain.register(net)
    with plain.recording():
        net(x)
    per_layer = [t.item() for t in plain._losses]
    plain.remove()
    weighted = BNStatisticsLoss(loss_weight=2.0, first_bn_multiplier=10.0)
    weighted.register(net)
    with weighted.recording():
        net(x)
    expected = 2.0 * (10.0 * per_layer[0] + per_layer[1])
    assert weighted().item() == pytest.approx(expected, rel=1e-5)
    # not recording: hooks are idle
    weighted._losses = []
    net(x)
    with pytest.raises(RuntimeError, match='no BatchNorm statistics'):
        weighted()
    weighted.remove()
    assert weighted.num_hooks == 0
    assert all(len(m._forward_hooks) == 0 for m in net.modules())
    # the teacher is not registered as a submodule of the loss
    assert list(weighted.state_dict()) == []


def test_registry_and_no_bn_error():
    loss = MODELS.build(dict(type='BNStatisticsLoss', loss_weight=3.0))
    assert isinstance(loss, BNStatisticsLoss) and loss.loss_weight == 3.0
    with pytest.raises(ValueError, match='no BatchNorm2d'):
        loss.register(nn.Linear(2, 2))


def test_statistics_momentum_blends_previous_rounds():
    net = _net()
    x1, x2 = torch.randn(8, 3, 6, 6), torch.randn(8, 3, 6, 6) * 3 + 2
    loss = BNStatisticsLoss(momentum=0.9)
    loss.register(net)
    assert 'mmt_mean_0' in loss.state_dict()  # saved in checkpoints
    bn = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)][0]
    inputs = []
    h = bn.register_forward_hook(lambda m, i, o: inputs.append(i[0]))
    with loss.recording():
        net(x1)
    first = loss().item()  # nothing averaged yet: plain statistics
    loss.update_momentum()
    mean1, var1 = batch_statistics(inputs[-1])
    assert torch.allclose(loss.mmt_mean_0, mean1)
    with loss.recording():
        net(x2)
    mean2, var2 = batch_statistics(inputs[-1])
    h.remove()
    blend_mean = 0.1 * mean2 + 0.9 * mean1
    blend_var = 0.1 * var2 + 0.9 * var1
    expected0 = bn_statistics_loss(blend_mean, blend_var, bn.running_mean,
                                   bn.running_var)
    assert loss._losses[0].item() == pytest.approx(expected0.item(),
                                                   rel=1e-5)
    loss.update_momentum()
    assert torch.allclose(loss.mmt_mean_0, 0.9 * mean1 + 0.1 * mean2,
                          atol=1e-6)
    assert first > 0
    with pytest.raises(ValueError, match='momentum'):
        BNStatisticsLoss(momentum=1.0)
