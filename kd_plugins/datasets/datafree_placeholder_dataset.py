"""Placeholder train set for data-free distillation loops."""
from typing import List, Sequence

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS

__all__ = ['DataFreePlaceholderDataset']


@DATASETS.register_module()
class DataFreePlaceholderDataset(BaseDataset):
    """Blank images that only drive a data-free training loop.

    Data-free algorithms (SSD-KD, DAFL) never look at real training images,
    but mmengine's train loops need a dataloader. Each item is a blank
    ``uint8`` image with label ``i % num_classes``; with
    ``pipeline=[dict(type='PackInputs')]`` the batches look like real ones
    for algorithms that read the batch size or pass data samples through
    (mmrazor's DAFL). Registered in mmengine's root registry, so it is found
    from every scope (mmpretrain, mmseg).

    Args:
        length (int): Number of items. Defaults to 1000.
        img_shape (Sequence[int]): ``(H, W, C)`` of the blank images.
            Defaults to (8, 8, 3).
        num_classes (int): Labels cycle through ``range(num_classes)``.
            Defaults to 10.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``pipeline``...).
    """

    METAINFO = dict(classes=None)

    def __init__(self,
                 length: int = 1000,
                 img_shape: Sequence[int] = (8, 8, 3),
                 num_classes: int = 10,
                 **kwargs) -> None:
        if length < 1:
            raise ValueError(
                f'DataFreePlaceholderDataset: length must be >= 1, got '
                f'{length}')
        self.length = int(length)
        self.img_shape = tuple(int(s) for s in img_shape)
        self.num_classes = int(num_classes)
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        img = np.zeros(self.img_shape, dtype=np.uint8)
        return [
            dict(img=img, gt_label=i % self.num_classes, sample_idx=i)
            for i in range(self.length)
        ]
