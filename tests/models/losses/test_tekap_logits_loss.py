import copy
import math

import pytest
import torch
from _helpers import assert_student_only_gradient
from mmrazor.models.losses import KLDivergence
from mmrazor.registry import MODELS

import kd_plugins  # noqa: F401  (compat + registration first)
from kd_plugins.models.losses import TeKAPLogitsLoss, tekap_logits_loss


def _softmax(row):
    m = max(row)
    e = [math.exp(v - m) for v in row]
    s = sum(e)
    return [v / s for v in e]


def _reference(z_s, z_t, noise, alpha, lam, tau, std):
    """Loop-by-loop pure-Python TeKAP loss (lists of lists)."""
    batch = len(z_s)
    teachers = [z_t] + [[[(1 - alpha) * z_t[b][c] + alpha * std * n[b][c]
                          for c in range(len(z_t[b]))]
                         for b in range(batch)] for n in noise]
    total = 0.0
    for m, zt in enumerate(teachers):
        w = 1.0 if m == 0 else lam
        for b in range(batch):
            p = _softmax([v / tau for v in zt[b]])
            q = _softmax([v / tau for v in z_s[b]])
            kl = sum(pi * math.log(pi / qi) for pi, qi in zip(p, q))
            total += w * tau**2 * kl / batch
    return total


def test_hand_computed_single_noisy_teacher():
    # z_t = z_s = 0: clean KL is 0; noisy teacher = 0.5 * [2, 0] = [1, 0];
    # KL(softmax([1, 0]) || [0.5, 0.5]) = ln 2 + p1 - ln(1 + e) = 0.1109441
    # with p1 = e / (1 + e); only the noisy term (weight 0.8) is non-zero.
    z = torch.zeros(1, 2)
    noise = torch.tensor([[[2.0, 0.0]]])
    loss = tekap_logits_loss(
        z, z, num_noisy=1, alpha=0.5, noisy_weight=0.8, tau=1.0,
        noise=noise)
    p1 = math.e / (1 + math.e)
    expected = 0.8 * (math.log(2) + p1 - math.log(1 + math.e))
    assert expected == pytest.approx(0.0887553, abs=1e-7)
    assert loss.item() == pytest.approx(expected, abs=1e-6)


def test_matches_pure_python_reference():
    g = torch.Generator().manual_seed(3)
    z_s = torch.randn(3, 5, generator=g) * 3
    z_t = torch.randn(3, 5, generator=g) * 3
    noise = torch.randn(3, 3, 5, generator=g)
    loss = tekap_logits_loss(
        z_s.double(), z_t.double(), num_noisy=3, alpha=0.1,
        noisy_weight=0.8, tau=4.0, noise_std=1.5, noise=noise.double())
    ref = _reference(z_s.tolist(), z_t.tolist(), noise.tolist(), 0.1, 0.8,
                     4.0, 1.5)
    assert loss.item() == pytest.approx(ref, rel=1e-10)


def test_module_seeded_noise_is_fresh_and_reproducible():
    g = torch.Generator().manual_seed(0)
    z_s, z_t = torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g)
    loss_mod = TeKAPLogitsLoss(seed=123, loss_weight=2.0)
    first, second = loss_mod(z_s, z_t), loss_mod(z_s, z_t)
    ref_gen = torch.Generator().manual_seed(123)
    noise1 = torch.randn(3, 4, 6, generator=ref_gen)
    noise2 = torch.randn(3, 4, 6, generator=ref_gen)
    for got, noise in ((first, noise1), (second, noise2)):
        ref = _reference(z_s.tolist(), z_t.tolist(), noise.tolist(), 0.1,
                         0.8, 4.0, 1.0)
        assert got.item() == pytest.approx(2.0 * ref, rel=1e-5)
    assert first.item() != pytest.approx(second.item(), rel=1e-6)
    # Same seed, same sequence; a deep copy restarts from the seed.
    again = TeKAPLogitsLoss(seed=123, loss_weight=2.0)
    assert again(z_s, z_t).item() == pytest.approx(first.item(), rel=1e-6)
    assert copy.deepcopy(loss_mod)(z_s, z_t).item() == pytest.approx(
        first.item(), rel=1e-6)


def test_unseeded_uses_global_rng():
    z_s, z_t = torch.randn(2, 4), torch.randn(2, 4)
    loss_mod = TeKAPLogitsLoss()
    torch.manual_seed(7)
    a = loss_mod(z_s, z_t)
    torch.manual_seed(7)
    b = loss_mod(z_s, z_t)
    c = loss_mod(z_s, z_t)
    assert a.item() == b.item()
    assert c.item() != pytest.approx(b.item(), rel=1e-6)


