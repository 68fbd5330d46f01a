"""The digits AFD config through the real mmengine Runner.

2 training iterations (alternating scheme), per-network validation metrics,
schedulers on every optimizer, resume restoring all networks,
discriminators, every optimizer (net{k}, adv{k}, discriminators) and the
pairing, and one network extracted with tools/extract_student.py into a
stock mmpretrain model.
"""
import pytest
import torch
from _helpers import (DIGITS_TWO_ITERS, REPO_ROOT, build_runner, read_scalars,
                      run_tool, tiny_config)
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

CFG = REPO_ROOT / 'configs' / 'afd' / 'afd_resnet8x2_digits.py'
STUDENT_CFG = REPO_ROOT / 'configs' / 'demo' / 'student_resnet8_digits.py'


def tiny_cfg(work_dir, name, max_epochs=1):
    return tiny_config(
        CFG, work_dir,
        dict(DIGITS_TWO_ITERS, **{
            'train_cfg.max_epochs': max_epochs,
            # the real Adam lr is too small to see one step in a test
            'optim_wrapper.discriminators.optimizer.lr': 1e-2,
            'optim_wrapper.adversarial.optimizer.lr': 1e-2,
        }),
        experiment_name=name)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('afd_digits')
    runner = build_runner(tiny_cfg(work_dir, 'afd_train'))
    init = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    # the config's cosine schedule drives every optimizer
    keys = ['adv0', 'adv1', 'discriminators', 'net0', 'net1']
    assert sorted(runner.param_schedulers) == keys
    for key in keys:
        (sched, ) = runner.param_schedulers[key]
        assert type(sched).__name__ == 'CosineAnnealingLR'
        assert sched.optimizer is runner.optim_wrapper[key]
        lr = 0.05 if key.startswith('net') else 1e-2
        assert sched.base_values == [lr], key
        assert sched.T_max == 8 and sched.by_epoch
    return work_dir, init


def test_two_iterations_log_every_network_and_discriminator(trained):
    work_dir, init = trained
    logs = read_scalars(work_dir)
    train = [r for r in logs if 'disc.loss' in r]
    assert [r['iter'] for r in train] == [1, 2]
    for r in train:
        for k in (0, 1):
            for key in ('loss_cls', 'loss_kl', 'loss_adv'):
                assert r[f'net{k}.{key}'] >= 0
            assert 0 <= r[f'disc{k}.acc'] <= 1  # from train_step's log vars
            assert f'disc{k}.loss' in r
    val = [r for r in logs if 'best/accuracy/top1' in r]
    assert len(val) == 1
    v = val[0]
    assert v['best/accuracy/top1'] == max(v['net0/accuracy/top1'],
                                          v['net1/accuracy/top1'])
    state = torch.load(work_dir / 'epoch_1.pth', map_location='cpu')
    for key in ('networks.0.backbone.conv1.weight',
                'networks.1.head.fc.weight',
                'discriminators.0.layers.0.weight',
                'discriminators.1.layers.3.weight'):
        assert not torch.equal(state['state_dict'][key], init[key]), key
    assert state['state_dict']['feature_peers'].tolist() == [1, 0]
    assert sorted(state['optimizer']) == [
        'adv0', 'adv1', 'discriminators', 'net0', 'net1'
    ]
    for key in state['optimizer']:
        assert state['optimizer'][key]['state'], key  # every one stepped


def _assert_nested_equal(a, b, path='optimizer'):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _assert_nested_equal(a[key], b[key], f'{path}.{key}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_nested_equal(x, y, f'{path}[{i}]')
    elif torch.is_tensor(a):
        assert torch.equal(a, b), path
    else:
        assert a == b, path


def test_resume_restores_networks_discriminators_and_optimizers(
        trained, tmp_path):
    work_dir, _ = trained
    ckpt_path = work_dir / 'epoch_1.pth'
    ckpt = torch.load(ckpt_path, map_location='cpu')
    cfg = tiny_cfg(tmp_path, 'afd_resume', max_epochs=2)
    cfg.resume = True
    cfg.load_from = str(ckpt_path)
    runner = build_runner(cfg)
    state = runner.model.state_dict()
    assert any(not torch.equal(state[k], v)
               for k, v in ckpt['state_dict'].items())
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.load_or_resume()
    assert runner.iter == 2 and runner.epoch == 1
    state = runner.model.state_dict()
    assert state.keys() == ckpt['state_dict'].keys()
    for key, value in ckpt['state_dict'].items():
        assert torch.equal(state[key], value), key
    assert runner.model.get_pairing() == ([1, 0], [[1], [0]])
    restored = runner.optim_wrapper.state_dict()
    assert sorted(restored) == sorted(ckpt['optimizer'])
    _assert_nested_equal(restored, ckpt['optimizer'])
    assert ckpt['optimizer']['net0']['state'], 'no momentum saved'
    assert ckpt['optimizer']['adv1']['state'], 'no Adam state saved'
    runner.train()  # continues with epoch 2
    second = torch.load(tmp_path / 'epoch_2.pth', map_location='cpu')
    assert (second['meta']['epoch'], second['meta']['iter']) == (2, 4)


def test_extract_one_network_into_a_stock_classifier(trained, tmp_path):
    work_dir, _ = trained
    ckpt_path = work_dir / 'epoch_1.pth'
    out = tmp_path / 'net1.pth'
    proc = run_tool('extract_student.py', ckpt_path, out, '--network', '1')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "prefix 'networks.1.'" in proc.stdout
    from mmengine.registry import MODELS
    algo_cfg = Config.fromfile(CFG)
    algo_cfg.model.data_preprocessor = algo_cfg.data_preprocessor
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        algo = MODELS.build(algo_cfg.model)
        stock = MODELS.build(Config.fromfile(STUDENT_CFG).model)
    load_checkpoint(algo, str(ckpt_path), strict=True)
    load_checkpoint(stock, str(out), strict=True)
    algo.eval()
    stock.eval()
    x = torch.randn(2, 3, 32, 32)
    expected = algo.networks[1](x, mode='tensor')
    torch.testing.assert_close(stock(x, mode='tensor'), expected,
                               rtol=0, atol=0)
    assert not torch.equal(algo.networks[0](x, mode='tensor'), expected)
