import copy

import pytest
import torch
from _helpers import changed, snapshot, ssdkd_optim_wrappers, tiny_ssdkd

from kd_plugins.models.algorithms import SSDKDDataFreeDistillation
from kd_plugins.models.algorithms.batch_augment import BatchAugment
from kd_plugins.models.algorithms.synthesis_schedule import SynthesisSchedule
from kd_plugins.models.losses import per_sample_kl


def test_per_sample_kl_values():
    s = torch.tensor([[0.0, 1.0], [2.0, 0.0]])
    t = torch.tensor([[1.0, 0.0], [2.0, 0.0]])
    p_t = t.softmax(1)
    expected = (p_t * (p_t.log() - s.log_softmax(1))).sum(1)
    assert torch.allclose(per_sample_kl(s, t), expected, atol=1e-6)
    assert per_sample_kl(s, t)[1] == pytest.approx(0.0, abs=1e-7)
    # segmentation: mean over pixels, student resized to the teacher
    seg = per_sample_kl(torch.zeros(2, 3, 2, 2), torch.zeros(2, 3, 4, 4))
    assert seg.shape == (2, ) and torch.allclose(seg, torch.zeros(2))


@pytest.mark.parametrize('meta', [True, False])
def test_generator_round_leaves_student_untouched(meta):
    algo = tiny_ssdkd(meta_learning=meta, warmup_rounds=0)
    ow = ssdkd_optim_wrappers(algo)
    student, teacher, gen = (snapshot(algo.student), snapshot(algo.teacher),
                             snapshot(algo.generator))
    algo.student.train()
    logs = algo.synthesize(ow['generator'])
    # no gradient, no weight change, no BN statistics update in the student
    assert all(p.grad is None for p in algo.student.parameters())
    assert changed(student, algo.student) == []
    assert all(p.requires_grad for p in algo.student.parameters())
    assert algo.student.training  # mode restored
    assert changed(teacher, algo.teacher) == []
    assert any('fc.weight' in k for k in changed(gen, algo.generator))
    assert set(logs) == {'loss_bn', 'loss_task', 'loss_adv', 'loss'}
    buf = algo.replay_buffer
    assert len(buf) == 4 and int(algo.num_rounds) == 1
    assert (buf.priorities[:4] > 0).all()  # initial delta = KL(T||S) > 0
    assert bool(algo.bn_loss.mmt_ready)  # BN statistics momentum started


def test_one_meta_step_per_round():
    """First-order MAML: one generator (meta) step per synthesis round."""
    algo = tiny_ssdkd(generator_steps=3, synthesis_augment=None)
    grads = []
    ow = ssdkd_optim_wrappers(algo)
    inner_step = ow['generator'].step

    def record():
        grads.append([p.grad.clone() for p in algo.generator.parameters()])
        inner_step()
    ow['generator'].step = record
    before = snapshot(algo.generator)
    algo.synthesize(ow['generator'])
    assert len(grads) == 1  # one meta step per round
    assert changed(before, algo.generator)


def test_warmup_round_has_no_adversarial_term_and_keeps_best_batch():
    algo = tiny_ssdkd(generator_steps=3)
    ow = ssdkd_optim_wrappers(algo)
    seen = []
    algo.replay_buffer.push = lambda x, p, generator=None: seen.append(x)
    logs = algo.synthesize(ow['generator'])  # round 0 < warmup_rounds 2
    assert 'loss_adv' not in logs
    assert logs['loss'].item() > 0 and seen[0].shape == (4, 3, 16, 16)


