import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmseg.registry import DATASETS

from kd_plugins.datasets import DigitsSegDataset
from kd_plugins.datasets.digits import split_indices
from kd_plugins.datasets.digits_seg import _digit_glyphs, make_canvas


def test_canvases_are_deterministic_and_labelled():
    a = DigitsSegDataset(split='train', num_samples=6)
    b = DigitsSegDataset(split='train', num_samples=6)
    t = DigitsSegDataset(split='test', num_samples=6)
    for i in range(6):
        ia, ib = a.get_data_info(i), b.get_data_info(i)
        assert ia['img'].shape == (64, 64, 3) and ia['img'].dtype == np.uint8
        assert np.array_equal(ia['img'], ib['img'])
        assert np.array_equal(ia['gt_seg_map'], ib['gt_seg_map'])
        assert not np.array_equal(ia['img'], t.get_data_info(i)['img'])
        values = set(np.unique(ia['gt_seg_map']).tolist())
        assert values <= set(range(11)) | {255} and 0 in values
        assert values - {0, 255}, 'every canvas holds at least one digit'
    assert len(a.metainfo['classes']) == 11


def test_labels_follow_the_drawn_digits_from_the_pool_only():
    _, labels = _digit_glyphs()
    train, test = split_indices(labels, 0.2, 0)
    for seed in range(20):
        img, seg, used = make_canvas(np.random.RandomState(seed), test,
                                     max_digits=1)
        assert len(used) == 1 and used[0] in set(test)
        fg = set(np.unique(seg).tolist()) - {0, 255}
        # one digit: its class (it may be cut by the border, never absent
        # unless entirely ignored)
        assert fg <= {1 + int(labels[used[0]])}
    for seed in range(20):
        _, _, used = make_canvas(np.random.RandomState(seed), train)
        assert set(used) <= set(train) and 1 <= len(used) <= 4


def test_registry_build_pipeline_and_bad_split():
    with DefaultScope.overwrite_default_scope('mmseg'):
        ds = DATASETS.build(
            dict(type='DigitsSegDataset', split='test', num_samples=3,
                 pipeline=[dict(type='PackSegInputs')]))
        item = ds[0]
    assert item['inputs'].shape == (3, 64, 64)
    gt = item['data_samples'].gt_sem_seg.data
    assert gt.shape == (1, 64, 64) and gt.dtype == torch.int64
    assert torch.equal(gt[0].to(torch.uint8),
                       torch.from_numpy(ds.get_data_info(0)['gt_seg_map']))
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        DigitsSegDataset(split='val')
