from mmrazor.registry import LOOPS

from kd_plugins.engine.loops import OnlineDistillValLoop


def test_combine_orders_best_first_and_prefixes_networks():
    per_net = [{'accuracy/top1': 50.0, 'accuracy/top5': 90.0},
               {'accuracy/top1': 70.0, 'accuracy/top5': 80.0}]
    metrics = OnlineDistillValLoop.combine(per_net)
    assert list(metrics) == [
        'best/accuracy/top1', 'best/accuracy/top5', 'net0/accuracy/top1',
        'net0/accuracy/top5', 'net1/accuracy/top1', 'net1/accuracy/top5'
    ]
    assert metrics['best/accuracy/top1'] == 70.0
    assert metrics['best/accuracy/top5'] == 90.0  # best per metric
    assert metrics['net0/accuracy/top1'] == 50.0
    less = OnlineDistillValLoop.combine(per_net, best_rule='less')
    assert less['best/accuracy/top1'] == 50.0


def test_non_numeric_metrics_get_no_best_entry():
    per_net = [{'acc': 1.0, 'confusion': [1, 2]},
               {'acc': 2.0, 'confusion': [3, 4]}]
    metrics = OnlineDistillValLoop.combine(per_net)
    assert 'best/confusion' not in metrics and metrics['best/acc'] == 2.0
    assert metrics['net1/confusion'] == [3, 4]


def test_registered():
    assert LOOPS.get('OnlineDistillValLoop') is OnlineDistillValLoop
    assert LOOPS.get('OnlineDistillTestLoop').__name__ == \
        'OnlineDistillTestLoop'


def test_rejects_models_that_are_not_online_distill_algorithms():
    from types import SimpleNamespace

    import pytest
    import torch
    loop = OnlineDistillValLoop.__new__(OnlineDistillValLoop)
    loop._runner = SimpleNamespace(model=torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match='not an OnlineDistillAlgorithm'):
        loop._setup_networks([], 'greater')
