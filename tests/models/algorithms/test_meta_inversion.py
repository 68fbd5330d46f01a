import copy

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from kd_plugins.models.algorithms.meta_inversion import meta_invert


def _loss_terms(x):
    return dict(loss=(x - 1.0).pow(2).mean())


def test_first_order_maml_sums_the_clone_gradients_and_keeps_best():
    torch.manual_seed(0)
    gen = nn.Linear(3, 2)
    z = torch.randn(4, 3, requires_grad=True)
    # reference: the clone's two inner steps, by hand
    ref, z_ref = copy.deepcopy(gen), z.detach().clone().requires_grad_(True)
    inner = torch.optim.Adam([dict(params=[z_ref], lr=0.1),
                              dict(params=list(ref.parameters()))],
                             lr=0.05, betas=(0.5, 0.999))
    summed = [torch.zeros_like(p) for p in gen.parameters()]
    losses = []
    for _ in range(2):
        inner.zero_grad()
        loss = _loss_terms(ref(z_ref))['loss']
        losses.append(loss.item())
        loss.backward()
        for s, p in zip(summed, ref.parameters()):
            s += p.grad
        inner.step()
    before = [p.detach().clone() for p in gen.parameters()]
    seen = []
    meta = torch.optim.SGD(gen.parameters(), lr=1.0)
    ow = OptimWrapper(meta)
    step = ow.step
    ow.step = lambda: seen.append([p.grad.clone() for p in
                                   gen.parameters()]) or step()
    x, logs = meta_invert(gen, z, _loss_terms, ow, steps=2,
                          generator_lr=0.05, latent_lr=0.1)
    assert len(seen) == 1  # one meta step per round
    for g, s in zip(seen[0], summed):
        assert torch.allclose(g, s, atol=1e-6)
    for p, b, s in zip(gen.parameters(), before, summed):
        assert torch.allclose(p, b - s, atol=1e-6)  # SGD lr 1
    # the kept batch is the lower-loss one, its loss is reported
    assert logs['loss'].item() == min(losses)
    assert torch.allclose(z, z_ref)  # the latents took the same steps


def test_without_meta_learning_the_generator_trains_directly():
    torch.manual_seed(0)
    gen = nn.Linear(3, 2)
    z = torch.randn(4, 3, requires_grad=True)
    before = gen.weight.detach().clone()
    steps = []
    ow = OptimWrapper(torch.optim.SGD(gen.parameters(), lr=0.1))
    step = ow.step
    ow.step = lambda: steps.append(1) or step()
    _, logs = meta_invert(gen, z, _loss_terms, ow, steps=3,
                          generator_lr=0.05, latent_lr=0.0,
                          meta_learning=False, keep='last')
    assert len(steps) == 3 and not torch.equal(before, gen.weight)
