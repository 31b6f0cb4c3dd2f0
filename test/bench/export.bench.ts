/**
 * Export benchmark: `npm run bench:export -- [frames=100000]`.
 * Builds a project of N frames × 10 objects with masks (320×240, the store's bulk machine-write
 * path), then exports it; each export runs in its own child process so its peak RSS is its own.
 * Baseline in the same run: the same export of the first N/10 frames, to show that time grows
 * linearly and memory does not grow with size (the JSON is streamed). Last row: importing the
 * baseline's COCO file back into a fresh project (for information; import reads the file whole).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExport } from '../../electron/core/export/run-export';
import { importCoco } from '../../electron/core/import/coco-import';
import { encodeMask, type CocoRle } from '../../electron/core/masks/rle';
import { openProject, type MachineFrameResult } from '../../electron/core/store';

const W = 320;
const H = 240;
const OBJECTS = 10;

interface ChildResult {
  ms: number;
  maxRssMb: number;
  bytes: number;
  annotations: number;
}

async function child(project: string, frames: number, format: 'coco' | 'cityscapes', segmentation: 'rle' | 'polygon', out: string) {
  const store = openProject(project);
  const t = performance.now();
  const r = await runExport(store, {
    format,
    outDir: out,
    name: `${format}-${segmentation}-${frames}`,
    images: format === 'coco' ? 'none' : false,
    ...(format === 'coco' ? { segmentation } : {}),
    selection: { verified: false, machineMinScore: 0, range: { from: 0, to: frames } },
  } as never);
  const ms = performance.now() - t;
  store.close();
  let bytes = 0;
  for (const f of r.files) bytes += fs.statSync(path.join(r.dest, f)).size;
  const result: ChildResult = { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes, annotations: r.annotations };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** A pool of distinct ellipse masks, reused over the objects (building 1M masks pixel by pixel would dominate the run). */
function maskPool(n: number): CocoRle[] {
  const pool: CocoRle[] = [];
  for (let k = 0; k < n; k++) {
    const cx = 20 + ((k * 37) % (W - 40));
    const cy = 20 + ((k * 53) % (H - 40));
    const rx = 6 + (k % 17);
    const ry = 8 + (k % 13);
    const m = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - cx) ** 2 / rx ** 2 + (y - cy) ** 2 / ry ** 2 <= 1) m[y * W + x] = 1;
    pool.push(encodeMask(m, H, W));
  }
  return pool;
}

function build(project: string, frames: number): number {
  const t = performance.now();
  const store = openProject(project, { create: true });
  const video = store.addVideo({
    path: path.join(path.dirname(project), 'long.mp4'),
    kind: 'file',
    contentHash: 'bench',
    sizeBytes: 1,
    width: W,
    height: H,
    fpsNum: 25,
    fpsDen: 1,
    timeBaseNum: 1,
    timeBaseDen: 25,
    codec: 'h264',
    pixFmt: 'yuv420p',
    durationS: frames / 25,
    isVfr: false,
    pts: Array.from({ length: frames }, (_, i) => i),
    keyframes: [0],
  });
  const classes = ['person', 'car', 'bicycle', 'bus', 'truck'].map((name, i) => store.addClass({ name, color: `#0000${(i * 40).toString(16).padStart(2, '0')}` }).id);
  const pool = maskPool(256);
  const run = store.createRun({ packName: 'bench', packPath: '/bench', packHash: 'h', params: {}, executionProvider: 'cpu' });
  const BATCH = 1000;
  for (let from = 0; from < frames; from += BATCH) {
    const batch: MachineFrameResult[] = [];
    for (let f = from; f < Math.min(frames, from + BATCH); f++) {
      batch.push({
        frameIdx: f,
        state: 'propagated',
        score: 0.9,
        annotations: Array.from({ length: OBJECTS }, (_, o) => ({ classId: classes[o % classes.length], trackId: o, score: 0.5 + o / 40, mask: pool[(f * 7 + o * 31) % pool.length] })),
      });
    }
    store.writeMachineResults(run.id, video.id, batch);
  }
  store.updateRun(run.id, { status: 'done' });
  store.close();
  return performance.now() - t;
}

