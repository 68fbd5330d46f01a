from .online_distill_optim_wrapper_constructor import \
    OnlineDistillOptimWrapperConstructor

__all__ = ['OnlineDistillOptimWrapperConstructor']
