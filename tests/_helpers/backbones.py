"""Checks shared by the CIFAR zoo backbone tests (the ``zoo`` fixture of
``tests/models/backbones/conftest.py``)."""
from typing import Sequence, Tuple

import mmpretrain.models  # noqa: F401  (registers mmpretrain's models)
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

__all__ = ['ZooChecks']

Shape = Tuple[int, ...]


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
    def all_stage_shapes(name: str, **kwargs) -> Tuple[Shape, ...]:
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

    @classmethod
    def check_stages(cls, name: str, shapes: Sequence[Shape]):
        """``out_channels`` and every stage's output shape (2x3x32x32 input)
        are ``shapes``; the default backbone returns one output, the last
        stage's. Returns the default backbone and that output."""
        backbone = cls.build(name)
        assert backbone.out_channels == [s[1] for s in shapes]
        out = backbone(torch.randn(2, 3, 32, 32))
        assert isinstance(out, tuple) and len(out) == 1
        assert out[0].shape == shapes[-1]
        assert cls.all_stage_shapes(name) == tuple(map(tuple, shapes))
        return backbone, out[0]

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

    @staticmethod
    def preact_outputs(name: str, num_stages: int):
        """Every stage of ``name`` with and without ``preact=True`` (same
        weights, eval mode, one 2x3x32x32 input). Returns the post-activation
        backbone and both feature tuples ``(f_post, f_pre)``."""
        torch.manual_seed(0)
        indices = tuple(range(num_stages))
        post = MODELS.build(dict(type=name, out_indices=indices))
        pre = MODELS.build(dict(type=name, out_indices=indices, preact=True))
        pre.load_state_dict(post.state_dict())
        post.eval()
        pre.eval()
        x = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            return post, post(x), pre(x)

    @classmethod
    def check_preact_is_pre_relu(cls, name: str, num_stages: int,
                                 stages: Sequence[int]):
        """Stage 0 (the stem) is the same with and without ``preact``; each
        of ``stages`` has negative pre-activations whose ReLU is the normal
        output. Returns :meth:`preact_outputs`' result."""
        post, f_post, f_pre = cls.preact_outputs(name, num_stages)
        torch.testing.assert_close(f_pre[0], f_post[0])
        for i in stages:
            assert (f_pre[i] < 0).any()
            torch.testing.assert_close(F.relu(f_pre[i]), f_post[i])
        return post, f_post, f_pre
