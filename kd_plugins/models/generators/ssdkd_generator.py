"""Generator for data-free distillation (SSD-KD, after Fast data-free KD)."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmrazor.registry import MODELS

__all__ = ['SSDKDGenerator']


def _pair(size: Union[int, Sequence[int]]) -> Tuple[int, int]:
    if isinstance(size, int):
        return size, size
    size = tuple(int(s) for s in size)
    if len(size) != 2:
        raise ValueError(
            f'SSDKDGenerator: img_size must be an int or (h, w), got {size}')
    return size


@MODELS.register_module()
class SSDKDGenerator(BaseModule):
    """Lighter generator: ``z -> fc -> upsample-conv blocks -> plain BN``.

    A variant of Fast's generator (:class:`FastGenerator` is the faithful
    one): any number of upsampling blocks (for large segmentation crops)
    and, instead of Fast's Sigmoid + dataset normaliser, a final
    affine-free BatchNorm. A linear layer maps the latent code to a
    ``hidden_channels x h0 x w0`` map (``h0 = h / 2**num_blocks``),
    followed by ``num_blocks`` blocks of nearest upsampling x2, 3x3 conv,
    BN and LeakyReLU, a 3x3 conv to ``out_channels`` and a final
    affine-free BatchNorm (no tanh). The output
    is therefore roughly standardised, i.e. already in the "normalised image"
    space the networks are fed after their data preprocessor.

    Channels halve in every block after the first (``hidden_channels``,
    ``hidden_channels // 2``, ...), never below ``min_channels``.

    Args:
        img_size (int | tuple[int, int]): Output size ``s`` or ``(h, w)``;
            non-square sizes are allowed (segmentation). Both must be
            divisible by ``2 ** num_blocks``. Defaults to 32.
        out_channels (int): Image channels. Defaults to 3.
        latent_dim (int): Size ``nz`` of the latent code. Defaults to 256.
        hidden_channels (int): Channels after the linear layer.
            Defaults to 128.
        num_blocks (int): Number of upsample-conv blocks. Defaults to 3.
        min_channels (int): Lower bound for the block widths. Defaults to 16.
        leaky_slope (float): LeakyReLU slope. Defaults to 0.2.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 img_size: Union[int, Sequence[int]] = 32,
                 out_channels: int = 3,
                 latent_dim: int = 256,
                 hidden_channels: int = 128,
                 num_blocks: int = 3,
                 min_channels: int = 16,
                 leaky_slope: float = 0.2,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.img_size = _pair(img_size)
        factor = 2**num_blocks
        if any(s % factor for s in self.img_size):
            raise ValueError(
                f'SSDKDGenerator: img_size {self.img_size} is not divisible '
                f'by 2**num_blocks = {factor}')
        self.out_channels = out_channels
        self.latent_dim = latent_dim
        self.hidden_channels = hidden_channels
        self.num_blocks = num_blocks
        self.init_size = (self.img_size[0] // factor,
                          self.img_size[1] // factor)

        self.fc = nn.Linear(latent_dim,
                            hidden_channels * self.init_size[0] *
                            self.init_size[1])
        layers = [nn.BatchNorm2d(hidden_channels)]
        in_ch = hidden_channels
        for i in range(num_blocks):
            out_ch = max(min_channels, hidden_channels // (2**i))
            layers += [
                nn.Upsample(scale_factor=2, mode='nearest'),
                nn.Conv2d(in_ch, out_ch, 3, padding=1, bias=False),
                nn.BatchNorm2d(out_ch),
                nn.LeakyReLU(leaky_slope, inplace=True),
            ]
            in_ch = out_ch
        layers += [
            nn.Conv2d(in_ch, out_channels, 3, padding=1),
            nn.BatchNorm2d(out_channels, affine=False),
        ]
        self.blocks = nn.Sequential(*layers)

    @property
    def out_shape(self) -> Tuple[int, int, int]:
        """Shape ``(C, H, W)`` of one generated image."""
        return (self.out_channels, ) + self.img_size

    def sample_latent(self,
                      batch_size: int,
                      generator: Optional[torch.Generator] = None
                      ) -> torch.Tensor:
        """Draw ``batch_size`` latent codes from N(0, I) on this device.

        Args:
            batch_size (int): Number of codes.
            generator (torch.Generator, optional): Random source (on the
                module's device). Defaults to None.

        Returns:
            torch.Tensor: Codes of shape ``(batch_size, latent_dim)``.
        """
        device = self.fc.weight.device
        return torch.randn(
            batch_size, self.latent_dim, device=device, generator=generator)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Generate images.

        Args:
            z (torch.Tensor): Latent codes of shape ``(N, latent_dim)``.

        Returns:
            torch.Tensor: Images of shape ``(N, C, H, W)``.
        """
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f'SSDKDGenerator: latent codes must be (N, {self.latent_dim})'
                f', got {tuple(z.shape)}')
        x = self.fc(z).view(z.shape[0], self.hidden_channels,
                            *self.init_size)
        return self.blocks(x)
