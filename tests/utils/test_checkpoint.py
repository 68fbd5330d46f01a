"""Safe, strict checkpoint loading (kd_plugins.utils.checkpoint)."""
import pickle

import pytest
import torch
from _helpers import toy_runner, write_getattr_chain, write_reduce_payload
from torch import nn

from kd_plugins.cli.teachers import (defer_teacher_checkpoints,
                                     load_deferred_teachers)
from kd_plugins.utils import UserInputError
from kd_plugins.utils.checkpoint import (CheckpointError,
                                         CheckpointMismatchError,
                                         CheckpointNotFoundError,
                                         UnsafeCheckpointError,
                                         load_checkpoint_file, load_teacher,
                                         load_weights)


@pytest.mark.parametrize('write', [write_getattr_chain, write_reduce_payload])
def test_hostile_files_are_refused_and_nothing_runs(tmp_path, write):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    write(path, marker)
    with pytest.raises(UnsafeCheckpointError) as info:
        load_checkpoint_file(path)
    assert not marker.exists()
    message = str(info.value)
    assert message.startswith(f'{path}: refused as unsafe')
    assert '\n' not in message
    # mmengine's loader (load_from, --resume, mmrazor teachers) too
    from mmengine.runner import load_checkpoint
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(nn.Linear(1, 1), str(path))
    assert not marker.exists()


def test_plain_torch_is_not_weakened(tmp_path):
    """The getattr stand-in refuses the chain under plain torch.load too."""
    write_getattr_chain(tmp_path / 'evil.pth', tmp_path / 'pwned')
    with pytest.raises(pickle.UnpicklingError, match='not allowed'):
        torch.load(tmp_path / 'evil.pth')
    assert not (tmp_path / 'pwned').exists()


