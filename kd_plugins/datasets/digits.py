"""Scikit-learn's bundled handwritten digits as an mmpretrain dataset."""
from functools import lru_cache
from typing import List, Tuple

import numpy as np
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

__all__ = ['DigitsDataset', 'load_digits_arrays']

DIGITS_CLASSES = tuple(str(i) for i in range(10))


@lru_cache(maxsize=4)
def load_digits_arrays(img_size: int = 32) -> Tuple[np.ndarray, np.ndarray]:
    """Load all 1797 digits as upsampled RGB ``uint8`` images.

    Args:
        img_size (int): Output side length; the 8x8 originals are resized
            bilinearly. Defaults to 32.

    Returns:
        tuple: ``images`` of shape (1797, img_size, img_size, 3), ``uint8``
        in [0, 255], and ``labels`` of shape (1797,), ``int64``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError(
            'DigitsDataset needs scikit-learn: pip install -e ".[demo]"'
        ) from e
    import cv2
    digits = load_digits()
    # Pixel values are 0..16 in the original data.
    small = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    images = np.stack([
        cv2.resize(img, (img_size, img_size), interpolation=cv2.INTER_LINEAR)
        for img in small
    ])
    images = np.repeat(images[..., None], 3, axis=-1)
    images.setflags(write=False)
    labels = digits.target.astype(np.int64)
    labels.setflags(write=False)
    return images, labels


def split_indices(labels: np.ndarray, test_ratio: float,
                  seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """Stratified, seeded train/test split of ``range(len(labels))``."""
    rng = np.random.RandomState(seed)
    train, test = [], []
    for cls in np.unique(labels):
        idx = np.flatnonzero(labels == cls)
        rng.shuffle(idx)
        n_test = int(round(len(idx) * test_ratio))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


@DATASETS.register_module()
class DigitsDataset(BaseDataset):
    """The 1797 real 8x8 handwritten digits bundled with scikit-learn.

    Images are upsampled to ``img_size`` x ``img_size`` with 3 identical
    channels so CIFAR models run unchanged. Nothing is downloaded. The split
    is stratified and fixed by ``seed``: with the defaults, 1437 train and
    360 test images.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        test_ratio (float): Fraction of each class held out for ``'test'``.
            Defaults to 0.2.
        seed (int): Seed of the split. Defaults to 0.
        img_size (int): Side length of the images. Defaults to 32.
        **kwargs: Passed to :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``indices``, ``test_mode``...).
    """

    METAINFO = {'classes': DIGITS_CLASSES}

    def __init__(self,
                 split: str = 'train',
                 test_ratio: float = 0.2,
                 seed: int = 0,
                 img_size: int = 32,
                 data_root: str = '',
                 **kwargs) -> None:
        if split not in ('train', 'test'):
            raise ValueError(
                f"DigitsDataset: split must be 'train' or 'test', got "
                f'{split!r}')
        if not 0.0 < test_ratio < 1.0:
            raise ValueError('DigitsDataset: test_ratio must be in (0, 1), '
                             f'got {test_ratio}')
        self.split = split
        self.test_ratio = test_ratio
        self.seed = seed
        self.img_size = img_size
        kwargs.setdefault('test_mode', split == 'test')
        super().__init__(ann_file='', data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        images, labels = load_digits_arrays(self.img_size)
        train_idx, test_idx = split_indices(labels, self.test_ratio,
                                            self.seed)
        chosen = train_idx if self.split == 'train' else test_idx
        return [
            dict(img=images[i].copy(), gt_label=int(labels[i]),
                 sample_idx=int(i)) for i in chosen
        ]

    def extra_repr(self) -> List[str]:
        return [f'Split: \t{self.split}', f'Image size: \t{self.img_size}']

    def __repr__(self) -> str:  # BaseDataset's repr needs data_root
        return (f'DigitsDataset(split={self.split!r}, '
                f'num_samples={len(self) if self._fully_initialized else "?"})')


