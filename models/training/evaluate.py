"""Evaluates trained networks on a held-out generated dataset (and the Middlebury pairs), writes eval.json.

  per-frame: feature + task on every frame
  DFF k=10:  key frames 0, 10, 20, ... run feature + task; every other frame i warps its key's features
             with flow(key, i) and runs the task head
  DFF k=10, keys in the middle (the app's engine, electron/core/dff/schedule.ts): segments [0,10), [10,20), ...
             take their features from keys 4, 14, ...; a short last segment [s, e) from s + (e - s - 1) // 2;
             frames before their key use flow(key, i) too ('dffMiddle', by signed offset i - key)
  flow:      end-point error of the flow network against zero flow and pyramidal Lucas-Kanade

usage: evaluate.py --data DIR --work DIR [--checkpoint dff] [--middlebury DIR] [--out eval.json]
"""
import argparse
import glob
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from classical_flow import lucas_kanade
from nets import DET_STRIDE, FEATURE_STRIDE, TaskNet, count_macs, upsample_seg, warp
from targets import EVAL_MIN_AREA, EVAL_MIN_VISIBLE
from train import build, normalize
from world_data import load_dataset, read_flo


SUBSET_CLIPS = 4


def load_nets(work, checkpoint, num_classes):
    feat, flow, _ = build(num_classes)
    state = torch.load(os.path.join(work, f'{checkpoint}.pt'))
    task = TaskNet(num_classes, context=any(k.startswith('context.') for k in state['task']))
    feat.load_state_dict(state['feature'])
    flow.load_state_dict(state['flow'])
    task.load_state_dict(state['task'])
    return feat.eval(), flow.eval(), task.eval()


def decode_centernet(heat_logits, size, offset, top_k=100, min_score=0.01):
    """(C,h,w),(2,h,w),(2,h,w) -> (N, 6) [x, y, w, h, score, classId]; peaks = 3x3 local maxima."""
    heat = torch.sigmoid(heat_logits)[None]
    peaks = heat == F.max_pool2d(heat, 3, stride=1, padding=1)
    scores = (heat * peaks).flatten()
    top = torch.topk(scores, min(top_k, scores.numel()))
    c_, h_, w_ = heat_logits.shape
    out = []
    for s, i in zip(top.values.tolist(), top.indices.tolist()):
        if s < min_score:
            break
        c, rem = divmod(i, h_ * w_)
        y, x = divmod(rem, w_)
        cx = (x + offset[0, y, x].item()) * DET_STRIDE
        cy = (y + offset[1, y, x].item()) * DET_STRIDE
        bw = float(np.exp(size[0, y, x].item())) * DET_STRIDE
        bh = float(np.exp(size[1, y, x].item())) * DET_STRIDE
        out.append([cx - bw / 2, cy - bh / 2, bw, bh, s, c + 1])
    return nms(np.array(out, np.float32).reshape(-1, 6))


