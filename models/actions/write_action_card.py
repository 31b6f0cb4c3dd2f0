"""Writes models/default/action-metrics.json and the action model's section of MODEL_CARD.md (between the
markers below, replaced on every run; the rest of the card is left alone) from a build's run folder.

usage: write_action_card.py --run DIR --train DIR --test DIR --metrics FILE --card FILE
(RUN/notes.md, when present, is copied into the card's training section: what happened in this build.)
"""
import argparse
import json
import os

BEGIN = '<!-- action-model:begin (written by models/actions/write_action_card.py) -->'
END = '<!-- action-model:end -->'
MODELS = ['RGB', 'Flow', 'MARS', 'MARS+RGB', 'RGB+Flow']


def dataset_info(path):
    with open(os.path.join(path, 'index.json')) as f:
        index = json.load(f)
    size = sum(os.path.getsize(os.path.join(path, n)) for n in os.listdir(path))
    g = index['generator']
    return {'seed': g['seed'], 'videos': g['videos'], 'framesPerVideo': g['frames'], 'width': g['width'],
            'height': g['height'], 'clipLength': g['clipLength'], 'windowStride': g['windowStride'],
            'difficulty': g['difficulty'], 'windows': len(index['windows']), 'counts': index['counts'],
            'countsBeforeBalance': index['countsBeforeBalance'], 'bytes': size}


def read(path):
    with open(path) as f:
        return json.load(f)


