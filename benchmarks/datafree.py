"""SSD-KD vs Fast-2 and the memory bank on the digits teacher.

Parts (``--parts``, comma-separated):

* ``main``: anytime curves (top-1 against training wall time; evaluation
  excluded from the time, nothing chosen on it) of SSD-KD at 10 % data scale
  (``configs/ssdkd/ssdkd_resnet20_resnet8_digits.py``), Fast-2
  (``fast2_...``) and the memory-bank variant (``memorybank_...``), each as
  shipped, on the real test split. The bar: SSD-KD's mean curve reaches
  Fast-2's mean final accuracy - 1 point in at most half of Fast-2's mean
  wall time, and its final accuracy is at least the better baseline's - 1.
* ``sweep``: SSD-KD at ``data_scale`` = 100 / 20 / 10 / 5 / 1 % of the 1,438
  training images and one fixed distillation budget (the shipped
  ``max_iters`` KD steps and refresh rate): top-1 and synthesis time per
  scale.
* ``ablations``: SSD-KD variants (``ABLATIONS``) evaluated on a validation
  split carved from the digits training images (``--val-ratio``), never on
  the test split: the runs that chose the shipped recipe.
* ``report``: only print and plot the JSON file.

Every run trains in a worker process with one torch thread, calling the
algorithm's ``train_step`` (one KD step with its synthesis rounds) with the
config's cosine learning rate per iteration and beta annealing; runs are
appended to the JSON file as they finish (``--resume`` skips them).

    python benchmarks/datafree.py [--seeds 0,1,2,3,4] [--parts main,sweep]
        [--workers 2] [--smoke]
"""
import argparse
import json
import math
import os.path as osp
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from types import SimpleNamespace

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _stats import fmt_pm, paired_difference, summarize  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.dataset import pseudo_collate  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402
from mmrazor.registry import MODELS  # noqa: E402

import kd_plugins  # noqa: E402,F401
from kd_plugins.cli.paths import REPO_ROOT as REPO  # noqa: E402
from kd_plugins.datasets import DigitsDataset  # noqa: E402
from kd_plugins.engine.hooks import PrioritySamplingHook  # noqa: E402

CONFIGS = dict(
    ssdkd='configs/ssdkd/ssdkd_resnet20_resnet8_digits.py',
    fast2='configs/ssdkd/fast2_resnet20_resnet8_digits.py',
    memorybank='configs/ssdkd/memorybank_resnet20_resnet8_digits.py')
TEACHER = 'work_dirs/teacher_resnet20_digits/epoch_8.pth'
TRAIN_IMAGES = 1438
# name -> (model options, optimizer options[, config]) applied to the SSD-KD
# config (or the named one)
ABLATIONS = {
    'memorybank_as_shipped': ({}, {}, 'memorybank'),
    'fast2_as_shipped': ({}, {}, 'fast2'),
    'shipped': ({}, {}),
    'no_phi': (dict(task_loss=dict(gamma=0.0, diversity=False)), {}),
    'no_priorities': (dict(replay_buffer=dict(alpha=0.0, beta=0.0)), {}),
    'fifo_uniform': (dict(replay_buffer=dict(alpha=0.0, beta=0.0,
                                             replace='fifo')), {}),
    'refresh_every_2': (dict(synthesis_interval=2), {}),
    'refresh_every_8': (dict(synthesis_interval=8), {}),
    'no_refresh': (dict(synthesis_interval=0), {}),
    'adv_0': (dict(adv_weight=0.0), {}),
    'adv_2': (dict(adv_weight=2.0), {}),
    'T_20': (dict(distill_loss=dict(tau=20.0)), {}),
    'lr_0.2': ({}, dict(lr=0.2)),
    'no_fill_warmup': (dict(warmup_rounds=0), {}),
    'fast_generator_meta': (dict(
        generator=dict(_delete_=True, type='FastGenerator', img_size=32,
                       out_channels=3, latent_dim=256, ngf=64),
        meta_learning=True, keep='best', generator_steps=2, latent_lr=0.015,
        bn_loss=dict(momentum=0.9, first_bn_multiplier=1.0),
        synthesis_augment=dict(padding=2, flip=False)), dict(glr=1e-2)),
    'meta_learning': (dict(meta_learning=True, keep='best',
                           generator_lr=5e-3), dict(glr=1.5e-2)),
    'no_kd_augment': (dict(kd_augment=None), {}),
    'fifo_replacement': (dict(replay_buffer=dict(replace='fifo')), {}),
    'is_weights_mean_1': (dict(replay_buffer=dict(weight_norm='mean')), {}),
    'is_weights_buffer_max': (dict(replay_buffer=dict(weight_norm='buffer')),
                              {}),
    'refresh_every_4': (dict(synthesis_interval=4), {}),
    'refresh_every_16': (dict(synthesis_interval=16), {}),
    'is_weights_batch_max': (dict(replay_buffer=dict(weight_norm='batch')),
                             {}),
    'generator_steps_1': (dict(generator_steps=1), {}),
    'batch_16_every_2': (dict(synthesis_batch_size=16,
                              synthesis_interval=2), {}),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', default='0,1,2,3,4')
    p.add_argument('--scales', default='1.0,0.2,0.1,0.05,0.01')
    p.add_argument('--parts', default='main,sweep',
                   help='main, sweep, ablations and/or report')
    p.add_argument('--sweep-seeds', default='0,1,2')
    p.add_argument('--ablation-seeds', default='0,1')
    p.add_argument('--ablations', default=','.join(ABLATIONS))
    p.add_argument('--val-ratio', type=float, default=0.2,
                   help='validation split of the training images '
                   '(ablations only)')
    p.add_argument('--eval-every', type=int, default=25,
                   help='iterations between evaluations (curves)')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--resume', action='store_true',
                   help='keep the runs already in --out, skip them')
    p.add_argument('--smoke', action='store_true',
                   help='tiny settings (6 iterations, 1 seed)')
    p.add_argument('--out', default=osp.join(REPO, 'benchmarks',
                                             'datafree_results.json'))
    p.add_argument('--png', default=osp.join(REPO, 'benchmarks',
                                             'datafree.png'))
    return p.parse_args()


