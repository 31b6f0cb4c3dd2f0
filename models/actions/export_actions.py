"""Exports the trained action networks to ONNX and writes the `action` section of the pack's manifest.json.

  PACK/action.onnx                  MARS (RGB only): 'clip' (1,3,T,H,W) float32 normalised -> 'logits' (1,K)
  BASELINES/rgb.onnx                the RGB-only baseline, same input and output
  BASELINES/flow.onnx               the flow stream: 'flow' (1,2,T-1,H,W) = flows (frame t+1 -> t, pixels) / FLOW_NORM
  BASELINES/baselines.json          how to feed the two baselines (the benchmark reads it)

Only the manifest's `action` key is replaced; the rest of the file is kept as it is.
usage: export_actions.py --work DIR --data DIR --pack models/default --baselines models/action-baselines
"""
import argparse
import json
import os

import onnx
import torch

from action_data import ActionData, FLOW_NORM, MEAN, STD
from action_net import MarsExport
from train_actions import load_net

OPSET = 16
WINDOW_STRIDE_DIVISOR = 2  # windows T/2 frames apart: every frame is seen by two windows
MIN_SEGMENT_FRAMES = 6  # the world's shortest labelled action
COLORS = {  # distinct on the timeline; 'none' is never drawn
    'none': [128, 128, 128], 'move_left': [60, 120, 230], 'move_right': [0, 190, 200], 'rotate_cw': [230, 70, 60],
    'rotate_ccw': [245, 170, 30], 'approach': [70, 190, 80], 'recede': [170, 90, 220],
}


def export(model, example, path, input_name):
    torch.onnx.export(model, (example,), path, opset_version=OPSET, input_names=[input_name], output_names=['logits'],
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        return model(example)


def action_section(data):
    T = data.T
    return {
        'file': 'action.onnx',
        'inputs': {'clip': 'clip'},
        'outputs': {'logits': 'logits'},
        'clipLength': T,
        'frameStep': 1,
        'windowStride': max(1, T // WINDOW_STRIDE_DIVISOR),
        'width': data.W,
        'height': data.H,
        'channelOrder': 'RGB',
        'valueScale': 255,
        'mean': MEAN,
        'std': STD,
        'classes': [{'name': n, 'color': COLORS[n]} for n in data.classes],
        'minSegmentFrames': MIN_SEGMENT_FRAMES,
    }


def baselines(data):
    """How to feed the benchmark-only baselines (they are not part of any pack)."""
    return {
        'format': 'dff-action-baselines/1',
        'classes': data.classes,
        'rgb': {'file': 'rgb.onnx', 'input': 'clip', 'output': 'logits', 'shape': [1, 3, data.T, data.H, data.W],
                'normalisation': 'as the pack manifest action section (mean/std on 0..255)'},
        'flow': {'file': 'flow.onnx', 'input': 'flow', 'output': 'logits', 'shape': [1, 2, data.T - 1, data.H, data.W],
                 'flowNorm': FLOW_NORM, 'direction': 'frame t+1 back to frame t (pixel p of t+1 shows what is at p + M(p) in t)',
                 'units': 'pixels of the clip, divided by flowNorm', 'channels': ['u', 'v']},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--work', required=True)
    ap.add_argument('--data', required=True, help='a dataset, for the clip size and the class table')
    ap.add_argument('--pack', required=True)
    ap.add_argument('--baselines', required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)
    data = ActionData(args.data)
    K = len(data.classes)
    example = data.batch([0], ('rgb', 'flow'))
    os.makedirs(args.baselines, exist_ok=True)
    files = {
        os.path.join(args.pack, 'action.onnx'): export(MarsExport(load_net(args.work, 'mars', K)), example['rgb'],
                                                       os.path.join(args.pack, 'action.onnx'), 'clip'),
        os.path.join(args.baselines, 'rgb.onnx'): export(MarsExport(load_net(args.work, 'rgb', K)), example['rgb'],
                                                         os.path.join(args.baselines, 'rgb.onnx'), 'clip'),
        os.path.join(args.baselines, 'flow.onnx'): export(MarsExport(load_net(args.work, 'flow', K)), example['flow'],
                                                          os.path.join(args.baselines, 'flow.onnx'), 'flow'),
    }
    manifest_path = os.path.join(args.pack, 'manifest.json')
    with open(manifest_path) as f:
        manifest = json.load(f)
    manifest['action'] = action_section(data)
    with open(manifest_path, 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    with open(os.path.join(args.baselines, 'baselines.json'), 'w') as f:
        json.dump(baselines(data), f, indent=2)
        f.write('\n')
    sizes = {os.path.relpath(p): os.path.getsize(p) for p in files}
    print(json.dumps({'exported': sizes, 'flowNorm': FLOW_NORM, 'manifest': manifest_path}))


if __name__ == '__main__':
    main()
