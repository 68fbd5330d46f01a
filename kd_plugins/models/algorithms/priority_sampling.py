"""Prioritized-replay arithmetic as tensor functions (Schaul et al. 2016).

``P_i = (|delta_i| + eps)^alpha / sum_j (|delta_j| + eps)^alpha`` over the
``N`` filled slots, raw importance weights ``w_i = (N P_i)^(-beta)`` and
their normalisations, the slots a push overwrites, and the last write of
repeated indices. :class:`PrioritizedReplayBuffer` holds the state.
"""
from typing import Optional, Tuple

import torch

__all__ = [
    'check_finite', 'probabilities', 'importance_weights',
    'normalize_weights', 'replacement_slots', 'last_occurrence'
]


def check_finite(priorities: torch.Tensor) -> None:
    """Raise a one-line ``ValueError`` on a NaN or infinite priority."""
    if not bool(torch.isfinite(priorities).all()):
        raise ValueError('PrioritizedReplayBuffer: non-finite priority '
                         '(NaN/inf KL: check the teacher and student logits)')


def probabilities(priorities: torch.Tensor, eps: float,
                  alpha: float) -> torch.Tensor:
    """``P`` of the filled ``priorities`` (N,), computed in float64,
    returned as float32."""
    scaled = (priorities.double() + eps).pow(alpha)
    return (scaled / scaled.sum()).float()


def importance_weights(probs: torch.Tensor, indices: torch.Tensor,
                       beta: float) -> torch.Tensor:
    """Raw ``(N P)^(-beta)`` at ``indices`` (not normalised)."""
    w = (probs.numel() * probs[indices.to(probs.device)].double())
    return w.pow(-beta).float()


def normalize_weights(weights: torch.Tensor, mode: str,
                      probs: Optional[torch.Tensor] = None,
                      beta: Optional[float] = None) -> torch.Tensor:
    """Raw weights divided by the batch maximum (``mode='batch'``), the
    batch mean (``'mean'``) or the largest weight of the buffer
    (``'buffer'``: ``(N min P)^(-beta)``, needs ``probs`` and ``beta``)."""
    if mode == 'batch':
        return weights / weights.max()
    if mode == 'mean':
        return weights / weights.mean()
    w_max = (probs.numel() * probs.min().double()).pow(-beta)
    return (weights.double() / w_max).float()


def replacement_slots(priorities: torch.Tensor, capacity: int, n: int,
                      replace: str, fifo_ptr: int,
                      generator: Optional[torch.Generator] = None
                      ) -> Tuple[torch.Tensor, int]:
    """Slots for ``n`` new samples: free slots first, then ``replace``.

    Args:
        priorities (torch.Tensor): Priorities of the filled slots ``0 ..
            size - 1``.
        capacity (int): Number of slots.
        n (int): New samples, at most ``capacity``.
        replace (str): ``'lowest_priority'`` (ties to the lower index),
            ``'fifo'`` (from ``fifo_ptr`` on, cyclically) or ``'random'``.
        fifo_ptr (int): The oldest filled slot for ``'fifo'``.
        generator (torch.Generator, optional): CPU source for
            ``'random'``. Defaults to None.

    Returns:
        tuple[torch.Tensor, int]: The slot indices (CPU, long) and the
        FIFO pointer after the push.
    """
    size = priorities.numel()
    free = min(n, capacity - size)
    slots = [torch.arange(size, size + free)]
    rest = n - free
    if rest > 0:
        if replace == 'lowest_priority':
            old = priorities.detach().cpu()
            order = torch.sort(old, stable=True).indices
            slots.append(order[:rest])
        elif replace == 'fifo':
            slots.append((torch.arange(rest) + fifo_ptr) % capacity)
            fifo_ptr = (fifo_ptr + rest) % capacity
        else:
            slots.append(torch.randperm(size, generator=generator)[:rest])
    return torch.cat(slots), fifo_ptr


def last_occurrence(indices: torch.Tensor
                    ) -> Tuple[torch.Tensor, torch.Tensor]:
    """The distinct ``indices`` (sorted) and, for each, the position of
    its last occurrence in ``indices``."""
    uniq, inverse = torch.unique(indices, return_inverse=True)
    last = torch.full_like(uniq, -1).scatter_reduce(
        0, inverse, torch.arange(len(indices), device=indices.device),
        'amax')
    return uniq, last
