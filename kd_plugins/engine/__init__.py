from . import (atomic_local_backend, hooks, loops, optimizers,  # noqa: F401
               wrappers)
from .wrappers import DistributedAlgorithmWrapper, average_gradients

__all__ = [
    'atomic_local_backend', 'hooks', 'wrappers', 'DistributedAlgorithmWrapper',
    'average_gradients', 'loops', 'optimizers'
]
