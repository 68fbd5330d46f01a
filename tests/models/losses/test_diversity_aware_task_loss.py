import pytest
import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS

from kd_plugins.models.losses import DiversityAwareTaskLoss
from kd_plugins.models.losses.diversity_aware_task_loss import (
    diversity_aware_modulation, diversity_aware_task_loss)


def test_phi_hand_computed():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    targets = torch.tensor([0, 0, 1])
    p = logits.softmax(1)
    q = p.mean(0)
    class_w = (2 * q)**-1.0
    d = class_w[targets]
    d = d / d.mean()
    p_y = p[torch.arange(3), targets]
    expected = d * (1 - p_y)**2
    phi = diversity_aware_modulation(logits, targets, gamma=2.0)
    assert torch.allclose(phi, expected, atol=1e-6)
    loss = diversity_aware_task_loss(logits, targets, gamma=2.0)
    ce = F.cross_entropy(logits, targets, reduction='none')
    assert loss.item() == pytest.approx((expected * ce).mean().item(),
                                        rel=1e-5)


def test_plain_ce_when_disabled():
    torch.manual_seed(0)
    logits = torch.randn(6, 5)
    targets = torch.randint(0, 5, (6, ))
    loss = DiversityAwareTaskLoss(gamma=0.0, diversity=False)
    assert loss(logits, targets).item() == pytest.approx(
        F.cross_entropy(logits, targets).item(), rel=1e-6)


def test_diversity_downweights_overpredicted_class():
    # the teacher predicts class 0 for three samples, class 1 for one
    logits = torch.tensor([[3.0, 0.0], [3.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    targets = torch.tensor([0, 0, 1, 1])
    phi = diversity_aware_modulation(logits, targets, gamma=0.0)
    assert phi[0] < 1.0 < phi[2]  # class 0 over-, class 1 under-represented
    assert phi.mean().item() == pytest.approx(1.0, rel=1e-5)


def test_difficulty_upweights_hard_samples():
    logits = torch.tensor([[4.0, 0.0], [0.0, 0.0]])
    targets = torch.tensor([0, 0])
    phi = diversity_aware_modulation(logits, targets, diversity=False)
    assert phi[1] > phi[0] > 0


def test_segmentation_shapes_ignore_and_argmax_targets():
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 3, 3, requires_grad=True)
    targets = torch.randint(0, 4, (2, 3, 3))
    targets[0, 0, 0] = 255
    phi = diversity_aware_modulation(logits, targets)
    assert phi.shape == (2, 3, 3) and phi[0, 0, 0] == 0
    per_sample = diversity_aware_task_loss(logits, targets, reduction='none')
    assert per_sample.shape == (2, )
    loss = DiversityAwareTaskLoss(loss_weight=0.5)(logits)  # argmax targets
    loss.backward()
    assert logits.grad is not None and torch.isfinite(loss)


def test_errors_and_registry():
    with pytest.raises(ValueError, match='do not match'):
        diversity_aware_task_loss(torch.randn(2, 3), torch.zeros(3).long())
    with pytest.raises(ValueError, match='unknown reduction'):
        diversity_aware_task_loss(torch.randn(2, 3), reduction='max')
    loss = MODELS.build(dict(type='DiversityAwareTaskLoss', gamma=1.0))
    assert isinstance(loss, DiversityAwareTaskLoss) and loss.gamma == 1.0
