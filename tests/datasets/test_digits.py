import numpy as np
import pytest
import torch
from mmpretrain.registry import DATASETS

from kd_plugins.datasets import DigitsDataset, load_digits_arrays
from kd_plugins.datasets.digits import split_indices


def test_split_is_fixed_stratified_and_disjoint():
    images, labels = load_digits_arrays(32)
    assert images.shape == (1797, 32, 32, 3) and images.dtype == np.uint8
    assert images.max() == 255 and images.min() == 0
    assert (images[..., 0] == images[..., 2]).all()
    train, test = split_indices(labels, 0.2, seed=0)
    assert len(train) + len(test) == 1797
    assert not set(train) & set(test)
    # every class keeps ~20% of its images in the test split
    for cls in range(10):
        frac = (labels[test] == cls).sum() / (labels == cls).sum()
        assert abs(frac - 0.2) < 0.02
    again = split_indices(labels, 0.2, seed=0)
    assert (again[1] == test).all()
    assert not (split_indices(labels, 0.2, seed=1)[1] == test).all()


def test_registry_build_and_pipeline():
    train = DATASETS.build(dict(type='DigitsDataset', split='train',
                                pipeline=[dict(type='PackInputs')]))
    test = DATASETS.build(dict(type='DigitsDataset', split='test',
                               img_size=16))
    assert isinstance(train, DigitsDataset)
    assert (len(train), len(test)) == (1438, 359)
    item = train[0]
    assert item['inputs'].shape == (3, 32, 32)
    assert item['inputs'].dtype == torch.uint8
    assert 0 <= int(item['data_samples'].gt_label) < 10
    assert test[0]['img'].shape == (16, 16, 3)
    assert train.metainfo['classes'] == tuple('0123456789')
    assert len(DATASETS.build(dict(type='DigitsDataset', indices=8))) == 8


def test_bad_arguments_fail_clearly():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        DigitsDataset(split='val')
    with pytest.raises(ValueError, match='test_ratio'):
        DigitsDataset(test_ratio=1.5)
