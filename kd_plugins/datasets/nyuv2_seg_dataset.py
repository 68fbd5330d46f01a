"""NYUv2 13-class semantic segmentation (mmseg)."""
import os.path as osp
from typing import List, Tuple

import numpy as np
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
    ``FileNotFoundError`` naming it. With ``check_labels`` the dataset reads
    every label map once when it is built (PIL: the image's header, the
    label's pixels and a 256-bin histogram; 3-4 ms per 640x480 pair on a
    shared 2-core VM, about 3 s for the 795 train pairs) and stops with one
    ``ValueError`` line naming the first pair whose sizes differ or the
    first label file holding a value outside the classes and
    ``ignore_index`` (with the value), so values no training crop would hit
    are caught too. ``check_labels=False`` skips it.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to 'train'.
        data_root (str): The ``NYUv2`` folder. Defaults to 'data/NYUv2'.
        check_labels (bool): Check sizes and label values at build time.
            Defaults to True.
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
                 check_labels: bool = True,
                 **kwargs) -> None:
        if split not in ('train', 'test'):
            raise ValueError(
                f"NYUv2SegDataset: split must be 'train' or 'test', got "
                f'{split!r}')
        self.split = split
        self.check_labels = check_labels
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
        if self.check_labels:
            valid = len(self.metainfo['classes']) + int(self.reduce_zero_label)
            for info in data_list:
                _check_pair(info['img_path'], info['seg_map_path'], valid,
                            self.ignore_index)
        return data_list


def _size_text(size: Tuple[int, int]) -> str:
    return f'{size[0]}x{size[1]}'


def _check_pair(img_path: str, seg_path: str, num_values: int,
                ignore_index: int) -> None:
    """Raise a one-line ``ValueError`` when the label map's size differs
    from the image's, or it holds a value outside ``0..num_values-1`` and
    ``ignore_index``."""
    from PIL import Image
    with Image.open(img_path) as img:
        img_size = img.size  # the header only
    with Image.open(seg_path) as seg:
        if seg.size != img_size:
            raise ValueError(
                f'NYUv2SegDataset: image {img_path!r} is '
                f'{_size_text(img_size)} (WxH) but its label map '
                f'{seg_path!r} is {_size_text(seg.size)}')
        if seg.mode in ('L', 'P'):
            counts = seg.histogram()[:256]
            values = [v for v, n in enumerate(counts) if n]
        else:
            values = np.unique(np.asarray(seg)).tolist()
    bad = [v for v in values if not 0 <= v < num_values and v != ignore_index]
    if bad:
        raise ValueError(
            f'NYUv2SegDataset: label map {seg_path!r} holds the value '
            f'{bad[0]}' + (f' (and {len(bad) - 1} more)' if len(bad) > 1
                           else '') + f', outside the classes '
            f'0..{num_values - 1} and {ignore_index} (ignore)')
