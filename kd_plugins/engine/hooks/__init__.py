from .check_invalid_loss_hook import CheckInvalidLossHook, NonFiniteLossError
from .cyclic_distill_hook import CyclicDistillHook
from .priority_sampling_hook import PrioritySamplingHook
from .progress_bar_hook import ProgressBarHook
from .random_state_hook import RandomStateHook
from .synthetic_grid_hook import SyntheticGridHook

__all__ = [
    'CheckInvalidLossHook', 'NonFiniteLossError', 'CyclicDistillHook',
    'PrioritySamplingHook', 'ProgressBarHook', 'RandomStateHook',
    'SyntheticGridHook'
]