def _damaged(tmp_path):
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(256)}}, good)
    data = good.read_bytes()
    files = {
        'truncated.pth': data[:len(data) // 2],
        'empty.pth': b'',
        'text.pth': b'hello, not a checkpoint\n',
        'random.pth': bytes(range(256)) * 4,
        'plain_pickle.pth': pickle.dumps({'a': 1}, protocol=4),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return sorted(files)


def test_damaged_files_give_one_line_naming_the_file(tmp_path):
    for name in _damaged(tmp_path):
        path = tmp_path / name
        with pytest.raises(CheckpointError) as info:
            load_checkpoint_file(path)
        assert not isinstance(info.value, UnsafeCheckpointError), name
        message = str(info.value)
        assert message.startswith(f'{path}: not a readable checkpoint'), \
            message
        assert '\n' not in message
    with pytest.raises(CheckpointNotFoundError, match='not found: nope'):
        load_checkpoint_file('nope.pth')
    with pytest.raises(FileNotFoundError):  # still what callers expect
        load_checkpoint_file('nope.pth')
    with pytest.raises(CheckpointError, match='is a directory'):
        load_checkpoint_file(tmp_path)
    torch.save([torch.ones(1)], tmp_path / 'list.pth')
    with pytest.raises(CheckpointError, match='holds a list'):
        load_checkpoint_file(tmp_path / 'list.pth')
    assert issubclass(CheckpointError, UserInputError)


def test_real_mmengine_checkpoint_loads_weights_only(tmp_path):
    """A checkpoint written by a real Runner (message hub with
    HistoryBuffer statistics, numpy scalars, optimizer) loads."""
    runner = toy_runner(tmp_path)
    runner.train()
    checkpoint = load_checkpoint_file(tmp_path / 'epoch_1.pth')
    hub = checkpoint['message_hub']['log_scalars']
    assert hub['train/loss_toy'].mean() > 0  # HistoryBuffer statistics work
    assert checkpoint['optimizer']['param_groups'][0]['lr'] == 0.01


class Net(nn.Module):

    def __init__(self, hidden=4, depth=1):
        super().__init__()
        self.body = nn.Sequential(*[nn.Linear(hidden, hidden)
                                    for _ in range(depth)])
        self.head = nn.Linear(hidden, 2)


def test_strict_mismatch_is_one_line_with_counts_and_keys(tmp_path):
    torch.save({'state_dict': Net(depth=1).state_dict()}, tmp_path / 'a.pth')
    with pytest.raises(CheckpointMismatchError) as info:
        load_weights(Net(depth=3), tmp_path / 'a.pth', what='teacher')
    message = str(info.value)
    assert '\n' not in message
    assert message.startswith(f'teacher {tmp_path / "a.pth"} does not match')
    assert '4 missing keys (body.1.weight, body.1.bias, body.2.weight, ...)' \
        in message
    torch.save({'state_dict': Net(hidden=8).state_dict()}, tmp_path / 'b.pth')
    with pytest.raises(CheckpointMismatchError,
                       match=r'3 shape mismatches \(body.0.weight: '
                       r'checkpoint \(8, 8\) vs model \(4, 4\)\)'):
        load_weights(Net(), tmp_path / 'b.pth')


def test_prefix_only_difference_gets_a_hint(tmp_path):
    net = Net()
    # a distillation checkpoint: the teacher's keys come first and include
    # every student key (a deeper net), yet the student prefix is named
    prefixed = {f'teacher.{k}': v
                for k, v in Net(depth=3).state_dict().items()}
    prefixed.update(
        {f'architecture.{k}': v for k, v in net.state_dict().items()})
    torch.save({'state_dict': prefixed}, tmp_path / 'algo.pth')
    with pytest.raises(CheckpointMismatchError,
                       match="carry the prefix 'architecture.'.*"
                       'extract_student.py CKPT OUT --prefix architecture'):
        load_weights(Net(), tmp_path / 'algo.pth')
    wrapped = nn.Module()
    wrapped.backbone = Net()
    torch.save({'state_dict': net.state_dict()}, tmp_path / 'bare.pth')
    with pytest.raises(CheckpointMismatchError,
                       match="lack the prefix 'backbone.'"):
        load_weights(wrapped, tmp_path / 'bare.pth')


def test_partial_load_when_not_strict(tmp_path):
    source = Net(depth=1)
    torch.save({'state_dict': source.state_dict()}, tmp_path / 'a.pth')
    target = Net(depth=2)
    load_teacher(target, tmp_path / 'a.pth', strict=False)
    assert torch.equal(target.body[0].weight, source.body[0].weight)
    assert torch.equal(target.head.bias, source.head.bias)


def test_tools_defer_teachers_and_load_them_strictly(tmp_path):
    cfg = dict(type='X', teacher_ckpt='t.pth', teacher_ckpt_strict=False,
               teachers=dict(a=dict(build_cfg={}, ckpt_path='a.pth'),
                             b=dict(build_cfg={})))
    deferred = defer_teacher_checkpoints(cfg)
    assert deferred == [('teacher', 't.pth', False),
                        ('teachers.a', 'a.pth', False)]
    assert cfg == dict(type='X', teacher_ckpt=None,
                       teachers=dict(a=dict(build_cfg={}),
                                     b=dict(build_cfg={})))
    algo = nn.Module()
    algo.teacher = Net(depth=2)
    torch.save({'state_dict': Net(depth=1).state_dict()}, tmp_path / 't.pth')
    with pytest.raises(CheckpointMismatchError,
                       match='^model.teacher_ckpt .*2 missing keys.*'
                       'set model.teacher_ckpt_strict=False'):
        load_deferred_teachers(algo, [('teacher', tmp_path / 't.pth', True)])
    load_deferred_teachers(algo, [('teacher', tmp_path / 't.pth', False)])


class ZeroingTeacher(nn.Module):
    """Not an mmengine BaseModule, but has init_weights (zeros)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def init_weights(self):
        nn.init.zeros_(self.fc.weight)


def _base_module_teacher():
    from mmengine.model import BaseModule
    teacher = BaseModule(init_cfg=dict(type='Constant', val=0, layer='Linear'))
    teacher.fc = nn.Linear(2, 2)
    return teacher


@pytest.mark.parametrize('build', [_base_module_teacher, ZeroingTeacher])
def test_a_loaded_teacher_survives_the_runners_init_weights(tmp_path, build):
    """load_teacher marks the teacher initialised through mmengine's
    ``is_init`` protocol, so the algorithm's init_weights skips it."""
    from mmengine.model import BaseModule
    source = nn.Linear(2, 2)
    torch.save({'state_dict': {f'fc.{k}': v for k, v in
                               source.state_dict().items()}},
               tmp_path / 't.pth')
    algo = BaseModule()
    algo.teacher = build()
    load_teacher(algo.teacher, tmp_path / 't.pth')
    assert algo.teacher.is_init is True
    algo.init_weights()  # what the runner does after building the model
    assert torch.equal(algo.teacher.fc.weight, source.weight)
