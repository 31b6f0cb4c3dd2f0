/**
 * Action models on freshly generated held-out clips (a seed never used in training), in onnxruntime-node:
 * accuracy and CPU cost per clip of the RGB-only baseline, the flow stream, MARS (the pack's action.onnx) and
 * MARS+RGB (mean of softmaxes), with cost ratios against RGB-only measured in the same run.
 * Cost = everything from the clip's decoded RGB frames to the logits: normalising the frames, and for the flow
 * stream also computing the T−1 flows with the default pack's flow.onnx (at the pack's 320×192 input, upsampled
 * to the clip) — its accuracy is given on the ground-truth flow it was trained on, and on that network flow.
 *
 *   npx tsx test/bench/actions.bench.ts [--seed 4242] [--videos 10] [--threads 1] [--rounds 30] [--json FILE]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { loadActionModel } from '../../electron/core/models/action-model';
import { loadPack } from '../../electron/core/models/load-pack';
import type { PackManifest } from '../../electron/core/models/manifest';
import { frameToTensor } from '../../electron/core/models/preprocess';
import { ACTION_CLASS_NAMES, generateActionClips, type ActionClip } from '../../electron/core/world/action-clips';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '4242' },
    videos: { type: 'string', default: '10' },
    threads: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '30' },
    json: { type: 'string' },
  },
});
const threads = Number(values.threads);
const rounds = Number(values.rounds);
const sessionOptions: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
};

interface Baselines {
  rgb: { file: string; input: string; output: string };
  flow: { file: string; input: string; output: string; flowNorm: number };
}
const baselinesDir = path.join(ROOT, 'models/action-baselines');
const baselines = JSON.parse(readFileSync(path.join(baselinesDir, 'baselines.json'), 'utf8')) as Baselines;
const mars = await loadActionModel(path.join(ROOT, 'models/default'), { threads });
const spec = mars.spec;
const pack = await loadPack(path.join(ROOT, 'models/default'), { sessionOptions });
const rgbNet = await ort.InferenceSession.create(path.join(baselinesDir, baselines.rgb.file), sessionOptions);
const flowNet = await ort.InferenceSession.create(path.join(baselinesDir, baselines.flow.file), sessionOptions);
const T = spec.clipLength;
const W = spec.width;
const H = spec.height;
const plane = W * H;
const input = { ...spec, layout: 'NCHW' as const };

/** (1, 3, T, H, W) normalised as the manifest says. */
function clipTensor(frames: Uint8Array[]): ort.Tensor {
  const data = new Float32Array(3 * T * plane);
  frames.forEach((rgb, t) => {
    const f = frameToTensor(rgb, W, H, input).data as Float32Array;
    for (let c = 0; c < 3; c++) data.set(f.subarray(c * plane, (c + 1) * plane), (c * T + t) * plane);
  });
  return new ort.Tensor('float32', data, [1, 3, T, H, W]);
}

/** (1, 2, T−1, H, W) from per-pair flows (u, v interleaved, clip pixels). */
function flowTensor(flows: Float32Array[]): ort.Tensor {
  const data = new Float32Array(2 * (T - 1) * plane);
  const k = 1 / baselines.flow.flowNorm;
  flows.forEach((f, t) => {
    for (let p = 0; p < plane; p++) {
      data[t * plane + p] = f[p * 2]! * k;
      data[((T - 1) + t) * plane + p] = f[p * 2 + 1]! * k;
    }
  });
  return new ort.Tensor('float32', data, [1, 2, T - 1, H, W]);
}

/**
 * The default pack's flow between each pair of consecutive frames (key t, current t+1: flow from t+1 back to
 * t, the ground truth's direction), bilinearly upsampled from the feature grid to the clip, in clip pixels.
 */
async function networkFlows(frames: Uint8Array[]): Promise<Float32Array[]> {
  const m: PackManifest = pack.manifest;
  const images = frames.map((rgb) => frameToTensor(rgb, W, H, m.input));
  const toClipPixels = (m.flow.stride * W) / m.input.width; // feature cells -> pixels of the clip
  const out: Float32Array[] = [];
  for (let t = 0; t + 1 < frames.length; t++) {
    const r = await pack.sessions.flow.run({ [m.networks.flow.inputs.keyImage]: images[t]!, [m.networks.flow.inputs.currentImage]: images[t + 1]! });
    const flow = r[m.networks.flow.outputs.flow]!;
    const [, , h, w] = flow.dims as number[];
    const src = flow.data as Float32Array;
    const dst = new Float32Array(plane * 2);
    for (let y = 0; y < H; y++) {
      const fy = Math.min(Math.max(((y + 0.5) * h!) / H - 0.5, 0), h! - 1);
      const y0 = Math.floor(fy);
      const y1 = Math.min(y0 + 1, h! - 1);
      const wy = fy - y0;
      for (let x = 0; x < W; x++) {
        const fx = Math.min(Math.max(((x + 0.5) * w!) / W - 0.5, 0), w! - 1);
        const x0 = Math.floor(fx);
        const x1 = Math.min(x0 + 1, w! - 1);
        const wx = fx - x0;
        for (let c = 0; c < 2; c++) {
          const o = c * h! * w!;
          const v =
            (src[o + y0 * w! + x0]! * (1 - wx) + src[o + y0 * w! + x1]! * wx) * (1 - wy) +
            (src[o + y1 * w! + x0]! * (1 - wx) + src[o + y1 * w! + x1]! * wx) * wy;
          dst[(y * W + x) * 2 + c] = v * toClipPixels;
        }
      }
    }
    out.push(dst);
  }
  return out;
}

async function logits(session: ort.InferenceSession, input: string, x: ort.Tensor): Promise<Float32Array> {
  const r = await session.run({ [input]: x });
  return r[session.outputNames[0]!]!.data as Float32Array;
}

