"""SSD-KD's epoch schedule, driven by the synthetic data scale."""
import math
from typing import Dict, Optional

__all__ = ['DataScaleSchedule']


class DataScaleSchedule:
    """How much one epoch over the synthetic set synthesises and distils.

    An epoch is a synthesis phase followed by a KD phase over the memory
    (Fast's loop in ``datafree_kd.py``). With ``D = data_scale`` (the buffer
    capacity), ``B = synthesis_batch_size * world_size`` and
    ``b = kd_batch_size * world_size``:

    * epoch 0 fills the buffer: ``ceil(D / B)`` synthesis rounds;
    * every later epoch replaces ``replace_fraction * D`` images on
      average: ``floor(e r) - floor((e - 1) r)`` rounds in epoch ``e`` with
      ``r = replace_fraction * D / B`` (whole rounds, so small buffers are
      refreshed every few epochs);
    * the KD phase has ``ceil(kd_passes * D / b)`` student steps, none in
      the first ``warmup_epochs`` epochs (synthesis only, adversarial term
      off).

    So the images synthesised and the KD steps of a run, hence its time,
    are linear in ``D``. Fast's own schedule (one round per epoch, a fixed
    number of KD steps, an ever-growing memory) is given by
    ``rounds_per_epoch`` and ``kd_steps_per_epoch``.

    Args:
        data_scale (int): Buffer capacity ``D``.
        synthesis_batch_size (int): Images per round and rank.
        kd_batch_size (int): Buffer samples per KD step and rank.
        world_size (int): Number of ranks. Defaults to 1.
        replace_fraction (float): Fraction of the full buffer replaced per
            epoch. Defaults to 0.1.
        kd_passes (float): Passes over the memory per KD phase.
            Defaults to 1.0.
        warmup_epochs (int): Epochs without KD and adversarial term.
            Defaults to 1.
        rounds_per_epoch (int, optional): Fixed rounds per epoch (Fast);
            None derives them from ``D``. Defaults to None.
        kd_steps_per_epoch (int, optional): Fixed KD steps per epoch
            (Fast); None derives them from ``D``. Defaults to None.
    """

    def __init__(self,
                 data_scale: int,
                 synthesis_batch_size: int,
                 kd_batch_size: int,
                 world_size: int = 1,
                 replace_fraction: float = 0.1,
                 kd_passes: float = 1.0,
                 warmup_epochs: int = 1,
                 rounds_per_epoch: Optional[int] = None,
                 kd_steps_per_epoch: Optional[int] = None) -> None:
        if data_scale < synthesis_batch_size * world_size:
            raise ValueError(
                f'SSDKD: data_scale ({data_scale}) must be >= '
                f'synthesis_batch_size ({synthesis_batch_size}) x world size '
                f'({world_size})')
        if not 0.0 <= replace_fraction <= 1.0:
            raise ValueError(f'SSDKD: replace_fraction must be in [0, 1], '
                             f'got {replace_fraction}')
        if kd_passes <= 0 or warmup_epochs < 0:
            raise ValueError(f'SSDKD: kd_passes must be > 0 and '
                             f'warmup_epochs >= 0, got {kd_passes}, '
                             f'{warmup_epochs}')
        self.data_scale = int(data_scale)
        self.round_size = synthesis_batch_size * world_size
        self.step_size = kd_batch_size * world_size
        self.replace_fraction = replace_fraction
        self.kd_passes = kd_passes
        self.warmup_epochs = int(warmup_epochs)
        self.rounds_per_epoch = rounds_per_epoch
        self.kd_steps_per_epoch = kd_steps_per_epoch

    def rounds(self, epoch: int) -> int:
        """Synthesis rounds in ``epoch`` (0-based)."""
        if self.rounds_per_epoch is not None:
            return self.rounds_per_epoch
        if epoch == 0:
            return math.ceil(self.data_scale / self.round_size)
        r = self.replace_fraction * self.data_scale / self.round_size
        return math.floor(epoch * r + 1e-9) - math.floor((epoch - 1) * r +
                                                         1e-9)

    def kd_steps(self, epoch: int) -> int:
        """Student KD steps in ``epoch`` (0-based)."""
        if epoch < self.warmup_epochs:
            return 0
        if self.kd_steps_per_epoch is not None:
            return self.kd_steps_per_epoch
        return math.ceil(self.kd_passes * self.data_scale / self.step_size)

    def totals(self, epochs: int) -> Dict[str, int]:
        """Rounds, images synthesised and KD steps of ``epochs`` epochs."""
        rounds = sum(self.rounds(e) for e in range(epochs))
        images = rounds * self.round_size
        if self.rounds_per_epoch is None and epochs > 0:
            # the fill's last round is trimmed to the capacity
            images -= self.rounds(0) * self.round_size - self.data_scale
        return dict(
            rounds=rounds,
            images=images,
            kd_steps=sum(self.kd_steps(e) for e in range(epochs)))
