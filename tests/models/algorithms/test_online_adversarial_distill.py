import copy

import pytest
import torch
import torch.nn.functional as F

from _afd_helpers import build_afd, fake_batch, optim_wrappers
from kd_plugins.models.algorithms import OnlineAdversarialDistill
from kd_plugins.models.algorithms.online_adversarial_distill import (
    cyclic_peers, logit_peer_lists)


def _params(module):
    return {n: p.detach().clone() for n, p in module.named_parameters()}


def _changed(before, module):
    return {
        n for n, p in module.named_parameters()
        if not torch.equal(before[n], p.detach())
    }


def _disc_params(model):
    return [p for c in model.connectors for p in c.discriminator.parameters()]


def test_build_channels_and_default_pairing():
    torch.manual_seed(0)
    model = build_afd(3, bases=[8, 16, 8])
    assert isinstance(model, OnlineAdversarialDistill)
    assert model.num_networks == 3
    # common channels = max(16, 32, 16); transfer only where they differ
    assert [c.in_channels for c in model.connectors] == [16, 32, 16]
    assert {c.out_channels for c in model.connectors} == {32}
    assert [c.has_transfer for c in model.connectors] == [True, False, True]
    assert model.get_pairing() == ([2, 0, 1], [[2], [0], [1]])
    assert model.architecture is model.networks[0]
    keys = model.state_dict().keys()
    assert 'networks.1.backbone.conv1.weight' in keys
    assert 'feature_peers' in keys and 'logit_peer_mask' in keys
    assert not any(k.startswith('architecture') for k in keys)


def test_pure_peer_functions():
    assert cyclic_peers(2) == [1, 0]
    assert cyclic_peers(4) == [3, 0, 1, 2]
    assert logit_peer_lists('all', [2, 0, 1]) == [[1, 2], [0, 2], [0, 1]]
    with pytest.raises(ValueError, match='at least 2'):
        cyclic_peers(1)
    with pytest.raises(ValueError, match='logit_peers'):
        logit_peer_lists('ring', [1, 0])


def test_invalid_configuration_errors():
    with pytest.raises(ValueError, match='at least 2'):
        build_afd(1)
    model = build_afd(2)
    with pytest.raises(ValueError, match='feature_peers'):
        model.set_pairing([0, 1], 'cyclic')  # a network is its own peer
    with pytest.raises(ValueError, match='eval_index 2'):
        model.eval_index = 2
    with pytest.raises(ValueError, match='feature_channels has 1'):
        build_afd(2, feature_channels=[16])


def test_discriminator_losses_use_the_cyclic_peer():
    """Hand-made features: D_k scores = mean of its input (identity D)."""
    model = build_afd(3)
    for conn in model.connectors:
        conn.discriminate = lambda x: x.mean(dim=(1, 2, 3))
    feats = [torch.full((2, 16, 4, 4), v) for v in (0.1, 0.2, 0.3)]
    losses, stats = model.discriminator_losses(feats)
    # peers [2, 0, 1]: L_D_k = (1 - v_peer)^2 + v_k^2
    assert losses['disc0.loss'].item() == pytest.approx(0.7**2 + 0.1**2)
    assert losses['disc1.loss'].item() == pytest.approx(0.9**2 + 0.2**2)
    assert losses['disc2.loss'].item() == pytest.approx(0.8**2 + 0.3**2)
    assert stats['disc0.real_score'] == pytest.approx(0.3)
    assert stats['disc0.fake_score'] == pytest.approx(0.1)
    # real 0.3 <= 0.5 wrong, fake 0.1 right
    assert stats['disc0.acc'] == pytest.approx(0.5)
    model.set_pairing([1, 2, 0], 'cyclic')
    losses, _ = model.discriminator_losses(feats)
    assert losses['disc0.loss'].item() == pytest.approx(0.8**2 + 0.1**2)


def test_each_network_loss_reaches_only_its_own_parameters():
    torch.manual_seed(0)
    model = build_afd(3, bases=[8, 16, 8], logit_peers='all')
    data = model.data_preprocessor(fake_batch(), True)
    losses, transferred = model.forward_train(data['inputs'],
                                              data['data_samples'])
    assert set(losses[0]) == {'loss_cls', 'loss_kl', 'loss_adv'}
    sum(losses[0].values()).backward()
    assert all(p.grad is not None for p in model.networks[0].parameters())
    for k in (1, 2):
        assert all(p.grad is None for p in model.networks[k].parameters())
    assert all(p.grad is not None
               for p in model.connectors[0].transfer.parameters())
    assert all(p.grad is None for p in _disc_params(model))
    assert all(p.requires_grad for p in _disc_params(model))  # restored
    assert [t.shape[1] for t in transferred] == [32, 32, 32]


