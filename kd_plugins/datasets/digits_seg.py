"""DigitsSeg: an embedded semantic-segmentation task built from real digits."""
from functools import lru_cache
from typing import List, Tuple

import numpy as np
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .digits import split_indices

__all__ = ['DigitsSegDataset', 'make_canvas', 'DIGITSSEG_CLASSES']

DIGITSSEG_CLASSES = ('background', ) + tuple(str(i) for i in range(10))
DIGITSSEG_PALETTE = [[0, 0, 0], [230, 25, 75], [60, 180, 75], [255, 225, 25],
                     [0, 130, 200], [245, 130, 48], [145, 30, 180],
                     [70, 240, 240], [240, 50, 230], [210, 245, 60],
                     [250, 190, 212]]
IGNORE_INDEX = 255
# stroke coverage (0..1) above which a pixel belongs to the digit, and the
# band below it (the antialiased rim) that is ignored
FG_THRESHOLD = 0.5
RIM_THRESHOLD = 0.2


@lru_cache(maxsize=2)
def _digit_glyphs() -> Tuple[np.ndarray, np.ndarray]:
    """The 1797 original 8x8 digits as float coverage in [0, 1], labels."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    glyphs = (digits.images / 16.0).astype(np.float32)
    glyphs.setflags(write=False)
    labels = digits.target.astype(np.int64)
    labels.setflags(write=False)
    return glyphs, labels


def _background(rng: np.random.RandomState, size: int) -> np.ndarray:
    """A smooth random colour gradient plus low-frequency blotches."""
    import cv2
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    c0, c1 = rng.uniform(0, 255, (2, 3)).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    t = (np.cos(angle) * xx + np.sin(angle) * yy)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    bg = c0 * (1 - t[..., None]) + c1 * t[..., None]
    noise = rng.normal(0, 1, (4, 4, 3)).astype(np.float32)
    noise = cv2.resize(noise, (size, size), interpolation=cv2.INTER_CUBIC)
    bg = bg + noise * rng.uniform(5, 30)
    return bg


def make_canvas(rng: np.random.RandomState, pool: np.ndarray,
                size: int = 64, max_digits: int = 4,
                scale_range: Tuple[int, int] = (16, 32)
                ) -> Tuple[np.ndarray, np.ndarray, List[int]]:
    """Draw one canvas from the digits in ``pool``.

    Args:
        rng (RandomState): The sample's own random state.
        pool (np.ndarray): Indices (into the 1797 digits) to draw from.
        size (int): Canvas side. Defaults to 64.
        max_digits (int): 1..max_digits digits per canvas. Defaults to 4.
        scale_range (tuple): Min and max digit side in pixels.
            Defaults to (16, 32).

    Returns:
        tuple: ``img`` (size, size, 3) ``uint8`` RGB, ``label`` (size, size)
        ``uint8`` (0 background, 1 + digit, 255 ignore) and the indices of
        the digits drawn.
    """
    import cv2
    glyphs, labels = _digit_glyphs()
    img = _background(rng, size)
    label = np.zeros((size, size), np.uint8)
    used = []
    for _ in range(rng.randint(1, max_digits + 1)):
        idx = int(pool[rng.randint(len(pool))])
        side = int(rng.randint(scale_range[0], scale_range[1] + 1))
        cover = cv2.resize(glyphs[idx], (side, side),
                           interpolation=cv2.INTER_LINEAR)
        cover = np.clip(cover, 0, 1)
        # the label is the digit's area: its strokes grown by one original
        # pixel (a 3x3 dilation of the 8x8 glyph), so that it can be
        # resolved at output stride 8
        area = cv2.resize(cv2.dilate(glyphs[idx], np.ones((3, 3))),
                          (side, side), interpolation=cv2.INTER_LINEAR)
        area = np.clip(area, 0, 1)
        y, x = rng.randint(-side // 4, size - 3 * side // 4, size=2)
        # clip the glyph to the canvas
        y0, x0 = max(y, 0), max(x, 0)
        y1, x1 = min(y + side, size), min(x + side, size)
        patch = cover[y0 - y:y1 - y, x0 - x:x1 - x]
        zone = area[y0 - y:y1 - y, x0 - x:x1 - x]
        # stroke colour: far from the local background
        local = img[y0:y1, x0:x1].reshape(-1, 3).mean(0)
        colour = np.where(local > 127, rng.uniform(0, 60, 3),
                          rng.uniform(195, 255, 3)).astype(np.float32)
        a = patch[..., None]
        img[y0:y1, x0:x1] = img[y0:y1, x0:x1] * (1 - a) + colour * a
        region = label[y0:y1, x0:x1]
        region[zone >= RIM_THRESHOLD] = IGNORE_INDEX
        region[zone >= FG_THRESHOLD] = 1 + int(labels[idx])
        used.append(idx)
    img = img + rng.normal(0, 4, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8), label, used


@lru_cache(maxsize=8)
def _canvases(split: str, num_samples: int, size: int, seed: int,
              max_digits: int) -> Tuple[np.ndarray, np.ndarray]:
    """All canvases of a split (deterministic; cached per process)."""
    _, labels = _digit_glyphs()
    train_idx, test_idx = split_indices(labels, 0.2, 0)
    pool = train_idx if split == 'train' else test_idx
    offset = 0 if split == 'train' else 10**6
    imgs = np.empty((num_samples, size, size, 3), np.uint8)
    segs = np.empty((num_samples, size, size), np.uint8)
    for i in range(num_samples):
        rng = np.random.RandomState((seed * 7919 + offset + i) % 2**32)
        imgs[i], segs[i], _ = make_canvas(rng, pool, size, max_digits)
    imgs.setflags(write=False)
    segs.setflags(write=False)
    return imgs, segs


@DATASETS.register_module()
class DigitsSegDataset(BaseSegDataset):
    """Embedded semantic segmentation from scikit-learn's real digits.

    Each sample is a ``img_size`` x ``img_size`` RGB canvas holding one to
    ``max_digits`` upscaled real handwritten digits (16-32 px, random
    positions, possibly overlapping and cut by the border) in a contrasting
    colour over a random smooth colour background. The label map holds 0
    for background, ``1 + digit`` for the digit's pixels (11 classes) and
    255 (ignored) on the antialiased rim of every stroke.

    Train canvases use only the digits of :class:`DigitsDataset`'s default
    training split, test canvases only its test digits, so no test digit is
    ever seen in training. Sample ``i`` of a split is generated from its own
    seeded random state: the data are the same in every run and process
    without any file (generation takes about a second per 1000 canvases).
    Items carry ``img`` and ``gt_seg_map`` already, so pipelines start
    after loading (no ``LoadImageFromFile``/``LoadAnnotations``).

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to 'train'.
        num_samples (int): Canvases in the split. Defaults to 1000.
        img_size (int): Canvas side. Defaults to 64.
        max_digits (int): Most digits per canvas. Defaults to 4.
        seed (int): Seed of the canvases. Defaults to 0.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`
            (``pipeline``, ``indices``, ``test_mode``...).
    """

    METAINFO = dict(classes=DIGITSSEG_CLASSES, palette=DIGITSSEG_PALETTE)

    def __init__(self,
                 split: str = 'train',
                 num_samples: int = 1000,
                 img_size: int = 64,
                 max_digits: int = 4,
                 seed: int = 0,
                 **kwargs) -> None:
        if split not in ('train', 'test'):
            raise ValueError(
                f"DigitsSegDataset: split must be 'train' or 'test', got "
                f'{split!r}')
        if num_samples < 1 or img_size < 16 or max_digits < 1:
            raise ValueError(
                'DigitsSegDataset: need num_samples >= 1, img_size >= 16 and '
                f'max_digits >= 1, got {num_samples}, {img_size}, '
                f'{max_digits}')
        self.split = split
        self.num_samples = num_samples
        self.img_size = img_size
        self.max_digits = max_digits
        self.seed = seed
        kwargs.setdefault('test_mode', split == 'test')
        kwargs.setdefault('reduce_zero_label', False)
        kwargs.setdefault('ignore_index', IGNORE_INDEX)
        kwargs.setdefault('data_root', '')
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        imgs, segs = _canvases(self.split, self.num_samples, self.img_size,
                               self.seed, self.max_digits)
        shape = (self.img_size, self.img_size)
        return [
            dict(
                img=imgs[i].copy(),
                gt_seg_map=segs[i].copy(),
                seg_fields=['gt_seg_map'],
                img_path=f'digitsseg/{self.split}/{i:05d}.png',
                seg_map_path=f'digitsseg/{self.split}/{i:05d}_label.png',
                img_shape=shape,
                ori_shape=shape,
                reduce_zero_label=False,
                label_map=None) for i in range(self.num_samples)
        ]
