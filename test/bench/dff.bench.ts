/**
 * npm run bench:dff -- [--pack DIR] [--frames 150] [--threads 1] — the whole engine (decode,
 * worker, onnxruntime, labels, SQLite writes) on the demo video (640×360), DFF k=10 and k=5 against the
 * per-frame baseline measured in the same run, with how far DFF's masks stay from the baseline's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appRoot } from '../../electron/core/app-paths';
import { startRun } from '../../electron/core/dff/engine';
import type { RunMode } from '../../electron/core/dff/types';
import type { RunTimings } from '../../electron/core/dff/engine';
import { agreement, packDir as defaultPack, paintMasks, projectWith, tempDir } from '../dff/helpers';

const { values } = parseArgs({ options: { pack: { type: 'string' }, frames: { type: 'string', default: '150' }, threads: { type: 'string', default: '1' } } });
const pack = path.resolve(values.pack ?? defaultPack);
const frames = Number(values.frames);
const threads = Number(values.threads);
const demo = path.join(appRoot(), 'resources', 'demo', 'demo.mp4');
if (!fs.existsSync(path.join(pack, 'manifest.json'))) {
  console.log(`no model pack at ${pack}: nothing to measure`);
  process.exit(0);
}

const dir = tempDir('dff-bench');
const modes: [string, RunMode][] = [
  ['baseline (N_feat every frame)', { kind: 'baseline' }],
  ['DFF k=10', { kind: 'fixed', k: 10 }],
  ['DFF k=5', { kind: 'fixed', k: 5 }],
];
const rows: { name: string; t: RunTimings; wall: number; maps: Uint8Array[] }[] = [];
for (const [name, mode] of modes) {
  const { store, video } = await projectWith(dir, demo, name.replace(/\W+/g, '-'));
  const t0 = performance.now();
  const handle = await startRun(store, { videoId: video.id, packDir: pack, mode, threads, to: frames });
  await handle.done;
  const wall = (performance.now() - t0) / 1000;
  const t = store.getRun(handle.runId).timings as RunTimings;
  const maps = Array.from({ length: frames }, (_, i) => paintMasks(store.listAnnotations(video.id, i), video.height, video.width));
  rows.push({ name, t, wall, maps });
  store.close();
}
fs.rmSync(dir, { recursive: true, force: true });

const base = rows[0]!;
const ms = (v: number | null) => (v === null ? '–' : v.toFixed(1));
console.log(`\nDFF engine on ${frames} frames of resources/demo/demo.mp4 (640x360 -> pack input), ${threads} onnxruntime thread(s), pack ${pack}\n`);
console.log('| mode | fps (run) | speed-up vs baseline | ms / key frame | ms / propagated frame | wall s (incl. start) | pixel agreement with baseline |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const agree = r.maps.reduce((s, m, i) => s + agreement(m, base.maps[i]!), 0) / frames;
  console.log(
    `| ${r.name} | ${r.t.fps.toFixed(1)} | ${(r.t.fps / base.t.fps).toFixed(2)}x | ${ms(r.t.msPerKeyFrame)} | ${ms(r.t.msPerPropagatedFrame)} | ${r.wall.toFixed(1)} | ${agree.toFixed(3)} |`,
  );
}
