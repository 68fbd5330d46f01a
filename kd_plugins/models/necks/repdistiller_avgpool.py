"""Average-pooling neck that pools exactly as RepDistiller's CIFAR models.

RepDistiller/CRD (github.com/HobbitLong/RepDistiller, ``models/*.py``) ends
the CIFAR ResNets with ``nn.AvgPool2d(8)``, the WRNs with
``F.avg_pool2d(out, 8)`` and ShuffleNetV1/V2 with ``F.avg_pool2d(out, 4)``.
For 32x32 inputs that window covers the whole final map, so the result
equals mmpretrain's ``GlobalAveragePooling`` (``AdaptiveAvgPool2d(1)``)
mathematically, but the two kernels sum in a different order: logits
differed by float32 rounding (up to 3e-7 relative). This neck calls the
same op with the same kernel (``nn.AvgPool2d(k)`` is ``F.avg_pool2d(x, k)``:
stride k, no padding), so checkpoints converted with
``tools/convert_repdistiller_ckpt.py`` give bit-identical logits.
"""
from typing import Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.registry import MODELS


@MODELS.register_module()
class RepDistillerAvgPool(nn.Module):
    """``F.avg_pool2d(x, kernel_size)`` then flatten, as RepDistiller does.

    The window must cover the whole map (a 1x1 result), as in the original,
    whose classifier would otherwise get the wrong number of features. For
    other input sizes use mmpretrain's ``GlobalAveragePooling``.

    Args:
        kernel_size (int): Pooling window (and stride), the constant in the
            RepDistiller model file: 8 for ResNet/WRN, 4 for ShuffleNetV1/V2.
            Defaults to 8.
    """

    def __init__(self, kernel_size: int = 8):
        super().__init__()
        self.kernel_size = int(kernel_size)
        # ``gap``, as in GlobalAveragePooling, so feature recorders on
        # ``neck.gap`` (TeKAP feature configs, DAFL) work with either neck;
        # nn.AvgPool2d(k) is RepDistiller's op, F.avg_pool2d(x, k).
        self.gap = nn.AvgPool2d(self.kernel_size)

    def init_weights(self):
        pass

    def _pool(self, x: torch.Tensor) -> torch.Tensor:
        out = self.gap(x)
        if out.shape[-2:] != (1, 1):
            raise ValueError(
                f'RepDistillerAvgPool(kernel_size={self.kernel_size}) needs a '
                f'{self.kernel_size}x{self.kernel_size} feature map (32x32 '
                f'input), got {tuple(x.shape[-2:])}; use '
                "neck=dict(type='GlobalAveragePooling') for other sizes")
        return out.view(x.size(0), -1)

    def forward(
        self, inputs: Union[torch.Tensor, Tuple[torch.Tensor, ...]]
    ) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        """Pool a map or each map of a tuple (as ``GlobalAveragePooling``)."""
        if isinstance(inputs, tuple):
            return tuple(self._pool(x) for x in inputs)
        if isinstance(inputs, torch.Tensor):
            return self._pool(inputs)
        raise TypeError('neck inputs should be tuple or torch.tensor')
