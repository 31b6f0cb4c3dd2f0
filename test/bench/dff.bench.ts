/**
 * npm run bench:dff -- [--pack DIR] [--clips 2] [--frames 400] [--width 320 --height 192] [--threads 1]
 *   The whole engine (decode, worker, onnxruntime, labels, SQLite writes) on generated clips with exact
 *   ground truth (world seeds 2101…, off the pack's training and test seeds), --clips of each kind: steady
 *   motion, speed changing every 25 frames, three cuts (as real footage has): the per-frame baseline,
 *   DFF at k = 1, 5, 10, 20 and adaptive key frames at a mean interval of 10, measured in one run. Prints
 *   fps, speed-up over the baseline, key frames, mIoU, mAP@0.5 and the cost split in ms per frame.
 * npm run bench:dff -- --memory [--frames 20000]
 *   DFF k=10 over a long low-res video (ffmpeg lavfi testsrc, 320×192): peak RSS of the process at 2 000
 *   frames and at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startRun, type RunTimings } from '../../electron/core/dff/engine';
import { COST_PARTS, type RunMode } from '../../electron/core/dff/types';
import type { Detection } from '../../electron/core/models/decode';
import { DetectionAP, SegmentationIoU, type TruthBox } from '../../electron/core/models/metrics';
import type { ProjectStore } from '../../electron/core/store';
import { createWorld } from '../../electron/core/world/world';
import { VideoEncoder } from '../../electron/core/world/writer';
import { packDir as defaultPack, paintMasks, projectWith, tempDir } from '../dff/helpers';
import { clipList, FIRST_SEED, KINDS, renderClip, SPEEDS, type Kind } from './dff-clips';
import { ffmpeg } from '../support/videos';

const { values } = parseArgs({
  options: {
    pack: { type: 'string' },
    clips: { type: 'string', default: '2' },
    frames: { type: 'string' },
    width: { type: 'string', default: '320' },
    height: { type: 'string', default: '192' },
    threads: { type: 'string', default: '1' },
    memory: { type: 'boolean', default: false },
  },
});
const pack = path.resolve(values.pack ?? defaultPack);
const threads = Number(values.threads);
if (!fs.existsSync(path.join(pack, 'manifest.json'))) {
  console.log(`no model pack at ${pack}: nothing to measure`);
  process.exit(0);
}
const dir = tempDir('dff-bench');
try {
  if (values.memory) await memory(Number(values.frames ?? 20000));
  else await accuracyAndSpeed(Number(values.clips), Number(values.frames ?? 400), Number(values.width), Number(values.height));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

interface Clip {
  video: string;
  semantic: Uint8Array[];
  boxes: TruthBox[][];
}

async function accuracyAndSpeed(clipsPerKind: number, frames: number, width: number, height: number): Promise<void> {
  const clips: (Clip & { kind: Kind })[] = [];
  for (const { kind, seed } of clipList(clipsPerKind)) {
    const rendered = renderClip(kind, seed, frames, width, height);
    const clipDir = path.join(dir, `clip${clips.length}`);
    fs.mkdirSync(clipDir, { recursive: true });
    const video = path.join(clipDir, 'video.mp4');
    const encoder = await VideoEncoder.start(video, width, height, rendered.fps);
    const semantic: Uint8Array[] = [];
    const boxes: TruthBox[][] = [];
    for (const f of rendered.frames) {
      await encoder.write(f.rgb);
      semantic.push(f.semantic);
      boxes.push(f.boxes);
    }
    await encoder.finish();
    clips.push({ video, semantic, boxes, kind });
  }
  const classes = createWorld({ seed: 1, width: 16, height: 16, frameCount: 1 }).classes;
  const modes: [string, RunMode][] = [
    ['per-frame baseline', { kind: 'baseline' }],
    ['DFF k=1', { kind: 'fixed', k: 1 }],
    ['DFF k=5', { kind: 'fixed', k: 5 }],
    ['DFF k=10', { kind: 'fixed', k: 10 }],
    ['DFF k=20', { kind: 'fixed', k: 20 }],
    ['DFF adaptive (mean k=10)', { kind: 'adaptive', k: 10 }],
  ];
  type Accuracy = { iou: SegmentationIoU; ap: DetectionAP };
  const accuracy = (): Accuracy => ({ iou: new SegmentationIoU(classes.length), ap: new DetectionAP(classes.length) });
  const rows: { name: string; fps: number; keys: number; mIoU: number; mAP: number; split: Record<string, number>; byKind: Accuracy[] }[] = [];
  for (const [name, mode] of modes) {
    const iou = new SegmentationIoU(classes.length);
    const ap = new DetectionAP(classes.length);
    const byKind = KINDS.map(accuracy);
    let seconds = 0;
    let keys = 0;
    const parts: Record<string, number> = Object.fromEntries(COST_PARTS.map((k) => [k, 0]));
    for (const [c, clip] of clips.entries()) {
      const { store, video } = await projectWith(dir, clip.video, `${name.replace(/\W+/g, '-')}-${c}`);
      const handle = await startRun(store, { videoId: video.id, packDir: pack, mode, threads });
      await handle.done;
      const t = store.getRun(handle.runId).timings as RunTimings;
      seconds += t.seconds;
      keys += t.keyFrames;
      for (const k of COST_PARTS) parts[k]! += t.partsMs[k];
      const toWorld = worldIds(store, classes);
      for (let i = 0; i < frames; i++) {
        const annotations = store.listAnnotations(video.id, i);
        const map = paintMasks(annotations, height, width);
        for (let p = 0; p < map.length; p++) map[p] = toWorld.get(map[p]!) ?? 0;
        iou.add(map, clip.semantic[i]!);
        byKind[KINDS.indexOf(clip.kind)]!.iou.add(map, clip.semantic[i]!);
        const dets: Detection[] = annotations
          .filter((a) => !a.mask && a.box)
          .map((a) => ({ box: [a.box!.x, a.box!.y, a.box!.w, a.box!.h], score: a.score ?? 0, classId: toWorld.get(a.classId) ?? 0 }));
        ap.add(dets, clip.boxes[i]!);
        byKind[KINDS.indexOf(clip.kind)]!.ap.add(dets, clip.boxes[i]!);
      }
      store.close();
    }
    const n = frames * clips.length;
    rows.push({
      name,
      fps: n / seconds,
      keys,
      mIoU: 100 * iou.result().mIoU,
      mAP: 100 * ap.result().mAP,
      split: Object.fromEntries(COST_PARTS.map((k) => [k, parts[k]! / n])),
      byKind,
    });
  }
  const base = rows[0]!;
  console.log(
    `\nDFF engine on ${clips.length} generated clips × ${frames} frames (${width}×${height}, world seeds ${FIRST_SEED}–${FIRST_SEED + clips.length - 1}): ` +
      `${clipsPerKind} steady, ${clipsPerKind} changing speed every 25 frames (${SPEEDS.join('×, ')}×), ${clipsPerKind} with 3 cuts; ` +
      `${threads} onnxruntime thread(s), pack ${path.relative(process.cwd(), pack) || pack}, ${os.cpus().length} cores (shared)\n`,
  );
  console.log(`| mode | fps | speed-up | key frames | mIoU | mAP@0.5 | ${COST_PARTS.join(' | ')} (ms/frame) |`);
  console.log(`|---|---|---|---|---|---|${COST_PARTS.map(() => '---').join('|')}|`);
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.fps.toFixed(1)} | ${(r.fps / base.fps).toFixed(2)}x | ${r.keys} | ${r.mIoU.toFixed(1)} | ${r.mAP.toFixed(1)} | ` +
        `${COST_PARTS.map((k) => r.split[k]!.toFixed(2)).join(' | ')} |`,
    );
  }
  console.log(`\nBy kind of clip (mIoU / mAP@0.5):\n`);
  console.log(`| mode | ${KINDS.join(' | ')} |`);
  console.log(`|---|${KINDS.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const cell = (a: Accuracy) => `${(100 * a.iou.result().mIoU).toFixed(1)} / ${(100 * a.ap.result().mAP).toFixed(1)}`;
    console.log(`| ${r.name} | ${r.byKind.map(cell).join(' | ')} |`);
  }
  console.log('\nfps: frames over the runs’ active seconds (decode and SQLite writes included, worker start-up not; adaptive: its planning pass included).');
  console.log('Cost split: plan = the adaptive first pass; decode = waiting for ffmpeg + making the input tensor; store = SQLite on the main thread (overlaps the worker).');
}

/** Project class id -> the world's class id, by name (the pack's classes are the world's). */
function worldIds(store: ProjectStore, classes: { id: number; name: string }[]): Map<number, number> {
  const byName = new Map(classes.map((c) => [c.name.toLowerCase(), c.id]));
  return new Map(store.listClasses().flatMap((c) => (byName.has(c.name.toLowerCase()) ? [[c.id, byName.get(c.name.toLowerCase())!] as [number, number]] : [])));
}

