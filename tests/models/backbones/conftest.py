"""Fixtures of the CIFAR zoo backbone tests."""
import pytest
import torch
from _helpers import ZooChecks


@pytest.fixture
def zoo() -> ZooChecks:
    return ZooChecks()


@pytest.fixture(autouse=True)
def _single_torch_thread():
    """Run these small CPU models on one intra-op thread.

    On the shared 2-core machine, two OpenMP threads competing with other
    processes made this directory ~15x slower (142 s vs 8 s); the previous
    setting is restored after each test.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
