"""Rebuilds a training checkpoint (feature, flow, task state dicts) from an exported pack's ONNX files.

The export folds each BatchNorm into its conv; the checkpoint gets the folded weights back with an identity
BatchNorm (weight 1, running mean 0, running variance 1 - eps, bias = the folded bias), so the networks compute
exactly what the pack computes in eval mode. Such a feature network is for frozen use (the head stage,
evaluation): training its BatchNorms would start from statistics it never had.

usage: checkpoint_from_pack.py --pack models/default --out RUN/dff.pt
"""
import argparse
import os

import onnx
import torch
from onnx import numpy_helper

from nets import FeatureNet, FlowNet, TaskNet


def initializers(model):
    return {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}


def conv_nodes(model):
    return [n for n in model.graph.node if n.op_type == 'Conv']


def feature_state(path):
    """The feature graph's convs in graph order onto FeatureNet's convs in forward (= registration) order."""
    model = onnx.load(path)
    weights = initializers(model)
    net = FeatureNet()
    modules = list(net.body.modules())
    convs = [(m, modules[i + 1] if i + 1 < len(modules) and isinstance(modules[i + 1], torch.nn.BatchNorm2d) else None)
             for i, m in enumerate(modules) if isinstance(m, torch.nn.Conv2d)]
    nodes = conv_nodes(model)
    if len(nodes) != len(convs):
        raise ValueError(f'{path}: {len(nodes)} convs, FeatureNet has {len(convs)}')
    with torch.no_grad():
        for node, (conv, bn) in zip(nodes, convs):
            w, b = weights[node.input[1]], weights[node.input[2]]
            if w.shape != conv.weight.shape:
                raise ValueError(f'{path}: conv {node.name} weight {tuple(w.shape)}, FeatureNet expects {tuple(conv.weight.shape)}')
            conv.weight.copy_(w)
            if bn is None:
                conv.bias.copy_(b)
            else:
                bn.weight.fill_(1.0)
                bn.bias.copy_(b)
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
    return net.state_dict()


def flow_state(path):
    """FlowNetExport's graph: the first conv is two convs over the halves of its input channels (current, key)."""
    model = onnx.load(path)
    weights = initializers(model)
    net = FlowNet()
    state = net.state_dict()
    first = [n for n in conv_nodes(model) if n.input[1] not in weights or not n.input[1].startswith('net.')]
    by_input = {}
    producers = {o: n for n in model.graph.node for o in n.output}
    for node in first:
        src = node.input[0]
        while src in producers:  # back through the pooling (and padding) to the graph input
            src = producers[src].input[0]
        by_input[src] = node
    if set(by_input) != {'current_image', 'key_image'}:
        raise ValueError(f'{path}: expected the first conv split over current_image and key_image, found {sorted(by_input)}')
    state['encoder.0.weight'] = torch.cat([weights[by_input['current_image'].input[1]],
                                           weights[by_input['key_image'].input[1]]], 1)
    for name in state:
        if name != 'encoder.0.weight':
            state[name] = weights['net.' + name]
    return state


def task_state(path, num_classes):
    weights = initializers(onnx.load(path))
    net = TaskNet(num_classes, context='task.context.0.weight' in weights)
    return {name: weights['task.' + name] for name in net.state_dict()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--pack', required=True)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    import json
    manifest = json.load(open(os.path.join(args.pack, 'manifest.json')))
    num_classes = len(manifest['classes'])
    state = {'feature': feature_state(os.path.join(args.pack, 'feature.onnx')),
             'flow': flow_state(os.path.join(args.pack, 'flow.onnx')),
             'task': task_state(os.path.join(args.pack, 'task.onnx'), num_classes),
             'fromPack': os.path.abspath(args.pack)}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(state, args.out)
    print(json.dumps({'checkpoint': args.out, 'from': args.pack}))


if __name__ == '__main__':
    main()