def merge(dst, src):
    for k, v in src.items():
        if isinstance(v, dict) and v.get('_delete_'):
            dst[k] = {a: b for a, b in v.items() if a != '_delete_'}
        elif isinstance(v, dict) and isinstance(dst.get(k), dict):
            merge(dst[k], v)
        else:
            dst[k] = v


def build(job):
    """The algorithm, its optim wrappers and the run's schedule."""
    cfg = Config.fromfile(osp.join(REPO, CONFIGS[job['config']]))
    model_cfg = cfg.model.to_dict()
    merge(model_cfg, job.get('model', {}))
    model_cfg.update(teacher_ckpt=osp.join(REPO, TEACHER), seed=job['seed'])
    optim_cfg = cfg.optim_wrapper.to_dict()
    opt = job.get('optim', {})
    if 'lr' in opt:
        optim_cfg['architecture']['optimizer']['lr'] = opt['lr']
    if 'glr' in opt:
        optim_cfg['generator']['optimizer']['lr'] = opt['glr']
    torch.manual_seed(job['seed'])
    with DefaultScope.overwrite_default_scope('mmrazor'):
        model = MODELS.build(model_cfg)
        optim = build_optim_wrapper(model, optim_cfg)
    iters = job.get('iters') or cfg.train_cfg.max_iters
    eta_min = cfg.param_scheduler.architecture.get('eta_min', 0.0)
    hook = PrioritySamplingHook() if any(
        h['type'].endswith('PrioritySamplingHook')
        for h in cfg.get('custom_hooks', [])) else None
    return model, optim, iters, eta_min, hook


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


def make_loader(split, val_ratio):
    kwargs = dict(val_ratio=val_ratio) if split == 'val' else {}
    data = DigitsDataset(split=split, pipeline=[dict(type='PackInputs')],
                         **kwargs)
    return torch.utils.data.DataLoader(data, batch_size=128,
                                       collate_fn=pseudo_collate)


def run(job):
    """Train one job; return its curve ``[(wall, cpu, iters, top1)]``."""
    torch.set_num_threads(1)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        loader = make_loader(job['split'], job['val_ratio'])
        model, optim, iters, eta_min, hook = build(job)
    arch = optim['architecture'].optimizer
    base = [g['lr'] for g in arch.param_groups]
    every = job['eval_every']
    wall = cpu = synth = 0.0
    curve = []
    synthesize = model.synthesize

    def timed_synthesize(ow):
        nonlocal synth
        t = time.perf_counter()
        out = synthesize(ow)
        synth += time.perf_counter() - t
        return out
    model.synthesize = timed_synthesize
    model.train()
    for i in range(iters):
        for g, lr in zip(arch.param_groups, base):
            g['lr'] = eta_min + 0.5 * (lr - eta_min) * (
                1 + math.cos(math.pi * i / iters))
        t0, c0 = time.perf_counter(), time.process_time()
        if hook is not None:
            hook.before_train_iter(
                SimpleNamespace(model=model, iter=i, max_iters=iters), i)
        model.train_step(None, optim)
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        if (i + 1) % every == 0 or i + 1 == iters:
            with DefaultScope.overwrite_default_scope('mmpretrain'):
                curve.append((wall, cpu, i + 1, evaluate(model, loader)))
    return dict(job, wall=wall, cpu=cpu, synth=synth, acc=curve[-1][3],
                curve=curve, kd_steps=int(model.num_steps),
                rounds=int(model.num_rounds),
                images=int(model.replay_buffer.num_pushed),
                data_scale=model.data_scale)


