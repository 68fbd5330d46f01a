"""Digits top-1 of resnet8 alone, DML, AFD joint and AFD alternating (seeds).

Every method trains with its shipped digits config (8 epochs, the digits
recipe) through the mmengine Runner, once per seed (``randomness.seed``; the
data split is fixed), and is evaluated once, after the last epoch, on the
digits test split (359 images): no checkpoint, setting or network is chosen
by looking at test results. Reported per method: top-1 of network 0 (the
``eval_index`` network, the one ``tools/test.py`` uses) and the mean top-1 of
its networks, each as mean +- sample std over seeds, plus the paired
difference to DML (same seed) with a 95 % t interval
(``benchmarks/_stats.py``), and the training wall/CPU time.

``METHODS`` is a plain table (name, label, config, cfg-options) so its rows
can move into a general accuracy harness unchanged.

Usage::

    PYTHONPATH=. python benchmarks/afd_digits.py --seeds 0 1 2 \
        [--epochs 8] [--train-images 0] [--out results.json]
"""
import argparse
import json
import os
import sys
import tempfile
from typing import Dict, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import run_config  # noqa: E402
from _stats import fmt_pm, paired_difference, summarize  # noqa: E402

AFD_CFG = 'configs/afd/afd_resnet8x2_digits.py'

#: name -> label, config (relative to the repo root), cfg-options
METHODS: List[Dict] = [
    dict(name='alone', label='resnet8 alone',
         config='configs/demo/student_resnet8_digits.py', cfg_options={}),
    dict(name='dml', label='DML, 2 x resnet8 (no adversarial term)',
         config=AFD_CFG, cfg_options={'model.adversarial': False}),
    dict(name='afd_joint', label="AFD, update='joint'", config=AFD_CFG,
         cfg_options={'model.update': 'joint'}),
    dict(name='afd_alternating', label="AFD, update='alternating' (default)",
         config=AFD_CFG, cfg_options={'model.update': 'alternating'}),
]
BASELINE = 'dml'


def run_once(method: Dict, seed: int, epochs: int, train_images: int,
             work_root: str) -> Dict:
    """Train one method with one seed; test top-1 after the last epoch."""
    from mmengine.logging import MMLogger
    options = dict(method['cfg_options'])
    options.update({
        'train_cfg.max_epochs': epochs,
        'param_scheduler.T_max': epochs,
    })
    if train_images:
        options['train_dataloader.dataset.indices'] = train_images
    res = run_config(method['config'],
                     os.path.join(work_root, f"{method['name']}_s{seed}"),
                     seed=seed, options=options)
    MMLogger._instance_dict.clear()
    metrics = res['metrics']
    per_net = [metrics[f'net{k}/accuracy/top1']
               for k in range(len(metrics))
               if f'net{k}/accuracy/top1' in metrics]
    if not per_net:
        per_net = [metrics['accuracy/top1']]
    return dict(method=method['name'], seed=seed, net0=per_net[0],
                mean_net=sum(per_net) / len(per_net), per_net=per_net,
                train_wall_s=res['wall_s'], train_cpu_s=res['cpu_s'])


def report(results: List[Dict], seeds: List[int]) -> str:
    """Markdown table: mean +- std per method, paired difference vs DML."""
    by = {(r['method'], r['seed']): r for r in results}
    lines = [
        '| method | net0 top-1 | mean-of-networks top-1 | net0 - DML '
        '(95 % CI) | train wall / CPU s |', '|---|---|---|---|---|'
    ]
    base = [by[(BASELINE, s)]['net0'] for s in seeds]
    for m in METHODS:
        rows = [by[(m['name'], s)] for s in seeds]
        net0 = [r['net0'] for r in rows]
        if m['name'] == BASELINE:
            diff = 'baseline'
        else:
            d = paired_difference(net0, base)
            diff = (f"{d['mean']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}]"
                    + ('' if d['resolved'] else ' (no measured difference)'))
        wall = summarize([r['train_wall_s'] for r in rows])['mean']
        cpu = summarize([r['train_cpu_s'] for r in rows])['mean']
        lines.append(
            f"| {m['label']} | {fmt_pm(summarize(net0))} | "
            f"{fmt_pm(summarize([r['mean_net'] for r in rows]))} | {diff} | "
            f'{wall:.0f} / {cpu:.0f} |')
    lines.append(f'\nn = {len(seeds)} seeds ({", ".join(map(str, seeds))}); '
                 f'mean ± sample std; top-1 in % on the 359 test images '
                 f'(one image = 0.28 points).')
    return '\n'.join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--epochs', type=int, default=8)
    parser.add_argument('--train-images', type=int, default=0,
                        help='use only the first N training images (smoke '
                        'tests); 0: all')
    parser.add_argument('--methods', nargs='+',
                        default=[m['name'] for m in METHODS])
    parser.add_argument('--threads', type=int, default=0,
                        help='torch CPU threads (0: leave default)')
    parser.add_argument('--out', help='write the raw results as JSON')
    args = parser.parse_args()
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    unknown = set(args.methods) - {m['name'] for m in METHODS}
    if unknown:
        parser.error(f'unknown methods {sorted(unknown)}')
    methods = [m for m in METHODS if m['name'] in args.methods]
    results = []
    with tempfile.TemporaryDirectory() as work_root:
        for seed in args.seeds:  # seed-major: a cut run keeps whole seeds
            for m in methods:
                r = run_once(m, seed, args.epochs, args.train_images,
                             work_root)
                results.append(r)
                print(json.dumps(r), flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(args=vars(args), results=results), f, indent=1)
    if {m['name'] for m in methods} == {m['name'] for m in METHODS}:
        print(f'threads {torch.get_num_threads()}, epochs {args.epochs}')
        print(report(results, args.seeds))


if __name__ == '__main__':
    main()
