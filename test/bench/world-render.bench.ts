/**
 * Speed of the generated world: npx tsx test/bench/world-render.bench.ts
 * Prints per-frame times (median of several) for planning, rendering, flow and annotation at two sizes,
 * each also as a ratio to a baseline measured in the same run (one float→byte pass over an RGB frame,
 * the least any renderer must do), and the throughput of writing clips to disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorld } from '../../electron/core/world/world';
import { writeClip } from '../../electron/core/world/writer';

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(runs: number, fn: (run: number) => void): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn(r);
    times.push(performance.now() - t0);
  }
  return median(times);
}

const rows: string[][] = [['size', 'step', 'ms', '× baseline']];
for (const [width, height] of [
  [320, 192],
  [640, 360],
]) {
  const frames = 60;
  const colour = new Float32Array(width * height * 3).map((_, i) => (i * 37) % 256);
  const bytes = new Uint8Array(width * height * 3);
  const baseline = time(21, () => {
    for (let i = 0; i < colour.length; i++) bytes[i] = colour[i]! + 0.5;
  });
  const size = `${width}x${height}`;
  const add = (step: string, ms: number) => rows.push([size, step, ms.toFixed(2), (ms / baseline).toFixed(1)]);
  add('baseline: one pass over RGB', baseline);
  const plan = time(3, (r) => createWorld({ seed: r, width, height, frameCount: frames, objects: 8 }));
  add('plan a 60-frame clip (texture, paths)', plan);
  const world = createWorld({ seed: 1, width, height, frameCount: frames, objects: 8 });
  add('render a frame (8 objects)', time(21, (r) => world.render(20 + r)));
  const frame = world.render(30);
  add('flow to a frame 9 back', time(21, () => world.flowToFrame(30, 21, frame.instances)));
  add('annotate a frame', time(21, () => world.annotate(frame)));
}

// Writing: a few clips of the size the training uses, extrapolated to 200 clips.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-world-bench-'));
try {
  const clips = 4;
  const t0 = performance.now();
  for (let c = 0; c < clips; c++) {
    const world = createWorld({ seed: 100 + c, width: 320, height: 192, frameCount: 40 });
    await writeClip(world, path.join(tmp, `clip_${c}`), { flowScale: 1, pngFrames: false });
  }
  const perClip = (performance.now() - t0) / clips;
  rows.push(['320x192', 'write a 40-frame clip (all files)', perClip.toFixed(0), '-']);
  rows.push(['320x192', '→ 200 clips × 40 frames (s)', ((perClip * 200) / 1000).toFixed(0), '-']);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '));