function measure(project: string, frames: number, format: 'coco' | 'cityscapes', segmentation: 'rle' | 'polygon', out: string, nodeArgs: string[] = []): ChildResult {
  return child_(['--child', project, String(frames), format, segmentation, out], nodeArgs);
}

/** Runs this script in a child process with `args` and returns the RESULT it prints. */
function child_(args: string[], nodeArgs: string[] = []): ChildResult {
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`export child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(line.slice(7));
}

async function parent() {
  const frames = Number(process.argv[2] ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-export-bench-'));
  const project = path.join(dir, 'bench.dffproj');
  const buildMs = build(project, frames);
  console.log(`built ${frames} frames × ${OBJECTS} masked objects (${W}×${H}) in ${(buildMs / 1000).toFixed(1)} s; project ${(fs.statSync(project).size / 2 ** 20).toFixed(0)} MiB`);
  const out = path.join(dir, 'out');
  const base = Math.max(1, Math.round(frames / 10));
  const runs: Array<[string, number, ChildResult]> = [];
  const rows: Array<[string, 'coco' | 'cityscapes', 'rle' | 'polygon', number, string[]]> = [
    ['COCO RLE (baseline)', 'coco', 'rle', base, []],
    ['COCO RLE', 'coco', 'rle', frames, []],
    // V8 grows its heap lazily when there is room; capped, the same export must still finish
    ['COCO RLE, V8 heap capped at 64 MiB', 'coco', 'rle', frames, ['--max-old-space-size=64']],
    ['COCO polygons', 'coco', 'polygon', base, []],
    ['Cityscapes (4 files/frame)', 'cityscapes', 'rle', Math.min(1000, base), []],
  ];
  for (const [label, format, seg, n, nodeArgs] of rows) runs.push([label, n, measure(project, n, format, seg, path.join(out, String(runs.length)), nodeArgs)]);
  const baselineJson = path.join(out, '0', `coco-rle-${base}`, 'annotations', 'instances_train.json');
  runs.push(['import of the baseline COCO file', base, child_(['--import-child', project, baselineJson, path.join(dir, 'imported.dffproj')])]);
  const baseline = runs[0][2];
  const table = runs.map(([label, n, r]) => ({
    export: label,
    frames: n,
    annotations: r.annotations,
    's': +(r.ms / 1000).toFixed(2),
    'frames/s': Math.round((n / r.ms) * 1000),
    'time/frame vs baseline': +((r.ms / n) / (baseline.ms / base)).toFixed(2),
    'peak RSS MiB': Math.round(r.maxRssMb),
    'RSS vs baseline': +(r.maxRssMb / baseline.maxRssMb).toFixed(2),
    'files MiB': +(r.bytes / 2 ** 20).toFixed(1),
  }));
  console.table(table);
  const main = runs[1][2];
  console.log(`goal: ${frames} frames in ≤ 60 s → ${(main.ms / 1000).toFixed(1)} s ${main.ms <= 60_000 ? 'met' : 'NOT met'}; memory ${Math.round(main.maxRssMb)} MiB vs ${Math.round(baseline.maxRssMb)} MiB for ${base} frames`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Imports the baseline COCO file into a fresh project with the same video (one transaction). */
async function importChild(source: string, json: string, target: string) {
  const from = openProject(source);
  const video = from.listVideos()[0];
  const frames = from.listFrames(video.id);
  const classes = from.listClasses();
  from.close();
  const store = openProject(target, { create: true });
  const v = store.addVideo({ ...video, path: video.path, kind: 'file', pts: frames.map((f) => f.pts), keyframes: [0] });
  for (const c of classes) store.addClass({ name: c.name, color: c.color });
  const t = performance.now();
  const r = await importCoco(store, { file: json, videoId: v.id });
  const ms = performance.now() - t;
  store.close();
  const result: ChildResult = { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes: fs.statSync(json).size, annotations: r.annotations };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

if (process.argv[2] === '--import-child') {
  const [, , , source, json, target] = process.argv;
  await importChild(source, json, target);
} else if (process.argv[2] === '--child') {
  const [, , , project, frames, format, segmentation, out] = process.argv;
  await child(project, Number(frames), format as 'coco', segmentation as 'rle', out);
} else {
  await parent();
}
