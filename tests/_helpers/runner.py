"""A tiny real mmengine Runner for hook and checkpoint tests: a linear model
on random data, a few iterations, CPU."""
import torch
from mmengine.model import BaseModel
from torch import nn

__all__ = ['ToyModel', 'toy_runner']


class ToyModel(BaseModel):
    """``loss = mean((W x)^2) * scale``; ``scale`` can be set to NaN/inf."""

    def __init__(self, width: int = 4):
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.scale = 1.0

    def forward(self, inputs, data_samples=None, mode='loss'):
        out = self.fc(inputs)
        if mode == 'loss':
            return dict(loss_toy=out.pow(2).mean() * self.scale)
        return out


def toy_runner(work_dir, max_epochs: int = 1, width: int = 4,
               samples: int = 8, **kwargs):
    """Build a Runner (default scope ``mmengine``) over ``samples`` random
    vectors, batch size 2, shuffled with the default sampler: a linear
    model, a few iterations, CPU (for hook and checkpoint tests)."""
    from mmengine.runner import Runner
    gen = torch.Generator().manual_seed(0)
    data = [dict(inputs=torch.randn(width, generator=gen))
            for _ in range(samples)]
    cfg = dict(
        model=ToyModel(width),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=data,
            batch_size=2,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmengine')
    cfg.update(kwargs)
    return Runner(**cfg)
