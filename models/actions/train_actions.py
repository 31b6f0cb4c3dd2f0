"""Trains the action networks (each stage resumable from its checkpoint in --work):

  flow  the flow stream: ActionNet on the T-1 ground-truth flows between the clip's frames (2 channels, each
        field minus its mean vector: camera compensation)
  rgb   the RGB-only baseline: ActionNet on the T frames, cross-entropy
  mars  MARS (Crasto et al., CVPR 2019): ActionNet on the T frames, loss = CE + alpha * MSE between its pooled
        feature vector (before dropout + FC) and the frozen flow stream's (eval mode) on the same clip

Same data, batch, schedule and augmentation for all; `--match rgb` runs MARS for exactly the iterations the RGB
stage ran (fair comparison). Each stage stops at its iteration count or its time cap (--minutes), whichever is
first; the cosine schedule follows whichever is further along.

usage: train_actions.py --data DIR --work DIR --stage flow|rgb|mars --iters N [--minutes M] [--match rgb]
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'training'))
from action_data import ActionData  # noqa: E402
from action_net import ActionNet  # noqa: E402
from train import lr_at, save  # noqa: E402  (the DFF pack's schedule and atomic checkpoint save)

STREAM = {'flow': 'flow', 'rgb': 'rgb', 'mars': 'rgb'}
IN_CHANNELS = {'flow': 2, 'rgb': 3}


def make_net(stream, num_classes):
    """The flow stream compensates camera motion; the RGB streams see frames and frame differences."""
    return ActionNet(IN_CHANNELS[stream], num_classes, compensate_camera=stream == 'flow', rgb_difference=stream == 'rgb')


def load_net(work, stage, num_classes):
    net = make_net(STREAM[stage], num_classes)
    net.load_state_dict(torch.load(os.path.join(work, f'{stage}.pt'))['net'])
    return net.eval()


def quick_eval(net, data, idx, stream, batch=32):
    """Accuracy on a fixed held-out subset, only to watch training (no model selection)."""
    net.eval()
    hits = 0
    with torch.no_grad():
        for k in range(0, len(idx), batch):
            b = data.batch(idx[k:k + batch], (stream,))
            hits += (net(b[stream]).argmax(1) == b['labels']).sum().item()
    net.train()
    return hits / len(idx)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--stage', required=True, choices=['flow', 'rgb', 'mars'])
    ap.add_argument('--iters', type=int, default=0)
    ap.add_argument('--match', choices=['rgb'], help='run as many iterations as that stage did')
    ap.add_argument('--minutes', type=float, default=None, help='wall-time cap of the training loop')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--alpha', type=float, default=50.0, help='MARS: weight of the feature MSE')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--watch', default=None, help='a held-out dataset to print accuracy on while training')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    record_path = os.path.join(args.work, 'record.json')
    record = json.load(open(record_path)) if os.path.exists(record_path) else {}
    iters = record[args.match]['iters'] if args.match else args.iters
    if iters <= 0:
        raise SystemExit('--iters N (or --match STAGE, after that stage ran) is required')

    t0 = time.time()
    data = ActionData(args.data)
    stream = STREAM[args.stage]
    num_classes = len(data.classes)
    print(json.dumps({'stage': args.stage, 'windows': data.count, 'videos': data.video_count, 'counts': data.counts,
                      'iters': iters}), flush=True)
    watch = ActionData(args.watch) if args.watch else None
    watch_idx = np.random.default_rng(0).permutation(watch.count)[:192] if watch else None

    net = make_net(stream, num_classes)
    teacher = load_net(args.work, 'flow', num_classes) if args.stage == 'mars' else None
    if teacher is not None:
        for p in teacher.parameters():
            p.requires_grad_(False)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    ckpt_path = os.path.join(args.work, f'{args.stage}.pt')
    start, done_before = 0, 0.0
    if os.path.exists(ckpt_path):  # resume
        state = torch.load(ckpt_path)
        net.load_state_dict(state['net'])
        opt.load_state_dict(state['opt'])
        start, done_before = state['iter'], state['seconds']
        print(json.dumps({'resumed': ckpt_path, 'iter': start}), flush=True)

    rng = np.random.default_rng([args.seed, start])  # a resumed run draws fresh batches
    streams = ('rgb', 'flow') if args.stage == 'mars' else (stream,)
    budget = args.minutes * 60 if args.minutes else None
    net.train()
    t_train = time.time()
    it = start
    run = {'loss': 0.0, 'ce': 0.0, 'mse': 0.0, 'acc': 0.0, 'n': 0}
    while True:
        spent = done_before + time.time() - t_train
        progress = max(it / iters, spent / budget if budget else 0.0)
        if progress >= 1:
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(progress, it, args.lr)
        idx = rng.integers(0, data.count, args.batch)
        b = data.batch(idx, streams, flips=rng.random((args.batch, 2)) < 0.5)
        feats = net.features(b[stream])
        logits = net.fc(net.dropout(feats))
        ce = F.cross_entropy(logits, b['labels'])
        loss = ce
        if teacher is not None:
            with torch.no_grad():
                target = teacher.features(b['flow'])
            mse = F.mse_loss(feats, target)
            loss = ce + args.alpha * mse
            run['mse'] += mse.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
        run['loss'] += loss.item()
        run['ce'] += ce.item()
        run['acc'] += (logits.argmax(1) == b['labels']).float().mean().item()
        run['n'] += 1
        it += 1
        if it % 50 == 0:
            n = run.pop('n')
            log = {'stage': args.stage, 'iter': it, 'progress': round(progress, 3), 'elapsed': round(spent, 1),
                   **{k: round(v / n, 4) for k, v in run.items() if k != 'mse' or teacher is not None}}
            if watch is not None and it % 250 == 0:
                log['heldout_acc'] = round(quick_eval(net, watch, watch_idx, stream), 3)
            print(json.dumps(log), flush=True)
            run = {'loss': 0.0, 'ce': 0.0, 'mse': 0.0, 'acc': 0.0, 'n': 0}
        if it % 250 == 0:
            save(ckpt_path, net=net.state_dict(), opt=opt.state_dict(), iter=it, seconds=done_before + time.time() - t_train)
    seconds = done_before + time.time() - t_train
    save(ckpt_path, net=net.state_dict(), opt=opt.state_dict(), iter=it, seconds=seconds)

    record = json.load(open(record_path)) if os.path.exists(record_path) else {}
    record[args.stage] = {'iters': it, 'plannedIters': iters, 'minutesCap': args.minutes, 'batch': args.batch,
                          'lr': args.lr, 'seed': args.seed, 'threads': args.threads,
                          **({'alpha': args.alpha} if args.stage == 'mars' else {}),
                          'trainWindows': data.count, 'trainVideos': data.video_count, 'data': os.path.abspath(args.data),
                          'dataSeed': data.generator['seed'], 'trainSeconds': round(seconds, 1),
                          'seconds': round(time.time() - t0, 1)}
    with open(record_path, 'w') as f:
        json.dump(record, f, indent=2)


if __name__ == '__main__':
    main()
