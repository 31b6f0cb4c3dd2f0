/**
 * npm run bench:schedule -- [--pack DIR] [--clips 2] [--frames 400] [--k 10] [--threads 1]
 *   How good can a key-frame plan be at the fixed-k key count? On the bench:dff clips (3 kinds × --clips,
 *   rendered in memory), DFF with keys in the middle of their segments, every plan with ceil(frames/k) keys
 *   and segments of at most MAX_SEGMENT_K·k frames:
 *   - fixed k: segments of k frames;
 *   - adaptive: the app's plan (plan-pass.ts planAdaptive: the cheap first pass, then planSegments);
 *   - warp residual (pairwise): segments that minimise, over every frame, what the flow from the frame to
 *     its key does not explain (plan-pass.ts unexplainedChange on that very pair): the best any plan built
 *     on that photometric measure could do, at the cost of a flow for every pair;
 *   - oracle: segments that minimise the wrong pixels against the ground truth: the ceiling of any plan.
 *   Labels from the pack's outputs at the input size (DffRunner.decode), not through the engine and SQLite:
 *   bench:dff measures those.
 */
import { parseArgs } from 'node:util';
import type * as ort from 'onnxruntime-node';
import { planAdaptive, unexplainedChange } from '../../electron/core/dff/plan-pass';
import { MAX_SEGMENT_K, middleKey, partitionSegments } from '../../electron/core/dff/schedule';
import type { Detection } from '../../electron/core/models/decode';
import { DffRunner, type TaskOutputs } from '../../electron/core/models/dff-runner';
import { loadPack } from '../../electron/core/models/load-pack';
import { DetectionAP, SegmentationIoU } from '../../electron/core/models/metrics';
import { frameToTensor } from '../../electron/core/models/preprocess';
import { runSessionOptions } from '../../electron/core/models/session-options';
import { packDir as defaultPack } from '../dff/helpers';
import { clipList, KINDS, renderClip, type ClipFrame, type Kind } from './dff-clips';

const { values } = parseArgs({
  options: {
    pack: { type: 'string', default: defaultPack },
    clips: { type: 'string', default: '2' },
    frames: { type: 'string', default: '400' },
    k: { type: 'string', default: '10' },
    threads: { type: 'string', default: '1' },
  },
});
const frames = Number(values.frames);
const k = Number(values.k);
const [width, height] = [320, 192];
const PLANS = ['fixed k', 'adaptive (the app)', 'warp residual (pairwise)', 'oracle (ground truth)'] as const;
type PlanName = (typeof PLANS)[number];

const pack = await loadPack(values.pack, { sessionOptions: runSessionOptions('cpu', Number(values.threads)) });
const runner = new DffRunner(pack);
const numClasses = pack.manifest.classes.length;

interface Outcome {
  iou: SegmentationIoU;
  ap: DetectionAP;
}
const outcome = (): Outcome => ({ iou: new SegmentationIoU(numClasses), ap: new DetectionAP(numClasses) });
const totals = new Map<PlanName, { all: Outcome; byKind: Map<Kind, Outcome>; keys: number }>(
  PLANS.map((p) => [p, { all: outcome(), byKind: new Map(KINDS.map((kind) => [kind, outcome()])), keys: 0 }]),
);

