/**
 * CPU cost of a pack in onnxruntime-node, batch 1: key frame (feature + task) against non-key frame
 * (flow + warp + task), measured interleaved in the same run on generated frames. Prints a table; with
 * --json FILE also writes the figures.
 *
 *   npx tsx models/training/bench-costs.ts [PACK_DIR=models/default] [--threads 1] [--rounds 60] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DffRunner } from '../../electron/core/models/dff-runner';
import { loadPack } from '../../electron/core/models/load-pack';
import { frameToTensor } from '../../electron/core/models/preprocess';
import { createWorld } from '../../electron/core/world/world';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { threads: { type: 'string', default: '1' }, rounds: { type: 'string', default: '60' }, json: { type: 'string' } },
});
const dir = positionals[0] ?? 'models/default';
const threads = Number(values.threads);
const rounds = Number(values.rounds);

const pack = await loadPack(dir, { sessionOptions: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' } });
const { width, height } = pack.manifest.input;
const world = createWorld({ seed: 90210, width, height, frameCount: 12 });
const images = Array.from({ length: 12 }, (_, i) => frameToTensor(world.render(i).rgb, width, height, pack.manifest.input));
const runner = new DffRunner(pack);
const key = await runner.keyFrame(images[0]!);

const times: Record<string, number[]> = { feature: [], task: [], flow: [], warp: [], keyFrame: [], nonKeyFrame: [] };
const f = pack.manifest.networks;
for (let r = 0; r < rounds + 5; r++) {
  const img = images[1 + (r % 11)]!;
  const t0 = performance.now();
  await pack.sessions.feature.run({ [f.feature.inputs.image]: img });
  const t1 = performance.now();
  await pack.sessions.task.run({ [f.task.inputs.features]: key.features });
  const t2 = performance.now();
  const fo = await pack.sessions.flow.run({ [f.flow.inputs.keyImage]: key.image, [f.flow.inputs.currentImage]: img });
  const t3 = performance.now();
  await pack.sessions.warp.run({
    [f.warp.inputs.features]: key.features,
    [f.warp.inputs.flow]: fo[f.flow.outputs.flow]!,
    [f.warp.inputs.scale]: fo[f.flow.outputs.scale]!,
  });
  const t4 = performance.now();
  await runner.keyFrame(img);
  const t5 = performance.now();
  await runner.nonKeyFrame(key, img);
  const t6 = performance.now();
  if (r < 5) continue; // warm-up
  times.feature!.push(t1 - t0);
  times.task!.push(t2 - t1);
  times.flow!.push(t3 - t2);
  times.warp!.push(t4 - t3);
  times.keyFrame!.push(t5 - t4);
  times.nonKeyFrame!.push(t6 - t5);
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<keyof typeof times, number>;
const ratioParts = (ms.flow + ms.warp + ms.task) / (ms.feature + ms.task);
const ratioEndToEnd = ms.nonKeyFrame / ms.keyFrame;
console.log(`pack ${dir}, onnxruntime-node CPU, ${threads} thread(s), batch 1, ${width}x${height}, median of ${rounds} rounds`);
console.log('| part | ms |\n|---|---|');
for (const k of ['feature', 'task', 'flow', 'warp', 'keyFrame', 'nonKeyFrame'] as const) console.log(`| ${k} | ${ms[k].toFixed(3)} |`);
console.log(`| non-key / key (flow+warp+task) / (feature+task) | ${(100 * ratioParts).toFixed(1)} % |`);
console.log(`| non-key / key, whole runner calls | ${(100 * ratioEndToEnd).toFixed(1)} % |`);
if (values.json) writeFileSync(values.json, JSON.stringify({ threads, rounds, width, height, ms, ratioParts, ratioEndToEnd }, null, 2));
await pack.release();