async function memory(frames: number): Promise<void> {
  const video = path.join(dir, 'long.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x192:rate=30', '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video]);
  const { store, video: v } = await projectWith(dir, video, 'long-project');
  const marks = [2000, frames];
  const peaks: { frames: number; rssMb: number }[] = [];
  let peak = 0;
  const start = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const handle = await startRun(store, { videoId: v.id, packDir: pack, mode: { kind: 'fixed', k: 10 }, threads }, {
    onProgress: (p) => {
      peak = Math.max(peak, process.memoryUsage().rss);
      while (marks.length && p.done >= marks[0]!) peaks.push({ frames: marks.shift()!, rssMb: peak / 2 ** 20 });
    },
  });
  const outcome = await handle.done;
  clearInterval(timer);
  store.close();
  console.log(`\nDFF k=10 over a ${frames}-frame 320×192 video (lavfi testsrc), ${threads} onnxruntime thread(s), ${outcome.fps.toFixed(1)} fps\n`);
  console.log('| frames done | peak RSS (MB) |');
  console.log('|---|---|');
  console.log(`| 0 (before the run) | ${(start / 2 ** 20).toFixed(0)} |`);
  for (const p of peaks) console.log(`| ${p.frames} | ${p.rssMb.toFixed(0)} |`);
}
