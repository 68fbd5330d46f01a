from . import hooks  # noqa: F401
from . import loops, optimizers  # noqa: F401

__all__ = ['hooks', 'loops', 'optimizers']
