from . import atomic_local_backend, hooks, loops, optimizers  # noqa: F401

__all__ = ['atomic_local_backend', 'hooks', 'loops', 'optimizers']
