from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

from _afd_helpers import build_afd
from kd_plugins.engine import DistributedAlgorithmWrapper
from kd_plugins.engine.hooks import CyclicDistillHook
from mmrazor.registry import HOOKS


def _runner(model):
    return SimpleNamespace(
        model=model, message_hub=MessageHub.get_instance('afd_hook_test'))


@pytest.mark.parametrize('num, expected', [
    (2, [1, 0]),
    (3, [2, 0, 1]),
    (4, [3, 0, 1, 2]),
])
def test_cyclic_assignment(num, expected):
    model = build_afd(num, adversarial=False)
    model.set_pairing(list(reversed(range(num)))
                      if num == 2 else [1] + [0] * (num - 1), 'all')
    hook = HOOKS.build(dict(type='CyclicDistillHook'))
    hook.before_train(_runner(model))
    feature, logit = model.get_pairing()
    # D_k treats network k-1 (mod K) as real: 1 -> 2 -> ... -> K -> 1
    assert feature == expected
    assert logit == [[p] for p in expected]
    for k in range(num):
        assert feature[(k + 1) % num] == k  # every network teaches the next


@pytest.mark.parametrize('num', [2, 3, 4])
def test_all_peers_for_the_logit_term(num):
    model = build_afd(num, adversarial=False)
    CyclicDistillHook(logit_peers='all').before_train(_runner(model))
    feature, logit = model.get_pairing()
    assert feature == [(k - 1) % num for k in range(num)]
    assert logit == [[j for j in range(num) if j != k] for k in range(num)]
    assert model.logit_peer_mask.sum().item() == num * (num - 1)


def test_none_keeps_logit_peers_and_explicit_feature_peers():
    model = build_afd(3, adversarial=False, logit_peers='all')
    CyclicDistillHook(logit_peers=None,
                      feature_peers=[1, 2, 0]).before_train(_runner(model))
    assert model.get_pairing() == ([1, 2, 0], [[1, 2], [0, 2], [0, 1]])


def test_pairing_is_restored_before_each_epoch_through_a_wrapper():
    model = build_afd(3, adversarial=False)
    runner = _runner(DistributedAlgorithmWrapper(model))
    hook = CyclicDistillHook(logit_peers='all')
    hook.before_train(runner)
    model.set_pairing([1, 2, 0], 'cyclic')  # e.g. a foreign checkpoint
    hook.before_train_epoch(runner)
    assert model.get_pairing() == ([2, 0, 1], [[1, 2], [0, 2], [0, 1]])


def test_stats_go_to_the_message_hub():
    model = build_afd(2)
    model.last_stats = {'disc0.acc': 0.75, 'disc1.acc': 0.25}
    runner = _runner(model)
    CyclicDistillHook().after_train_iter(runner, 0)
    hub = runner.message_hub
    assert hub.get_scalar('train/disc0.acc').current() == 0.75
    assert hub.get_scalar('train/disc1.acc').current() == 0.25


def test_bad_arguments_and_models():
    with pytest.raises(ValueError, match='logit_peers'):
        CyclicDistillHook(logit_peers='ring')
    with pytest.raises(ValueError, match='feature_peers'):
        CyclicDistillHook(feature_peers='random')
    with pytest.raises(TypeError, match='set_pairing'):
        CyclicDistillHook().before_train(_runner(torch.nn.Linear(2, 2)))
