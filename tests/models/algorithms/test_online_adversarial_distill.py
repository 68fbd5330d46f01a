import copy
import json
import pickle
from pathlib import Path
from unittest import mock

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from _helpers import (JOINT_REFERENCE, afd_optim_wrappers, build_afd,
                      digest_run, fake_batch, joint_reference_run)
from mmengine.optim import OptimWrapperDict

from kd_plugins.models.algorithms import (AFDConfigError,
                                          OnlineAdversarialDistill,
                                          OnlineDistillAlgorithm)
from kd_plugins.models.algorithms.online_adversarial_distill import (
    cyclic_peers, logit_peer_lists)
from kd_plugins.utils import UserInputError


def _params(module):
    return {n: p.detach().clone() for n, p in module.named_parameters()}


def _changed(before, module):
    return {
        n for n, p in module.named_parameters()
        if not torch.equal(before[n], p.detach())
    }


def _disc_params(model):
    return list(model.discriminators.parameters())


def _opt_states(optim):
    """``{key: {param index: {name: tensor copy}}}`` of every wrapper."""
    out = {}
    for key in optim.keys():
        opt = optim[key].optimizer
        params = [p for g in opt.param_groups for p in g['params']]
        out[key] = {
            i: {k: v.clone() if torch.is_tensor(v) else v
                for k, v in opt.state[p].items()}
            for i, p in enumerate(params) if p in opt.state
        }
    return out


def _same_state(a, b):
    return a.keys() == b.keys() and all(
        a[i].keys() == b[i].keys() and all(
            torch.equal(a[i][k], b[i][k]) if torch.is_tensor(a[i][k]) else
            a[i][k] == b[i][k] for k in a[i]) for i in a)


def test_build_channels_and_default_pairing():
    torch.manual_seed(0)
    model = build_afd(3, bases=[8, 16, 8])
    assert isinstance(model, OnlineAdversarialDistill)
    assert isinstance(model, OnlineDistillAlgorithm)
    assert model.update == 'alternating'
    assert model.num_networks == 3
    # common channels = max(16, 32, 16); transfer only where they differ
    assert [t.in_channels for t in model.transfers] == [16, 32, 16]
    assert {t.out_channels for t in model.transfers} == {32}
    assert [d.in_channels for d in model.discriminators] == [32, 32, 32]
    assert [t.has_transfer for t in model.transfers] == [True, False, True]
    assert model.get_pairing() == ([2, 0, 1], [[2], [0], [1]])
    assert model.architecture is model.networks[0]
    keys = model.state_dict().keys()
    assert 'networks.1.backbone.conv1.weight' in keys
    assert 'transfers.0.transfer.0.weight' in keys
    assert 'discriminators.2.layers.3.weight' in keys
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


@pytest.mark.parametrize('num', [2, 3, 4])
def test_cyclic_assignment_for_k_networks(num):
    model = build_afd(num, adversarial=False)
    feature, logit = model.get_pairing()
    expected = [(k - 1) % num for k in range(num)]  # 1 -> 2 -> ... -> K -> 1
    assert feature == expected and logit == [[p] for p in expected]
    for k in range(num):
        assert feature[(k + 1) % num] == k  # every network teaches the next
    everyone = build_afd(num, adversarial=False, logit_peers='all')
    assert everyone.get_pairing()[1] == [[j for j in range(num) if j != k]
                                         for k in range(num)]
    assert everyone.logit_peer_mask.sum().item() == num * (num - 1)