def jobs_for(args, done):
    seeds = [int(s) for s in args.seeds.split(',')]
    common = dict(split='test', val_ratio=0.0, eval_every=args.eval_every)
    jobs = []
    if 'main' in args.parts:
        for seed in seeds:
            for name in ('fast2', 'memorybank', 'ssdkd'):
                jobs.append(dict(common, name=name, config=name, seed=seed))
    if 'sweep' in args.parts:
        # one budget: the shipped KD steps and refresh rate (images per KD
        # step); a set smaller than a round gets smaller, more frequent
        # rounds at the same rate
        m = Config.fromfile(osp.join(REPO, CONFIGS['ssdkd'])).model
        bs, k = m.synthesis_batch_size, m.synthesis_interval
        for seed in [int(s) for s in args.sweep_seeds.split(',')]:
            for s in [float(s) for s in args.scales.split(',')]:
                d = max(1, round(s * TRAIN_IMAGES))
                jobs.append(dict(
                    common, name=f'sweep@{s:g}', config='ssdkd', seed=seed,
                    model=dict(data_scale=d, synthesis_batch_size=min(bs, d),
                               synthesis_interval=max(
                                   1, round(k * min(bs, d) / bs)))))
    if 'ablations' in args.parts:
        for seed in [int(s) for s in args.ablation_seeds.split(',')]:
            for ab in args.ablations.split(','):
                model, optim, *config = ABLATIONS[ab]
                jobs.append(dict(
                    common, name=f'val:{ab}', config=(config or ['ssdkd'])[0],
                    seed=seed,
                    model=model, optim=optim, split='val',
                    val_ratio=args.val_ratio))
    if args.smoke:
        jobs = [dict(j, iters=6, eval_every=3) for j in jobs
                if j['seed'] == seeds[0]][:4]
    return [j for j in jobs if (j['name'], j['seed']) not in done]


def main():
    args = parse_args()
    data = dict(meta=dict(threads=1, torch=torch.__version__), runs=[])
    if osp.isfile(args.out) and (args.resume or args.parts == 'report'):
        with open(args.out) as f:
            data = json.load(f)
    done = {(r['name'], r['seed']) for r in data['runs']}
    jobs = [] if args.parts == 'report' else jobs_for(args, done)
    if jobs and not osp.isfile(osp.join(REPO, TEACHER)):
        sys.exit(f'error: {TEACHER} missing: python tools/train.py '
                 'configs/demo/teacher_resnet20_digits.py')
    t_start = time.time()
    with ProcessPoolExecutor(max_workers=args.workers,
                             mp_context=get_context('fork')) as pool:
        futures = [pool.submit(run, j) for j in jobs]
        for fut in as_completed(futures):
            r = fut.result()
            data['runs'].append(r)
            print(f'[{r["name"]:24s} seed {r["seed"]}] acc={r["acc"]:6.2f} '
                  f'wall={r["wall"]:6.1f}s synth={r["synth"]:6.1f}s '
                  f'kd_steps={r["kd_steps"]} images={r["images"]}',
                  flush=True)
            data['meta']['elapsed_s'] = time.time() - t_start
            with open(args.out, 'w') as f:
                json.dump(data, f, indent=1)
    report(data['runs'])
    plot(data['runs'], args.png)


def group(results, name):
    return sorted((r for r in results if r['name'] == name),
                  key=lambda r: r['seed'])


def names_of(results):
    names = []
    for r in results:
        if r['name'] not in names:
            names.append(r['name'])
    return names


def mean_curve(rs):
    k = min(len(r['curve']) for r in rs)
    return [(sum(r['curve'][i][0] for r in rs) / len(rs),
             rs[0]['curve'][i][2],
             sum(r['curve'][i][3] for r in rs) / len(rs)) for i in range(k)]


def paired(a, b):
    """Paired difference of the final accuracies of two groups, by seed."""
    seeds = sorted({r['seed'] for r in a} & {r['seed'] for r in b})
    if len(seeds) < 2:
        return None
    get = {r['seed']: r['acc'] for r in a}
    base = {r['seed']: r['acc'] for r in b}
    d = paired_difference([get[s] for s in seeds], [base[s] for s in seeds])
    note = '' if d['resolved'] else ', no measured difference'
    return (f"{d['mean']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}] "
            f"(n={d['n']}{note})")


