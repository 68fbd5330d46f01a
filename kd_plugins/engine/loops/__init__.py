from .online_distill_val_loop import (OnlineDistillTestLoop,
                                      OnlineDistillValLoop)

__all__ = ['OnlineDistillValLoop', 'OnlineDistillTestLoop']