@pytest.mark.parametrize('kwargs, match', [
    (dict(networks=1), 'at least 2 model configs, got 1'),
    (dict(update='sometimes'), 'update must be one of'),
    (dict(adversarial='yes'), 'adversarial must be True or False'),
    (dict(logit_peers='ring'), 'logit_peers must be one of'),
    (dict(logit_peers=[[1], [1]]), r'logit_peers\[1\]'),
    (dict(logit_peers=[[1]]), 'need .* or 2 peer lists'),
    (dict(feature_peers=[0, 1]), 'feature_peers .* invalid for 2'),
    (dict(feature_peers=[1, 5]), 'feature_peers .* invalid for 2'),
    (dict(feature_peers='random'), "feature_peers must be 'cyclic'"),
    (dict(eval_index=2), 'eval_index 2 out of range for 2'),
    (dict(feature_channels=[16]), 'feature_channels has 1 entries'),
    (dict(common_channels=0), 'common_channels must be a positive int'),
    (dict(feature_index=1.5), 'feature_index must be an int'),
])
def test_build_time_validation_one_line_errors(kwargs, match):
    kwargs = dict(kwargs)
    num = kwargs.pop('networks', 2)
    with pytest.raises(AFDConfigError, match=match) as info:
        build_afd(num, **kwargs)
    assert isinstance(info.value, UserInputError)
    assert isinstance(info.value, ValueError)
    assert '\n' not in str(info.value)


def test_connector_argument_and_connectors_checkpoint_keys_are_refused():
    with pytest.raises(TypeError, match='connector'):
        build_afd(2, connector=dict(type='AFDDiscriminatorConnector'))
    model = build_afd(2, bases=[8, 16])
    old = {k.replace('discriminators.', 'connectors.'): v
           for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match='connectors.0'):
        model.load_state_dict(old, strict=True)


def test_configured_pairing_wins_over_a_checkpoint():
    model = build_afd(3, adversarial=False, logit_peers='all')
    other = build_afd(3, adversarial=False, feature_peers=[1, 2, 0])
    model.load_state_dict(other.state_dict(), strict=True)
    assert model.get_pairing() == ([2, 0, 1], [[1, 2], [0, 2], [0, 1]])


def test_discriminator_losses_use_the_cyclic_peer():
    """Hand-made features: D_k scores = mean of its input."""
    model = build_afd(3)

    class MeanD(nn.Module):

        def forward(self, x):
            return x.mean(dim=(1, 2, 3))

    model.discriminators = nn.ModuleList([MeanD() for _ in range(3)])
    feats = [torch.full((2, 16, 4, 4), v) for v in (0.1, 0.2, 0.3)]
    losses, stats = model.discriminator_losses(feats)
    # peers [2, 0, 1]: L_D_k = (1 - v_peer)^2 + v_k^2
    assert losses['disc0.loss'].item() == pytest.approx(0.7**2 + 0.1**2)
    assert losses['disc1.loss'].item() == pytest.approx(0.9**2 + 0.2**2)
    assert losses['disc2.loss'].item() == pytest.approx(0.8**2 + 0.3**2)
    assert stats['disc0.real_score'].item() == pytest.approx(0.3)
    assert stats['disc0.fake_score'].item() == pytest.approx(0.1)
    # real 0.3 <= 0.5 wrong, fake 0.1 right
    assert stats['disc0.acc'].item() == pytest.approx(0.5)
    model.set_pairing([1, 2, 0], 'cyclic')
    losses, _ = model.discriminator_losses(feats)
    assert losses['disc0.loss'].item() == pytest.approx(0.8**2 + 0.1**2)


def test_each_network_loss_reaches_only_its_own_parameters():
    torch.manual_seed(0)
    model = build_afd(3, bases=[8, 16, 8], logit_peers='all', update='joint')
    data = model.data_preprocessor(fake_batch(), True)
    losses, transferred = model.forward_train(data['inputs'],
                                              data['data_samples'])
    assert set(losses[0]) == {'loss_cls', 'loss_kl', 'loss_adv'}
    sum(losses[0].values()).backward()
    assert all(p.grad is not None for p in model.networks[0].parameters())
    for k in (1, 2):
        assert all(p.grad is None for p in model.networks[k].parameters())
    assert all(p.grad is not None for p in model.transfers[0].parameters())
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


