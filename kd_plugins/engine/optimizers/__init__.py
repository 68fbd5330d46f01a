from .distributed_optim_wrapper import (DistributedAmpOptimWrapper,
                                        DistributedOptimWrapper,
                                        GradientAveragingMixin,
                                        average_gradients)
from .online_distill_optim_wrapper_constructor import \
    OnlineDistillOptimWrapperConstructor

__all__ = [
    'OnlineDistillOptimWrapperConstructor', 'DistributedOptimWrapper',
    'DistributedAmpOptimWrapper', 'GradientAveragingMixin',
    'average_gradients'
]
