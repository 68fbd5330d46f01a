import pytest
import torch
import torch.nn as nn
from _helpers import assert_student_only_gradient
from mmrazor.models.losses import L2Loss
from mmrazor.registry import MODELS

import kd_plugins  # noqa: F401  (compat + registration first)
from kd_plugins.models.losses import TeKAPFeatureLoss, perturb_teacher_feature


def _l2(s, t):
    """mmrazor L2Loss(normalize=False): sum of squares / batch."""
    return ((s - t)**2).sum().item() / s.shape[0]


class _Recorder(nn.Module):
    """Base loss that records its calls and returns mean((s - t)^2)."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def forward(self, s, t, *extra):
        self.calls.append((t.detach().clone(), extra))
        return ((s - t)**2).mean()


def test_perturb_hand_computed():
    feat = torch.tensor([[1.0, -2.0]])
    noise = torch.tensor([[[2.0, 2.0]], [[0.0, -4.0]]])
    out = perturb_teacher_feature(feat, num_noisy=2, alpha=0.5, sigma=0.5,
                                  noise=noise)
    # 0.5 * f + 0.25 * eps
    expected = torch.tensor([[[1.0, -0.5]], [[0.5, -2.0]]])
    assert torch.allclose(out, expected)
    with pytest.raises(ValueError, match='noise shape'):
        perturb_teacher_feature(feat, num_noisy=1, noise=noise)


def test_hand_computed_l2():
    # s = [1, 2], t = [0, 0]; alpha = 0.5, sigma = 1, eps = [2, 2]:
    # noisy t = [1, 1]; clean L2 = 1 + 4 = 5, noisy L2 = 0 + 1 = 1.
    base = L2Loss(normalize=False)
    s, t = torch.tensor([[1.0, 2.0]]), torch.zeros(1, 2)
    noisy = perturb_teacher_feature(t, num_noisy=1, alpha=0.5, sigma=1.0,
                                    noise=torch.full((1, 1, 2), 2.0))
    assert base(s, t).item() + base(s, noisy[0]).item() == pytest.approx(6.0)


def test_module_matches_reference_with_seeded_noise():
    g = torch.Generator().manual_seed(0)
    s = torch.randn(2, 3, 4, 4, generator=g)
    t = torch.randn(2, 3, 4, 4, generator=g)
    loss_mod = TeKAPFeatureLoss(
        base_loss=dict(type='L2Loss', normalize=False, loss_weight=2.0),
        num_noisy=3, alpha=0.3, sigma=0.5, noisy_weight=0.7,
        loss_weight=0.5, seed=11)
    first, second = loss_mod(s, t), loss_mod(s, t)
    ref_gen = torch.Generator().manual_seed(11)
    for got in (first, second):
        eps = torch.randn(3, 2, 3, 4, 4, generator=ref_gen)
        noisy = [0.7 * t + 0.3 * 0.5 * eps[n] for n in range(3)]
        ref = 2.0 * _l2(s, t) + 0.7 * sum(2.0 * _l2(s, f) for f in noisy)
        assert got.item() == pytest.approx(0.5 * ref, rel=1e-5)
    assert first.item() != pytest.approx(second.item(), rel=1e-7)


def test_reduces_to_base_loss():
    s, t = torch.randn(4, 8), torch.randn(4, 8)
    base = L2Loss()(s, t).item()
    plain = TeKAPFeatureLoss(dict(type='L2Loss'), num_noisy=0)(s, t)
    assert plain.item() == pytest.approx(base, rel=1e-6)
    no_alpha = TeKAPFeatureLoss(dict(type='L2Loss'), num_noisy=2, alpha=0.0,
                                noisy_weight=0.5, loss_weight=3.0)(s, t)
    assert no_alpha.item() == pytest.approx(3.0 * 2.0 * base, rel=1e-5)


def test_base_loss_called_once_per_teacher_with_data_samples():
    rec = _Recorder()
    loss_mod = TeKAPFeatureLoss(rec, num_noisy=2, alpha=0.5, sigma=1.0,
                                seed=0)
    s, t = torch.randn(2, 5), torch.randn(2, 5)
    loss_mod(s, t, data_samples=['ds'])
    assert len(rec.calls) == 3
    assert torch.equal(rec.calls[0][0], t)
    assert all(extra == (['ds'], ) for _, extra in rec.calls)
    eps = torch.randn(2, 2, 5, generator=torch.Generator().manual_seed(0))
    for n in range(2):
        assert torch.allclose(rec.calls[n + 1][0], 0.5 * t + 0.5 * eps[n])
    rec.calls.clear()
    loss_mod(s, t)
    assert all(extra == () for _, extra in rec.calls)


def test_tuple_features():
    rec = _Recorder()

    class _TupleBase(nn.Module):

        def forward(self, s, t):
            assert isinstance(t, tuple) and len(t) == 2
            return sum(rec(a, b) for a, b in zip(s, t))

    s = (torch.randn(2, 3), torch.randn(2, 4))
    t = (torch.randn(2, 3), torch.randn(2, 4))
    loss = TeKAPFeatureLoss(_TupleBase(), num_noisy=1, alpha=0.0)(s, t)
    expected = 2 * sum(((a - b)**2).mean() for a, b in zip(s, t))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    with pytest.raises(ValueError, match=r'#1.*\(2, 4\).*\(2, 5\).*connector'):
        TeKAPFeatureLoss(_TupleBase())(s, (t[0], torch.randn(2, 5)))


def test_gradient_isolation_and_teacher_untouched():
    assert_student_only_gradient(
        TeKAPFeatureLoss(dict(type='L2Loss'), num_noisy=2,
                         teacher_detach=True, seed=0),
        torch.randn(2, 4, 3, 3, requires_grad=True),
        torch.randn(2, 4, 3, 3, requires_grad=True))


def test_teacher_side_connector_receives_gradient_by_default():
    # e.g. CRD's trainable teacher embedding: a connector on frozen features.
    connector = nn.Linear(6, 4)
    frozen_teacher_feat = torch.randn(3, 6)
    student = torch.randn(3, 4, requires_grad=True)
    loss = TeKAPFeatureLoss(dict(type='L2Loss'), seed=0)(
        student, connector(frozen_teacher_feat))
    loss.backward()
    assert connector.weight.grad is not None
    assert connector.weight.grad.abs().sum() > 0
    assert student.grad.abs().sum() > 0


def test_shape_errors_and_bad_configs():
    loss_mod = TeKAPFeatureLoss(dict(type='L2Loss'))
    with pytest.raises(ValueError, match=r'\(2, 8, 4, 4\).*\(2, 16, 4, 4\)'
                       r'.*connector'):
        loss_mod(torch.randn(2, 8, 4, 4), torch.randn(2, 16, 4, 4))
    with pytest.raises(TypeError, match='tensor or a list'):
        loss_mod(torch.randn(2, 3), 'x')
    with pytest.raises(ValueError, match='1 student features vs 2'):
        loss_mod(torch.randn(2, 3), [torch.randn(2, 3)] * 2)
    with pytest.raises(KeyError, match='type'):
        TeKAPFeatureLoss(dict(normalize=False))
    with pytest.raises(TypeError, match='base_loss'):
        TeKAPFeatureLoss('L2Loss')
    with pytest.raises(ValueError, match='num_noisy'):
        TeKAPFeatureLoss(num_noisy=-1)
    # check_shape=False hands differently shaped features to the base loss.
    relaxed = TeKAPFeatureLoss(_Recorder(), check_shape=False, num_noisy=1)
    relaxed(torch.randn(2, 1), torch.randn(2, 3))


def test_registry_build_nested_config():
    loss_mod = MODELS.build(
        dict(type='TeKAPFeatureLoss',
             base_loss=dict(type='L2Loss', normalize=False, loss_weight=4.0),
             num_noisy=2, alpha=0.2, sigma=0.3, noisy_weight=0.6,
             loss_weight=0.1, seed=5))
    assert isinstance(loss_mod, TeKAPFeatureLoss)
    assert isinstance(loss_mod.base_loss, L2Loss)
    assert loss_mod.base_loss.loss_weight == 4.0
    assert (loss_mod.num_noisy, loss_mod.alpha, loss_mod.sigma,
            loss_mod.noisy_weight, loss_mod.loss_weight,
            loss_mod.seed) == (2, 0.2, 0.3, 0.6, 0.1, 5)


def test_distiller_mappings_accept_data_samples():
    from mmrazor.models.distillers import ConfigurableDistiller
    distiller = ConfigurableDistiller(
        student_recorders=dict(
            feat=dict(type='ModuleOutputs', source='conv'),
            data_samples=dict(type='ModuleInputs', source='')),
        teacher_recorders=dict(feat=dict(type='ModuleOutputs',
                                         source='conv')),
        connectors=dict(s_conn=dict(type='ConvModuleConnector',
                                    in_channel=4, out_channel=8)),
        distill_losses=dict(loss_feat=dict(type='TeKAPFeatureLoss',
                                           base_loss=dict(type='L2Loss'))),
        loss_forward_mappings=dict(
            loss_feat=dict(
                preds_S=dict(from_student=True, recorder='feat',
                             connector='s_conn'),
                preds_T=dict(from_student=False, recorder='feat'),
                data_samples=dict(from_student=True, recorder='data_samples',
                                  data_idx=1))))
    assert isinstance(distiller.distill_losses['loss_feat'], TeKAPFeatureLoss)