def test_student_step_scales_gradients_by_normalised_weights():
    algo = tiny_ssdkd(distill_loss=dict(type='PerSampleKLLoss', tau=2.0,
                                        loss_weight=0.5),
                      kd_augment=None)
    ow = ssdkd_optim_wrappers(algo)
    algo.synthesize(ow['generator'])
    algo.synthesize(ow['generator'])
    buf = algo.replay_buffer
    idx = torch.tensor([0, 1, 1, 3])
    w_raw = torch.tensor([1.0, 2.0, 2.0, 4.0])
    buf.sample = lambda n, g=None: (idx, w_raw)
    buf.normalize_weights = lambda w: w / 4.0
    x = buf.get(idx)
    ref = copy.deepcopy(algo.student).train()
    with torch.no_grad():
        t = algo.teacher(x, None, mode='tensor')
    kl_eval = algo.priority_kl(x, t)  # eval-mode KL before the step
    loss = 0.5 * 4.0 * ((w_raw / 4.0) * per_sample_kl(
        ref(x, None, mode='tensor'), t, 2.0)).mean()
    loss.backward()
    gen_before = snapshot(algo.generator)
    algo.distill_student(ow['architecture'])
    # the SGD step equals the step of the explicitly weighted loss
    sgd = torch.optim.SGD(ref.parameters(), lr=0.1)
    sgd.step()
    for (n, p_ref), p in zip(ref.named_parameters(),
                             algo.student.parameters()):
        assert torch.allclose(p_ref, p, atol=1e-6), n
    assert changed(gen_before, algo.generator) == []
    # delta = raw w * KL (last duplicate wins), student in eval mode
    expect = w_raw * kl_eval
    assert torch.allclose(buf.priorities[idx[[0, 2, 3]]], expect[[0, 2, 3]],
                          atol=1e-5)


def test_priorities_use_the_same_student_mode():
    algo = tiny_ssdkd(warmup_rounds=0)
    ow = ssdkd_optim_wrappers(algo)
    modes = []
    algo.priority_kl_orig = algo.priority_kl

    def spy(x, t_out=None):
        handle = algo.student.register_forward_hook(
            lambda m, i, o: modes.append(m.training))
        try:
            return algo.priority_kl_orig(x, t_out)
        finally:
            handle.remove()
    algo.priority_kl = spy
    algo.student.train()
    algo.train_step(None, ow)  # initial (push) and updated (KD) priorities
    assert len(modes) >= 2 and modes == [False] * len(modes)
    assert algo.student.training


