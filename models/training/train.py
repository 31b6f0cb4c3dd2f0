"""Trains the default pack in stages (each resumable from its checkpoint):

  perframe  feature + task networks on single frames
  flow      flow network on ground-truth flow (ref(i) -> i pairs, end-point error at stride 16)
  dff       all networks end to end on pairs (I_k, I_i), 0 <= i-k <= 9, task loss on frame i only
            (plus the flow's end-point error as an auxiliary term, so the flow stays a real flow that the
            app can show and carry labels along)
  head      DFF again with the feature network frozen (its features computed once): the task head, now with a
            3x3 context path (TaskNet(context=True), starting as the dff stage's head), and the flow network.
            Each batch: a quarter frames on their own features (key frames), half warped from ref(i) = i - d
            (d in 0..9, with the flow's end-point error as in dff), a quarter warped from a key after the frame
            (i + d, d in 1..5; the app keys each segment on its middle frame). Without the feature network's
            forward and backward an iteration costs a fraction of a dff one.
  tune      all three networks again, starting from the head stage, the feature network's BatchNorms frozen
            (their statistics fixed, so it also resumes a checkpoint rebuilt from a pack, whose BatchNorms are
            folded). Each batch: half frames on their own features (what per-frame and key frames see), a
            quarter warped from ref(i) = i - d (with the flow's end-point error), a quarter warped from a key
            after the frame (i + d, d in 1..5).

usage: train.py --data DIR --work DIR --stage perframe|flow|dff|head|tune --iters N [--batch B] [--seed S]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch

from nets import FeatureNet, FlowNet, TaskNet, warp
from targets import detection_targets, epe, flow_to_cells, task_loss
from world_data import load_dataset

MEAN = [123.675, 116.28, 103.53]  # RGB, on 0..255 values
STD = [58.395, 57.12, 57.375]


class Tensors:
    """The whole dataset as tensors in memory, with the targets precomputed."""

    def __init__(self, ds):
        self.width, self.height = ds.width, ds.height
        self.num_classes = len(ds.classes)
        self.frames = torch.from_numpy(np.concatenate([c.frames for c in ds.clips]))  # uint8 NHWC
        self.semantic = torch.from_numpy(np.concatenate([c.semantic for c in ds.clips]))  # uint8
        self.flow = torch.cat([flow_to_cells(c.flow, ds.height, ds.width) for c in ds.clips])
        offsets = np.cumsum([0] + [len(c.frames) for c in ds.clips])
        self.refs = torch.from_numpy(np.concatenate([c.refs + o for c, o in zip(ds.clips, offsets)]))
        det = [detection_targets(b, self.num_classes, ds.height, ds.width) for c in ds.clips for b in c.boxes]
        self.heat, self.size, self.offset, self.mask = (torch.from_numpy(np.stack(x)) for x in zip(*det))
        self.count = len(self.frames)
        self.clip_last = torch.from_numpy(np.concatenate([np.full(len(c.frames), o + len(c.frames) - 1)
                                                          for c, o in zip(ds.clips, offsets)]))

    def images(self, idx):
        x = self.frames[idx].permute(0, 3, 1, 2).float()
        return normalize(x)

    def task_batch(self, idx):
        return {'semantic': self.semantic[idx].long(), 'heat': self.heat[idx], 'size': self.size[idx],
                'offset': self.offset[idx], 'mask': self.mask[idx]}


def normalize(x):
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def frozen_features(data, feat, chunk=32):
    """Every frame's features, (frames, C, h, w), computed once by the frozen feature network."""
    with torch.no_grad():
        return torch.cat([feat(data.images(torch.arange(s, min(s + chunk, data.count))))
                          for s in range(0, data.count, chunk)])


def keys_after(data, idx, rng):
    """A key 1..5 frames after each frame of idx, within its clip; ref(i) where the clip ends first."""
    after = idx + torch.from_numpy(rng.integers(1, 6, len(idx)))
    return torch.where(after <= data.clip_last[idx], after, data.refs[idx])


def build(num_classes):
    return FeatureNet(), FlowNet(), TaskNet(num_classes)


