"""RandomStateHook: a resumed run draws the same random numbers as the
uninterrupted one, even when something (validation) draws between the
checkpoint and the next epoch."""
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from _helpers import ToyModel, toy_runner
from mmengine.hooks import Hook

from kd_plugins.engine.hooks import RandomStateHook
from kd_plugins.engine.hooks.random_state_hook import (get_random_states,
                                                       set_random_states)
from kd_plugins.utils.checkpoint import load_checkpoint_file


class NoisyToy(ToyModel):
    """Augments its input with NumPy, torch and Python random numbers."""

    def forward(self, inputs, data_samples=None, mode='loss'):
        noise = torch.from_numpy(np.random.randn(*inputs.shape)).float()
        noise = noise + torch.randn(inputs.shape) * random.random()
        return super().forward(inputs + noise, data_samples, mode)


class DrawAfterEpoch(Hook):
    """Draws random numbers after the checkpoint, as validation does."""

    priority = 'LOWEST'

    def after_train_epoch(self, runner):
        torch.rand(3), np.random.rand(3), random.random()


def _run(work_dir, max_epochs, with_hook, resume=False):
    hooks = dict(
        logger=dict(type='LoggerHook', interval=1),
        random_state=dict(type='mmrazor.RandomStateHook', enable=with_hook))
    torch.manual_seed(0)  # same initial weights in every run
    runner = toy_runner(
        work_dir, max_epochs=max_epochs, model=NoisyToy(),
        default_hooks=hooks, custom_hooks=[DrawAfterEpoch()],
        randomness=dict(seed=0), resume=resume,
        load_from=str(work_dir / 'epoch_1.pth') if resume else None)
    runner.train()
    return runner.model.state_dict()['fc.weight']


@pytest.mark.parametrize('with_hook', [True, False])
def test_resume_is_exact_only_with_the_hook(tmp_path, with_hook):
    full = _run(tmp_path / 'full', 3, with_hook)
    _run(tmp_path / 'cut', 1, with_hook)
    resumed = _run(tmp_path / 'cut', 3, with_hook, resume=True)
    assert torch.equal(full, resumed) == with_hook


def test_states_round_trip_through_a_weights_only_checkpoint(tmp_path):
    _run(tmp_path, 1, True)
    saved = load_checkpoint_file(tmp_path / 'epoch_1.pth')
    assert saved['sampler_state']['type'] == 'DefaultSampler'
    set_random_states(saved['rng_state'])
    first = (random.random(), np.random.rand(), torch.rand(1))
    set_random_states(get_random_states())  # get/set are inverse
    set_random_states(saved['rng_state'])
    assert (random.random(), np.random.rand(), torch.rand(1)) == first


def test_checkpoints_of_one_iteration_carry_the_same_states():
    """epoch_N.pth and a best checkpoint saved after validation of the
    same iteration must resume alike."""
    hook = RandomStateHook()
    runner = SimpleNamespace(iter=4, epoch=1,
                             train_loop=SimpleNamespace(dataloader=None))
    epoch_ckpt, best_ckpt = {}, {}
    hook.before_save_checkpoint(runner, epoch_ckpt)
    torch.rand(5)  # validation draws
    hook.before_save_checkpoint(runner, best_ckpt)
    assert torch.equal(epoch_ckpt['rng_state']['torch'],
                       best_ckpt['rng_state']['torch'])
    runner.iter = 8
    hook.before_save_checkpoint(runner, best_ckpt)
    assert not torch.equal(epoch_ckpt['rng_state']['torch'],
                           best_ckpt['rng_state']['torch'])


def test_a_resumed_sampler_shuffles_with_the_checkpoints_seed():
    """mmengine's resume restores the runner's seed, not the train
    sampler's (built before the checkpoint is read); the hook does."""
    from mmengine.dataset import DefaultSampler
    sampler = DefaultSampler(list(range(16)), seed=123)  # the new run's
    runner = SimpleNamespace(
        _resume=True, train_loop=SimpleNamespace(
            dataloader=SimpleNamespace(sampler=sampler)))
    checkpoint = dict(meta=dict(iter=4), rng_state=get_random_states(),
                      sampler_state=dict(type='DefaultSampler', seed=7,
                                         epoch=1))
    RandomStateHook().after_load_checkpoint(runner, checkpoint)
    assert sampler.seed == 7
    sampler.set_epoch(1)
    assert list(sampler) == list(DefaultSampler(list(range(16)), seed=8))
    # load_from without resume: weights only, the sampler keeps its seed
    runner._resume = False
    checkpoint['sampler_state']['seed'] = 9
    RandomStateHook().after_load_checkpoint(runner, checkpoint)
    assert sampler.seed == 7
