from . import atomic_local_backend, hooks, wrappers  # noqa: F401
from . import loops, optimizers  # noqa: F401
from .wrappers import DistributedAlgorithmWrapper, average_gradients

__all__ = [
    'atomic_local_backend', 'hooks', 'wrappers', 'DistributedAlgorithmWrapper',
    'average_gradients', 'loops', 'optimizers'
]
