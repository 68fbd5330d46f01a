"""SSD-KD vs Fast-2 on the digits teacher: accuracy, time, data scale.

Part ``main``: (1) SSD-KD at 10 % (``configs/ssdkd/
ssdkd_resnet20_resnet8_digits.py`` as shipped) against the Fast-2 baseline
(``configs/ssdkd/fast2_resnet20_resnet8_digits.py``) run for its whole
schedule: the bar is SSD-KD's mean final accuracy >= the baseline's mean
final accuracy - 1 point in at most half the baseline's mean wall time;
(2) the data-scale sweep: SSD-KD with ``data_scale`` = 100 / 20 / 10 / 5 / 1
% of the 1,438 digits training images and the same (``--sweep-epochs``)
epochs over the synthetic set: real-test top-1 and training wall/CPU time
per scale, and the least-squares slope of time against the data scale.
Part ``ablations``: SSD-KD at 10 % without phi, without priorities
(alpha = beta = 0, lowest-priority replacement kept) and with uniform replay
(alpha = beta = 0, random replacement). Each run is appended to the JSON
file as it finishes; ``--parts report`` only prints and plots it.

Every run trains in this process with one torch thread, calling the
algorithm's ``train_step`` (one epoch) directly, with the config's cosine
learning rate and beta annealing per epoch; evaluation (for the curves, no
choice is made on it) is excluded from the times. Results go to a JSON file
and a PNG.

    python benchmarks/datafree.py [--seeds 0,1,2] [--parts main,ablations]
        [--sweep-epochs 6] [--smoke]
"""
import argparse
import fcntl
import json
import math
import os
import os.path as osp
import subprocess
import sys
import time
from contextlib import contextmanager
from types import SimpleNamespace

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _stats import fmt_pm, summarize  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.dataset import pseudo_collate  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402
from mmrazor.registry import MODELS  # noqa: E402

import kd_plugins  # noqa: E402,F401
from kd_plugins.datasets import DigitsDataset  # noqa: E402
from kd_plugins.engine.hooks import PrioritySamplingHook  # noqa: E402

SSDKD = 'configs/ssdkd/ssdkd_resnet20_resnet8_digits.py'
FAST2 = 'configs/ssdkd/fast2_resnet20_resnet8_digits.py'
TEACHER = 'work_dirs/teacher_resnet20_digits/epoch_8.pth'
TRAIN_IMAGES = 1438
ABLATIONS = dict(
    no_phi=dict(task_loss=dict(gamma=0.0, diversity=False)),
    no_priorities=dict(replay_buffer=dict(alpha=0.0, beta=0.0)),
    uniform_replay=dict(
        replay_buffer=dict(alpha=0.0, beta=0.0, replace='random')))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', default='0,1,2')
    p.add_argument('--scales', default='1.0,0.2,0.1,0.05,0.01')
    p.add_argument('--parts', default='main,ablations',
                   help='main, ablations and/or report')
    p.add_argument('--sweep-epochs', type=int, default=4,
                   help='SSD-KD epochs of every sweep run')
    p.add_argument('--ablation-seeds', default=None,
                   help='seeds of the ablations (default: --seeds)')
    p.add_argument('--resume', action='store_true',
                   help='keep the runs already in --out, skip them')
    p.add_argument('--eval-points', type=int, default=5,
                   help='evaluations per run for the curves')
    p.add_argument('--lock', default=None,
                   help='hold this flock(2) lock file during each run only '
                   '(shared machines: short holds, others run in between)')
    p.add_argument('--smoke', action='store_true',
                   help='tiny settings (2 epochs, 1 seed) to test the script')
    p.add_argument('--out', default=osp.join(REPO, 'benchmarks',
                                             'datafree_results.json'))
    p.add_argument('--png', default=osp.join(REPO, 'benchmarks',
                                             'datafree.png'))
    return p.parse_args()


def ensure_teacher():
    path = osp.join(REPO, TEACHER)
    if not osp.isfile(path):
        print(f'[teacher] {TEACHER} missing: training it ...', flush=True)
        subprocess.run([
            sys.executable, osp.join(REPO, 'tools/train.py'),
            osp.join(REPO, 'configs/demo/teacher_resnet20_digits.py'),
            '--work-dir', osp.join(REPO, 'work_dirs/teacher_resnet20_digits')
        ], check=True, env=dict(os.environ, PYTHONPATH=REPO), cwd=REPO)
    return path


def merge(dst, src):
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            merge(dst[k], v)
        else:
            dst[k] = v


def build(config, seed, model_opts):
    cfg = Config.fromfile(osp.join(REPO, config))
    model_cfg = cfg.model.to_dict()
    merge(model_cfg, model_opts)
    model_cfg['teacher_ckpt'] = osp.join(REPO, TEACHER)
    model_cfg['seed'] = seed
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope('mmrazor'):
        model = MODELS.build(model_cfg)
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
    sched = cfg.param_scheduler.architecture
    warmup = model.schedule.warmup_epochs
    eta_min = sched.get('eta_min', 0.0)
    hook = PrioritySamplingHook() if cfg.get('custom_hooks') else None
    return model, optim, warmup, eta_min, hook


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct = total = 0
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        out = model.architecture(data['inputs'], None, mode='tensor')
        labels = torch.cat([s.gt_label for s in data['data_samples']])
        correct += int((out.argmax(1) == labels).sum())
        total += len(labels)
    model.train()
    return 100.0 * correct / total


