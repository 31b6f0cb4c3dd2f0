/**
 * CPU cost of a pack in onnxruntime-node, batch 1: key frame (feature + task) against non-key frame
 * (flow + warp + task), on generated frames, in the order a DFF run makes the calls (a key frame, then the
 * k - 1 frames that take its features). Medians; prints a table; with --json FILE also writes the figures.
 *
 *   npx tsx models/training/bench-costs.ts [PACK_DIR=models/default] [--threads 1] [--rounds 40] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DffRunner } from '../../electron/core/models/dff-runner';
import { loadPack } from '../../electron/core/models/load-pack';
import { frameToTensor } from '../../electron/core/models/preprocess';
import { createWorld } from '../../electron/core/world/world';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { threads: { type: 'string', default: '1' }, rounds: { type: 'string', default: '40' }, json: { type: 'string' } },
});
const dir = positionals[0] ?? 'models/default';
const threads = Number(values.threads);
const rounds = Number(values.rounds);

const pack = await loadPack(dir, { sessionOptions: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' } });
const { width, height } = pack.manifest.input;
const world = createWorld({ seed: 90210, width, height, frameCount: 12 });
const images = Array.from({ length: 12 }, (_, i) => frameToTensor(world.render(i).rgb, width, height, pack.manifest.input));
const runner = new DffRunner(pack);

// In the order a DFF run makes the calls: a key frame (feature + task), then the k - 1 frames that warp its
// features (flow + warp + task), one after another; then the same through the runner's whole calls.
const k = pack.manifest.keyInterval;
const times: Record<string, number[]> = { feature: [], task: [], flow: [], warp: [], taskNonKey: [], keyFrame: [], nonKeyFrame: [] };
const f = pack.manifest.networks;
const clock = async <T>(part: string, call: () => Promise<T>, keep: boolean): Promise<T> => {
  const t0 = performance.now();
  const out = await call();
  if (keep) times[part]!.push(performance.now() - t0);
  return out;
};
for (let r = 0; r < rounds + 3; r++) {
  const keep = r >= 3; // warm-up
  const keyImage = images[r % 2]!;
  const features = (await clock('feature', () => pack.sessions.feature.run({ [f.feature.inputs.image]: keyImage }), keep))[f.feature.outputs.features]!;
  await clock('task', () => pack.sessions.task.run({ [f.task.inputs.features]: features }), keep);
  for (let i = 1; i < k; i++) {
    const fo = await clock('flow', () => pack.sessions.flow.run({ [f.flow.inputs.keyImage]: keyImage, [f.flow.inputs.currentImage]: images[2 + (i % 10)]! }), keep);
    const wo = await clock('warp', () => pack.sessions.warp.run({
      [f.warp.inputs.features]: features,
      [f.warp.inputs.flow]: fo[f.flow.outputs.flow]!,
      [f.warp.inputs.scale]: fo[f.flow.outputs.scale]!,
    }), keep);
    await clock('taskNonKey', () => pack.sessions.task.run({ [f.task.inputs.features]: wo[f.warp.outputs.warped]! }), keep);
  }
  const key = await clock('keyFrame', () => runner.keyFrame(keyImage), keep);
  for (let i = 1; i < k; i++) await clock('nonKeyFrame', () => runner.nonKeyFrame(key, images[2 + (i % 10)]!), keep);
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<keyof typeof times, number>;
const ratioParts = (ms.flow + ms.warp + ms.taskNonKey) / (ms.feature + ms.task);
const ratioEndToEnd = ms.nonKeyFrame / ms.keyFrame;
console.log(`pack ${dir}, onnxruntime-node CPU, ${threads} thread(s), batch 1, ${width}x${height}, median over ${rounds} key frames and the ${k - 1} frames after each`);
console.log('| part | ms |\n|---|---|');
for (const part of ['feature', 'task', 'flow', 'warp', 'taskNonKey', 'keyFrame', 'nonKeyFrame'] as const) console.log(`| ${part} | ${ms[part].toFixed(3)} |`);
console.log(`| non-key / key (flow+warp+task) / (feature+task) | ${(100 * ratioParts).toFixed(1)} % |`);
console.log(`| non-key / key, whole runner calls | ${(100 * ratioEndToEnd).toFixed(1)} % |`);
if (values.json) writeFileSync(values.json, JSON.stringify({ threads, rounds, keyInterval: k, order: 'dff-run', width, height, ms, ratioParts, ratioEndToEnd }, null, 2));
await pack.release();
