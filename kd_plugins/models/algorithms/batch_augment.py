"""Per-sample random crop (shift) and flip of an image batch."""
from typing import Optional

import torch
import torch.nn.functional as F

__all__ = ['BatchAugment']


class BatchAugment:
    """Fast's synthesis/KD augmentation: random crop with padding + flip.

    Every sample is padded by ``padding`` pixels with ``fill`` (per channel;
    e.g. the normalised value of black, as Fast pads [0, 1] images with 0)
    and cropped back to its size at a random offset (kornia/torchvision
    ``RandomCrop(size, padding)``), then flipped horizontally with
    probability 0.5. The draws come from the given CPU generator, so a view
    is reproducible; gradients flow through (synthesis uses it).

    Args:
        padding (int): Maximum shift in pixels. Defaults to 4.
        flip (bool): Random horizontal flip. Defaults to True.
    """

    def __init__(self, padding: int = 4, flip: bool = True) -> None:
        if padding < 0:
            raise ValueError(f'BatchAugment: padding must be >= 0, got '
                             f'{padding}')
        self.padding = int(padding)
        self.flip = bool(flip)

    def __call__(self,
                 x: torch.Tensor,
                 generator: torch.Generator,
                 fill: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Augment ``x`` of shape (N, C, H, W).

        Args:
            x (torch.Tensor): Images.
            generator (torch.Generator): CPU random source.
            fill (torch.Tensor, optional): Padding value per channel (C,)
                or (1,); None pads with 0. Defaults to None.

        Returns:
            torch.Tensor: The augmented batch (same shape).
        """
        n, _, h, w = x.shape
        pad = self.padding
        if pad > 0:
            padded = F.pad(x, (pad, pad, pad, pad))
            if fill is not None:
                border = torch.ones_like(x[:1, :1])
                border = 1 - F.pad(border, (pad, pad, pad, pad))
                padded = padded + border * fill.to(x).view(1, -1, 1, 1)
            oy = torch.randint(0, 2 * pad + 1, (n, ), generator=generator)
            ox = torch.randint(0, 2 * pad + 1, (n, ), generator=generator)
            rows = (oy[:, None] + torch.arange(h)).to(x.device)
            cols = (ox[:, None] + torch.arange(w)).to(x.device)
            nidx = torch.arange(n, device=x.device)[:, None, None]
            x = padded.permute(0, 2, 3, 1)[nidx, rows[:, :, None],
                                           cols[:, None, :]]
            x = x.permute(0, 3, 1, 2).contiguous()
        if self.flip:
            flip = (torch.rand(n, generator=generator) < 0.5).to(x.device)
            x = torch.where(flip[:, None, None, None], x.flip(-1), x)
        return x