def iou_xywh(a, b):
    """a (4,), b (M, 4) -> (M,) IoU."""
    x1 = np.maximum(a[0], b[:, 0])
    y1 = np.maximum(a[1], b[:, 1])
    x2 = np.minimum(a[0] + a[2], b[:, 0] + b[:, 2])
    y2 = np.minimum(a[1] + a[3], b[:, 1] + b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return inter / (a[2] * a[3] + b[:, 2] * b[:, 3] - inter + 1e-9)


def nms(dets, iou=0.5):
    """Per-class greedy NMS on score-sorted (N, 6) detections."""
    keep = []
    for c in np.unique(dets[:, 5]):
        d = dets[dets[:, 5] == c]
        d = d[np.argsort(-d[:, 4])]
        while len(d):
            keep.append(d[0])
            d = d[1:][iou_xywh(d[0, :4], d[1:, :4]) < iou] if len(d) > 1 else d[1:]
    return np.array(keep, np.float32).reshape(-1, 6)


class DetectionAP:
    """VOC-style AP@0.5 (all-point interpolation) per class; 'ignored' ground truth counts neither way."""

    def __init__(self, num_classes):
        self.num_classes = num_classes
        self.records = {c: [] for c in range(1, num_classes + 1)}  # (score, is_tp) for counted detections
        self.positives = {c: 0 for c in range(1, num_classes + 1)}

    def add(self, dets, gt):
        """dets (N, 6) [x,y,w,h,score,cls]; gt (M, 7) [x,y,w,h,cls,area,visibleFraction]."""
        for c in range(1, self.num_classes + 1):
            g = gt[gt[:, 4] == c]
            ignored = (g[:, 5] < EVAL_MIN_AREA) | (g[:, 6] < EVAL_MIN_VISIBLE)
            self.positives[c] += int((~ignored).sum())
            used = np.zeros(len(g), bool)
            d = dets[dets[:, 5] == c]
            for det in d[np.argsort(-d[:, 4])]:
                ious = iou_xywh(det[:4], g[:, :4]) if len(g) else np.zeros(0)
                best = int(np.argmax(ious)) if len(ious) else -1
                if best >= 0 and ious[best] >= 0.5:
                    if ignored[best]:
                        continue
                    if not used[best]:
                        used[best] = True
                        self.records[c].append((det[4], 1))
                        continue
                self.records[c].append((det[4], 0))

    def result(self):
        aps = {}
        for c, rec in self.records.items():
            if self.positives[c] == 0:
                continue
            rec = sorted(rec, key=lambda r: -r[0])
            tp = np.cumsum([r[1] for r in rec]) if rec else np.zeros(0)
            fp = np.cumsum([1 - r[1] for r in rec]) if rec else np.zeros(0)
            recall = tp / self.positives[c]
            precision = tp / np.maximum(tp + fp, 1e-9)
            mrec = np.concatenate([[0], recall, [1]])
            mpre = np.concatenate([[0], precision, [0]])
            for i in range(len(mpre) - 2, -1, -1):
                mpre[i] = max(mpre[i], mpre[i + 1])
            i = np.where(mrec[1:] != mrec[:-1])[0]
            aps[c] = float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))
        return float(np.mean(list(aps.values()))), aps


class SegIoU:
    def __init__(self, num_classes):
        self.n = num_classes + 1
        self.conf = np.zeros((self.n, self.n), np.int64)

    def add(self, pred, gt):
        self.conf += np.bincount(gt.ravel().astype(np.int64) * self.n + pred.ravel(), minlength=self.n ** 2).reshape(self.n, self.n)

    def result(self):
        inter = np.diag(self.conf)
        union = self.conf.sum(0) + self.conf.sum(1) - inter
        ious = inter / np.maximum(union, 1)
        return float(ious.mean()), ious.tolist()


def predictions(task, features, height, width):
    seg, heat, size, offset = task(features)
    return upsample_seg(seg, height, width).argmax(1).numpy(), heat, size, offset


def middle_key(i, key_interval, length):
    """The key of frame i when each segment of key_interval frames (from frame 0) keys on its middle frame."""
    start = i - i % key_interval
    end = min(start + key_interval, length)
    return start + (end - start - 1) // 2