const started = Date.now();
for (const { kind, seed } of clipList(Number(values.clips))) {
  const clip: ClipFrame[] = [...renderClip(kind, seed, frames, width, height).frames].map((f) => ({ ...f, rgb: Uint8Array.from(f.rgb) }));
  const images = clip.map((f) => frameToTensor(f.rgb, width, height, pack.manifest.input));
  const pairs = await measurePairs(clip, images);
  const pair = (key: number, i: number) => pairs.get(key * frames + i)!;
  const plans: Record<PlanName, number[]> = {
    'fixed k': Array.from({ length: Math.ceil(frames / k) }, (_, s) => s * k),
    'adaptive (the app)': await planAdaptive(runner, clipFrames(clip), 0, frames, k),
    'warp residual (pairwise)': bestPlan((key, i) => pair(key, i).residual),
    'oracle (ground truth)': bestPlan((key, i) => pair(key, i).wrongPixels),
  };
  for (const name of PLANS) {
    const total = totals.get(name)!;
    const starts = plans[name];
    total.keys += starts.length;
    for (let s = 0; s < starts.length; s++) {
      const { start, end, key } = middleKey(starts[s]!, starts[s + 1] ?? frames);
      for (let i = start; i < end; i++) {
        for (const o of [total.all, total.byKind.get(kind)!]) {
          o.iou.merge(pair(key, i).iou);
          o.ap.add(pair(key, i).detections, clip[i]!.boxes);
        }
      }
    }
  }
  console.error(`clip ${seed} (${kind}) measured, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const pct = (o: Outcome) => `${(100 * o.iou.result().mIoU).toFixed(1)} / ${(100 * o.ap.result().mAP).toFixed(1)}`;
console.log(
  `\nKey-frame plans at the fixed-k key count (k=${k}, keys in the middle of their segments, segments of at most ${MAX_SEGMENT_K * k} frames), ` +
    `${totals.get('fixed k')!.keys / KINDS.length / Number(values.clips)} keys a clip; ${Number(values.clips) * KINDS.length} clips × ${frames} frames ` +
    `(${width}×${height}, the bench:dff clips): mIoU / mAP@0.5\n`,
);
console.log(`| plan | key frames | all clips | ${KINDS.join(' | ')} |`);
console.log(`|---|---|---|${KINDS.map(() => '---').join('|')}|`);
for (const name of PLANS) {
  const t = totals.get(name)!;
  console.log(`| ${name} | ${t.keys} | ${pct(t.all)} | ${KINDS.map((kind) => pct(t.byKind.get(kind)!)).join(' | ')} |`);
}
await pack.release();

/** Segments with the fixed-k count that minimise Σ pairCost(key of frame i, i) (keys in the middle). */
function bestPlan(pairCost: (key: number, i: number) => number): number[] {
  const maxLen = MAX_SEGMENT_K * k;
  const costs = new Float64Array((frames + 1) * (maxLen + 1));
  for (let b = 1; b <= frames; b++) {
    for (let a = Math.max(0, b - maxLen); a < b; a++) {
      const { key } = middleKey(a, b);
      let sum = 0;
      for (let i = a; i < b; i++) sum += pairCost(key, i);
      costs[b * (maxLen + 1) + (b - a)] = sum;
    }
  }
  return partitionSegments(frames, Math.ceil(frames / k), maxLen, (a, b) => costs[b * (maxLen + 1) + (b - a)]!);
}

interface PairResult {
  iou: SegmentationIoU;
  detections: Detection[];
  wrongPixels: number;
  residual: number;
}

/** Every frame labelled from every key a plan could give it (at most MAX_SEGMENT_K·k / 2 frames away). */
async function measurePairs(clip: ClipFrame[], images: ort.Tensor[]): Promise<Map<number, PairResult>> {
  const reach = Math.floor((MAX_SEGMENT_K * k) / 2);
  const out = new Map<number, PairResult>();
  for (let key = 0; key < frames; key++) {
    const keyFrame = await runner.keyFrame(images[key]!);
    for (let i = Math.max(0, key - reach); i <= Math.min(frames - 1, key + reach); i++) {
      let outputs: TaskOutputs = keyFrame.outputs;
      let residual = 0;
      if (i !== key) {
        const p = await runner.nonKeyFrame(keyFrame, images[i]!);
        outputs = p.outputs;
        residual = unexplainedChange(images[key]!, images[i]!, p.flow, pack.manifest.feature.stride);
      }
      const { segmentation, detections } = runner.decode(outputs);
      const iou = new SegmentationIoU(numClasses);
      iou.add(segmentation!, clip[i]!.semantic);
      let wrongPixels = 0;
      for (let p = 0; p < segmentation!.length; p++) if (segmentation![p] !== clip[i]!.semantic[p]) wrongPixels++;
      out.set(key * frames + i, { iou, detections: detections ?? [], wrongPixels, residual });
    }
  }
  return out;
}

async function* clipFrames(clip: ClipFrame[]) {
  for (let i = 0; i < clip.length; i++) yield { frameIdx: i, rgb: clip[i]!.rgb };
}
