"""SSD-KD's per-iteration synthesis schedule."""
import math
from typing import Dict, Optional

__all__ = ['SynthesisSchedule']


class SynthesisSchedule:
    """How many synthesis rounds run before each KD step.

    One training iteration is one KD step of the student; the rounds the
    schedule assigns to an iteration run first. With ``D = data_scale``
    (the buffer capacity), ``B = synthesis_batch_size * world_size``,
    ``W = warmup_rounds``, ``f = warmup_rounds_per_iter`` and
    ``k = synthesis_interval``:

    * warm-up: iterations ``0 .. ceil(W / f) - 1`` run ``f`` rounds each
      (the last one the rest of ``W``) without the adversarial term
      (Fast's warm-up); ``W = None`` means ``ceil(D / B)``, the rounds that
      fill the buffer;
    * refresh: from iteration ``I = ceil(W / f)`` on, one round every
      ``k`` iterations (``(i - I) % k == 0``), so ``B / k`` new images per
      KD step replace the lowest-priority ones once the buffer is full;
      ``k = 0`` never refreshes.

    So the data scale bounds the set (and the fill), while the distillation
    budget (``max_iters`` KD steps) and the refresh rate (``k``) are their
    own settings; a run of ``T`` iterations synthesises
    ``B * (W + ceil((T - I) / k))`` images (:meth:`totals`).

    Args:
        data_scale (int): Buffer capacity ``D``.
        synthesis_batch_size (int): Images per round and rank.
        world_size (int): Number of ranks. Defaults to 1.
        warmup_rounds (int, optional): ``W``; None fills the buffer.
            Defaults to None.
        warmup_rounds_per_iter (int): ``f``. Defaults to 1.
        synthesis_interval (int): ``k``, KD steps per refresh round.
            Defaults to 1.
    """

    def __init__(self,
                 data_scale: int,
                 synthesis_batch_size: int,
                 world_size: int = 1,
                 warmup_rounds: Optional[int] = None,
                 warmup_rounds_per_iter: int = 1,
                 synthesis_interval: int = 1) -> None:
        if data_scale < synthesis_batch_size * world_size:
            raise ValueError(
                f'SSDKD: data_scale ({data_scale}) must be >= '
                f'synthesis_batch_size ({synthesis_batch_size}) x world size '
                f'({world_size})')
        self.data_scale = int(data_scale)
        self.round_size = synthesis_batch_size * world_size
        if warmup_rounds is None:
            warmup_rounds = math.ceil(self.data_scale / self.round_size)
        for name, value, low in (
                ('warmup_rounds', warmup_rounds, 0),
                ('warmup_rounds_per_iter', warmup_rounds_per_iter, 1),
                ('synthesis_interval', synthesis_interval, 0)):
            if int(value) != value or value < low:
                raise ValueError(f'SSDKD: {name} must be an integer >= {low}'
                                 f', got {value}')
        if warmup_rounds == 0 and synthesis_interval == 0:
            raise ValueError('SSDKD: warmup_rounds=0 with '
                             'synthesis_interval=0 never synthesises')
        self.warmup_rounds = int(warmup_rounds)
        self.warmup_rounds_per_iter = int(warmup_rounds_per_iter)
        self.synthesis_interval = int(synthesis_interval)
        self.warmup_iters = math.ceil(self.warmup_rounds /
                                      self.warmup_rounds_per_iter)

    def rounds(self, it: int) -> int:
        """Synthesis rounds before the KD step of iteration ``it``."""
        if it < self.warmup_iters:
            done = it * self.warmup_rounds_per_iter
            return min(self.warmup_rounds_per_iter, self.warmup_rounds - done)
        k = self.synthesis_interval
        return int(k > 0 and (it - self.warmup_iters) % k == 0)

    def is_warmup_round(self, round_index: int) -> bool:
        """Whether round ``round_index`` (0-based) is a warm-up round."""
        return round_index < self.warmup_rounds

    def totals(self, iters: int) -> Dict[str, int]:
        """Rounds, images synthesised and KD steps of ``iters`` iterations."""
        k = self.synthesis_interval
        warm = min(self.warmup_rounds, iters * self.warmup_rounds_per_iter)
        rest = max(0, iters - self.warmup_iters)
        rounds = warm + (math.ceil(rest / k) if k else 0)
        return dict(rounds=rounds, images=rounds * self.round_size,
                    kd_steps=iters)