def report(results):
    print('\n| run | data scale | images synthesised | KD steps | top-1 % | '
          'n | wall s | synthesis s |')
    print('|---|---|---|---|---|---|---|---|')
    for name in names_of(results):
        rs = group(results, name)
        print(f'| {name} | {rs[0]["data_scale"]} | {rs[0]["images"]} | '
              f'{rs[0]["kd_steps"]} | '
              f'{fmt_pm(summarize([r["acc"] for r in rs]))} | {len(rs)} | '
              f'{fmt_pm(summarize([r["wall"] for r in rs]), 1)} | '
              f'{fmt_pm(summarize([r["synth"] for r in rs]), 1)} |')
    ssd, fast, bank = (group(results, n)
                       for n in ('ssdkd', 'fast2', 'memorybank'))
    if ssd and fast and bank:
        for base, label in ((fast, 'Fast-2'), (bank, 'memory bank')):
            print(f'SSD-KD - {label}, final top-1: {paired(ssd, base)}')
        f_acc = summarize([r['acc'] for r in fast])['mean']
        f_wall = summarize([r['wall'] for r in fast])['mean']
        best = max(f_acc, summarize([r['acc'] for r in bank])['mean'])
        s_acc = summarize([r['acc'] for r in ssd])['mean']
        hit = next(((w, it, a) for w, it, a in mean_curve(ssd)
                    if a >= f_acc - 1.0), None)
        at = 'never' if hit is None else \
            f'at {hit[0]:.1f} s (iteration {hit[1]}, {hit[2]:.2f} %)'
        ok_time = hit is not None and hit[0] <= 0.5 * f_wall
        ok_final = s_acc >= best - 1.0
        print(f'bar 1: SSD-KD mean curve reaches Fast-2 final - 1 = '
              f'{f_acc - 1:.2f} % {at}; limit 0.5 x {f_wall:.1f} s = '
              f'{0.5 * f_wall:.1f} s -> {"MET" if ok_time else "NOT MET"}')
        print(f'bar 2: SSD-KD final {s_acc:.2f} % vs better baseline '
              f'{best:.2f} % - 1 -> {"MET" if ok_final else "NOT MET"}')
    vals = [n for n in names_of(results) if n.startswith('val:')]
    ref = group(results, 'val:shipped')
    if vals:
        print('\n| variant (validation split) | per seed | mean | wall s | '
              'minus shipped [95 % CI] |')
        print('|---|---|---|---|---|')
    for name in vals:
        rs = group(results, name)
        diff = paired(rs, ref) if ref and name != 'val:shipped' else ''
        seeds = ', '.join(f"{r['acc']:.2f}" for r in rs)
        print(f'| {name[4:]} | {seeds} | '
              f'{summarize([r["acc"] for r in rs])["mean"]:.2f} | '
              f'{summarize([r["wall"] for r in rs])["mean"]:.0f} | '
              f'{diff or ""} |')


def plot(results, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name in ('ssdkd', 'fast2', 'memorybank'):
        rs = group(results, name)
        if not rs:
            continue
        curve = mean_curve(rs)
        ax1.plot([c[0] for c in curve], [c[2] for c in curve], marker='o',
                 ms=3, label=f'{name} (mean of {len(rs)} seeds)')
        for r in rs:
            ax1.plot([c[0] for c in r['curve']], [c[3] for c in r['curve']],
                     lw=0.5, alpha=0.3, color=ax1.lines[-1].get_color())
    fast = group(results, 'fast2')
    if fast:
        target = summarize([r['acc'] for r in fast])['mean'] - 1.0
        limit = 0.5 * summarize([r['wall'] for r in fast])['mean']
        ax1.axhline(target, color='grey', ls='--', lw=0.8)
        ax1.axvline(limit, color='grey', ls=':', lw=0.8)
        ax1.text(limit, 12, ' bar 1: Fast-2 final - 1 (dashed)\n by 0.5 x '
                 'its wall time (dotted)', fontsize=7, color='grey')
    ax1.set_xlabel('training wall time (s, 1 thread)')
    ax1.set_ylabel('digits test top-1 (%)')
    ax1.set_title('anytime curves (evaluation excluded)')
    ax1.legend(fontsize=7)
    sweep = [r for r in results if r['name'].startswith('sweep@')]
    if sweep:
        scales = sorted({r['data_scale'] for r in sweep})
        acc = [summarize([r['acc'] for r in sweep
                          if r['data_scale'] == d]) for d in scales]
        ax2.errorbar(scales, [a['mean'] for a in acc],
                     yerr=[a['std'] for a in acc], fmt='g^-', label='top-1')
        ax2.set_xscale('log')
        ax2.set_xlabel('data scale (synthetic images, log)')
        ax2.set_ylabel('top-1 (%)', color='g')
        ax3 = ax2.twinx()
        ax3.plot(scales, [summarize([r['synth'] for r in sweep
                                     if r['data_scale'] == d])['mean']
                          for d in scales], 'bs--', label='synthesis s')
        ax3.set_ylabel('synthesis time (s)', color='b')
        ax2.set_title('SSD-KD scale sweep, fixed KD budget')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f'plot: {path}')


if __name__ == '__main__':
    main()