def test_joint_mode_gradient_isolation_of_the_two_steps():
    torch.manual_seed(0)
    model = build_afd(2, bases=[8, 16], update='joint')  # net0: transfer
    optim = afd_optim_wrappers(model)
    assert sorted(optim.keys()) == ['adv0', 'discriminators', 'net0', 'net1']
    data = model.data_preprocessor(fake_batch(), True)
    losses, transferred = model.forward_train(data['inputs'],
                                              data['data_samples'])
    before = _params(model)
    model.update_networks(losses, optim)
    changed = _changed(before, model)
    # network step: networks and transfer layer move, discriminators not
    assert any(n.startswith('networks.0.') for n in changed)
    assert any(n.startswith('networks.1.') for n in changed)
    assert any(n.startswith('transfers.0.') for n in changed)
    assert not any(n.startswith('discriminators.') for n in changed)
    assert all(p.grad is None for p in _disc_params(model))

    before = _params(model)
    model.update_discriminators(transferred, optim)
    changed = _changed(before, model)
    # discriminator step: only discriminators move, no stray gradients
    assert changed and all(n.startswith('discriminators.') for n in changed)
    for name, p in model.named_parameters():
        if not name.startswith('discriminators.'):
            assert p.grad is None, name


def test_alternating_steps_touch_only_their_own_optimizer_and_parameters():
    torch.manual_seed(0)
    model = build_afd(2, bases=[8, 16])  # net0 has a transfer layer
    optim = afd_optim_wrappers(model, net_momentum=0.9, adv_type='Adam',
                               disc_type='Adam')
    assert sorted(optim.keys()) == [
        'adv0', 'adv1', 'discriminators', 'net0', 'net1'
    ]
    model.train_step(fake_batch(seed=5), optim)  # every state exists now
    data = model.data_preprocessor(fake_batch(seed=6), True)
    inputs, samples = data['inputs'], data['data_samples']

    def phase(run):
        states, params = _opt_states(optim), _params(model)
        run()
        after = _opt_states(optim)
        moved = {key for key in states if not _same_state(states[key],
                                                          after[key])}
        return moved, _changed(params, model)

    # (1) logit step: SGD wrappers only; whole networks, nothing adversarial
    losses, _ = model.logit_losses(inputs, samples)
    assert set(losses[0]) == {'loss_cls', 'loss_kl'}
    moved, changed = phase(lambda: model._step_networks(losses, optim))
    assert moved == {'net0', 'net1'}
    assert any(n.startswith('networks.0.head.') for n in changed)
    assert any(n.startswith('networks.1.backbone.') for n in changed)
    assert all(n.startswith('networks.') for n in changed)

    # (2) adversarial step: adv{k} only; backbones + transfer, not heads
    moved, changed = phase(lambda: model.update_adversarial(inputs, optim))
    assert moved == {'adv0', 'adv1'}
    assert any(n.startswith('networks.0.backbone.') for n in changed)
    assert any(n.startswith('networks.1.backbone.') for n in changed)
    assert any(n.startswith('transfers.0.') for n in changed)
    assert all(
        n.startswith(('networks.0.backbone.', 'networks.1.backbone.',
                      'transfers.')) for n in changed)
    assert all(p.grad is None for p in model.parameters())

    # (3) discriminator step: discriminators only
    _, transferred = model.logit_losses(inputs, samples)
    transferred = [model.transfers[k](f) for k, f in enumerate(transferred)]
    moved, changed = phase(
        lambda: model.update_discriminators(transferred, optim))
    assert moved == {'discriminators'}
    assert changed and all(n.startswith('discriminators.') for n in changed)


def test_adversarial_optimizer_owns_backbone_and_transfer_of_its_network():
    model = build_afd(2, bases=[8, 16])
    optim = afd_optim_wrappers(model)
    for k in range(2):
        owned = {id(p) for g in optim[f'adv{k}'].optimizer.param_groups
                 for p in g['params']}
        expected = {id(p) for p in model.networks[k].backbone.parameters()}
        expected |= {id(p) for p in model.transfers[k].parameters()}
        assert owned == expected
        assert optim[f'adv{k}'].optimizer is not optim[f'net{k}'].optimizer


