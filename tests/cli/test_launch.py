"""Launch preparation of the tools (kd_plugins.cli.launch): a GPU
user's ``--launcher pytorch`` path (nccl) needs no config edit, the CPU
path switches to gloo, and both say so in one line."""
import copy

import pytest
import torch
import torch.distributed as dist
from _helpers import REPO_ROOT, load_script
from mmengine.config import Config

from kd_plugins.cli import launch as distributed
from kd_plugins.cli.config_loading import load_config
from kd_plugins.cli.launch import prepare_distributed
from kd_plugins.cli.run import ToolState
from kd_plugins.cli.runner import prepare_config

AFD = 'configs/afd/afd_resnet8x2_digits.py'
SSDKD = 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'
KD = 'configs/demo/kd_resnet20_resnet8_digits.py'


@pytest.fixture
def logged(monkeypatch):
    lines = []
    monkeypatch.setattr(distributed, 'print_log',
                        lambda msg, logger=None: lines.append(msg))
    return lines


@pytest.fixture
def cuda(monkeypatch):
    """A GPU machine, in a process started by torchrun (its environment;
    without it ``--launcher pytorch`` is refused, see
    ``tests/tools/test_tool_errors.py::test_launcher_pytorch_without_torchrun``
    )."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    for name, value in dict(RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1',
                            MASTER_PORT='29500').items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)


def train_config(*argv):
    """The config ``tools/train.py ARGV`` gives the Runner."""
    tool = load_script('tools/train.py', '_kd_tool_train')
    args = tool.parse_args(list(argv))
    return prepare_config(args, tool.merge_args, tool.TRAIN_SECTIONS,
                          ToolState())


def test_gpu_launch_of_afd_keeps_nccl_and_averages(cuda, logged, tmp_path):
    cfg = train_config(str(REPO_ROOT / AFD), '--launcher', 'pytorch',
                       '--work-dir', str(tmp_path))
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'
    assert cfg.model_wrapper_cfg == dict(
        type='mmrazor.DistributedAlgorithmWrapper')
    keys = ['networks', 'adversarial', 'discriminators']
    assert [cfg.optim_wrapper[k].type for k in keys] == [
        'mmrazor.DistributedOptimWrapper'] * 3
    assert not dist.is_initialized()  # the Runner initialises nccl
    assert logged == [
        'Distributed GPU run: optim_wrapper.adversarial, '
        'optim_wrapper.discriminators, optim_wrapper.networks -> '
        'Distributed*OptimWrapper'
    ]


def test_gpu_launch_with_amp_selects_the_amp_variant(cuda, logged, tmp_path):
    teacher = tmp_path / 'teacher.pth'
    teacher.touch()
    cfg = train_config(str(REPO_ROOT / SSDKD), '--launcher', 'pytorch',
                       '--amp', '--work-dir', str(tmp_path),
                       '--cfg-options', f'model.teacher_ckpt={teacher}')
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'
    wrappers = [w for w in cfg.optim_wrapper.values() if isinstance(w, dict)]
    assert len(wrappers) == 2
    for wrapper in wrappers:
        assert wrapper.type == 'mmrazor.DistributedAmpOptimWrapper'
        assert wrapper.loss_scale == 'dynamic'
    assert len(logged) == 1


def test_gpu_launch_with_ddp_changes_nothing(cuda, logged):
    cfg = load_config(str(REPO_ROOT / KD))
    before = copy.deepcopy(cfg.to_dict())
    assert not prepare_distributed(cfg, 'pytorch')
    assert cfg.to_dict() == before and logged == []


def test_no_launcher_changes_nothing(no_cuda, logged):
    cfg = load_config(str(REPO_ROOT / AFD))
    before = copy.deepcopy(cfg.to_dict())
    assert not prepare_distributed(cfg, 'none')
    assert cfg.to_dict() == before and logged == []


def test_cpu_launch_switches_backend_and_wrapper(no_cuda, logged):
    cfg = load_config(str(REPO_ROOT / KD))
    assert 'model_wrapper_cfg' not in cfg
    # slurm: the process group is left to the Runner (nothing to join here)
    assert prepare_distributed(cfg, 'slurm')
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg.type == 'mmrazor.DistributedAlgorithmWrapper'
    assert cfg.optim_wrapper.type == 'mmrazor.DistributedOptimWrapper'
    assert logged == [
        'Distributed CPU (no CUDA) run: backend gloo; model wrapper '
        'mmrazor.DistributedAlgorithmWrapper; optim_wrapper -> '
        'Distributed*OptimWrapper'
    ]


def test_cpu_launch_of_ddp_type_wrappers_drops_the_gpu_id(no_cuda, logged):
    # mmrazor's DAFL/DFAD/ZSKT configs; DDP averages by itself, so the
    # optim wrappers stay as they are
    optim_wrapper = dict(
        constructor='mmrazor.SeparateOptimWrapperConstructor',
        architecture=dict(optimizer=dict(type='SGD', lr=0.1)),
        generator=dict(type='OptimWrapper',
                       optimizer=dict(type='SGD', lr=0.1)))
    cfg = Config(dict(
        model_wrapper_cfg=dict(
            type='mmengine.MMSeparateDistributedDataParallel',
            broadcast_buffers=False),
        optim_wrapper=copy.deepcopy(optim_wrapper)))
    assert prepare_distributed(cfg, 'mpi')
    assert cfg.model_wrapper_cfg.device_ids is None
    assert cfg.optim_wrapper.to_dict() == optim_wrapper
    assert logged == ['Distributed CPU (no CUDA) run: backend gloo; '
                      'model_wrapper_cfg.device_ids=None']


def test_only_plain_and_amp_optim_wrappers_are_replaced():
    cfg = Config(dict(optim_wrapper=dict(
        constructor='Custom',
        a=dict(type='mmengine.AmpOptimWrapper', optimizer=dict(type='SGD')),
        b=dict(type='ApexOptimWrapper', optimizer=dict(type='SGD')),
        c=dict(type='mmrazor.DistributedOptimWrapper',
               optimizer=dict(type='SGD')),
        paramwise=dict(norm_decay_mult=0.0))))
    assert distributed.use_averaging_optim_wrappers(cfg) == [
        'optim_wrapper.a'
    ]
    assert cfg.optim_wrapper.a.type == 'mmrazor.DistributedAmpOptimWrapper'
    assert cfg.optim_wrapper.b.type == 'ApexOptimWrapper'
    assert 'type' not in cfg.optim_wrapper.paramwise
