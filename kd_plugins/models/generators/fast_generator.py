"""Fast data-free KD's generator (Fang et al., AAAI 2022)."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmrazor.registry import MODELS

__all__ = ['FastGenerator']


@MODELS.register_module()
class FastGenerator(BaseModule):
    """The generator of Fast's ``datafree/models/generator.py``.

    ``z -> Linear -> BN -> Upsample x2 -> Conv-BN-LeakyReLU(0.2) ->
    Upsample x2 -> Conv-BN-LeakyReLU(0.2) -> Conv -> Sigmoid`` (channels
    ``2 ngf, 2 ngf, ngf, out``), i.e. images in [0, 1] at ``img_size`` from
    an ``img_size / 4`` map; Fast's synthesizer then applies the dataset
    normaliser. Here the normaliser is part of the module: with ``mean`` and
    ``std`` (in the units of the data preprocessor, pixel values 0-255 by
    default) the output is ``(255 * sigmoid - mean) / std``, i.e. already in
    the space the networks see after their data preprocessor.

    Args:
        img_size (int | tuple[int, int]): Output size; divisible by 4.
            Defaults to 32.
        out_channels (int): Image channels. Defaults to 3.
        latent_dim (int): ``nz`` (Fast's scripts: 256). Defaults to 256.
        ngf (int): Base width (Fast: 64). Defaults to 64.
        mean (Sequence[float], optional): Normaliser mean per channel; None
            leaves images in [0, pixel_scale]. Defaults to None.
        std (Sequence[float], optional): Normaliser std. Defaults to None.
        pixel_scale (float): Value of a white pixel in the units of
            ``mean``/``std``. Defaults to 255.0.
        init_cfg (dict, optional): Init config. Defaults to None.
    """

    def __init__(self,
                 img_size: Union[int, Sequence[int]] = 32,
                 out_channels: int = 3,
                 latent_dim: int = 256,
                 ngf: int = 64,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 pixel_scale: float = 255.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        size = (img_size, img_size) if isinstance(img_size, int) else \
            tuple(int(s) for s in img_size)
        if len(size) != 2 or any(s % 4 for s in size):
            raise ValueError(f'FastGenerator: img_size must be one or two '
                             f'sizes divisible by 4, got {img_size}')
        if (mean is None) != (std is None):
            raise ValueError('FastGenerator: give both mean and std or none')
        self.img_size = size
        self.out_channels = out_channels
        self.latent_dim = latent_dim
        self.init_size = (size[0] // 4, size[1] // 4)
        self.l1 = nn.Linear(latent_dim,
                            ngf * 2 * self.init_size[0] * self.init_size[1])
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(ngf * 2),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(ngf * 2, ngf * 2, 3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(ngf * 2, ngf, 3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ngf, out_channels, 3, stride=1, padding=1),
            nn.Sigmoid(),
        )
        mean_t = torch.tensor(mean if mean is not None else [0.0],
                              dtype=torch.float).view(1, -1, 1, 1)
        std_t = torch.tensor(std if std is not None else [1.0],
                             dtype=torch.float).view(1, -1, 1, 1)
        self.register_buffer('mean', mean_t, persistent=False)
        self.register_buffer('std', std_t, persistent=False)
        self.pixel_scale = float(pixel_scale)

    @property
    def out_shape(self) -> Tuple[int, int, int]:
        """Shape ``(C, H, W)`` of one generated image."""
        return (self.out_channels, ) + self.img_size

    @property
    def black_level(self) -> torch.Tensor:
        """The normalised value of a black pixel, shape (C,) or (1,)."""
        return (-self.mean / self.std).flatten()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Generate normalised images ``(N, C, H, W)`` from ``(N, nz)``."""
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f'FastGenerator: latent codes must be (N, {self.latent_dim})'
                f', got {tuple(z.shape)}')
        x = self.l1(z).view(z.shape[0], -1, *self.init_size)
        img = self.conv_blocks(x)
        return (img * self.pixel_scale - self.mean) / self.std
