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


def _digit_ids(ds):
    return [ds.get_data_info(i)['digit_idx'] for i in range(len(ds))]


def test_folds_test_every_image_once_and_val_is_carved_from_train():
    tested = []
    for fold in range(3):
        test = _digit_ids(DigitsDataset(split='test', num_folds=3,
                                        fold=fold))
        train = _digit_ids(DigitsDataset(split='train', num_folds=3,
                                         fold=fold))
        assert not set(test) & set(train)
        assert len(test) + len(train) == 1797
        train_v = _digit_ids(DigitsDataset(split='train', num_folds=3,
                                           fold=fold, val_ratio=0.25))
        val = _digit_ids(DigitsDataset(split='val', num_folds=3, fold=fold,
                                       val_ratio=0.25))
        # the validation split comes out of the training part only
        assert sorted(train_v + val) == sorted(train)
        assert abs(len(val) / len(train) - 0.25) < 0.02
        tested += test
    assert sorted(tested) == list(range(1797))


def test_train_per_class_keeps_the_test_split():
    _, labels = load_digits_arrays(32)
    few = _digit_ids(DigitsDataset(split='train', num_folds=5,
                                   train_per_class=7))
    assert len(few) == 70
    assert np.bincount(labels[few], minlength=10).tolist() == [7] * 10
    full = _digit_ids(DigitsDataset(split='train', num_folds=5))
    assert set(few) <= set(full)
    assert _digit_ids(DigitsDataset(split='test', num_folds=5,
                                    train_per_class=7)) == \
        _digit_ids(DigitsDataset(split='test', num_folds=5))


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_folds=1), 'num_folds >= 2'),
    (dict(num_folds=5, fold=5), 'fold < num_folds'),
    (dict(val_ratio=1.0), 'val_ratio'),
    (dict(train_per_class=0), 'train_per_class'),
])
def test_bad_fold_arguments_fail_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DigitsDataset(**kwargs)