def test_full_train_step_logs_losses_and_discriminator_statistics():
    torch.manual_seed(0)
    model = build_afd(2, bases=[8, 16])
    before = _params(model)
    out = model.train_step(fake_batch(),
                           afd_optim_wrappers(model, disc_lr=0.0, adv_lr=0.0))
    changed = _changed(before, model)
    assert changed and not any('discriminators' in n for n in changed)
    assert not any(n.startswith('transfers.') for n in changed)
    keys = {'loss', 'disc.loss'} | {
        f'net{k}.{s}' for k in (0, 1)
        for s in ('loss', 'loss_cls', 'loss_kl', 'loss_adv')
    } | {
        f'disc{k}.{s}' for k in (0, 1)
        for s in ('loss', 'acc', 'real_score', 'fake_score')
    }
    assert keys == set(out)
    assert all(torch.isfinite(v) and not v.requires_grad for v in out.values())
    assert 0 <= out['disc0.acc'].item() <= 1
    total = sum(out[f'net{k}.{s}'] for k in (0, 1)
                for s in ('loss', 'loss_adv'))
    torch.testing.assert_close(out['loss'], total)

    before = _params(model)
    model.train_step(fake_batch(seed=1),
                     afd_optim_wrappers(model, net_lr=0.0, adv_lr=0.0))
    changed = _changed(before, model)
    assert changed and all(n.startswith('discriminators.') for n in changed)


def test_dml_mode_and_optim_wrapper_checks():
    torch.manual_seed(0)
    model = build_afd(2, adversarial=False)
    assert model.discriminators is None and model.transfers is None
    optim = afd_optim_wrappers(model)
    assert sorted(optim.keys()) == ['net0', 'net1']
    out = model.train_step(fake_batch(), optim)
    assert 'disc.loss' not in out and 'net0.loss_adv' not in out

    joint = build_afd(2, update='joint')  # identity transfers: no adv{k}
    optim = afd_optim_wrappers(joint)
    assert sorted(optim.keys()) == ['discriminators', 'net0', 'net1']
    with pytest.raises(AFDConfigError, match=r"keys \['net0', 'net1'\]"):
        model.train_step(fake_batch(), optim)
    with pytest.raises(ValueError, match='OptimWrapperDict'):
        joint.train_step(fake_batch(), optim['net0'])


@pytest.mark.parametrize('update', ['alternating', 'joint'])
def test_optim_wrapper_is_checked_once_per_wrapper_object(update):
    torch.manual_seed(0)
    model = build_afd(2, bases=[8, 16], update=update)
    check = OnlineAdversarialDistill.check_optim_wrapper
    with mock.patch.object(OnlineAdversarialDistill, 'check_optim_wrapper',
                           autospec=True, side_effect=check) as spy:
        optim = afd_optim_wrappers(model)  # the constructor checks it
        assert spy.call_count == 1
        for seed in range(3):  # checked on the first step only
            model.train_step(fake_batch(seed=seed), optim)
        assert spy.call_count == 2
        again = OptimWrapperDict(**{k: optim[k] for k in optim.keys()})
        for seed in range(2):  # a new object: checked on its first step
            model.train_step(fake_batch(seed=seed), again)
        assert spy.call_count == 3
        model.check_optim_wrapper(optim)  # explicit calls always check
        assert spy.call_count == 4
    # a wrapper that fails is not remembered: refused on every step
    bad = afd_optim_wrappers(build_afd(2, adversarial=False))
    for _ in range(2):
        with pytest.raises(AFDConfigError, match='keys'):
            model.train_step(fake_batch(), bad)
    # copies and unpickled models check again (weak references are not kept)
    for other in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert optim not in other._passed_optim_wrappers
    assert optim in model._passed_optim_wrappers


