from types import SimpleNamespace

import pytest
import torch
from _helpers import ssdkd_optim_wrappers, tiny_ssdkd
from mmrazor.registry import HOOKS

from kd_plugins.engine.hooks import PrioritySamplingHook


def test_beta_annealed_linearly_to_one():
    f = PrioritySamplingHook.annealed_beta
    assert f(0.4, 0, 100) == pytest.approx(0.4)
    assert f(0.4, 50, 100) == pytest.approx(0.7)
    assert f(0.4, 100, 100) == pytest.approx(1.0)
    assert f(0.4, 500, 100) == pytest.approx(1.0)


def test_hook_only_anneals_beta_through_the_setter():
    algo = tiny_ssdkd(warmup_rounds=0)
    ow = ssdkd_optim_wrappers(algo)
    hook = HOOKS.build(dict(type='PrioritySamplingHook'))
    runner = SimpleNamespace(model=algo, iter=25, max_iters=100)
    calls = []
    setter = algo.replay_buffer.set_beta
    algo.replay_buffer.set_beta = lambda b: calls.append(b) or setter(b)
    hook.before_train_iter(runner, 0)
    assert calls == [pytest.approx(0.4 + 0.6 / 4)]
    assert algo.replay_buffer.beta.item() == pytest.approx(0.4 + 0.6 / 4)
    # the algorithm updates priorities in its own student step; the hook
    # has nothing to do after an iteration (no queue of pending records)
    before = algo.replay_buffer.priorities.clone()
    algo.train_step(None, ow)
    assert not torch.equal(before, algo.replay_buffer.priorities)
    assert 'after_train_iter' not in PrioritySamplingHook.__dict__


def test_hook_anneal_iters_and_wrong_model():
    algo = tiny_ssdkd()
    hook = PrioritySamplingHook(anneal_iters=10)
    hook.before_train_iter(SimpleNamespace(model=algo, iter=5,
                                           max_iters=1000), 0)
    assert algo.replay_buffer.beta.item() == pytest.approx(0.7)
    with pytest.raises(TypeError, match='SSDKDDataFreeDistillation'):
        hook.before_train_iter(
            SimpleNamespace(model=torch.nn.Linear(1, 1), iter=0,
                            max_iters=1), 0)
    with pytest.raises(ValueError, match='anneal_iters'):
        PrioritySamplingHook(anneal_iters=0)
