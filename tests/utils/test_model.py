"""unwrap_model: the wrapped model, checked, or one line naming the caller."""
import pytest
import torch
from mmengine.model import MMDistributedDataParallel

from kd_plugins.utils.model import unwrap_model


class Algo(torch.nn.Module):

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2, 2)
        self.buffer = torch.nn.Module()
        self.buffer.set_beta = lambda beta: beta

    def predict_all(self, data):
        return [data]

    @property
    def num_networks(self):
        return 2


class UnknownWrapper(torch.nn.Module):
    """A wrapper mmengine does not register (no is_model_wrapper)."""

    def __init__(self, module):
        super().__init__()
        self.module = module


def test_registered_and_unknown_wrappers_are_unwrapped():
    algo = Algo()
    ddp = MMDistributedDataParallel.__new__(MMDistributedDataParallel)
    torch.nn.Module.__init__(ddp)
    ddp.module = algo
    assert unwrap_model(ddp) is algo  # registered: always unwrapped
    assert unwrap_model(algo, ('predict_all()', )) is algo
    assert unwrap_model(UnknownWrapper(algo), ('predict_all()', )) is algo
    # without requirements an unknown wrapper is the model itself
    wrapper = UnknownWrapper(algo)
    assert unwrap_model(wrapper) is wrapper


def test_dotted_paths_properties_and_callables():
    algo = Algo()
    assert unwrap_model(algo, ('buffer.set_beta()', 'num_networks')) is algo
    with pytest.raises(TypeError) as info:
        unwrap_model(algo, ('num_networks()', 'buffer.missing', 'fc'),
                     owner='Probe')
    # num_networks is not callable; fc exists
    assert str(info.value) == ('Probe: the model Algo has no '
                               'num_networks(), buffer.missing')


def test_one_line_error_names_owner_kind_and_hint():
    with pytest.raises(TypeError) as info:
        unwrap_model(UnknownWrapper(torch.nn.Linear(2, 2)),
                     ('predict_all()', ), owner='SomeLoop',
                     kind='an OnlineDistillAlgorithm', hint='use AFD')
    assert str(info.value) == (
        'SomeLoop: the model UnknownWrapper is not an OnlineDistillAlgorithm '
        '(no predict_all()); use AFD')