def test_schedule_arithmetic():
    # fill: ceil(100 / 10) = 10 warm-up rounds, 4 per iteration
    s = SynthesisSchedule(100, synthesis_batch_size=10,
                          warmup_rounds_per_iter=4, synthesis_interval=3)
    assert s.warmup_rounds == 10 and s.warmup_iters == 3
    assert [s.rounds(i) for i in range(10)] == [4, 4, 2, 1, 0, 0, 1, 0, 0, 1]
    assert [s.is_warmup_round(r) for r in (0, 9, 10)] == [True, True, False]
    for iters in range(1, 12):
        t = s.totals(iters)
        rounds = sum(s.rounds(i) for i in range(iters))
        assert t == dict(rounds=rounds, images=10 * rounds, kd_steps=iters)
    # images synthesised: the fill (linear in the data scale) plus the
    # refresh (B / k per KD step), at a fixed distillation budget
    for scale in (100, 200, 400):
        t = SynthesisSchedule(scale, 10, synthesis_interval=4).totals(500)
        fill = scale // 10
        assert t['images'] == 10 * (fill + -(-(500 - fill) // 4))
    # world size multiplies the images per round
    s2 = SynthesisSchedule(100, 10, world_size=2)
    assert s2.warmup_rounds == 5 and s2.round_size == 20
    # no refresh after the fill; Fast's warm-up in one iteration
    s3 = SynthesisSchedule(100, 10, synthesis_interval=0)
    assert s3.totals(50)['rounds'] == 10
    fast = SynthesisSchedule(1000, 10, warmup_rounds=20,
                             warmup_rounds_per_iter=20, synthesis_interval=45)
    assert [fast.rounds(i) for i in (0, 1, 2, 45, 46)] == [20, 1, 0, 0, 1]
    assert fast.totals(91) == dict(rounds=22, images=220, kd_steps=91)
    assert fast.totals(92)['rounds'] == 23
    with pytest.raises(ValueError, match='synthesis_interval'):
        SynthesisSchedule(100, 10, synthesis_interval=-1)
    with pytest.raises(ValueError, match='never synthesises'):
        SynthesisSchedule(100, 10, warmup_rounds=0, synthesis_interval=0)


def test_train_step_runs_the_schedule_and_replaces_lowest_priority():
    algo = tiny_ssdkd(data_scale=8, synthesis_interval=2, kd_augment=None)
    ow = ssdkd_optim_wrappers(algo)
    logs = algo.train_step(None, ow)  # iteration 0: fill round 1 + KD
    assert int(algo.num_rounds) == 1 and int(algo.num_steps) == 1
    assert 'distill.loss_kd' in logs and 'generator.loss_bn' in logs
    assert 'generator.loss_adv' not in logs  # warm-up round
    logs = algo.train_step(None, ow)  # iteration 1: fill round 2 + KD
    assert int(algo.num_rounds) == 2 and len(algo.replay_buffer) == 8
    buf = algo.replay_buffer
    prio = torch.arange(8, dtype=torch.float) + 1
    buf.priorities.copy_(prio)  # slots 0..3 have the lowest priorities
    old = buf.images.clone()
    # keep the priorities fixed for the check below

    def fake_step(o):
        algo.num_steps += 1
        return {'loss_kd': torch.tensor(0.), 'is_weight': torch.tensor(1.)}
    algo.distill_student = fake_step
    logs = algo.train_step(None, ow)  # iteration 2: refresh round + KD
    assert int(algo.num_rounds) == 3 and 'generator.loss_adv' in logs
    replaced = [i for i in range(8) if not torch.equal(buf.images[i], old[i])]
    assert replaced == [0, 1, 2, 3]  # the four lowest-priority slots
    logs = algo.train_step(None, ow)  # iteration 3: KD only
    assert int(algo.num_rounds) == 3 and 'generator.loss_bn' not in logs
    assert int(buf.num_pushed) == algo.schedule.totals(4)['images'] == 12


def test_tekap_as_student_loss_trains():
    algo = tiny_ssdkd(
        distill_loss=dict(type='TeKAPLogitsLoss', tau=4.0, seed=0),
        data_scale=16, kd_batch_size=8, synthesis_interval=0)
    ow = ssdkd_optim_wrappers(algo, lr=0.05)
    for _ in range(4):  # the 4 fill rounds, one KD step after each
        algo.train_step(None, ow)
    assert len(algo.replay_buffer) == 16
    x = algo.replay_buffer.get(torch.arange(16))

    def kl():
        with torch.no_grad():
            return per_sample_kl(algo.student(x, None, mode='tensor'),
                                 algo.teacher(x, None, mode='tensor')).mean()
    algo.student.eval()
    before = kl()
    for _ in range(12):  # KD steps only (no refresh)
        logs = algo.train_step(None, ow)
    assert int(algo.num_rounds) == 4
    algo.student.eval()
    assert torch.isfinite(logs['distill.loss_kd'])
    assert kl() < before  # the student moves towards the teacher


def test_teacher_stays_in_eval_and_frozen():
    algo = tiny_ssdkd()
    algo.train()
    assert not algo.teacher.training and algo.student.training
    assert not any(p.requires_grad for p in algo.teacher.parameters())


def test_batch_augment_shift_and_flip_with_fill():
    aug = BatchAugment(padding=1, flip=True)
    x = torch.arange(2 * 1 * 3 * 3, dtype=torch.float).view(2, 1, 3, 3) + 1
    y = aug(x, torch.Generator().manual_seed(0), torch.tensor([-5.0]))
    assert y.shape == x.shape
    for i in range(2):
        ok = False
        for flip in (False, True):
            src = x[i].flip(-1) if flip else x[i]
            pad = torch.nn.functional.pad(src, (1, 1, 1, 1), value=-5.0)
            for oy in range(3):
                for ox in range(3):
                    ok |= torch.equal(pad[:, oy:oy + 3, ox:ox + 3], y[i])
        assert ok
    with pytest.raises(TypeError):
        tiny_ssdkd(kd_augment=dict(scale=2))


def test_config_errors():
    with pytest.raises(ValueError, match='task_type'):
        tiny_ssdkd(task_type='det')
    with pytest.raises(ValueError, match='data_scale'):
        tiny_ssdkd(replay_buffer=dict(
            type='PrioritizedReplayBuffer', capacity=32))
    # build-time check: the buffer must hold one synthesis batch per rank
    with pytest.raises(ValueError, match=r'data_scale \(3\) must be >= '
                       r'synthesis_batch_size \(4\)'):
        tiny_ssdkd(data_scale=3)
    algo = tiny_ssdkd()
    with pytest.raises(KeyError, match='generator'):
        algo.train_step(None, {'architecture': None})
    assert isinstance(algo, SSDKDDataFreeDistillation)
