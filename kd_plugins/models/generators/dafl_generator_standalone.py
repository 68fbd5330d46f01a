"""mmrazor's DAFL generator usable without a DDP wrapper."""
from mmrazor.models.architectures.generators import DAFLGenerator
from mmrazor.registry import MODELS

__all__ = ['StandaloneDAFLGenerator']


@MODELS.register_module()
class StandaloneDAFLGenerator(DAFLGenerator):
    """:class:`DAFLGenerator` with a ``module`` property returning itself.

    mmrazor 1.0.0's ``DataFreeDistillation`` and
    ``DAFLDataFreeDistillation`` read ``self.generator.module.latent_dim``,
    which only exists when the generator is wrapped by mmengine's
    ``MMSeparateDistributedDataParallel``; single-process (and
    ``DistributedAlgorithmWrapper``) runs fail with
    ``'DAFLGenerator' object has no attribute 'module'``. This subclass is
    used by the DAFL comparison configs so mmrazor's algorithm runs
    unchanged. Arguments are those of :class:`DAFLGenerator`.
    """

    @property
    def module(self) -> 'StandaloneDAFLGenerator':
        """The generator itself (what a DDP wrapper would expose)."""
        return self
