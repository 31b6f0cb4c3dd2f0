"""Evaluates the action networks on a held-out dataset: accuracy (all windows, and per class = recall) of

  Flow      the flow stream on the ground-truth flow
  RGB       the RGB-only baseline
  MARS      the MARS network (RGB only)
  MARS+RGB  the mean of the MARS and RGB softmaxes
  RGB+Flow  the classic two-stream fusion (mean of softmaxes), for reference: it needs the flow

and each network's PyTorch CPU cost (batch 1, median ms per clip). Writes a JSON file; prints a table.
usage: evaluate_actions.py --data DIR --work DIR --out FILE [--threads 2]
"""
import argparse
import json
import time

import numpy as np
import torch

from action_data import ActionData
from action_net import macs
from train_actions import STREAM, load_net


def probabilities(net, data, stream, batch=32):
    out = []
    with torch.no_grad():
        for k in range(0, data.count, batch):
            b = data.batch(np.arange(k, min(k + batch, data.count)), (stream,))
            out.append(torch.softmax(net(b[stream]), 1))
    return torch.cat(out)


def scores(prob, labels, classes):
    pred = prob.argmax(1)
    confusion = np.zeros((len(classes), len(classes)), int)
    for t, p in zip(labels.tolist(), pred.tolist()):
        confusion[t, p] += 1
    per_class = {c: round(float(confusion[i, i] / max(1, confusion[i].sum())), 4) for i, c in enumerate(classes)}
    return {'accuracy': round(float((pred == labels).float().mean()), 4), 'perClass': per_class,
            'confusion': confusion.tolist()}


def cost_ms(net, shape, threads, rounds=30):
    torch.set_num_threads(threads)
    x = torch.randn(1, *shape)
    times = []
    with torch.no_grad():
        for r in range(rounds + 3):
            t = time.perf_counter()
            net(x)
            if r >= 3:
                times.append((time.perf_counter() - t) * 1000)
    return round(float(np.median(times)), 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    data = ActionData(args.data)
    K = len(data.classes)
    nets = {s: load_net(args.work, s, K) for s in ('flow', 'rgb', 'mars')}
    prob = {s: probabilities(n, data, STREAM[s]) for s, n in nets.items()}
    labels = data.labels
    result = {
        'Flow': scores(prob['flow'], labels, data.classes),
        'RGB': scores(prob['rgb'], labels, data.classes),
        'MARS': scores(prob['mars'], labels, data.classes),
        'MARS+RGB': scores((prob['mars'] + prob['rgb']) / 2, labels, data.classes),
        'RGB+Flow': scores((prob['rgb'] + prob['flow']) / 2, labels, data.classes),
    }
    shapes = {'rgb': (3, data.T, data.H, data.W), 'flow': (2, data.T - 1, data.H, data.W)}
    torch_ms = {s: cost_ms(n, shapes[STREAM[s]], args.threads) for s, n in nets.items()}
    mmacs = {s: round(macs(n, shapes[STREAM[s]]) / 1e6, 1) for s, n in nets.items()}
    out = {
        'test': {'path': data.path, 'seed': data.generator['seed'], 'videos': data.video_count, 'windows': data.count,
                 'counts': data.counts, 'clipLength': data.T, 'width': data.W, 'height': data.H},
        'accuracy': result,
        'torchCpuMs': {'threads': args.threads, 'batch': 1, 'Flow': torch_ms['flow'], 'RGB': torch_ms['rgb'],
                       'MARS': torch_ms['mars'], 'MARS+RGB': round(torch_ms['mars'] + torch_ms['rgb'], 2)},
        'mmacs': {'Flow': mmacs['flow'], 'RGB': mmacs['rgb'], 'MARS': mmacs['mars']},
        'params': {s: sum(p.numel() for p in n.parameters()) for s, n in nets.items()},
    }
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=2)
    print(f'held-out: seed {data.generator["seed"]}, {data.count} windows of {data.T} frames at {data.W}x{data.H}')
    print('| model | accuracy | ' + ' | '.join(data.classes) + ' |')
    print('|---' * (K + 2) + '|')
    for name, r in result.items():
        print(f'| {name} | {100 * r["accuracy"]:.1f} | ' + ' | '.join(f'{100 * v:.0f}' for v in r['perClass'].values()) + ' |')
    print('torch CPU ms/clip (batch 1):', json.dumps(out['torchCpuMs']))


if __name__ == '__main__':
    main()