def evaluate_tasks(ds, feat, flow, task, key_interval):
    """Per-frame, DFF (key at the start of every key_interval frames) and DFF with the key in the middle of
    each segment: accuracy over the whole dataset. dffMiddleMIoUByOffset is keyed by the signed offset i - key
    as a string, most negative first ('-4' .. '5' for k = 10)."""
    C, H, W = len(ds.classes), ds.height, ds.width
    modes = ('perFrame', 'dff', 'dffMiddle')
    acc = {m: {'seg': SegIoU(C), 'det': DetectionAP(C)} for m in modes}
    # the first SUBSET_CLIPS clips also on their own: the Node test re-renders exactly these and compares
    sub = {m: {'seg': SegIoU(C), 'det': DetectionAP(C)} for m in modes}
    by_offset = {d: SegIoU(C) for d in range(key_interval)}
    before = (key_interval - 1) // 2
    by_offset_middle = {d: SegIoU(C) for d in range(-before, key_interval - before)}

    def add(mode, clip, i, seg, dets, in_sub):
        for a in (acc[mode], sub[mode]) if in_sub else (acc[mode],):
            a['seg'].add(seg[0], clip.semantic[i])
            a['det'].add(dets, clip.boxes[i])

    def propagated(images, feats, key, i):
        m, s = flow(images[key:key + 1], images[i:i + 1])
        seg, heat, size, offset = predictions(task, warp(feats[key:key + 1], m, s), H, W)
        return seg, decode_centernet(heat[0], size[0], offset[0])

    with torch.no_grad():
        for n_clip, clip in enumerate(ds.clips):
            in_sub = n_clip < SUBSET_CLIPS
            images = normalize(torch.from_numpy(clip.frames).permute(0, 3, 1, 2).float())
            feats = torch.cat([feat(images[s:s + 16]) for s in range(0, len(images), 16)])
            for i in range(len(images)):
                seg, heat, size, offset = predictions(task, feats[i:i + 1], H, W)
                own = seg, decode_centernet(heat[0], size[0], offset[0])
                add('perFrame', clip, i, *own, in_sub)
                k = i - i % key_interval
                seg, dets = own if i == k else propagated(images, feats, k, i)
                add('dff', clip, i, seg, dets, in_sub)
                by_offset[i - k].add(seg[0], clip.semantic[i])
                k = middle_key(i, key_interval, len(images))
                seg, dets = own if i == k else propagated(images, feats, k, i)
                add('dffMiddle', clip, i, seg, dets, in_sub)
                by_offset_middle[i - k].add(seg[0], clip.semantic[i])
    out = {}
    for name in modes:
        miou, ious = acc[name]['seg'].result()
        mean_ap, aps = acc[name]['det'].result()
        out[name] = {'mIoU': miou, 'iouPerClass': ious, 'mAP50': mean_ap, 'apPerClass': aps}
    out['subset'] = {'clips': [c.name for c in ds.clips[:SUBSET_CLIPS]],
                     **{m: {'mIoU': a['seg'].result()[0], 'mAP50': a['det'].result()[0]} for m, a in sub.items()}}
    out['dffMIoUByOffset'] = [by_offset[d].result()[0] for d in range(key_interval)]
    out['dffMiddleMIoUByOffset'] = {str(d): a.result()[0] for d, a in by_offset_middle.items() if a.conf.any()}
    return out


def upsample_cells(flow_cells, h, w):
    """Flow in feature cells at stride 16 -> flow in input pixels on an (h, w) grid of the same image."""
    up = F.interpolate(flow_cells, size=(h, w), mode='bilinear', align_corners=False)
    return up * FEATURE_STRIDE


def to_grid_px(flow_px, h, w):
    """Dense flow in input pixels (N,2,H,W) -> box-averaged onto an (h, w) grid, still in input pixels."""
    return F.adaptive_avg_pool2d(flow_px, (h, w))


