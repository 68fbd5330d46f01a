from .distributed_algorithm_wrapper import (DistributedAlgorithmWrapper,
                                            average_gradients)

__all__ = ['DistributedAlgorithmWrapper', 'average_gradients']
