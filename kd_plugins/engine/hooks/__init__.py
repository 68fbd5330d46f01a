from .priority_sampling_hook import PrioritySamplingHook
from .progress_bar_hook import ProgressBarHook

__all__ = ['ProgressBarHook', 'PrioritySamplingHook']
