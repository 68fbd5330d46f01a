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
