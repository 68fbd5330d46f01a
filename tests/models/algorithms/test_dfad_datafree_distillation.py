"""DFADDataFreeDistillation: the authors' min-max iteration."""
import pytest
import torch
import torch.nn.functional as F
from _helpers import changed, snapshot, ssdkd_classifier, ssdkd_optim_wrappers
from mmrazor.registry import MODELS


def tiny_dfad(**kwargs):
    torch.manual_seed(0)
    cfg = dict(
        type='DFADDataFreeDistillation',
        architecture=ssdkd_classifier(),
        teacher=ssdkd_classifier(),
        generator=dict(type='SSDKDGenerator', img_size=16, latent_dim=8,
                       hidden_channels=16, num_blocks=2),
        batch_size=4,
        student_steps=2)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_discrepancy_is_mean_absolute_logit_difference():
    algo = tiny_dfad()
    algo.eval()
    x = torch.randn(3, 3, 16, 16)
    t = algo.teacher(x, None, mode='tensor')
    s = algo.student(x, None, mode='tensor')
    assert torch.allclose(algo.discrepancy(x), (s - t).abs().mean())


def test_train_step_updates_student_and_generator_not_teacher():
    algo = tiny_dfad()
    wrappers = ssdkd_optim_wrappers(algo)
    before = {n: snapshot(getattr(algo, n))
              for n in ('teacher', 'generator', 'architecture')}
    logs = algo.train_step(None, wrappers)
    assert not changed(before['teacher'], algo.teacher)
    assert changed(before['generator'], algo.generator)
    assert changed(before['architecture'], algo.architecture)
    assert set(logs) == {'loss', 'loss_generator'}
    # the generator loss is -log(1 + L1) of a positive discrepancy
    assert logs['loss_generator'] < 0 and logs['loss'] > 0
    assert int(algo.num_steps) == 1


def test_generator_step_ascends_the_discrepancy():
    """The generator's gradient is that of -log(1 + L1(S, T)): a small step
    along it raises the discrepancy on the same latents."""
    algo = tiny_dfad()
    algo.train()
    z = torch.randn(4, 8)
    gen = algo.generator
    x = gen(z)
    t = algo.teacher(x, None, mode='tensor')
    s = algo.student(x, None, mode='tensor')
    loss = -torch.log1p(F.l1_loss(s, t))
    grads = torch.autograd.grad(loss, list(gen.parameters()))
    with torch.no_grad():
        before = F.l1_loss(algo.student(gen(z), None, mode='tensor'),
                           algo.teacher(gen(z), None, mode='tensor'))
        for p, g in zip(gen.parameters(), grads):
            p -= 1e-2 * g
        after = F.l1_loss(algo.student(gen(z), None, mode='tensor'),
                          algo.teacher(gen(z), None, mode='tensor'))
    assert after > before


def test_same_seed_same_run_other_seed_differs():
    runs = []
    for seed in (0, 0, 1):
        algo = tiny_dfad(seed=seed)
        wrappers = ssdkd_optim_wrappers(algo)
        for _ in range(2):
            algo.train_step(None, wrappers)
        runs.append(torch.cat([p.detach().flatten()
                               for p in algo.student.parameters()]))
    assert torch.equal(runs[0], runs[1])
    assert not torch.equal(runs[0], runs[2])


def test_config_errors():
    with pytest.raises(ValueError, match='student_steps must be >= 1'):
        tiny_dfad(student_steps=0)
    algo = tiny_dfad()
    with pytest.raises(KeyError, match="no 'generator' entry"):
        algo.train_step(None, dict(architecture=None))