def card_section(m):
    ev, bench, rec, tr, te = m['heldOut'], m['onnxBench'], m['training'], m['data']['train'], m['data']['test']
    classes = m['classes']
    acc = ev['accuracy']
    lines = [BEGIN, '## Action model (MARS, `action.onnx`)', '',
             f'Clip-level actions of the generated world, trained from scratch: `sh models/actions/build_actions.sh` '
             f'(see models/actions/README.md). Figures below are from that build; `action-metrics.json` holds them.', '',
             f'- Input: {tr["clipLength"]} consecutive RGB frames at {tr["width"]}x{tr["height"]}, normalised like the '
             f'DFF input; output: logits over {", ".join(classes)} (`none` = no action).',
             f'- Network: R(2+1)D-lite 3D CNN (3x3x3 stem, stride 2 in space; 4 residual (2+1)D stages; global average '
             f'pool -> {m["featureDim"]}-d feature -> dropout 0.3 -> FC), {m["params"]["mars"] / 1e6:.2f} M parameters, '
             f'{m["mmacs"]["MARS"]:.0f} MMACs per clip; the same network for the three streams (flow stream: 2 input '
             f'channels, the {tr["clipLength"] - 1} flows stacked in time, each minus its mean vector).',
             f'- MARS (Crasto et al., CVPR 2019): RGB network trained with CE + {rec["mars"]["alpha"]:g} x MSE between '
             f'its pooled feature and the frozen flow stream\'s; at inference it needs no flow.',
             '', '### Accuracy (held-out clips)', '',
             f'Python/PyTorch, seed {te["seed"]} ({te["videos"]} videos, {te["windows"]} balanced windows, never used in '
             f'training); the flow stream on ground-truth flow.', '',
             '| model | accuracy | ' + ' | '.join(classes) + ' |', '|---' * (len(classes) + 2) + '|']
    for name in MODELS:
        r = acc[name]
        lines.append(f'| {name} | {100 * r["accuracy"]:.1f} | ' +
                     ' | '.join(f'{100 * r["perClass"][c]:.0f}' for c in classes) + ' |')
    lines += ['', f'RGB+Flow (two-stream fusion) needs the flow and is for reference. '
                  f'Target "MARS more accurate than RGB-only": {"met" if m["targets"]["marsBeatsRgb"] else "**not met**"} '
                  f'({100 * acc["MARS"]["accuracy"]:.1f} vs {100 * acc["RGB"]["accuracy"]:.1f}).']
    if bench:
        ms, r = bench['ms'], bench['ratioToRgb']
        a = bench['accuracy']
        lines += ['', '### Inference cost (onnxruntime-node CPU, batch 1)', '',
                  f'`npx tsx test/bench/actions.bench.ts` on fresh clips (seed {bench["seed"]}, {bench["clips"]} windows), '
                  f'{bench["threads"]} thread(s), from decoded RGB frames to logits:', '',
                  '| model | accuracy | ms / clip | vs RGB-only |', '|---|---|---|---|',
                  f'| RGB-only | {100 * a["RGB"]:.1f} | {ms["RGB"]:.1f} | 1.00x |',
                  f'| Flow stream (+ {tr["clipLength"] - 1} x flow.onnx at 320x192: {ms["flowOnnx"]:.1f} ms) | '
                  f'{100 * a["Flow (ground-truth flow)"]:.1f} on ground-truth flow, {100 * a["Flow (flow.onnx flow)"]:.1f} on flow.onnx flow | '
                  f'{ms["Flow"]:.1f} | {r["Flow"]:.2f}x |',
                  f'| MARS | {100 * a["MARS"]:.1f} | {ms["MARS"]:.1f} | {r["MARS"]:.2f}x |',
                  f'| MARS+RGB | {100 * a["MARS+RGB"]:.1f} | {ms["MARS+RGB"]:.1f} | {r["MARS+RGB"]:.2f}x |', '',
                  f'Target "MARS at the cost of RGB-only (no flow)": {"met" if m["targets"]["marsCostLikeRgb"] else "**not met**"} '
                  f'(same network, same input).']
    lines += ['', '### Training', '',
              f'- Data: generated world, difficulty {tr["difficulty"]}, one object slot; train seed {tr["seed"]}: '
              f'{tr["videos"]} videos x {tr["framesPerVideo"]} frames at {tr["width"]}x{tr["height"]}, windows every '
              f'{tr["windowStride"]} frames labelled and balanced to {tr["windows"]} clips ({json.dumps(tr["counts"])}); '
              f'{tr["bytes"] / 2 ** 30:.1f} GB of raw frames + float16 flow. Test seed {te["seed"]}: {te["videos"]} videos, '
              f'{te["windows"]} clips.',
              '- Augmentation: random left-right and up-down mirrors (labels swapped accordingly: left/right moves, '
              'turning sense). AdamW, lr 2e-3, weight decay 1e-4, batch 16, warm-up then cosine; each stage stops at '
              'its iteration count or time cap.']
    for stage, what in (('flow', 'flow stream'), ('rgb', 'RGB-only'), ('mars', 'MARS')):
        s = rec[stage]
        lines.append(f'- {what}: {s["iters"]} iterations (planned {s["plannedIters"]}, cap {s["minutesCap"]} min), '
                     f'seed {s["seed"]}, {s["trainSeconds"] / 60:.1f} min on {s["threads"]} shared CPU threads.')
    lines += [f'- Whole build (data, training, evaluation, export, benchmark): {m["wallSeconds"] / 60:.0f} min wall time.']
    if m.get('notes'):
        lines += ['', m['notes'].strip()]
    tms = ev['torchCpuMs']
    lines += ['', '### Limits', '',
              f'- PyTorch CPU ({tms["threads"]} threads, batch 1) runs these 3D convolutions slowly: RGB {tms["RGB"]:.0f} ms, '
              f'MARS {tms["MARS"]:.0f} ms, flow stream {tms["Flow"]:.0f} ms (flow not included) per clip; use onnxruntime.',
              '- `none` (mixed or small motion, entries from the top or bottom, no object) is the weakest class of every '
              'model: it is defined by what the clip is not. Read the confusion matrices in action-metrics.json.',
              '- The flow stream needs fine flow: on the default pack\'s flow.onnx flow (stride 16: a 20x12 grid for '
              'the whole frame, coarser than the objects) it falls to near chance; the table gives both.',
              '- Trained on the generated world only; short training on a shared 2-core CPU (the iteration counts above).',
              END]
    return '\n'.join(lines) + '\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--train', required=True)
    ap.add_argument('--test', required=True)
    ap.add_argument('--metrics', required=True)
    ap.add_argument('--card', required=True)
    args = ap.parse_args()
    ev = read(os.path.join(args.run, 'eval.json'))
    rec = read(os.path.join(args.run, 'record.json'))
    bench_path = os.path.join(args.run, 'bench.json')
    bench = read(bench_path) if os.path.exists(bench_path) else None
    started = int(open(os.path.join(args.run, 'started')).read())
    finished = int(open(os.path.join(args.run, 'finished')).read())
    acc = ev['accuracy']
    notes_path = os.path.join(args.run, 'notes.md')  # optional: history of this build, copied into the card
    from action_net import WIDTHS
    metrics = {
        'classes': list(acc['MARS']['perClass'].keys()),
        'featureDim': WIDTHS[-1],
        'heldOut': {k: ev[k] for k in ('test', 'accuracy', 'torchCpuMs')},
        'onnxBench': bench,
        'mmacs': ev['mmacs'],
        'params': ev['params'],
        'training': rec,
        'data': {'train': dataset_info(args.train), 'test': dataset_info(args.test)},
        'wallSeconds': finished - started,
        'notes': open(notes_path).read() if os.path.exists(notes_path) else None,
        'targets': {
            'marsBeatsRgb': acc['MARS']['accuracy'] > acc['RGB']['accuracy'],
            'marsCostLikeRgb': bool(bench) and bench['ratioToRgb']['MARS'] < 1.15,
        },
    }
    with open(args.metrics, 'w') as f:
        json.dump(metrics, f, indent=2)
        f.write('\n')
    card = open(args.card).read() if os.path.exists(args.card) else ''
    section = card_section(metrics)
    if BEGIN in card and END in card:
        card = card[:card.index(BEGIN)] + section + card[card.index(END) + len(END) + 1:]
    else:
        card = card.rstrip('\n') + '\n\n' + section
    with open(args.card, 'w') as f:
        f.write(card)
    print(json.dumps({'metrics': args.metrics, 'card': args.card, 'targets': metrics['targets']}))


if __name__ == '__main__':
    main()
