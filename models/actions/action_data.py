"""Reads an action-clip dataset (format dff-actions/1, written by electron/core/world/action-clips-cli.ts;
layout in models/actions/README.md) through memory maps, and makes normalised, optionally flipped batches."""
import json
import os

import numpy as np
import torch

MEAN = [123.675, 116.28, 103.53]  # RGB on 0..255, the DFF pack's normalisation (manifest 'action' says so too)
STD = [58.395, 57.12, 57.375]
FLOW_NORM = 2.0  # flow stream input: pixels / FLOW_NORM

# Class index after a flip (classes: none, move_left, move_right, rotate_cw, rotate_ccw, approach, recede).
# A left-right mirror swaps left/right moves and the turning sense; an up-down mirror only the turning sense.
HFLIP = [0, 2, 1, 4, 3, 5, 6]
VFLIP = [0, 1, 2, 4, 3, 5, 6]


def mirror(a, left_right, up_down):
    """Mirrors a (T, H, W, C) array."""
    if left_right:
        a = a[:, :, ::-1]
    if up_down:
        a = a[:, ::-1]
    return a


class ActionData:
    def __init__(self, path):
        with open(os.path.join(path, 'index.json')) as f:
            index = json.load(f)
        if index.get('format') != 'dff-actions/1':
            raise ValueError(f'{path}/index.json: not a dff-actions/1 dataset')
        g = index['generator']
        self.path, self.generator = path, g
        self.classes = index['classes']
        self.counts = index['counts']
        self.T, self.H, self.W = g['clipLength'], g['height'], g['width']
        self.rgb, self.flow = [], []
        for v in index['videos']:
            n = v['frames']
            self.rgb.append(np.memmap(os.path.join(path, v['rgb']), np.uint8, 'r', shape=(n, self.H, self.W, 3)))
            self.flow.append(np.memmap(os.path.join(path, v['flow']), np.float16, 'r', shape=(n - 1, self.H, self.W, 2)))
        self.windows = np.asarray(index['windows'], np.int64).reshape(-1, 3)  # video, start, label
        self.labels = torch.from_numpy(self.windows[:, 2].copy())
        self.count = len(self.windows)
        self.video_count = len(index['videos'])

    def batch(self, idx, streams=('rgb', 'flow'), flips=None):
        """Tensors for windows `idx`: rgb (B,3,T,H,W) normalised, flow (B,2,T-1,H,W) / FLOW_NORM, labels (B,).
        flips: (B, 2) bools (mirror left-right, mirror up-down) applied to every stream and the label."""
        out = {}
        hf = np.zeros(len(idx), bool) if flips is None else flips[:, 0]
        vf = np.zeros(len(idx), bool) if flips is None else flips[:, 1]
        labels = self.windows[idx, 2].copy()
        labels = np.where(hf, np.take(HFLIP, labels), labels)
        labels = np.where(vf, np.take(VFLIP, labels), labels)
        out['labels'] = torch.from_numpy(labels)

        if 'rgb' in streams:
            clips = []
            for k, i in enumerate(idx):
                v, s, _ = self.windows[i]
                a = self.rgb[v][s:s + self.T]  # (T,H,W,3)
                a = mirror(a, hf[k], vf[k])
                clips.append(np.ascontiguousarray(a))
            x = torch.from_numpy(np.stack(clips)).permute(0, 4, 1, 2, 3).float()  # B,3,T,H,W
            out['rgb'] = (x - torch.tensor(MEAN).view(1, 3, 1, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1, 1)
        if 'flow' in streams:
            flows = []
            for k, i in enumerate(idx):
                v, s, _ = self.windows[i]
                a = np.asarray(self.flow[v][s:s + self.T - 1], np.float32)  # (T-1,H,W,2): frame t+1 -> t
                a = mirror(a, hf[k], vf[k])
                a = a * np.array([-1.0 if hf[k] else 1.0, -1.0 if vf[k] else 1.0], np.float32)
                flows.append(np.ascontiguousarray(a))
            out['flow'] = torch.from_numpy(np.stack(flows)).permute(0, 4, 1, 2, 3) / FLOW_NORM
        return out
