"""Exports a trained checkpoint as a DFF model pack: feature/flow/warp/task .onnx files + manifest.json.

The manifest is the pack contract documented in models/README.md.
usage: export_pack.py --work DIR --data DIR --out models/default [--checkpoint dff]
"""
import argparse
import json
import os

import onnx
import torch

from nets import DET_STRIDE, FEATURE_CHANNELS, FEATURE_STRIDE, FlowNetExport, WarpNet, warp
from train import MEAN, STD
from evaluate import load_nets
from world_data import load_dataset

OPSET = 16
KEY_INTERVAL = 10


class TaskExport(torch.nn.Module):
    def __init__(self, task):
        super().__init__()
        self.task = task

    def forward(self, features):
        return self.task(features)


def export(model, args, path, input_names, output_names):
    torch.onnx.export(model, args, path, opset_version=OPSET, input_names=input_names, output_names=output_names,
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def manifest(classes, width, height, name, version, description):
    fh, fw = height // FEATURE_STRIDE, width // FEATURE_STRIDE
    return {
        'format': 'dff-pack/1',
        'name': name,
        'version': version,
        'description': description,
        'input': {'width': width, 'height': height, 'channelOrder': 'RGB', 'layout': 'NCHW',
                  'valueScale': 255, 'mean': MEAN, 'std': STD},
        'feature': {'stride': FEATURE_STRIDE, 'channels': FEATURE_CHANNELS, 'width': fw, 'height': fh},
        'flow': {'inputHalving': True, 'stride': FEATURE_STRIDE, 'units': 'featureCells',
                 'direction': 'currentToKey', 'alignCorners': False, 'scaleField': 'perChannel'},
        'keyInterval': KEY_INTERVAL,
        'networks': {
            'feature': {'file': 'feature.onnx', 'inputs': {'image': 'image'}, 'outputs': {'features': 'features'}},
            'flow': {'file': 'flow.onnx', 'inputs': {'keyImage': 'key_image', 'currentImage': 'current_image'},
                     'outputs': {'flow': 'flow', 'scale': 'scale'}},
            'warp': {'file': 'warp.onnx', 'inputs': {'features': 'features', 'flow': 'flow', 'scale': 'scale'},
                     'outputs': {'warped': 'warped'}},
            'task': {'file': 'task.onnx', 'inputs': {'features': 'features'},
                     'outputs': {'segmentation': 'segmentation', 'heatmap': 'heatmap', 'size': 'size',
                                 'offset': 'offset'}},
        },
        'heads': {
            'segmentation': {'decoder': 'argmax', 'output': 'segmentation', 'backgroundId': 0},
            'detection': {'decoder': 'centernet', 'stride': DET_STRIDE, 'heatmap': 'heatmap', 'size': 'size',
                          'offset': 'offset', 'sizeEncoding': 'log', 'peakKernel': 3, 'topK': 100,
                          'scoreThreshold': 0.3, 'nmsIou': 0.5},
        },
        'classes': [{'id': c['id'], 'name': c['name'], 'color': c['color']} for c in classes],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--work', required=True)
    ap.add_argument('--data', required=True, help='a dataset, for the class table and the input size')
    ap.add_argument('--out', required=True)
    ap.add_argument('--checkpoint', default='dff')
    ap.add_argument('--version', default='1.0.0')
    args = ap.parse_args()
    ds = load_dataset(args.data, max_clips=1)
    H, W = ds.height, ds.width
    feat, flow, task = load_nets(args.work, args.checkpoint, len(ds.classes))
    os.makedirs(args.out, exist_ok=True)
    image = torch.from_numpy(ds.clips[0].frames[:2]).permute(0, 3, 1, 2).float()
    image = (image - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    key, cur = image[:1], image[1:2]
    with torch.no_grad():
        f = feat(key)
        m, s = flow(key, cur)
        flow_net = FlowNetExport(flow)
        diff = max((a - b).abs().max().item() for a, b in zip(flow_net(key, cur), (m, s)))
        assert diff <= 1e-4, f'FlowNetExport differs from FlowNet by {diff}'
        warp_net = WarpNet(H // FEATURE_STRIDE, W // FEATURE_STRIDE)
        for flow_cells in (m, torch.randn_like(m) * 8):  # the network's flow, and long vectors that reach the border
            diff = (warp_net(f, flow_cells, s) - warp(f, flow_cells, s)).abs().max().item()
            assert diff <= 1e-4 * max(1.0, f.abs().max().item()), f'WarpNet differs from warp() (grid_sample) by {diff}'
    export(feat, (key,), os.path.join(args.out, 'feature.onnx'), ['image'], ['features'])
    export(flow_net, (key, cur), os.path.join(args.out, 'flow.onnx'), ['key_image', 'current_image'], ['flow', 'scale'])
    export(warp_net, (f, m, s), os.path.join(args.out, 'warp.onnx'), ['features', 'flow', 'scale'], ['warped'])
    export(TaskExport(task), (f,), os.path.join(args.out, 'task.onnx'), ['features'],
           ['segmentation', 'heatmap', 'size', 'offset'])
    desc = ('Default DFF pack trained on the generated world (6 shape classes): ResNet-style feature network '
            '(stride 16), FlowNet-style flow network on the half-resolution pair, semantic segmentation and '
            'CenterNet detection heads. See MODEL_CARD.md.')
    path = os.path.join(args.out, 'manifest.json')
    contract = manifest(ds.classes, W, H, 'default', args.version, desc)
    if os.path.exists(path):  # the action model is built apart (models/actions/build_actions.sh): keep its section
        action = json.load(open(path)).get('action')
        if action:
            contract['action'] = action
    with open(path, 'w') as fo:
        json.dump(contract, fo, indent=2)
        fo.write('\n')
    sizes = {n: os.path.getsize(os.path.join(args.out, n)) for n in sorted(os.listdir(args.out))}
    print(json.dumps({'exported': args.out, 'bytes': sizes, 'total_mb': round(sum(sizes.values()) / 2 ** 20, 2)}))


if __name__ == '__main__':
    main()