def test_kl_term_matches_hand_computation():
    torch.manual_seed(0)
    model = build_afd(3, adversarial=False, logit_peers='all').eval()
    data = model.data_preprocessor(fake_batch(), True)
    losses, transferred = model.forward_train(data['inputs'],
                                              data['data_samples'])
    assert transferred == [] and 'loss_adv' not in losses[0]
    logits = [
        model.networks[k](data['inputs'], mode='tensor') for k in range(3)
    ]

    def kl(student, teacher, t=3.0):
        return t * t * F.kl_div(
            F.log_softmax(student / t, 1),
            F.softmax(teacher / t, 1),
            reduction='batchmean')

    expected = (kl(logits[1], logits[0]) + kl(logits[1], logits[2])) / 2
    assert losses[1]['loss_kl'].item() == pytest.approx(expected.item(),
                                                        rel=1e-5)
    model.set_pairing([2, 0, 1], 'cyclic')
    losses, _ = model.forward_train(data['inputs'], data['data_samples'])
    assert losses[1]['loss_kl'].item() == pytest.approx(
        kl(logits[1], logits[0]).item(), rel=1e-5)


def test_gradient_isolation_of_the_two_steps():
    torch.manual_seed(0)
    model = build_afd(2, bases=[8, 16])  # net0 has a transfer layer
    optim = optim_wrappers(model)
    assert sorted(optim.keys()) == [
        'adversarial', 'discriminators', 'net0', 'net1'
    ]
    data = model.data_preprocessor(fake_batch(), True)
    losses, transferred = model.forward_train(data['inputs'],
                                              data['data_samples'])
    before = _params(model)
    model.update_networks(losses, optim)
    changed = _changed(before, model)
    # network step: networks and transfer layer move, discriminators not
    assert any(n.startswith('networks.0.') for n in changed)
    assert any(n.startswith('networks.1.') for n in changed)
    assert any(n.startswith('connectors.0.transfer') for n in changed)
    assert not any('discriminator' in n for n in changed)
    assert all(p.grad is None for p in _disc_params(model))

    before = _params(model)
    model.update_discriminators(transferred, optim)
    changed = _changed(before, model)
    # discriminator step: only discriminators move, no stray gradients
    assert changed and all('discriminator' in n for n in changed)
    for name, p in model.named_parameters():
        if 'discriminator' not in name:
            assert p.grad is None, name


def test_full_train_step_with_frozen_optimizers():
    """lr=0 for one side: that side must stay bit-identical."""
    torch.manual_seed(0)
    model = build_afd(2, bases=[8, 16])
    before = _params(model)
    out = model.train_step(fake_batch(), optim_wrappers(model, disc_lr=0.0))
    changed = _changed(before, model)
    assert changed and not any('discriminator' in n for n in changed)
    for key in ('loss', 'net0.loss_cls', 'net0.loss_kl', 'net0.loss_adv',
                'net1.loss', 'disc0.loss', 'disc1.loss', 'disc.loss'):
        assert key in out and torch.isfinite(out[key]), key
    assert set(model.last_stats) == {
        f'disc{k}.{s}'
        for k in (0, 1) for s in ('acc', 'real_score', 'fake_score')
    }

    before = _params(model)
    model.train_step(
        fake_batch(seed=1),
        optim_wrappers(model, net_lr=0.0, adv_lr=0.0))
    changed = _changed(before, model)
    assert changed and all('discriminator' in n for n in changed)


def test_dml_mode_and_optim_wrapper_checks():
    torch.manual_seed(0)
    model = build_afd(2, adversarial=False)
    assert model.connectors is None
    optim = optim_wrappers(model)
    assert sorted(optim.keys()) == ['net0', 'net1']
    out = model.train_step(fake_batch(), optim)
    assert 'disc.loss' not in out and 'net0.loss_adv' not in out

    afd = build_afd(2)  # equal channels: identity transfers, no 'adversarial'
    optim = optim_wrappers(afd)
    assert sorted(optim.keys()) == ['discriminators', 'net0', 'net1']
    with pytest.raises(ValueError, match=r"keys \['net0', 'net1'\]"):
        model.train_step(fake_batch(), optim)
    with pytest.raises(ValueError, match='OptimWrapperDict'):
        afd.train_step(fake_batch(), optim['net0'])


def test_predict_all_and_eval_index():
    torch.manual_seed(0)
    model = build_afd(2).eval()
    batch = fake_batch()
    outs = model.predict_all(batch)
    assert len(outs) == 2 and all(len(o) == 4 for o in outs)
    for k in range(2):
        data = model.data_preprocessor(copy.deepcopy(batch), False)
        expected = model.networks[k](data['inputs'], mode='tensor').softmax(1)
        got = torch.stack([s.pred_score for s in outs[k]])
        torch.testing.assert_close(got, expected)
    # the two networks wrote into separate copies of the data samples
    assert outs[0][0] is not outs[1][0]
    model.eval_index = 1
    preds = model.val_step(batch)
    torch.testing.assert_close(preds[0].pred_score, outs[1][0].pred_score)
