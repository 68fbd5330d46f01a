"""Checkpoint the random states so that a resumed run is bit-identical.

mmengine's resume restores the weights, optimizer, schedulers, the seed and
the epoch (``DistSamplerSeedHook`` then reseeds ``DefaultSampler`` with
``seed + epoch``), but not the Python/NumPy/torch random states. Data
augmentation that draws from them (``RandomCrop`` uses NumPy's global
generator) therefore differs after ``--resume``: the run is not the one that
was interrupted.

This hook stores the states in every checkpoint (``checkpoint['rng_state']``
and the sampler's ``seed``/``epoch`` in ``checkpoint['sampler_state']``) and
restores them at the start of the next epoch, in the resumed run and in the
uninterrupted one alike. Restoring in the uninterrupted run too matters:
validation between the save and the next epoch consumes torch's generator
(every ``DataLoader`` iterator draws a base seed), which a resumed run does
not repeat.

Scope: epoch-based training resumed from epoch-boundary checkpoints (how
mmengine resumes ``EpochBasedTrainLoop``: a checkpoint written mid-epoch
restarts that epoch). Dataloader workers are seeded by mmengine from
``(seed, rank, worker id)`` and restart each epoch unless
``persistent_workers=True``; with persistent workers their states are not
captured. Only rank 0's states are saved (ranks share them unless
``randomness.diff_rank_seed=True``).
"""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmrazor.registry import HOOKS

from kd_plugins.compat import set_sampler_seed

__all__ = ['RandomStateHook', 'get_random_states', 'set_random_states']


def get_random_states() -> dict:
    """The Python, NumPy, torch (and CUDA) generator states, as types that
    load with ``torch.load(weights_only=True)``."""
    py_version, py_keys, py_gauss = random.getstate()
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    states = dict(
        python=[py_version, list(py_keys), py_gauss],
        numpy=[np_name, np_keys.tolist(), int(np_pos), int(np_has_gauss),
               float(np_gauss)],
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states['cuda'] = torch.cuda.get_rng_state_all()
    return states


def set_random_states(states: dict) -> None:
    """Restore what :func:`get_random_states` returned."""
    py_version, py_keys, py_gauss = states['python']
    random.setstate((py_version, tuple(py_keys), py_gauss))
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = states['numpy']
    np.random.set_state((np_name, np.asarray(np_keys, dtype=np.uint32),
                         np_pos, np_has_gauss, np_gauss))
    torch.set_rng_state(states['torch'])
    cuda = states.get('cuda')
    if cuda is not None and torch.cuda.is_available():
        if len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda)


def _sampler(runner):
    loader = getattr(runner.train_loop, 'dataloader', None)
    return getattr(loader, 'sampler', None)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Save the random states in checkpoints and restore them so that
    ``--resume`` continues exactly (see the module docstring).

    Args:
        enable (bool): Switch the hook off with False (a ``default_hooks``
            entry that mmengine does not know cannot be set to None).
            Defaults to True.
    """

    priority = 'VERY_HIGH'  # restore before other hooks draw numbers

    def __init__(self, enable: bool = True) -> None:
        self.enable = enable
        # (iteration, states) of the last checkpoint saved or resumed
        self._saved: Optional[tuple] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if not self.enable:
            return
        if self._saved is not None and self._saved[0] == runner.iter:
            # a second checkpoint of the same iteration (e.g. save_best
            # after validation): same states, so either file resumes alike
            states = self._saved[1]
        else:
            states = get_random_states()
        checkpoint['rng_state'] = states
        sampler = _sampler(runner)
        if sampler is not None and hasattr(sampler, 'seed'):
            checkpoint['sampler_state'] = dict(
                type=type(sampler).__name__,
                seed=int(sampler.seed),
                epoch=int(getattr(sampler, 'epoch', runner.epoch)))
        self._saved = (runner.iter, states)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not self.enable or not getattr(runner, '_resume', False):
            return  # load_from without resume: weights only
        states = checkpoint.get('rng_state')
        if states is None:
            print_log(
                'the resumed checkpoint has no random states (written '
                'without RandomStateHook); the run will not continue '
                'bit-identically',
                logger='current')
            return
        self._saved = (checkpoint['meta']['iter'], states)
        sampler_state = checkpoint.get('sampler_state')
        sampler = _sampler(runner)
        if sampler_state and sampler is not None and \
                hasattr(sampler, 'seed'):
            set_sampler_seed(sampler, sampler_state['seed'])

    def before_train_epoch(self, runner) -> None:
        if self._saved is not None and self._saved[0] == runner.iter:
            set_random_states(self._saved[1])
        self._saved = None