@pytest.mark.parametrize('update, key', [('alternating', 'net1'),
                                         ('alternating', 'adv0'),
                                         ('joint', 'adv0')])
def test_gradient_accumulation_is_refused_in_one_line(update, key):
    model = build_afd(2, bases=[8, 16], update=update)
    optim = afd_optim_wrappers(model)
    optim[key]._accumulative_counts = 2
    with pytest.raises(AFDConfigError,
                       match=rf'optim_wrapper\.{key}\.accumulative_counts=2'):
        model.train_step(fake_batch(), optim)
    # accumulating the logit optimizers is fine in joint mode
    joint = build_afd(2, update='joint')
    optim = afd_optim_wrappers(joint)
    optim['net0']._accumulative_counts = 2
    joint.check_optim_wrapper(optim)


@pytest.mark.parametrize('scenario', ['k3_transfer', 'k2_identity'])
def test_joint_mode_reproduces_the_recorded_result(scenario):
    """Recorded on main (commit before the alternating scheme) with
    ``python tests/_afd_helpers.py`` (now ``write_joint_reference()`` in
    ``tests/_helpers/afd.py``); only the module names changed since
    (connectors.<k>.transfer -> transfers.<k>.transfer,
    connectors.<k>.discriminator -> discriminators.<k>.layers)."""
    ref = json.loads((Path(__file__).parent /
                      JOINT_REFERENCE).read_text())[scenario]

    def rename(key):
        for old, new in (('.discriminator.', '.layers.'),):
            if key.split(':')[-1].startswith('connectors.') and old in key:
                key = key.replace(old, new).replace('connectors.',
                                                    'discriminators.')
        return key.replace('connectors.', 'transfers.')

    got = digest_run(joint_reference_run(scenario, update='joint'))
    # The losses of both steps match to float32 rounding (rel 1e-4): the
    # second step's losses follow from the first step's updates of every
    # network, transfer and discriminator, so they check those too.
    # Bit-exact equality (and the sha256 digests of the recorded state and
    # optimizer) holds only on the CPU the reference was recorded on: on
    # another CPU the float kernels round differently (the 7th digit).
    assert len(got['log_vars']) == len(ref['log_vars']) == 2
    for step, (want, have) in enumerate(zip(ref['log_vars'],
                                            got['log_vars'])):
        assert set(want) <= set(have), step  # later logs add keys
        for key, value in want.items():
            assert have[key] == pytest.approx(value, rel=1e-4), (step, key)
    state = {rename(k) for k in ref['state']}
    assert state == set(got['state'])
    optim = {rename(k) for k in ref['optim']}
    assert optim == set(got['optim'])
    assert any(k.startswith('adv:') for k in optim) == (
        scenario == 'k3_transfer')


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
    with pytest.raises(ValueError, match='invalid mode'):
        model(torch.zeros(1, 3, 16, 16), mode='features')


def test_adversarial_step_uses_a_fresh_forward_after_the_logit_step():
    torch.manual_seed(0)
    model = build_afd(2, bases=[8, 16])
    optim = afd_optim_wrappers(model, adv_lr=0.0)  # adv step moves nothing
    data = model.data_preprocessor(fake_batch(seed=3), True)
    losses, _ = model.logit_losses(data['inputs'], data['data_samples'])
    stale = model.generator_loss(0, model._features(0, data['inputs'])[0])
    model._step_networks(losses, optim)
    fresh = copy.deepcopy(model)  # same parameters and BN state as now
    expected = fresh.generator_loss(0, fresh._features(0,
                                                       data['inputs'])[0])
    log_vars, transferred = model.update_adversarial(data['inputs'], optim)
    torch.testing.assert_close(log_vars['net0.loss_adv'], expected[0])
    assert not torch.equal(expected[0], stale[0].detach())
    assert not any(t.requires_grad for t in transferred)
