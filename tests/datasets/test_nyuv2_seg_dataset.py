import pytest
from _helpers import write_tiny_nyuv2
from mmseg.registry import DATASETS

from kd_plugins.datasets import DataFreePlaceholderDataset, NYUv2SegDataset


def test_layout_classes_and_pipeline(tmp_path):
    root = write_tiny_nyuv2(tmp_path / 'NYUv2')
    ds = DATASETS.build(
        dict(type='NYUv2SegDataset', _scope_='mmseg', data_root=str(root),
             split='test',
             pipeline=[dict(type='LoadImageFromFile'),
                       dict(type='LoadAnnotations'),
                       dict(type='PackSegInputs')]))
    assert isinstance(ds, NYUv2SegDataset) and len(ds) == 2
    assert len(ds.metainfo['classes']) == 13
    assert ds.metainfo['classes'][0] == 'bed'
    assert ds.get_data_info(1)['img_path'].endswith('image/test/00001.png')
    sample = ds[0]
    seg = sample['data_samples'].gt_sem_seg.data
    assert tuple(seg.shape) == (1, 48, 64)
    assert set(seg.unique().tolist()) <= set(range(13)) | {255}
    assert ds.ignore_index == 255
    train = NYUv2SegDataset(data_root=str(root), split='train')
    assert len(train) == 3


def test_missing_root_and_label_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='image/train'):
        NYUv2SegDataset(data_root=str(tmp_path / 'nowhere'))
    root = write_tiny_nyuv2(tmp_path / 'NYUv2')
    (root / 'seg13' / 'test' / '00001.png').unlink()
    with pytest.raises(FileNotFoundError, match='00001.png'):
        NYUv2SegDataset(data_root=str(root), split='test')
    with pytest.raises(ValueError, match='split'):
        NYUv2SegDataset(data_root=str(root), split='val')


def test_placeholder_dataset():
    ds = DataFreePlaceholderDataset(length=5, img_shape=(4, 4, 3),
                                    num_classes=3)
    assert len(ds) == 5
    assert ds[4]['gt_label'] == 1 and ds[4]['img'].shape == (4, 4, 3)
    with pytest.raises(ValueError, match='length'):
        DataFreePlaceholderDataset(length=0)
    # found from the mmseg and mmpretrain scopes (root registry)
    from mmpretrain.registry import DATASETS as PRETRAIN_DATASETS
    assert DATASETS.get('DataFreePlaceholderDataset') is \
        PRETRAIN_DATASETS.get('DataFreePlaceholderDataset')


def _rewrite(path, array):
    import cv2
    assert cv2.imwrite(str(path), array)


def test_image_and_label_sizes_must_match(tmp_path):
    """Was: ``IndexError: The shape of the mask [48, 64] ... does not match
    ... [20, 30]`` deep in a transform, the file pair never named."""
    import numpy as np
    root = write_tiny_nyuv2(tmp_path / 'NYUv2')
    img = root / 'image' / 'train' / '00002.png'
    _rewrite(img, np.zeros((20, 30, 3), np.uint8))
    seg = root / 'seg13' / 'train' / '00002.png'
    with pytest.raises(ValueError) as info:
        NYUv2SegDataset(data_root=str(root), split='train')
    assert str(info.value) == (
        f"NYUv2SegDataset: image '{img}' is 30x20 (WxH) but its label map "
        f"'{seg}' is 64x48")
    assert len(NYUv2SegDataset(data_root=str(root), split='train',
                               check_labels=False)) == 3


def test_label_values_outside_the_classes_are_named(tmp_path):
    """Was: trained and validated with exit 0 (and a meaningless mIoU) when
    no crop hit the value, ``IndexError: Target 50 is out of bounds`` when
    one did. One pixel of value 50 (and one of 13) in one file is found."""
    import cv2
    root = write_tiny_nyuv2(tmp_path / 'NYUv2')
    seg = root / 'seg13' / 'test' / '00001.png'
    labels = cv2.imread(str(seg), cv2.IMREAD_UNCHANGED)
    labels[47, 63], labels[0, 63] = 50, 13
    _rewrite(seg, labels)
    assert len(NYUv2SegDataset(data_root=str(root), split='train')) == 3
    with pytest.raises(ValueError) as info:
        NYUv2SegDataset(data_root=str(root), split='test')
    assert str(info.value) == (
        f"NYUv2SegDataset: label map '{seg}' holds the value 13 (and 1 more)"
        ', outside the classes 0..12 and 255 (ignore)')
    # a palette ('P') label map is read by its indices, as mmseg does
    from PIL import Image
    Image.fromarray(labels).convert('P').save(seg)
    with pytest.raises(ValueError, match='holds the value 13'):
        NYUv2SegDataset(data_root=str(root), split='test')
    labels[labels > 12] = 255
    _rewrite(seg, labels)
    assert len(NYUv2SegDataset(data_root=str(root), split='test')) == 2