def evaluate_flow(ds, flow, max_pairs=400):
    """EPE (input pixels, on the dataset's flow grid) over (ref(i), i) pairs with i != ref(i)."""
    pairs = [(c, i) for c in ds.clips for i in range(len(c.frames)) if c.refs[i] != i]
    step = max(1, len(pairs) // max_pairs)
    pairs = pairs[::step]
    sums = {'net': 0.0, 'zero': 0.0, 'lucasKanade': 0.0, 'gtAtStride16': 0.0}
    with torch.no_grad():
        for clip, i in pairs:
            k = clip.refs[i]
            gt = torch.from_numpy(clip.flow[i]).permute(2, 0, 1)[None]
            gh, gw = gt.shape[2:]
            cur = torch.from_numpy(clip.frames[i]).permute(2, 0, 1)[None].float()
            key = torch.from_numpy(clip.frames[k]).permute(2, 0, 1)[None].float()
            m, _ = flow(normalize(key), normalize(cur))
            est = {'net': upsample_cells(m, gh, gw), 'zero': torch.zeros_like(gt),
                   'lucasKanade': to_grid_px(lucas_kanade(cur, key), gh, gw),
                   'gtAtStride16': upsample_cells(F.adaptive_avg_pool2d(gt, m.shape[2:]) / FEATURE_STRIDE, gh, gw)}
            for name, e in est.items():
                sums[name] += torch.sqrt(((e - gt) ** 2).sum(1)).mean().item()
    return {'pairs': len(pairs), 'gridWidth': int(ds.clips[0].flow.shape[2]), 'epePx': {k: v / len(pairs) for k, v in sums.items()}}


def evaluate_middlebury(root, flow, width, height):
    """The flow net on real Middlebury pairs, images resized to the input size; EPE in resized input pixels."""
    out = {}
    for d in sorted(glob.glob(os.path.join(root, '*'))):
        if not os.path.exists(os.path.join(d, 'flow10.flo')):
            continue
        im10, im11 = (Image.open(os.path.join(d, f)).convert('RGB') for f in ('frame10.png', 'frame11.png'))
        ow, oh = im10.size
        gt = read_flo(os.path.join(d, 'flow10.flo'))
        valid = (np.abs(gt) < 1e9).all(2)
        gt_t = torch.from_numpy(np.where(valid[..., None], gt, 0)).permute(2, 0, 1)[None]
        sx, sy = width / ow, height / oh
        gt_t = gt_t * torch.tensor([sx, sy]).view(1, 2, 1, 1)
        # flow10 maps frame10 -> frame11, i.e. current = frame10, key = frame11 in our convention
        cur, key = (torch.from_numpy(np.array(im.resize((width, height), Image.BILINEAR))).permute(2, 0, 1)[None].float()
                    for im in (im10, im11))
        with torch.no_grad():
            m, _ = flow(normalize(key), normalize(cur))
        est = {'net': upsample_cells(m, oh, ow), 'zero': torch.zeros(1, 2, oh, ow),
               'lucasKanade': F.interpolate(lucas_kanade(cur, key), size=(oh, ow), mode='bilinear', align_corners=False)}
        v = torch.from_numpy(valid)
        res = {}
        for name, e in est.items():
            err = torch.sqrt(((e - gt_t) ** 2).sum(1))[0]
            res[name] = err[v].mean().item()
        out[os.path.basename(d)] = {'epeInputPx': res, 'originalSize': [ow, oh], 'inputSize': [width, height],
                                    'gtMagnitudeInputPx': torch.sqrt((gt_t ** 2).sum(1))[0][v].mean().item()}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--checkpoint', default='dff')
    ap.add_argument('--key-interval', type=int, default=10)
    ap.add_argument('--middlebury', default=None)
    ap.add_argument('--out', default=None)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--max-clips', type=int, default=None, help='a quick look on the first clips only')
    ap.add_argument('--no-flow', action='store_true', help='skip the flow evaluation')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    ds = load_dataset(args.data, max_clips=args.max_clips)
    feat, flow, task = load_nets(args.work, args.checkpoint, len(ds.classes))
    x = torch.zeros(1, 3, ds.height, ds.width)
    result = {'checkpoint': args.checkpoint, 'data': os.path.abspath(args.data), 'testClips': len(ds.clips),
              'testFrames': ds.num_frames, 'keyInterval': args.key_interval,
              'macs': {'feature': count_macs(feat, x), 'flow': count_macs(flow, x, x),
                       'task': count_macs(task, feat(x))}}
    result.update(evaluate_tasks(ds, feat, flow, task, args.key_interval))
    if not args.no_flow:
        result['flow'] = evaluate_flow(ds, flow)
    if args.middlebury and os.path.isdir(args.middlebury):
        result['middlebury'] = evaluate_middlebury(args.middlebury, flow, ds.width, ds.height)
    result['seconds'] = round(time.time() - t0, 1)
    text = json.dumps(result, indent=2)
    print(text)
    with open(args.out or os.path.join(args.work, f'eval-{args.checkpoint}.json'), 'w') as f:
        f.write(text)


if __name__ == '__main__':
    main()