def lr_at(progress, it, base, warmup=100):
    """Linear warm-up over the first iterations, then cosine decay over progress (0..1)."""
    if it < warmup:
        return base * (it + 1) / warmup
    return base * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def save(path, **state):
    tmp = path + '.tmp'
    torch.save(state, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--stage', required=True, choices=['perframe', 'flow', 'dff', 'head', 'tune'])
    ap.add_argument('--iters', type=int, required=True)
    ap.add_argument('--minutes', type=float, default=None,
                    help='wall-time cap: the schedule runs on whichever of iterations or time is further along')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=None)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    t0 = time.time()
    ds = load_dataset(args.data)
    data = Tensors(ds)
    print(json.dumps({'loaded': data.count, 'clips': len(ds.clips), 'seconds': round(time.time() - t0, 1)}), flush=True)

    feat, flow, task = build(data.num_classes)
    if args.stage in ('head', 'tune'):
        task = TaskNet(data.num_classes, context=True)
    ckpt_path = os.path.join(args.work, f'{args.stage}.pt')
    prev = {'perframe': None, 'flow': None, 'dff': ['perframe', 'flow'], 'head': ['dff'], 'tune': ['head']}[args.stage]
    for name in prev or []:
        state = torch.load(os.path.join(args.work, f'{name}.pt'))
        if name == 'head':
            feat.load_state_dict(state['feature'])
            flow.load_state_dict(state['flow'])
            task.load_state_dict(state['task'])
        elif name == 'dff':
            feat.load_state_dict(state['feature'])
            flow.load_state_dict(state['flow'])
            task.load_state_dict(state['task'], strict=False)  # the context path is new
        elif name == 'perframe':
            feat.load_state_dict(state['feature'])
            task.load_state_dict(state['task'])
        else:
            flow.load_state_dict(state['flow'])

    if args.stage == 'perframe':
        params = [{'params': list(feat.parameters()) + list(task.parameters()), 'lr': args.lr or 2e-3}]
    elif args.stage == 'flow':
        params = [{'params': list(flow.parameters()), 'lr': args.lr or 2e-3}]
    elif args.stage == 'head':
        base = args.lr or 1e-3
        params = [{'params': list(task.parameters()), 'lr': base}, {'params': list(flow.parameters()), 'lr': base * 0.2}]
    elif args.stage == 'tune':
        base = args.lr or 4e-4
        params = [{'params': list(feat.parameters()), 'lr': base * 0.5}, {'params': list(task.parameters()), 'lr': base},
                  {'params': list(flow.parameters()), 'lr': base * 0.25}]
    else:
        base = args.lr or 5e-4
        params = [{'params': list(feat.parameters()), 'lr': base * 0.5},
                  {'params': list(flow.parameters()) + list(task.parameters()), 'lr': base}]
    for g in params:
        g['base_lr'] = g['lr']
    opt = torch.optim.AdamW(params, weight_decay=1e-4)

    start = 0
    if os.path.exists(ckpt_path):  # resume
        state = torch.load(ckpt_path)
        feat.load_state_dict(state['feature'])
        flow.load_state_dict(state['flow'])
        task.load_state_dict(state['task'])
        opt.load_state_dict(state['opt'])
        start = state['iter']
        print(json.dumps({'resumed': ckpt_path, 'iter': start}), flush=True)

    rng = np.random.default_rng([args.seed, start])  # a resumed run draws fresh batches
    feat.train(), flow.train(), task.train()
    if args.stage == 'tune':
        feat.eval()  # BatchNorm statistics stay fixed; the weights still train
    if args.stage == 'head':
        feat.eval()
        own = frozen_features(data, feat)
        print(json.dumps({'features': list(own.shape), 'seconds': round(time.time() - t0, 1)}), flush=True)
    t_train = time.time()
    budget = args.minutes * 60 if args.minutes else None
    done_before = state['seconds'] if start else 0.0  # training seconds spent before a resume
    it = start
    while True:
        spent = done_before + time.time() - t_train
        progress = max(it / args.iters, spent / budget if budget else 0.0)
        if progress >= 1:
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(progress, it, g['base_lr'])
        idx = torch.from_numpy(rng.integers(0, data.count, args.batch))
        logs = {}
        if args.stage == 'perframe':
            loss, logs = task_loss(task(feat(data.images(idx))), data.task_batch(idx))
        elif args.stage in ('head', 'tune'):
            # the batch: frames on their own features, then warped from ref(i) (before), then from a key after
            q = args.batch // 4
            n_own, n_fwd = (q, 2 * q) if args.stage == 'head' else (2 * q, q)
            fwd, back = idx[n_own:n_own + n_fwd], idx[n_own + n_fwd:]
            keys = torch.cat([data.refs[fwd], keys_after(data, back, rng)])
            pred, scale = flow(data.images(keys), data.images(idx[n_own:]))
            features_of = (lambda i: own[i]) if args.stage == 'head' else (lambda i: feat(data.images(i)))
            features = torch.cat([features_of(idx[:n_own]), warp(features_of(keys), pred, scale)])
            loss, logs = task_loss(task(features), data.task_batch(idx))
            l_flow = epe(pred[:n_fwd], data.flow[fwd])  # ground-truth flow exists to ref(i) only
            loss = loss + l_flow
            logs['epe_cells'] = l_flow.item()
        elif args.stage == 'flow':
            keys = data.refs[idx]
            pred, _scale = flow(data.images(keys), data.images(idx))
            loss = epe(pred, data.flow[idx])
            logs['epe_cells'] = loss.item()
        else:
            keys = data.refs[idx]  # ref(i) = i - d, d uniform in 0..9: exactly DFF's key->current offsets
            pred, scale = flow(data.images(keys), data.images(idx))
            warped = warp(feat(data.images(keys)), pred, scale)
            loss, logs = task_loss(task(warped), data.task_batch(idx))
            l_flow = epe(pred, data.flow[idx])
            loss = loss + l_flow
            logs['epe_cells'] = l_flow.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if it % 25 == 0:
            print(json.dumps({'stage': args.stage, 'iter': it, 'progress': round(progress, 3),
                              'loss': round(loss.item(), 4), **{k: round(v, 4) for k, v in logs.items()},
                              'elapsed': round(spent, 1)}), flush=True)
        it += 1
        if it % 200 == 0:
            save(ckpt_path, feature=feat.state_dict(), flow=flow.state_dict(), task=task.state_dict(),
                 opt=opt.state_dict(), iter=it, seconds=done_before + time.time() - t_train)
    save(ckpt_path, feature=feat.state_dict(), flow=flow.state_dict(), task=task.state_dict(),
         opt=opt.state_dict(), iter=it, seconds=done_before + time.time() - t_train)

    record_path = os.path.join(args.work, 'record.json')
    record = json.load(open(record_path)) if os.path.exists(record_path) else {}
    record[args.stage] = {'iters': it, 'plannedIters': args.iters, 'minutesCap': args.minutes, 'batch': args.batch, 'seed': args.seed, 'threads': args.threads,
                          'train_frames': data.count, 'train_clips': len(ds.clips), 'data': os.path.abspath(args.data),
                          'trainSeconds': round(done_before + time.time() - t_train, 1),
                          'seconds': round(time.time() - t0, 1)}
    with open(record_path, 'w') as f:
        json.dump(record, f, indent=2)


if __name__ == '__main__':
    main()