function softmax(z: Float32Array): Float64Array {
  const max = Math.max(...z);
  const e = Float64Array.from(z, (v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
const argmax = (p: ArrayLike<number>) => Array.prototype.indexOf.call(p, Math.max(...Array.from(p)));

// ---- accuracy ----
const started = performance.now();
const clips: ActionClip[] = generateActionClips({ seed: Number(values.seed), videos: Number(values.videos), width: W, height: H, clipLength: T, windowStride: 2 });
const generatedS = (performance.now() - started) / 1000;
const names = ['RGB', 'Flow (ground-truth flow)', 'Flow (flow.onnx flow)', 'MARS', 'MARS+RGB'] as const;
const K = spec.classes.length;
const hits = Object.fromEntries(names.map((n) => [n, { all: 0, perClass: new Array<number>(K).fill(0) }]));
const perClassTotal = new Array<number>(K).fill(0);
for (const clip of clips) {
  const x = clipTensor(clip.frames);
  const pRgb = softmax(await logits(rgbNet, baselines.rgb.input, x));
  const pMars = softmax(await logits(mars.session, spec.inputs.clip, x));
  const pFlow = softmax(await logits(flowNet, baselines.flow.input, flowTensor(clip.flows)));
  const pNetFlow = softmax(await logits(flowNet, baselines.flow.input, flowTensor(await networkFlows(clip.frames))));
  const preds = { RGB: argmax(pRgb), 'Flow (ground-truth flow)': argmax(pFlow), 'Flow (flow.onnx flow)': argmax(pNetFlow), MARS: argmax(pMars), 'MARS+RGB': argmax(pMars.map((v, i) => v + pRgb[i]!)) };
  perClassTotal[clip.label]!++;
  for (const n of names) {
    if (preds[n] === clip.label) {
      hits[n]!.all++;
      hits[n]!.perClass[clip.label]!++;
    }
  }
}
const accuracy = Object.fromEntries(names.map((n) => [n, hits[n]!.all / clips.length]));

// ---- cost, interleaved, from decoded RGB frames to logits ----
const times: Record<string, number[]> = { RGB: [], Flow: [], flowOnnx: [], MARS: [], 'MARS+RGB': [] };
for (let r = 0; r < rounds + 3; r++) {
  const clip = clips[(r * 7919) % clips.length]!;
  const t0 = performance.now();
  await logits(rgbNet, baselines.rgb.input, clipTensor(clip.frames));
  const t1 = performance.now();
  const flows = await networkFlows(clip.frames);
  const t2 = performance.now();
  await logits(flowNet, baselines.flow.input, flowTensor(flows));
  const t3 = performance.now();
  await logits(mars.session, spec.inputs.clip, clipTensor(clip.frames));
  const t4 = performance.now();
  const x = clipTensor(clip.frames);
  await logits(mars.session, spec.inputs.clip, x);
  await logits(rgbNet, baselines.rgb.input, x);
  const t5 = performance.now();
  if (r < 3) continue; // warm-up
  times.RGB!.push(t1 - t0);
  times.flowOnnx!.push(t2 - t1);
  times.Flow!.push(t3 - t1);
  times.MARS!.push(t4 - t3);
  times['MARS+RGB']!.push(t5 - t4);
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<string, number>;

const counts = Object.fromEntries(ACTION_CLASS_NAMES.map((n, c) => [n, perClassTotal[c]]));
console.log(
  `held-out clips: seed ${values.seed}, ${values.videos} videos, ${clips.length} balanced windows of ${T} frames at ${W}x${H} ` +
    `(generated in ${generatedS.toFixed(1)} s); onnxruntime-node CPU, ${threads} thread(s), batch 1, median of ${rounds} rounds`,
);
console.log(`clips per class: ${JSON.stringify(counts)}`);
console.log('| model | what runs per clip | accuracy | ms / clip | cost vs RGB-only |\n|---|---|---|---|---|');
const row = (name: string, what: string, acc: string, t: number) =>
  console.log(`| ${name} | ${what} | ${acc} | ${t.toFixed(1)} | ${(t / ms.RGB!).toFixed(2)}x |`);
const pct = (n: (typeof names)[number]) => `${(100 * accuracy[n]!).toFixed(1)} %`;
row('RGB-only', 'rgb.onnx', pct('RGB'), ms.RGB!);
row('Flow stream', `flow.onnx x ${T - 1} pairs (${ms.flowOnnx!.toFixed(1)} ms) + flow stream`, `${pct('Flow (ground-truth flow)')} on ground-truth flow; ${pct('Flow (flow.onnx flow)')} on flow.onnx flow`, ms.Flow!);
row('MARS', 'action.onnx (RGB only, no flow)', pct('MARS'), ms.MARS!);
row('MARS+RGB', 'action.onnx + rgb.onnx', pct('MARS+RGB'), ms['MARS+RGB']!);
console.log('\nper-class accuracy (%):\n| model | ' + ACTION_CLASS_NAMES.join(' | ') + ' |\n|---' + '|---'.repeat(K) + '|');
for (const n of names) console.log(`| ${n} | ${hits[n]!.perClass.map((h, c) => ((100 * h) / Math.max(1, perClassTotal[c]!)).toFixed(0)).join(' | ')} |`);

if (values.json) {
  writeFileSync(
    values.json,
    JSON.stringify({ seed: Number(values.seed), videos: Number(values.videos), clips: clips.length, counts, threads, rounds, accuracy, ms, ratioToRgb: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v / ms.RGB!])) }, null, 2),
  );
}
await mars.release();
await pack.release();
await rgbNet.release();
await flowNet.release();
