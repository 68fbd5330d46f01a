from .priority_sampling_hook import PrioritySamplingHook

__all__ = ['PrioritySamplingHook']
