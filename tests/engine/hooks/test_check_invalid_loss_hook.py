"""CheckInvalidLossHook: the first non-finite loss stops training with one
line naming the iteration and the term; no non-finite checkpoint is saved."""
from types import SimpleNamespace

import pytest
import torch
from _helpers import ToyModel, toy_runner

from kd_plugins.engine.hooks import CheckInvalidLossHook, NonFiniteLossError
from kd_plugins.engine.hooks.check_invalid_loss_hook import non_finite_terms
from kd_plugins.utils import UserInputError
from kd_plugins.utils.checkpoint import load_checkpoint_file

HOOKS = dict(
    logger=dict(type='LoggerHook', interval=1),
    invalid_loss=dict(type='mmrazor.CheckInvalidLossHook'))


def test_diverging_lr_stops_at_the_first_non_finite_loss(tmp_path):
    runner = toy_runner(
        tmp_path, max_epochs=6, default_hooks=HOOKS,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=1000.0)))
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    assert isinstance(info.value, UserInputError)
    assert message.startswith('non-finite loss at iteration ')
    assert 'loss_toy=' in message and '\n' not in message
    stopped_at = int(message.split('iteration ')[1].split(' ')[0])
    assert stopped_at == runner.iter + 1  # the failing iteration itself
    assert stopped_at > 1  # it diverged, it did not start non-finite
    saved = sorted(tmp_path.glob('epoch_*.pth'))
    for path in saved:  # whatever was saved before is finite
        for value in load_checkpoint_file(path)['state_dict'].values():
            assert torch.isfinite(value).all(), path
    assert saved and len(saved) == (stopped_at - 1) // 4  # 4 iters/epoch


def test_without_the_hook_the_same_run_saves_nan_weights(tmp_path):
    """The premise: mmengine alone keeps training and saving (and
    ``enable=False`` switches the guard off)."""
    runner = toy_runner(
        tmp_path, max_epochs=6,
        default_hooks=dict(invalid_loss=dict(
            type='mmrazor.CheckInvalidLossHook', enable=False)),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=1000.0)))
    runner.train()
    last = load_checkpoint_file(tmp_path / 'epoch_6.pth')['state_dict']
    assert not torch.isfinite(last['fc.weight']).all()


class OwnTrainStep(ToyModel):
    """Returns log vars itself, as AFD and SSD-KD do (floats and tensors,
    prefixed names, non-loss diagnostics)."""

    def train_step(self, data, optim_wrapper):
        loss = self(data['inputs'])['loss_toy']
        optim_wrapper.update_params(loss)
        bad = float('inf') if self.training_iters >= 2 else 1.0
        self.training_iters += 1
        return {'distill.loss_kd': loss.detach(),
                'generator.loss_adv': bad,
                'buffer.beta': torch.tensor(float('nan'))}


def test_guard_sees_log_vars_of_algorithms_with_own_train_step(tmp_path):
    model = OwnTrainStep()
    model.training_iters = 0
    runner = toy_runner(tmp_path, max_epochs=1, model=model,
                        default_hooks=HOOKS)
    with pytest.raises(NonFiniteLossError,
                       match=r'^non-finite loss at iteration 3 \(epoch 1\): '
                       'generator.loss_adv=inf; training stopped'):
        runner.train()


def test_term_selection_and_checkpoint_refusal():
    outputs = {'loss': torch.tensor(float('nan')),
               'net0.loss_ce': torch.tensor([1.0, float('inf')]),
               'disc.acc': float('nan'), 'disc.loss': 2.0}
    names = [n for n, _ in non_finite_terms(outputs)]
    assert names == ['loss', 'net0.loss_ce']
    hook = CheckInvalidLossHook()
    runner = SimpleNamespace(iter=7, epoch=0)
    hook.before_save_checkpoint(runner, {'state_dict': {'w': torch.ones(2)}})
    with pytest.raises(NonFiniteLossError,
                       match=r'non-finite weights after iteration 7 '
                       r'\(1 tensors, e.g. w\).*not written'):
        hook.before_save_checkpoint(
            runner, {'state_dict': {'w': torch.tensor([0., float('nan')]),
                                    'n': torch.tensor([3])}})
    with pytest.raises(ValueError, match='interval must be'):
        CheckInvalidLossHook(interval=0)