@pytest.mark.parametrize('shape', [(5, 10), (2, 7, 3, 3)])
def test_reduces_to_plain_kd(shape):
    z_s, z_t = torch.randn(*shape) * 2, torch.randn(*shape) * 2
    kd = KLDivergence(tau=4.0, reduction='batchmean')(z_s, z_t)
    no_noisy = TeKAPLogitsLoss(num_noisy=0, seed=0)(z_s, z_t)
    assert no_noisy.item() == pytest.approx(kd.item(), rel=1e-5)
    no_alpha = TeKAPLogitsLoss(num_noisy=3, alpha=0.0, noisy_weight=0.8,
                               loss_weight=0.9, seed=0)(z_s, z_t)
    assert no_alpha.item() == pytest.approx(
        0.9 * (1 + 3 * 0.8) * kd.item(), rel=1e-5)


def test_gradient_reaches_student_only_and_teacher_untouched():
    assert_student_only_gradient(
        lambda s, t: TeKAPLogitsLoss(seed=1)(s * 1.0, t * 1.0),
        torch.randn(4, 10, requires_grad=True),
        torch.randn(4, 10, requires_grad=True))


def test_teacher_detach_false_lets_teacher_gradient_through():
    student = torch.randn(4, 10, requires_grad=True)
    teacher = torch.randn(4, 10, requires_grad=True)
    TeKAPLogitsLoss(teacher_detach=False, seed=1)(student, teacher).backward()
    assert teacher.grad is not None and teacher.grad.abs().sum() > 0


def test_shape_errors():
    loss_mod = TeKAPLogitsLoss()
    with pytest.raises(ValueError, match=r'\(8, 10\).*\(8, 100\).*class'):
        loss_mod(torch.randn(8, 10), torch.randn(8, 100))
    with pytest.raises(ValueError, match='differ in shape'):
        loss_mod(torch.randn(8, 10), torch.randn(4, 10))
    with pytest.raises(ValueError, match='at least 2-D'):
        loss_mod(torch.randn(10), torch.randn(10))
    with pytest.raises(ValueError, match='num_noisy'):
        TeKAPLogitsLoss(num_noisy=-1)


def test_registry_build_from_config():
    cfg = dict(type='TeKAPLogitsLoss', num_noisy=2, alpha=0.2,
               noisy_weight=0.5, tau=2.0, noise_std=0.5, loss_weight=0.9,
               seed=4)
    loss_mod = MODELS.build(cfg)
    assert isinstance(loss_mod, TeKAPLogitsLoss)
    assert (loss_mod.num_noisy, loss_mod.alpha, loss_mod.noisy_weight,
            loss_mod.tau, loss_mod.noise_std, loss_mod.loss_weight,
            loss_mod.seed) == (2, 0.2, 0.5, 2.0, 0.5, 0.9, 4)
    # Noise stacked as (M, B, C) from the private generator.
    z_s, z_t = torch.randn(3, 4), torch.randn(3, 4)
    noise = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(4))
    ref = _reference(z_s.tolist(), z_t.tolist(), noise.tolist(), 0.2, 0.5,
                     2.0, 0.5)
    assert loss_mod(z_s, z_t).item() == pytest.approx(0.9 * ref, rel=1e-5)


def test_usable_in_configurable_distiller():
    from mmrazor.models.distillers import ConfigurableDistiller
    distiller = ConfigurableDistiller(
        student_recorders=dict(fc=dict(type='ModuleOutputs', source='fc')),
        teacher_recorders=dict(fc=dict(type='ModuleOutputs', source='fc')),
        distill_losses=dict(loss_tekap=dict(type='TeKAPLogitsLoss', seed=0)),
        loss_forward_mappings=dict(
            loss_tekap=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc'))))
    student = torch.nn.Sequential()
    student.add_module('fc', torch.nn.Linear(6, 5))
    teacher = torch.nn.Sequential()
    teacher.add_module('fc', torch.nn.Linear(6, 5))
    distiller.prepare_from_student(student)
    distiller.prepare_from_teacher(teacher)
    x = torch.randn(3, 6)
    with distiller.teacher_recorders, torch.no_grad():
        teacher(x)
    with distiller.student_recorders:
        student(x)
    losses = distiller.compute_distill_losses()
    losses['loss_tekap'].backward()
    assert student.fc.weight.grad is not None
    assert teacher.fc.weight.grad is None