def run(name, config, seed, model_opts, epochs, loader, eval_points):
    """Train ``epochs`` epochs; return the curve and the totals."""
    model, optim, warmup, eta_min, hook = build(config, seed, model_opts)
    arch = optim['architecture'].optimizer
    base = [g['lr'] for g in arch.param_groups]
    evals = {round(epochs * (i + 1) / eval_points) for i in
             range(eval_points)} if eval_points else {epochs}
    wall = cpu = 0.0
    curve = []
    model.train()
    for e in range(epochs):
        frac = min(1.0, max(0.0, (e - warmup) / max(1, epochs - warmup)))
        for g, lr in zip(arch.param_groups, base):
            g['lr'] = eta_min + 0.5 * (lr - eta_min) * (
                1 + math.cos(math.pi * frac))
        t0, c0 = time.perf_counter(), time.process_time()
        if hook is not None:
            hook.before_train_iter(
                SimpleNamespace(model=model, iter=e, max_iters=epochs), e)
        model.train_step(None, optim)
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        if e + 1 in evals:
            curve.append((wall, cpu, e + 1, evaluate(model, loader)))
    res = dict(name=name, seed=seed, wall=wall, cpu=cpu, acc=curve[-1][3],
               curve=curve, kd_steps=int(model.num_steps),
               rounds=int(model.num_rounds),
               images=int(model.replay_buffer.num_pushed),
               data_scale=model.data_scale)
    print(f'[{name:16s} seed {seed}] acc={res["acc"]:6.2f} '
          f'wall={wall:7.1f}s cpu={cpu:7.1f}s kd_steps={res["kd_steps"]} '
          f'images={res["images"]}', flush=True)
    return res


@contextmanager
def held(path):
    """Hold an exclusive flock(2) on ``path`` (no-op for None)."""
    if path is None:
        yield
        return
    with open(path, 'a') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def fit(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx)**2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    icpt = my - slope * mx
    ss_res = sum((y - icpt - slope * x)**2 for x, y in zip(xs, ys))
    ss_tot = sum((y - my)**2 for y in ys)
    return slope, icpt, 1 - ss_res / ss_tot if ss_tot else 1.0


def main():
    args = parse_args()
    torch.set_num_threads(1)
    parts = args.parts.split(',')
    seeds = [int(s) for s in args.seeds.split(',')]
    scales = [float(s) for s in args.scales.split(',')]
    epochs = Config.fromfile(osp.join(REPO, SSDKD)).train_cfg.max_epochs
    fcfg = Config.fromfile(osp.join(REPO, FAST2))
    f_epochs, sweep_epochs = fcfg.train_cfg.max_epochs, args.sweep_epochs
    fast_opts, ssd_opts = {}, {}
    if args.smoke:
        seeds, epochs, f_epochs, sweep_epochs = seeds[:1], 3, 3, 2
        scales = [0.1, 0.02]
        fast_opts = dict(warmup_epochs=1, kd_steps_per_epoch=2)
    fast_opts['data_scale'] = f_epochs * fcfg.model.synthesis_batch_size
    data = dict(meta=dict(seeds=seeds, epochs=epochs, fast_epochs=f_epochs,
                          sweep_epochs=sweep_epochs, scales=scales,
                          threads=1, torch=torch.__version__), runs=[])
    if 'report' in parts or not {'main', 'ablations'} & set(parts):
        with open(args.out) as f:
            data = json.load(f)
    elif (args.resume or 'main' not in parts) and osp.isfile(args.out):
        with open(args.out) as f:
            data['runs'] = json.load(f)['runs']  # keep the finished runs
    done = {(r['name'], r['seed']) for r in data['runs']}
    jobs = []
    if 'main' in parts:
        for seed in seeds:
            jobs.append(('fast2', FAST2, seed, fast_opts, f_epochs))
            jobs.append(('ssdkd@0.1', SSDKD, seed, ssd_opts, epochs))
            for s in scales:
                d = max(1, round(s * TRAIN_IMAGES))
                bs = Config.fromfile(osp.join(
                    REPO, SSDKD)).model.synthesis_batch_size
                jobs.append((f'sweep@{s:g}', SSDKD, seed,
                             dict(data_scale=d,
                                  synthesis_batch_size=min(bs, d)),
                             sweep_epochs))
    if 'ablations' in parts:
        for seed in ([int(s) for s in args.ablation_seeds.split(',')]
                     if args.ablation_seeds else seeds):
            for ab, extra in ABLATIONS.items():
                jobs.append((f'ssdkd@0.1-{ab}', SSDKD, seed, extra, epochs))
    jobs = [j for j in jobs if (j[0], j[2]) not in done]
    if jobs:
        ensure_teacher()
        test_set = DigitsDataset(split='test',
                                 pipeline=[dict(type='PackInputs')])
        t_start = time.time()
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            loader = torch.utils.data.DataLoader(
                test_set, batch_size=128, collate_fn=pseudo_collate)
            for name, config, seed, opts, ep in jobs:
                with held(args.lock):
                    data['runs'].append(run(name, config, seed, opts, ep,
                                            loader, args.eval_points))
                data['meta'][f'{args.parts}_s'] = time.time() - t_start
                with open(args.out, 'w') as f:
                    json.dump(data, f, indent=1)
    report(data['runs'], data['meta'])
    plot(data['runs'], data['meta'], args.png)


