import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from mmrazor.registry import HOOKS

from kd_plugins.engine.hooks import PrioritySamplingHook

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'models' /
                       'algorithms'))
from _ssdkd_utils import optim_wrappers, tiny_algorithm  # noqa: E402


def test_beta_annealed_linearly_to_one():
    f = PrioritySamplingHook.annealed_beta
    assert f(0.4, 0, 100) == pytest.approx(0.4)
    assert f(0.4, 50, 100) == pytest.approx(0.7)
    assert f(0.4, 100, 100) == pytest.approx(1.0)
    assert f(0.4, 500, 100) == pytest.approx(1.0)


def test_hook_updates_priorities_and_beta_on_a_runner_like_object():
    algo = tiny_algorithm()
    ow = optim_wrappers(algo)
    hook = HOOKS.build(dict(type='PrioritySamplingHook'))
    runner = SimpleNamespace(model=algo, iter=25, max_iters=100)
    hook.before_train_iter(runner, 0)
    assert algo.replay_buffer.beta.item() == pytest.approx(0.4 + 0.6 / 4)
    algo.train_step(None, ow)
    (idx, w, kl), = algo.pending_priorities
    # IS weights of the draw used the annealed beta
    assert torch.allclose(w, algo.replay_buffer.importance_weights(idx))
    hook.after_train_iter(runner, 0)
    assert algo.pending_priorities == []
    last = {int(i): float(v) for i, v in zip(idx, w * kl)}  # last wins
    for i, v in last.items():
        assert algo.replay_buffer.priorities[i].item() == pytest.approx(v)


def test_hook_anneal_iters_and_wrong_model():
    algo = tiny_algorithm()
    hook = PrioritySamplingHook(anneal_iters=10)
    hook.before_train_iter(SimpleNamespace(model=algo, iter=5,
                                           max_iters=1000), 0)
    assert algo.replay_buffer.beta.item() == pytest.approx(0.7)
    with pytest.raises(TypeError, match='SSDKDDataFreeDistillation'):
        hook.after_train_iter(
            SimpleNamespace(model=torch.nn.Linear(1, 1), iter=0,
                            max_iters=1), 0)
    with pytest.raises(ValueError, match='anneal_iters'):
        PrioritySamplingHook(anneal_iters=0)
