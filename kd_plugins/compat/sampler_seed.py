"""Runtime helper: give a built train sampler the resumed run's seed.

What it fixes: mmengine's resume restores the checkpoint's seed into the
runner (``Runner.resume`` -> ``set_randomness``), but the train dataloader's
sampler was built before, with the new run's seed, and samplers have no
setter. Used by :class:`kd_plugins.engine.hooks.RandomStateHook`.

How it detects the need: the hook calls it after loading a checkpoint that
carries a sampler seed.

When to delete: when mmengine's samplers offer a seed setter (or its resume
restores the sampler's seed).
"""

__all__ = ['set_sampler_seed']


def set_sampler_seed(sampler, seed: int) -> None:
    """Give a built sampler (mmengine ``DefaultSampler``-like, with a
    ``seed`` attribute) another seed.

    Args:
        sampler: The sampler.
        seed (int): The seed to shuffle with from now on.
    """
    sampler.seed = seed
