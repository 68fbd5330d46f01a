from .cyclic_distill_hook import CyclicDistillHook
from .progress_bar_hook import ProgressBarHook

__all__ = ['ProgressBarHook', 'CyclicDistillHook']
