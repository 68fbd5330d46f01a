"""Runner hook writing a grid of a data-free run's synthetic images."""
from typing import Optional

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmrazor.registry import HOOKS

from kd_plugins.utils.model import unwrap_model

__all__ = ['SyntheticGridHook', 'image_grid']


def _to_uint8(x: torch.Tensor, generator: torch.nn.Module) -> torch.Tensor:
    """Normalised images ``(N, C, H, W)`` -> uint8 RGB ``(N, H, W, 3)``.

    A generator with ``mean``/``std``/``pixel_scale`` (``FastGenerator``) is
    inverted exactly; otherwise the batch is stretched to its own range.
    """
    x = x.detach().float().cpu()
    if hasattr(generator, 'mean') and hasattr(generator, 'pixel_scale'):
        x = (x * generator.std.cpu() + generator.mean.cpu()) / \
            generator.pixel_scale
    else:
        lo, hi = x.amin(), x.amax()
        x = (x - lo) / (hi - lo).clamp_min(1e-8)
    x = x.clamp(0, 1)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    return (x[:, :3] * 255).round().to(torch.uint8).permute(0, 2, 3, 1)


def _palette(num_classes: int) -> torch.Tensor:
    """A fixed colour per class (class 0 black), uint8 ``(K, 3)``."""
    gen = torch.Generator().manual_seed(0)
    colours = torch.randint(40, 256, (max(num_classes, 1), 3), generator=gen)
    colours[0] = 0
    return colours.to(torch.uint8)


def image_grid(images: torch.Tensor, nrow: int, pad: int = 2) -> np.ndarray:
    """Tile uint8 ``(N, H, W, 3)`` images into one ``(H', W', 3)`` array."""
    n, h, w, c = images.shape
    ncol = min(nrow, n)
    rows = -(-n // ncol)
    grid = torch.full((rows * (h + pad) + pad, ncol * (w + pad) + pad, c),
                      255, dtype=torch.uint8)
    for i in range(n):
        r, q = divmod(i, ncol)
        y, x = pad + r * (h + pad), pad + q * (w + pad)
        grid[y:y + h, x:x + w] = images[i]
    return grid.numpy()


@HOOKS.register_module()
class SyntheticGridHook(Hook):
    """Write a grid of the replay buffer's images through the visualizer.

    Every ``interval`` training iterations and after the last one, the first
    ``num_images`` images of the algorithm's ``replay_buffer`` are tiled
    (``nrow`` per row) and given to ``runner.visualizer.add_image`` as
    ``synthetic`` at the current iteration, so every visualizer backend
    (``LocalVisBackend``: ``<work_dir>/<timestamp>/vis_data/vis_image/
    synthetic_<iter>.png``; TensorBoard, W&B) receives it. For segmentation
    teachers (logits ``(N, K, h, w)``) each image is followed by the
    teacher's argmax mask on it, one colour per class (class 0 black).
    The hook only reads the model, on rank 0 only.

    Config: ``custom_hooks=[dict(type='mmrazor.SyntheticGridHook',
    interval=100)]``.

    Args:
        interval (int): Iterations between grids; 0 writes only the final
            one. Defaults to 100.
        num_images (int): Images per grid. Defaults to 32.
        nrow (int): Tiles per row (images and masks count separately).
            Defaults to 8.
        name (str): Image name for the visualizer. Defaults to 'synthetic'.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 100,
                 num_images: int = 32,
                 nrow: int = 8,
                 name: str = 'synthetic') -> None:
        if interval < 0 or num_images < 1 or nrow < 1:
            raise ValueError(
                'SyntheticGridHook: need interval >= 0, num_images >= 1 '
                f'and nrow >= 1, got {interval}, {num_images}, {nrow}')
        self.interval = interval
        self.num_images = num_images
        self.nrow = nrow
        self.name = name

    def grid(self, model: torch.nn.Module) -> Optional[np.ndarray]:
        """The grid of ``model``'s buffer as uint8 RGB, None when empty."""
        buf = model.replay_buffer
        n = min(self.num_images, len(buf))
        if n == 0:
            return None
        x = buf.get(torch.arange(n))
        tiles = _to_uint8(x, model.generator)
        with torch.no_grad():
            device = next(model.teacher.parameters()).device
            out = model.teacher(x.to(device), None, mode='tensor')
        out = out[-1] if isinstance(out, (tuple, list)) else out
        if out.dim() == 4:  # segmentation: image, then the teacher's mask
            mask = out.argmax(1).cpu()
            mask = torch.nn.functional.interpolate(
                mask[:, None].float(), size=tiles.shape[1:3],
                mode='nearest')[:, 0].long()
            coloured = _palette(out.shape[1])[mask]
            tiles = torch.stack([tiles, coloured], 1).flatten(0, 1)
        return image_grid(tiles, self.nrow)

    def _write(self, runner, step: Optional[int] = None) -> None:
        if not is_main_process():  # the visualizer writes on rank 0 only
            return
        model = unwrap_model(runner.model, required=('replay_buffer',
                                                     'generator', 'teacher'),
                             owner='SyntheticGridHook',
                             hint='use it with SSDKDDataFreeDistillation')
        grid = self.grid(model)
        if grid is not None:
            runner.visualizer.add_image(
                self.name, grid,
                step=runner.iter if step is None else step)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Write a grid every ``interval`` iterations."""
        done = runner.iter + 1  # the runner counts this one after the hooks
        if self.interval and done % self.interval == 0 and \
                done < runner.max_iters:
            self._write(runner, done)

    def after_train(self, runner) -> None:
        """Write the final grid."""
        self._write(runner)
