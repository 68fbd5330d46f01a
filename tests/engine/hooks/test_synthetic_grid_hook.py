from types import SimpleNamespace

import numpy as np
import pytest
import torch
from _helpers import ssdkd_optim_wrappers, tiny_ssdkd

from kd_plugins.engine.hooks import SyntheticGridHook
from kd_plugins.engine.hooks.synthetic_grid_hook import image_grid


class _Visualizer:

    def __init__(self):
        self.images = []

    def add_image(self, name, image, step=0):
        self.images.append((name, image, step))


def _runner(model, it, max_iters=10):
    return SimpleNamespace(model=model, iter=it, max_iters=max_iters,
                           visualizer=_Visualizer())


def test_grid_tiles_the_buffer_images_every_interval_and_at_the_end():
    algo = tiny_ssdkd(data_scale=8)
    ow = ssdkd_optim_wrappers(algo)
    hook = SyntheticGridHook(interval=2, num_images=6, nrow=4)
    runner = _runner(algo, 1)
    hook.after_train_iter(runner, 0)
    hook.after_train(runner)  # empty buffer: nothing to draw
    assert runner.visualizer.images == []
    algo.train_step(None, ow)  # one round: 4 images
    algo.train_step(None, ow)  # 8 images
    for it in (0, 1, 2, 3):  # runner.iter before the runner counts it
        runner.iter = it
        hook.after_train_iter(runner, it)
    steps = [s for _, _, s in runner.visualizer.images]
    assert steps == [2, 4]  # after the 2nd and the 4th iteration
    runner.iter = 4
    hook.after_train(runner)
    name, grid, step = runner.visualizer.images[-1]
    assert name == 'synthetic' and step == 4
    # 6 tiles of 16 px, 4 per row: 2 rows, padding 2
    assert grid.dtype == np.uint8 and grid.shape == (2 + 2 * 18, 2 + 4 * 18, 3)
    tile = grid[2:18, 2:18]
    assert tile.max() > tile.min()  # an image, not a blank tile


def test_image_grid_places_tiles_row_major():
    tiles = torch.stack([torch.full((2, 2, 3), v, dtype=torch.uint8)
                         for v in (10, 20, 30)])
    g = image_grid(tiles, nrow=2, pad=1)
    assert g.shape == (1 + 2 * 3, 1 + 2 * 3, 3)
    assert g[1, 1, 0] == 10 and g[1, 4, 0] == 20 and g[4, 1, 0] == 30
    assert g[4, 4, 0] == 255  # the empty slot stays white


def test_grid_hook_rejects_bad_args_and_models():
    with pytest.raises(ValueError, match='interval'):
        SyntheticGridHook(interval=-1)
    hook = SyntheticGridHook()
    with pytest.raises(Exception, match='SyntheticGridHook'):
        hook.after_train(_runner(torch.nn.Linear(2, 2), 1))
