"""TeKAP as AFD's mutual (logit) loss: the loss comes from the config.

The default stays mmrazor's ``KLDivergence(tau=3)`` (the joint-mode
reference test in test_online_adversarial_distill.py pins its numbers);
``TeKAPLogitsLoss`` in its place trains (finite losses, parameters move)
and is actually the loss that is called, with the peer's detached logits.
"""
from unittest import mock

import pytest
import torch
from _helpers import REPO_ROOT, afd_optim_wrappers, build_afd, fake_batch
from mmengine.config import Config
from mmrazor.models.losses import KLDivergence

from kd_plugins.models.losses import TeKAPLogitsLoss

TEKAP = dict(type='TeKAPLogitsLoss', num_noisy=3, alpha=0.1,
             noisy_weight=0.8, tau=3.0, noise_std=1.0, seed=0)


def _params(module):
    return {n: p.detach().clone() for n, p in module.named_parameters()}


def test_default_logit_loss_is_unchanged_kl_at_t3():
    torch.manual_seed(0)
    model = build_afd(2)
    assert type(model.logit_loss) is KLDivergence
    assert model.logit_loss.tau == 3.0 and model.logit_loss.loss_weight == 1
    cfg = Config.fromfile(str(REPO_ROOT / 'configs' / 'afd' /
                              'afd_resnet8x2_digits.py'))
    assert cfg.model.logit_loss == dict(type='KLDivergence', tau=3.0,
                                        loss_weight=1.0)


def test_tekap_without_noise_equals_the_default_term_exactly():
    """num_noisy=0 is plain KD: the same loss_kl as the default, bit for bit
    up to float rounding, through the same plumbing."""
    torch.manual_seed(0)
    default = build_afd(2, adversarial=False).eval()
    torch.manual_seed(0)
    tekap = build_afd(2, adversarial=False, logit_loss=dict(
        TEKAP, num_noisy=0)).eval()
    data = default.data_preprocessor(fake_batch(), True)
    a, _ = default.logit_losses(data['inputs'], data['data_samples'])
    b, _ = tekap.logit_losses(data['inputs'], data['data_samples'])
    for k in (0, 1):
        torch.testing.assert_close(a[k]['loss_kl'], b[k]['loss_kl'],
                                   rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(a[k]['loss_cls'], b[k]['loss_cls'])


def test_a_built_module_is_accepted_as_logit_loss():
    loss = TeKAPLogitsLoss(tau=3.0, seed=0)
    model = build_afd(2, logit_loss=loss)
    assert model.logit_loss is loss


@pytest.mark.parametrize('update', ['alternating', 'joint'])
def test_afd_with_tekap_mutual_loss_trains(update):
    torch.manual_seed(0)
    model = build_afd(2, update=update, logit_loss=TEKAP)
    assert isinstance(model.logit_loss, TeKAPLogitsLoss)
    optim = afd_optim_wrappers(model)
    before = _params(model)
    calls = []
    real = TeKAPLogitsLoss.forward

    def spy(self, preds_S, preds_T):
        calls.append((preds_S.requires_grad, preds_T.requires_grad))
        return real(self, preds_S, preds_T)

    with mock.patch.object(TeKAPLogitsLoss, 'forward', spy):
        logs = [model.train_step(fake_batch(seed=s), optim)
                for s in range(3)]
    # one call per network and step, on the peer's detached logits
    assert len(calls) == 3 * 2
    assert all(s and not t for s, t in calls)
    for out in logs:
        assert all(torch.isfinite(v) for v in out.values())
        assert out['net0.loss_kl'] > 0 and out['net1.loss_kl'] > 0
    changed = {n for n, p in model.named_parameters()
               if not torch.equal(before[n], p.detach())}
    for k in (0, 1):
        assert any(n.startswith(f'networks.{k}.backbone') for n in changed)
        assert any(n.startswith(f'networks.{k}.head') for n in changed)
    assert any(n.startswith('discriminators.') for n in changed)


def test_tekap_afd_digits_config_builds_the_tekap_loss():
    cfg = Config.fromfile(str(REPO_ROOT / 'configs' / 'afd' /
                              'afd_tekap_resnet8x2_digits.py'))
    assert cfg.model.logit_loss.type == 'TeKAPLogitsLoss'
    assert cfg.model.logit_loss.tau == 3.0
    from mmrazor.registry import MODELS
    model = MODELS.build(cfg.model)
    assert isinstance(model.logit_loss, TeKAPLogitsLoss)
    assert model.logit_loss.num_noisy == 3
