from . import hooks, wrappers  # noqa: F401
from .wrappers import DistributedAlgorithmWrapper, average_gradients

__all__ = ['hooks', 'wrappers', 'DistributedAlgorithmWrapper',
           'average_gradients']
