"""Dynamic replay buffer with prioritized sampling (SSD-KD)."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmrazor.registry import MODELS

from . import priority_sampling as ps
from .buffer_memory import STORAGE_DTYPES, BufferMemoryError, check_store_size

__all__ = ['PrioritizedReplayBuffer', 'BufferMemoryError']


@MODELS.register_module()
class PrioritizedReplayBuffer(nn.Module):
    """Fixed-capacity buffer of synthetic samples with priorities.

    SSD-KD keeps a small synthetic set (500 to 50,000 images: ``capacity``)
    that the generator refreshes partially and the student samples with
    priorities (prioritized experience replay, Schaul et al. 2016):

    * priority ``delta_i(x) = w_{i-1}(x) * KL(f_t(x) || f_s(x))``
      (``w_{-1} = 1``; the caller passes ``delta``, see
      :meth:`update_priorities`), stored as ``|delta|``;
    * ``P(x) = (|delta(x)| + eps)^alpha / sum_x' (|delta(x')| + eps)^alpha``
      over the ``N`` filled slots (``alpha = 0``: uniform);
    * importance weight ``w(x) = (N P(x))^(-beta)``: :meth:`sample`
      returns these raw weights (the priority update ``delta = w * KL``
      uses them); :meth:`normalize_weights` divides them by the largest
      weight of the whole buffer (``weight_norm='buffer'``, standard PER),
      of the given batch (``'batch'``) or by the batch mean (``'mean'``:
      the weights then only re-balance the batch and leave the loss scale,
      hence the effective learning rate, unchanged), for scaling the
      student loss only; ``beta`` is annealed to 1 by
      :class:`PrioritySamplingHook` through :meth:`set_beta`.

    Non-finite priorities are rejected (a ``ValueError``).

    Replacement (UNCONFIRMED in the paper): new samples first fill free
    slots; once full, a push of ``b`` samples overwrites the ``b`` stored
    samples of lowest priority (``replace='lowest_priority'``: the ones the
    student has learnt), or the oldest (``'fifo'``: a plain memory bank as
    in Fast), or random ones (``'random'``). A push larger than the
    capacity is an error.

    State: ``images``, ``priorities``, ``size``, ``fifo_ptr``, ``beta`` and
    the push counter are registered buffers (``.to()``/``.cuda()`` move
    them). ``images`` is non-persistent: checkpoints hold only its filled
    part, through :meth:`get_extra_state`. It is listed in
    ``broadcast_exclude``: SSD-KD pushes all-gathered samples in rank order,
    so every rank holds the same images and data-parallel wrappers need not
    copy the whole set at start-up or after every step.

    Args:
        capacity (int): Number of samples held (the synthetic data scale).
            Defaults to 2000.
        sample_shape (Sequence[int]): Shape of one sample, e.g.
            ``(3, 32, 32)``; the algorithm fills it in from its generator.
            Defaults to (3, 32, 32).
        alpha (float): Priority exponent. Defaults to 0.6.
        beta (float): Initial importance-sampling exponent.
            Defaults to 0.4.
        eps (float): Priority offset so no sample has probability 0.
            Defaults to 1e-6.
        replace (str): ``'lowest_priority'``, ``'fifo'`` or ``'random'``.
            Defaults to 'lowest_priority'.
        weight_norm (str): ``'buffer'``, ``'batch'`` or ``'mean'``.
            Defaults to 'buffer'.
        storage_dtype (str): ``'float32'``, ``'float16'`` or ``'bfloat16'``
            for the stored images (float16 halves memory for large sets).
            Defaults to 'float32'.
        max_bytes (int, optional): Largest image store allowed; None uses
            the memory available when the buffer is built. The store
            (``capacity x prod(sample_shape) x`` bytes per element) is
            logged, and a larger one is refused with one ``MemoryError``
            line naming ``data_scale``, the bytes and ``storage_dtype``,
            before anything is allocated. Defaults to None.
    """

    #: Buffers kept identical on every rank by the algorithm itself (see
    #: ``kd_plugins.models.wrappers.replicated_state``).
    broadcast_exclude = ('images', )

    def __init__(self,
                 capacity: int = 2000,
                 sample_shape: Sequence[int] = (3, 32, 32),
                 alpha: float = 0.6,
                 beta: float = 0.4,
                 eps: float = 1e-6,
                 replace: str = 'lowest_priority',
                 weight_norm: str = 'buffer',
                 storage_dtype: str = 'float32',
                 max_bytes: Optional[int] = None) -> None:
        super().__init__()
        if capacity < 1:
            raise ValueError(
                f'PrioritizedReplayBuffer: capacity must be >= 1, got '
                f'{capacity}')
        if replace not in ('lowest_priority', 'fifo', 'random'):
            raise ValueError(
                f'PrioritizedReplayBuffer: unknown replace={replace!r} '
                "(use 'lowest_priority', 'fifo' or 'random')")
        if weight_norm not in ('buffer', 'batch', 'mean'):
            raise ValueError(
                f'PrioritizedReplayBuffer: unknown weight_norm='
                f"{weight_norm!r} (use 'buffer', 'batch' or 'mean')")
        if storage_dtype not in STORAGE_DTYPES:
            raise ValueError(
                f'PrioritizedReplayBuffer: unknown storage_dtype='
                f'{storage_dtype!r} (use one of {sorted(STORAGE_DTYPES)})')
        self.capacity = int(capacity)
        self.sample_shape = tuple(int(s) for s in sample_shape)
        self.alpha = float(alpha)
        self.beta_start = float(beta)
        self.eps = float(eps)
        self.replace = replace
        self.weight_norm = weight_norm
        self.storage_dtype = storage_dtype
        self.nbytes = check_store_size(self.capacity, self.sample_shape,
                                       storage_dtype, max_bytes)
        self.register_buffer(
            'images',
            torch.zeros((self.capacity, ) + self.sample_shape,
                        dtype=STORAGE_DTYPES[storage_dtype]),
            persistent=False)
        self.register_buffer('priorities', torch.zeros(self.capacity))
        self.register_buffer('size', torch.zeros((), dtype=torch.long))
        self.register_buffer('fifo_ptr', torch.zeros((), dtype=torch.long))
        self.register_buffer('num_pushed', torch.zeros((), dtype=torch.long))
        self.register_buffer('beta', torch.tensor(float(beta)))

    # ------------------------------------------------------------------ state
    def get_extra_state(self) -> torch.Tensor:
        """The filled part of ``images``, for ``state_dict``.

        A persistent ``images`` buffer would put the whole capacity (zeros
        included: 600 MB for 50,000 CIFAR images) into every checkpoint, and
        such a checkpoint would load into that capacity only; this keeps the
        filled part, which loads into any buffer large enough.
        A plain tensor (not a dict): mmengine's Runner broadcasts every
        ``state_dict`` value at start-up in distributed runs.
        """
        size = int(self.size)
        if size == self.capacity:
            return self.images
        return self.images[:size].clone()

    def set_extra_state(self, state: torch.Tensor) -> None:
        """Restore the images saved by :meth:`get_extra_state`."""
        images = state['images'] if isinstance(state, dict) else state
        if tuple(images.shape[1:]) != self.sample_shape or \
                images.shape[0] > self.capacity:
            raise ValueError(
                'PrioritizedReplayBuffer: checkpoint holds images '
                f'{tuple(images.shape)}, buffer has capacity {self.capacity}'
                f' and sample shape {self.sample_shape}')
        self.images[:images.shape[0]] = images.to(self.images)

    def set_beta(self, beta: float) -> None:
        """Set the importance-sampling exponent (the hook anneals it)."""
        self.beta.fill_(float(beta))

    def __len__(self) -> int:
        return int(self.size)

    # ------------------------------------------------------------- push/get
    @torch.no_grad()
    def push(self,
             samples: torch.Tensor,
             priorities: Optional[torch.Tensor] = None,
             generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """Insert samples, replacing old ones when full.

        Args:
            samples (torch.Tensor): ``(b, *sample_shape)``.
            priorities (torch.Tensor, optional): Initial ``delta`` per sample
                (SSD-KD: the teacher-student KL, ``w_{-1} = 1``). None gives
                the current maximum priority (1 when empty), the usual PER
                rule so that new samples are seen soon. Defaults to None.
            generator (torch.Generator, optional): CPU random source for
                ``replace='random'``. Defaults to None.

        Returns:
            torch.Tensor: The slot indices written (on CPU).
        """
        n = samples.shape[0]
        if tuple(samples.shape[1:]) != self.sample_shape:
            raise ValueError(
                f'PrioritizedReplayBuffer: sample shape '
                f'{tuple(samples.shape[1:])} != {self.sample_shape}')
        if n > self.capacity:
            raise ValueError(
                f'PrioritizedReplayBuffer: cannot push {n} samples into a '
                f'buffer of capacity {self.capacity}')
        if priorities is None:
            size = int(self.size)
            top = self.priorities[:size].max() if size else \
                self.priorities.new_tensor(1.0)
            priorities = top.expand(n)
        elif priorities.shape != (n, ):
            raise ValueError(
                'PrioritizedReplayBuffer: priorities '
                f'{tuple(priorities.shape)} do not match {n} samples')
        ps.check_finite(priorities)
        slots, ptr = ps.replacement_slots(
            self.priorities[:int(self.size)], self.capacity, n, self.replace,
            int(self.fifo_ptr), generator)
        self.fifo_ptr.fill_(ptr)
        dev = self.priorities.device
        self.images[slots.to(self.images.device)] = samples.detach().to(
            self.images)
        self.priorities[slots.to(dev)] = priorities.detach().abs().to(
            self.priorities)
        self.size.fill_(min(self.capacity, int(self.size) + n))
        self.num_pushed.add_(n)
        return slots

    def get(self, indices: torch.Tensor,
            dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Stored samples at ``indices`` as ``dtype``."""
        return self.images[indices.to(self.images.device)].to(dtype)

    # ------------------------------------------------------------- sampling
    def probabilities(self) -> torch.Tensor:
        """``P`` over the ``N`` filled slots, shape (N,)."""
        size = int(self.size)
        if size == 0:
            raise RuntimeError('PrioritizedReplayBuffer: buffer is empty')
        return ps.probabilities(self.priorities[:size], self.eps, self.alpha)

    def importance_weights(self, indices: torch.Tensor,
                           probs: Optional[torch.Tensor] = None
                           ) -> torch.Tensor:
        """Raw ``(N P)^(-beta)`` at ``indices`` (not normalised)."""
        if probs is None:
            probs = self.probabilities()
        return ps.importance_weights(probs, indices, float(self.beta))

    def normalize_weights(self, weights: torch.Tensor) -> torch.Tensor:
        """Divide raw weights by the buffer's or the batch's maximum, or by
        the batch mean (``weight_norm``)."""
        probs = self.probabilities() if self.weight_norm == 'buffer' \
            else None
        return ps.normalize_weights(weights, self.weight_norm, probs,
                                    float(self.beta))

    @torch.no_grad()
    def sample(self, n: int,
               generator: Optional[torch.Generator] = None
               ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` indices with probability ``P`` (with replacement).

        Args:
            n (int): Number of indices.
            generator (torch.Generator, optional): CPU random source; give
                every rank the same seed for rank-consistent draws.
                Defaults to None.

        Returns:
            tuple[torch.Tensor, torch.Tensor]: ``indices`` (long, on the
            buffer's device) and their raw importance weights (float).
        """
        probs = self.probabilities()
        idx = torch.multinomial(
            probs.detach().cpu(), n, replacement=True, generator=generator)
        idx = idx.to(self.priorities.device)
        return idx, self.importance_weights(idx, probs)

    @torch.no_grad()
    def update_priorities(self, indices: torch.Tensor,
                          priorities: torch.Tensor) -> None:
        """Set ``|delta|`` at ``indices``; for repeated indices the last wins.

        Args:
            indices (torch.Tensor): Slot indices, shape (n,).
            priorities (torch.Tensor): New ``delta = w_{i-1} * KL``, (n,).
        """
        if indices.shape != priorities.shape or indices.dim() != 1:
            raise ValueError(
                'PrioritizedReplayBuffer: indices '
                f'{tuple(indices.shape)} and priorities '
                f'{tuple(priorities.shape)} must be equal 1-d shapes')
        ps.check_finite(priorities)
        indices = indices.to(self.priorities.device)
        priorities = priorities.detach().to(self.priorities)
        if int(indices.max()) >= int(self.size) or int(indices.min()) < 0:
            raise IndexError(
                f'PrioritizedReplayBuffer: index out of range [0, '
                f'{int(self.size)})')
        uniq, last = ps.last_occurrence(indices)
        self.priorities[uniq] = priorities[last].abs()
