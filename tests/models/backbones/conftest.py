"""Shared checks for the CIFAR zoo backbone tests (the ``zoo`` fixture)."""
from typing import Sequence, Tuple

import mmpretrain.models  # noqa: F401,E402
import pytest
import torch
from mmpretrain.registry import MODELS  # noqa: E402

# kd_plugins first: compat layer + registration before mmpretrain.models
import kd_plugins  # noqa: F401


class ZooChecks:
    """Helpers used by every ``test_cifar_*.py`` file."""

    @staticmethod
    def build(name: str, **kwargs) -> torch.nn.Module:
        return MODELS.build(dict(type=name, **kwargs))

    @staticmethod
    def count_with_linear(name: str, num_classes: int = 100) -> int:
        """Parameters of backbone + ``nn.Linear(out_channels[-1], 100)``."""
        backbone = MODELS.build(dict(type=name))
        fc = torch.nn.Linear(backbone.out_channels[-1], num_classes)
        return sum(p.numel() for p in backbone.parameters()) + sum(
            p.numel() for p in fc.parameters())

    @staticmethod
    def all_stage_shapes(name: str, **kwargs) -> Tuple[Tuple[int, ...], ...]:
        """Output shapes of every stage for a 2x3x32x32 input (eval mode)."""
        backbone = MODELS.build(dict(type=name, **kwargs))
        num = len(backbone.out_channels)
        backbone = MODELS.build(
            dict(type=name, out_indices=tuple(range(num)), **kwargs))
        backbone.eval()
        with torch.no_grad():
            feats = backbone(torch.randn(2, 3, 32, 32))
        assert isinstance(feats, tuple) and len(feats) == num
        for i, feat in enumerate(feats):
            assert feat.shape[1] == backbone.out_channels[i], (
                f'{name}: stage {i} has {feat.shape[1]} channels but '
                f'out_channels[{i}] = {backbone.out_channels[i]}')
        return tuple(tuple(f.shape) for f in feats)

    @staticmethod
    def check_out_indices(name: str, indices: Sequence[int]) -> None:
        """Selected stages equal the corresponding entries of all stages."""
        torch.manual_seed(0)
        full = MODELS.build(dict(type=name))
        num = len(full.out_channels)
        full = MODELS.build(dict(type=name, out_indices=tuple(range(num))))
        part = MODELS.build(dict(type=name, out_indices=tuple(indices)))
        part.load_state_dict(full.state_dict())
        full.eval()
        part.eval()
        x = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            all_feats = full(x)
            feats = part(x)
        assert len(feats) == len(indices)
        for idx, feat in zip(indices, feats):
            torch.testing.assert_close(feat, all_feats[idx])

    @staticmethod
    def check_bad_out_indices(name: str, num_stages: int) -> None:
        for bad in (num_stages, -num_stages - 1, (), (0, 1.5), 'last'):
            with pytest.raises(ValueError, match='out_indices'):
                MODELS.build(dict(type=name, out_indices=bad))


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
