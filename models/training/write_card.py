"""Writes models/default/MODEL_CARD.md and metrics.json from a run's record, evaluation and cost files.

usage: write_card.py --run WORK/run --out models/default/MODEL_CARD.md
"""
import argparse
import json
import os

TARGETS = {'mIoU': 0.85, 'mAP50': 0.85, 'dffLossPoints': 1.5, 'nonKeyCostRatio': 0.10}


def load(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def pct(x):
    return f'{100 * x:.1f}'


def ok(flag):
    return 'met' if flag else '**not met**'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    rec = load(os.path.join(args.run, 'record.json'), {})
    ev = load(os.path.join(args.run, 'eval.json'))
    costs = load(os.path.join(args.run, 'costs.json'))
    manifest = load(os.path.join(os.path.dirname(args.out), 'manifest.json'))
    started = load(os.path.join(args.run, 'started'))
    finished = load(os.path.join(args.run, 'finished'))
    classes = manifest['classes']

    per, dff, mid = ev['perFrame'], ev['dff'], ev['dffMiddle']
    d_miou = 100 * (per['mIoU'] - dff['mIoU'])
    d_map = 100 * (per['mAP50'] - dff['mAP50'])
    m_miou = 100 * (per['mIoU'] - mid['mIoU'])
    m_map = 100 * (per['mAP50'] - mid['mAP50'])
    metrics = {
        'testSet': {'seed': None, 'clips': ev['testClips'], 'frames': ev['testFrames'], 'data': ev['data']},
        'perFrame': {'mIoU': per['mIoU'], 'mAP50': per['mAP50']},
        'dff': {'keyInterval': ev['keyInterval'], 'mIoU': dff['mIoU'], 'mAP50': dff['mAP50']},
        'dffMiddle': {'keyInterval': ev['keyInterval'], 'mIoU': mid['mIoU'], 'mAP50': mid['mAP50']},
        'flowEpePx': ev.get('flow', {}).get('epePx'),
        'costs': costs,
    }
    sub = ev['subset']
    metrics['testSubset'] = {
        'note': 'the first test clips alone; the Node test re-renders exactly these (world seeds below) and compares',
        'clips': [{'name': n, **{k: load(os.path.join(ev['data'], n, 'meta.json'))[k] for k in
                                 ('seed', 'width', 'height', 'frameCount', 'difficulty', 'fps')}} for n in sub['clips']],
        'perFrame': sub['perFrame'], 'dff': sub['dff'], 'dffMiddle': sub['dffMiddle']}
    ds_json = load(os.path.join(ev['data'], 'dataset.json'), {})
    metrics['testSet']['seed'] = ds_json.get('generator', {}).get('seed')
    with open(os.path.join(os.path.dirname(args.out), 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=2)
        f.write('\n')

    train_ds = load(os.path.join(rec['perframe']['data'], 'dataset.json'), {}) if 'perframe' in rec else {}
    gen = train_ds.get('generator', {})
    sizes = {n: os.path.getsize(os.path.join(os.path.dirname(args.out), n))
             for n in ('feature.onnx', 'flow.onnx', 'warp.onnx', 'task.onnx')}
    macs = ev['macs']
    L = []
    L.append('# Model card: default DFF pack (`models/default`)\n')
    L.append('Trained from scratch on the generated world (`electron/core/world`), no pretrained weights. '
             'Rebuild with `sh models/training/build_pack.sh` (see models/README.md). Every figure below was '
             'measured by that pipeline; `metrics.json` holds them for the tests.\n')
    L.append('## Targets at a glance\n')
    L.append(f"- per-frame segmentation mIoU >= 85: {pct(per['mIoU'])}, {ok(per['mIoU'] >= TARGETS['mIoU'])}")
    L.append(f"- per-frame detection mAP@0.5 >= 85: {pct(per['mAP50'])}, {ok(per['mAP50'] >= TARGETS['mAP50'])}")
    L.append(f"- DFF k=10 loses <= 1.5 points, with the app engine's key placement (each key in the middle of its "
             f"10 frames): mIoU -{m_miou:.1f}, mAP -{m_map:.1f}, "
             f"{ok(m_miou <= TARGETS['dffLossPoints'] and m_map <= TARGETS['dffLossPoints'])} "
             f"(the paper's placement, keys at 0, 10, 20, ...: mIoU -{d_miou:.1f}, mAP -{d_map:.1f})")
    if costs:
        L.append(f"- non-key cost <= 10 % of key cost (CPU): {pct(costs['ratioParts'])} %, {ok(costs['ratioParts'] <= TARGETS['nonKeyCostRatio'])}")
    if 'flow' in ev:
        e = ev['flow']['epePx']
        L.append(f"- flow EPE on the test set (reported): network {e['net']:.2f} px, zero flow {e['zero']:.2f} px, "
                 f"Lucas-Kanade {e['lucasKanade']:.2f} px")
    L.append(f"- size: {sum(sizes.values()) / 2**20:.1f} MB (goal <= 30 MB)\n")
    L.append('## Networks\n')
    L.append('| network | file | MB | MMACs | what |\n|---|---|---|---|---|')
    L.append(f"| feature | feature.onnx | {sizes['feature.onnx'] / 2**20:.2f} | {macs['feature'] / 1e6:.0f} | ResNet-style, 3 stride-2 stages of basic blocks + a dilated block, output stride 16, {manifest['feature']['channels']} channels |")
    L.append(f"| flow | flow.onnx | {sizes['flow.onnx'] / 2**20:.2f} | {macs['flow'] / 1e6:.1f} | FlowNet-S style on the half-resolution pair (halving in the graph; the first conv applied per image and summed, no full-resolution concat), flow in feature cells + per-channel scale field (initialised to exactly 1) |")
    L.append(f"| warp | warp.onnx | {sizes['warp.onnx'] / 2**20:.3f} | - | bilinear warp, the values of GridSample (align_corners=False, border padding), computed as one MatMul with a 4-tap interpolation matrix (onnxruntime's CPU GridSample was 0.4-0.7 ms of a ~1.7 ms non-key frame); x scale |")
    L.append(f"| task | task.onnx | {sizes['task.onnx'] / 2**20:.2f} | {macs['task'] / 1e6:.1f} | 1x1 conv + a residual path of two 3x3 convs (context); segmentation logits pixel-shuffled to stride 4; CenterNet heatmap/size/offset at stride 8 |")
    L.append(f"\nTotal size {sum(sizes.values()) / 2**20:.1f} MB. Input {manifest['input']['width']}x{manifest['input']['height']} RGB, "
             f"mean {manifest['input']['mean']}, std {manifest['input']['std']} on 0..255. ONNX opset 16.\n")
    L.append('Classes: ' + ', '.join(f"{c['id']} {c['name']}" for c in classes) + ' (0 = background).\n')
    L.append('## Training\n')
    L.append(f"- Data: generated world, seed {gen.get('seed')}, {gen.get('clips')} clips x {gen.get('frames')} frames "
             f"({rec.get('perframe', {}).get('train_frames')} frames) at {gen.get('width')}x{gen.get('height')}, difficulty "
             f"{gen.get('difficulty')}, flow ground truth at flow scale {gen.get('flowScale')}. Frames are read from the "
             'H.264 video.mp4 (what the app sees), not from lossless PNGs.')
    for stage, what in (('perframe', 'per-frame: feature + task networks, segmentation cross-entropy + soft Dice, CenterNet focal/size/offset losses'),
                        ('flow', 'flow pre-training on ground-truth flow (ref(i) -> i pairs, end-point error at stride 16)'),
                        ('dff', 'DFF end to end on (I_k, I_i) pairs, k = ref(i) = i - d, d uniform in 0..9; task loss on frame i only, plus the flow end-point error as an auxiliary term (weight 1) so the flow stays a real flow for the app'),
                        ('head', 'DFF again with the feature network frozen and its features computed once: the flow network and the task head, the head with a new 3x3 context path (starting as the dff stage\'s head); each batch a quarter frames on their own features, half warped from ref(i) = i - d (d in 0..9, plus the flow end-point error as in dff), a quarter warped from a key after the frame (i + d, d in 1..5)'),
                        ('tune', 'all three networks again from the head stage, the feature network\'s BatchNorm statistics frozen; each batch half frames on their own features, a quarter warped from ref(i) = i - d (plus the flow end-point error), a quarter warped from a key after the frame (i + d, d in 1..5)')):
        r = rec.get(stage)
        if r:
            L.append(f"- Stage {stage} ({what}): {r['iters']} iterations of batch {r['batch']} (cap {r['minutesCap']} min), "
                     f"seed {r['seed']}, {r['threads']} CPU threads, {r['trainSeconds'] / 60:.1f} min of training.")
    if started and finished:
        L.append(f"- Whole build (generate, train, export, evaluate, bench): {(finished - started) / 60:.1f} min wall time "
                 'on 2 CPU cores shared with other work.')
    notes = os.path.join(args.run, 'notes.md')
    if os.path.exists(notes):
        with open(notes) as f:
            L.append(f.read().rstrip())
    L.append('- AdamW, weight decay 1e-4, linear warm-up then cosine decay; stages stop at their iteration count or '
             'time cap, whichever comes first (so a busy machine trains fewer iterations: see the counts above).\n')
    L.append(f"## Accuracy (held-out generated test set: seed {metrics['testSet']['seed']}, {ev['testClips']} clips, "
             f"{ev['testFrames']} frames, never used in training)\n")
    L.append('| | per-frame | DFF k=10 | DFF loss (points) | DFF k=10, keys in the middle (the app\'s engine) | its loss (points) | targets |\n'
             '|---|---|---|---|---|---|---|')
    L.append(f"| segmentation mIoU (background + {len(classes)} classes) | {pct(per['mIoU'])} | {pct(dff['mIoU'])} | {d_miou:.2f} | "
             f"{pct(mid['mIoU'])} | {m_miou:.2f} | "
             f"per-frame >= 85: {ok(per['mIoU'] >= TARGETS['mIoU'])}; loss <= 1.5: {ok(d_miou <= TARGETS['dffLossPoints'])}, "
             f"in the middle {ok(m_miou <= TARGETS['dffLossPoints'])} |")
    L.append(f"| detection mAP@0.5 | {pct(per['mAP50'])} | {pct(dff['mAP50'])} | {d_map:.2f} | "
             f"{pct(mid['mAP50'])} | {m_map:.2f} | "
             f"per-frame >= 85: {ok(per['mAP50'] >= TARGETS['mAP50'])}; loss <= 1.5: {ok(d_map <= TARGETS['dffLossPoints'])}, "
             f"in the middle {ok(m_map <= TARGETS['dffLossPoints'])} |")
    L.append('\nmIoU: confusion matrix over all test pixels at the input resolution, IoU averaged over background and '
             'the classes. mAP@0.5: VOC all-point AP per class, averaged; ground truth with fewer than 100 visible '
             'pixels or less than 25 % visible is "ignored" (as VOC "difficult": neither a hit nor a miss). '
             'DFF k=10: key frames 0, 10, 20, ...; other frames warp their key frame\'s features. '
             'Keys in the middle (what the app\'s engine does, `electron/core/dff/schedule.ts`): frames [0, 10) take '
             'their features from key 4, [10, 20) from key 14, ..., a short last segment [s, e) from s + floor((e - s - 1) / 2); '
             'frames before their key warp it with the flow to the later key, the same networks and calls.\n')
    L.append('Per class IoU (per-frame / DFF): ' + ', '.join(
        f"{n} {pct(a)}/{pct(b)}" for n, a, b in zip(['background'] + [c['name'] for c in classes], per['iouPerClass'], dff['iouPerClass'])) + '.')
    L.append('Per class AP (per-frame / DFF): ' + ', '.join(
        f"{classes[int(c) - 1]['name']} {pct(per['apPerClass'][c])}/{pct(dff['apPerClass'].get(c, 0))}" for c in per['apPerClass']) + '.')
    L.append('Per class IoU (per-frame / DFF keys in the middle): ' + ', '.join(
        f"{n} {pct(a)}/{pct(b)}" for n, a, b in zip(['background'] + [c['name'] for c in classes], per['iouPerClass'], mid['iouPerClass'])) + '.')
    L.append('Per class AP (per-frame / DFF keys in the middle): ' + ', '.join(
        f"{classes[int(c) - 1]['name']} {pct(per['apPerClass'][c])}/{pct(mid['apPerClass'].get(c, 0))}" for c in per['apPerClass']) + '.')
    L.append('DFF mIoU by distance to the key frame (0..9): ' + ', '.join(pct(x) for x in ev['dffMIoUByOffset']) + '.')
    L.append('DFF keys in the middle, mIoU by signed offset from the key frame (frame - key): ' +
             ', '.join(f"{int(d):+d} {pct(x)}" if int(d) else f"0 {pct(x)}" for d, x in ev['dffMiddleMIoUByOffset'].items()) + '.\n')
    if 'flow' in ev:
        e = ev['flow']['epePx']
        L.append('## Flow\n')
        L.append(f"End-point error on {ev['flow']['pairs']} test pairs (ref(i) -> i, offsets 1..9), in input pixels on the "
                 f"{ev['flow']['gridWidth']}-wide ground-truth grid:\n")
        L.append('| method | EPE (px) |\n|---|---|')
        L.append(f"| flow network (stride 16, upsampled bilinearly) | {e['net']:.2f} |")
        L.append(f"| zero flow | {e['zero']:.2f} |")
        L.append(f"| pyramidal Lucas-Kanade (classical, `classical_flow.py`, full resolution) | {e['lucasKanade']:.2f} |")
        L.append(f"| ground truth averaged to stride 16 and upsampled (the floor for any stride-16 flow) | {e['gtAtStride16']:.2f} |")
    if 'middlebury' in ev:
        L.append('\nReal Middlebury pairs (`../shared/data/flow`, frame10 -> frame11, images resized to the input size; EPE in '
                 'input pixels over pixels with known flow; no target):\n')
        L.append('| pair | flow network | zero flow | Lucas-Kanade | mean |GT| |\n|---|---|---|---|---|')
        for name, m in ev['middlebury'].items():
            x = m['epeInputPx']
            L.append(f"| {name} | {x['net']:.2f} | {x['zero']:.2f} | {x['lucasKanade']:.2f} | {m['gtMagnitudeInputPx']:.2f} |")
        L.append('\nThe flow network never saw real images; these numbers show how far the generated world is from them.')
    if costs:
        ms = costs['ms']
        L.append('\n## Cost on CPU (onnxruntime-node, batch 1, '
                 f"{costs['threads']} thread; in the order a DFF run calls the networks: a key frame, then the "
                 f"{costs['keyInterval'] - 1} frames that warp its features; medians over {costs['rounds']} key frames; "
                 '`models/training/bench-costs.ts`)\n')
        L.append('| part | ms |\n|---|---|')
        for k, label in (('feature', 'feature'), ('task', 'task (key frame)'), ('flow', 'flow'), ('warp', 'warp'),
                         ('taskNonKey', 'task (non-key frame)'), ('keyFrame', 'key frame, whole runner call'),
                         ('nonKeyFrame', 'non-key frame, whole runner call')):
            L.append(f'| {label} | {ms[k]:.2f} |')
        L.append(f"\nNon-key / key cost, (flow + warp + task) / (feature + task): **{pct(costs['ratioParts'])} %** "
                 f"(target <= 10 %: {ok(costs['ratioParts'] <= TARGETS['nonKeyCostRatio'])}); whole runner calls: "
                 f"{pct(costs['ratioEndToEnd'])} %. Flow network MACs are {pct(macs['flow'] / macs['feature'])} % of the "
                 f"feature network's, the task head's {pct(macs['task'] / macs['feature'])} %. Timings were taken on a "
                 '2-core virtual machine whose speed drifts by up to a third between runs, so absolute values are noisy; '
                 'the ratio is measured in one run. The task head runs faster on a non-key frame than right after the '
                 'feature network (warm caches), which is why the two are timed apart.')
    L.append('\n## Limits\n')
    L.append('- Trained only on the generated world: flat shapes over a textured background. Expect little on real video; '
             'use this pack to exercise the pipeline and build your own for real data (models/README.md).')
    L.append('- Segmentation boundaries come from stride-16 features (logits at stride 4, bilinear): thin parts of stars '
             'and crosses are the hardest pixels.')
    text = '\n'.join(L) + '\n'
    if os.path.exists(args.out):  # the action model's section (models/actions/write_action_card.py) stays
        old = open(args.out).read()
        begin, end = old.find('<!-- action-model:begin'), old.find('<!-- action-model:end -->')
        if begin >= 0 and end > begin:
            text += '\n' + old[begin:end + len('<!-- action-model:end -->')] + '\n'
    with open(args.out, 'w') as f:
        f.write(text)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
