"""random_layouts and task_targets: the task targets of inversion."""
import pytest
import torch

from kd_plugins.models.algorithms.layout_targets import (random_layouts,
                                                         task_targets)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_layouts_hold_background_and_one_to_four_other_classes():
    maps = random_layouts(64, 11, (8, 8), _gen(), background=0)
    assert maps.shape == (64, 8, 8) and maps.dtype == torch.long
    assert maps.min() >= 0 and maps.max() <= 10
    for m in maps:
        # rectangles of 2-4 cells per side on 8x8: the background stays
        # the largest class, and at most 4 other classes appear
        classes = m.unique()
        assert 0 in classes and len(classes) <= 5
        assert (m == 0).float().mean() >= 0.25
    # across maps every foreground class occurs and background dominates
    assert set(maps.unique().tolist()) == set(range(11))
    assert 0.5 < (maps == 0).float().mean() < 0.99


def test_random_background_differs_per_sample():
    maps = random_layouts(32, 5, (6, 10), _gen(1))
    assert maps.shape == (32, 6, 10)
    # the majority class is the background: more than one is used
    backgrounds = {int(m.flatten().mode().values) for m in maps}
    assert len(backgrounds) > 1


def test_same_generator_seed_same_maps():
    assert torch.equal(random_layouts(8, 4, (5, 5), _gen(3)),
                       random_layouts(8, 4, (5, 5), _gen(3)))
    assert not torch.equal(random_layouts(8, 4, (5, 5), _gen(3)),
                           random_layouts(8, 4, (5, 5), _gen(4)))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match='need >= 2 classes'):
        random_layouts(2, 1, (4, 4), _gen())
    with pytest.raises(ValueError, match='background 7 is not a class'):
        random_layouts(2, 5, (4, 4), _gen(), background=7)


def test_layout_targets_follow_the_teacher_output_size():
    t_out = torch.randn(3, 6, 4, 5)
    targets = task_targets(t_out, 'layout', _gen(), background=0)
    assert targets.shape == (3, 4, 5) and (targets == 0).any()
    with pytest.raises(ValueError, match="task_targets='layout' needs"):
        task_targets(torch.randn(3, 6), 'layout', _gen())


def test_task_target_modes():
    cls_out, seg_out = torch.randn(3, 6), torch.randn(3, 6, 4, 5)
    for out in (cls_out, seg_out):  # 'random': a class per sample / pixel
        targets = task_targets(out, 'random', _gen())
        assert targets.shape == (3, ) + tuple(out.shape[2:])
        assert targets.dtype == torch.long and 0 <= targets.min()
        assert targets.max() < 6
        assert torch.equal(targets, task_targets(out, 'random', _gen()))
    assert task_targets(cls_out, 'argmax', _gen()) is None
    assert task_targets(cls_out, 'auto', _gen()).shape == (3, )
    assert task_targets(seg_out, 'auto', _gen()) is None
