"""NYUv2 13-class semantic segmentation (mmseg)."""
import os.path as osp
from typing import List

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

__all__ = ['NYUv2SegDataset', 'NYUV2_13_CLASSES']

NYUV2_13_CLASSES = ('bed', 'books', 'ceiling', 'chair', 'floor', 'furniture',
                    'objects', 'picture', 'sofa', 'table', 'tv', 'wall',
                    'window')


@DATASETS.register_module()
class NYUv2SegDataset(BaseSegDataset):
    """NYUv2 with the 13-class labels used by DFAD / SSD-KD.

    Layout (the common one, 795 train / 654 test images)::

        data_root/
            image/{train,test}/%05d.png     RGB images
            seg13/{train,test}/%05d.png     labels 0..12, 255 = ignore

    ``split`` fills ``data_prefix`` when it is not given explicitly.
    mmsegmentation's own ``NYUDataset`` is the depth task and does not fit.
    A missing image/label directory or label file is a one-line
    ``FileNotFoundError`` naming it.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to 'train'.
        data_root (str): The ``NYUv2`` folder. Defaults to 'data/NYUv2'.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`
            (``pipeline``, ``data_prefix``, ``indices``...).
    """

    METAINFO = dict(
        classes=NYUV2_13_CLASSES,
        palette=[[0, 0, 128], [0, 128, 0], [128, 0, 0], [0, 128, 128],
                 [128, 0, 128], [128, 128, 0], [64, 64, 64], [0, 0, 255],
                 [0, 255, 0], [255, 0, 0], [0, 255, 255], [255, 0, 255],
                 [255, 255, 0]])

    def __init__(self,
                 split: str = 'train',
                 data_root: str = 'data/NYUv2',
                 **kwargs) -> None:
        if split not in ('train', 'test'):
            raise ValueError(
                f"NYUv2SegDataset: split must be 'train' or 'test', got "
                f'{split!r}')
        self.split = split
        kwargs.setdefault(
            'data_prefix',
            dict(img_path=f'image/{split}', seg_map_path=f'seg13/{split}'))
        kwargs.setdefault('img_suffix', '.png')
        kwargs.setdefault('seg_map_suffix', '.png')
        kwargs.setdefault('reduce_zero_label', False)
        kwargs.setdefault('ignore_index', 255)
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        """List image/label pairs, checking that they exist."""
        for key in ('img_path', 'seg_map_path'):
            path = self.data_prefix.get(key)
            if not path or not osp.isdir(path):
                raise FileNotFoundError(
                    f'NYUv2SegDataset: directory {path!r} ({key}) does not '
                    'exist; expected <data_root>/{image,seg13}/{train,test}/'
                    '%05d.png')
        data_list = super().load_data_list()
        if not data_list:
            raise FileNotFoundError(
                f'NYUv2SegDataset: no {self.img_suffix} images in '
                f"{self.data_prefix['img_path']!r}")
        for info in data_list:
            if not osp.isfile(info['seg_map_path']):
                raise FileNotFoundError(
                    f'NYUv2SegDataset: label file {info["seg_map_path"]!r} '
                    f'is missing for {info["img_path"]!r}')
        return data_list
