from .cyclic_distill_hook import CyclicDistillHook

__all__ = ['CyclicDistillHook']
