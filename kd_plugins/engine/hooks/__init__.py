from .cyclic_distill_hook import CyclicDistillHook
from .priority_sampling_hook import PrioritySamplingHook
from .progress_bar_hook import ProgressBarHook

__all__ = ['CyclicDistillHook', 'PrioritySamplingHook', 'ProgressBarHook']