def group(results, name):
    return [r for r in results if r['name'] == name]


def report(results, meta):
    n = len(meta['seeds'])
    print(f'\n== digits, real test top-1 (%), mean +- std over {n} seed(s) '
          f'{meta["seeds"]}; SSD-KD {meta["epochs"]} epochs, sweep '
          f'{meta["sweep_epochs"]} epochs, Fast-2 {meta["fast_epochs"]} '
          f'epochs; 1 torch thread ==')
    print('| run | data scale | images synthesised | KD steps | top-1 | '
          'wall s | CPU s |')
    print('|---|---|---|---|---|---|---|')
    names = []
    for r in results:
        if r['name'] not in names:
            names.append(r['name'])
    for name in names:
        rs = group(results, name)
        print(f'| {name} | {rs[0]["data_scale"]} | {rs[0]["images"]} | '
              f'{rs[0]["kd_steps"]} | '
              f'{fmt_pm(summarize([r["acc"] for r in rs]))} | '
              f'{fmt_pm(summarize([r["wall"] for r in rs]))} | '
              f'{fmt_pm(summarize([r["cpu"] for r in rs]))} |')
    sweep = [r for r in results if r['name'].startswith('sweep@')]
    if len({r['data_scale'] for r in sweep}) > 1:
        for clock in ('wall', 'cpu'):
            slope, icpt, r2 = fit([r['data_scale'] for r in sweep],
                                  [r[clock] for r in sweep])
            print(f'{clock} time = {icpt:.2f} s + {slope * 1000:.2f} ms x '
                  f'data_scale (least squares over {len(sweep)} runs, '
                  f'R^2 = {r2:.3f})')
    base, ssd = group(results, 'fast2'), group(results, 'ssdkd@0.1')
    if base and ssd:
        b_acc = summarize([r['acc'] for r in base])['mean']
        b_wall = summarize([r['wall'] for r in base])['mean']
        s_acc = summarize([r['acc'] for r in ssd])['mean']
        s_wall = summarize([r['wall'] for r in ssd])['mean']
        ok = s_acc >= b_acc - 1.0 and s_wall <= 0.5 * b_wall
        print(f'bar: SSD-KD@10% {s_acc:.2f} % in {s_wall:.1f} s vs Fast-2 '
              f'{b_acc:.2f} % in {b_wall:.1f} s: needs >= {b_acc - 1:.2f} % '
              f'in <= {0.5 * b_wall:.1f} s -> '
              f'{"MET" if ok else "NOT MET"} (time ratio '
              f'{s_wall / b_wall:.2f})')


def plot(results, meta, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    names = []
    for r in results:
        if r['name'] not in names:
            names.append(r['name'])
    for name in names:
        if name.startswith('sweep@'):
            continue
        rs = group(results, name)
        k = min(len(r['curve']) for r in rs)
        xs = [sum(r['curve'][i][0] for r in rs) / len(rs) for i in range(k)]
        ys = [sum(r['curve'][i][3] for r in rs) / len(rs) for i in range(k)]
        ax1.plot(xs, ys, marker='o', ms=3, label=name)
    ax1.set_xscale('log')
    ax1.set_xlabel('training wall time (s, log)')
    ax1.set_ylabel('digits test top-1 (%)')
    ax1.set_title('accuracy vs time (mean over seeds; ablations: 2)')
    ax1.legend(fontsize=7)
    sweep = sorted((r for r in results if r['name'].startswith('sweep@')),
                   key=lambda r: r['data_scale'])
    scales = sorted({r['data_scale'] for r in sweep})
    for clock, style in (('wall', 'o-'), ('cpu', 's--')):
        ax2.plot(scales, [summarize([r[clock] for r in sweep
                                     if r['data_scale'] == d])['mean']
                          for d in scales], style, label=f'{clock} time')
    ax2.set_xlabel('data scale (synthetic images)')
    ax2.set_ylabel('training time (s)')
    ax3 = ax2.twinx()
    ax3.plot(scales, [summarize([r['acc'] for r in sweep
                                 if r['data_scale'] == d])['mean']
                      for d in scales], 'g^:', label='top-1')
    ax3.set_ylabel('top-1 (%)', color='g')
    ax2.set_title(f'SSD-KD scale sweep ({meta["sweep_epochs"]} epochs)')
    ax2.legend(loc='upper left', fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f'plot: {path}')


if __name__ == '__main__':
    main()
