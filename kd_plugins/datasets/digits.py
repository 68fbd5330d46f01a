"""Scikit-learn's bundled handwritten digits as an mmpretrain dataset."""
from functools import lru_cache
from typing import List, Optional, Tuple

import numpy as np
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

__all__ = ['DigitsDataset', 'load_digits_arrays', 'fold_indices']

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


def fold_indices(labels: np.ndarray, num_folds: int, fold: int,
                 seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """Stratified, seeded k-fold split: (train, test) indices of one fold.

    Each class is shuffled with ``seed`` and dealt round-robin to the
    ``num_folds`` folds, so the folds partition ``range(len(labels))``: over
    all folds, every image is a test image exactly once.
    """
    rng = np.random.RandomState(seed)
    train, test = [], []
    for cls in np.unique(labels):
        idx = np.flatnonzero(labels == cls)
        rng.shuffle(idx)
        which = np.arange(len(idx)) % num_folds
        test.append(idx[which == fold])
        train.append(idx[which != fold])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def per_class_subset(indices: np.ndarray, labels: np.ndarray, per_class: int,
                     seed: int) -> np.ndarray:
    """At most ``per_class`` seeded random images of each class."""
    rng = np.random.RandomState(seed)
    keep = []
    for cls in np.unique(labels[indices]):
        idx = indices[labels[indices] == cls].copy()
        rng.shuffle(idx)
        keep.append(idx[:per_class])
    return np.sort(np.concatenate(keep))


@DATASETS.register_module()
class DigitsDataset(BaseDataset):
    """The 1797 real 8x8 handwritten digits bundled with scikit-learn.

    Images are upsampled to ``img_size`` x ``img_size`` with 3 identical
    channels so CIFAR models run unchanged. Nothing is downloaded. The split
    is stratified and fixed by ``seed``: with the defaults, 1438 train and
    359 test images.

    For benchmarks, ``num_folds`` switches to a stratified k-fold split
    (``fold`` is the test fold; over all folds every image is tested once),
    ``val_ratio`` carves a stratified validation split (``split='val'``) out
    of the training part, and ``train_per_class`` keeps only that many
    training images per class (a harder, few-shot variant). The test part
    never changes with ``val_ratio`` or ``train_per_class``.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        test_ratio (float): Fraction of each class held out for ``'test'``.
            Defaults to 0.2.
        seed (int): Seed of the split. Defaults to 0.
        img_size (int): Side length of the images. Defaults to 32.
        data_root (str): Unused (nothing is read from disk). Defaults to ''.
        num_folds (int): Number of stratified folds; 0 uses ``test_ratio``
            instead. Defaults to 0.
        fold (int): The test fold, in ``[0, num_folds)``. Defaults to 0.
        val_ratio (float): Fraction of each class of the training part held
            out as ``split='val'``; 0 means no validation split.
            Defaults to 0.0.
        train_per_class (int, optional): Keep at most this many training
            images per class (after the validation split is carved).
            Defaults to None (all).
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
                 num_folds: int = 0,
                 fold: int = 0,
                 val_ratio: float = 0.0,
                 train_per_class: Optional[int] = None,
                 **kwargs) -> None:
        if split not in ('train', 'test') and not (split == 'val'
                                                   and val_ratio > 0):
            raise ValueError(
                f"DigitsDataset: split must be 'train' or 'test' (or 'val' "
                f'with val_ratio > 0), got {split!r}')
        if not 0.0 < test_ratio < 1.0:
            raise ValueError('DigitsDataset: test_ratio must be in (0, 1), '
                             f'got {test_ratio}')
        if num_folds and not (num_folds >= 2 and 0 <= fold < num_folds):
            raise ValueError('DigitsDataset: need num_folds >= 2 and 0 <= '
                             f'fold < num_folds, got num_folds={num_folds}, '
                             f'fold={fold}')
        if not 0.0 <= val_ratio < 1.0:
            raise ValueError('DigitsDataset: val_ratio must be in [0, 1), '
                             f'got {val_ratio}')
        if train_per_class is not None and train_per_class < 1:
            raise ValueError('DigitsDataset: train_per_class must be >= 1, '
                             f'got {train_per_class}')
        self.num_folds = num_folds
        self.fold = fold
        self.val_ratio = val_ratio
        self.train_per_class = train_per_class
        self.split = split
        self.test_ratio = test_ratio
        self.seed = seed
        self.img_size = img_size
        kwargs.setdefault('test_mode', split == 'test')
        super().__init__(ann_file='', data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        images, labels = load_digits_arrays(self.img_size)
        chosen = self.split_indices(labels)
        return [
            dict(img=images[i].copy(), gt_label=int(labels[i]),
                 digit_idx=int(i)) for i in chosen
        ]

    def split_indices(self, labels: np.ndarray) -> np.ndarray:
        """Sorted indices (into all 1797 digits) of this dataset's split."""
        if self.num_folds:
            train_idx, test_idx = fold_indices(labels, self.num_folds,
                                               self.fold, self.seed)
        else:
            train_idx, test_idx = split_indices(labels, self.test_ratio,
                                                self.seed)
        if self.split == 'test':
            return test_idx
        val_idx = np.array([], dtype=np.int64)
        if self.val_ratio > 0:
            # relative positions inside the training part, seeded apart
            # from the test split
            rel_train, rel_val = split_indices(labels[train_idx],
                                               self.val_ratio, self.seed + 1)
            train_idx, val_idx = train_idx[rel_train], train_idx[rel_val]
        if self.split == 'val':
            return val_idx
        if self.train_per_class is not None:
            train_idx = per_class_subset(train_idx, labels,
                                         self.train_per_class, self.seed + 2)
        return train_idx

    def extra_repr(self) -> List[str]:
        return [f'Split: \t{self.split}', f'Image size: \t{self.img_size}']

    def __repr__(self) -> str:  # BaseDataset's repr needs data_root
        size = len(self) if self._fully_initialized else '?'
        return f'DigitsDataset(split={self.split!r}, num_samples={size})'
