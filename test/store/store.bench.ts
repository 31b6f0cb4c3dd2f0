/**
 * Store benchmark: `npx tsx test/store/store.bench.ts`. Prints a table; ratios are against baselines
 * measured in the same run on the same schema (a fresh project file each).
 *  - addVideo of 100 000 frames (one transaction, multi-row INSERTs) vs one INSERT per row in one
 *    transaction, and vs one autocommitted INSERT per row (timed on 2 000 rows, scaled to 100 000).
 *  - writeMachineResults: 1 000 frames × 5 boxes with masks, in batches of 50 frames.
 *  - listAnnotations of one frame and listFrames of the whole 100 000-frame video.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { encodeMask } from '../../electron/core/masks/rle';
import { openProject, type MachineFrameResult } from '../../electron/core/store';
import { sampleVideo } from './helpers';

const FRAMES = 100_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-store-bench-'));
let n = 0;
const newProject = () => openProject(path.join(dir, `p${++n}.dffproj`), { create: true });
const pts = Array.from({ length: FRAMES }, (_, i) => i * 512);
const keyframes = Array.from({ length: FRAMES / 250 }, (_, k) => k * 250);

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows: Array<[string, string, string]> = [];

// The app's path, three times, median.
const appMs = median(
  [0, 1, 2].map(() => {
    const store = newProject();
    const ms = time(() => store.addVideo(sampleVideo({ path: `/v/${n}.mp4`, pts, keyframes })));
    store.close();
    return ms;
  }),
);

// Baselines on a raw connection to a project with the same schema and pragmas.
function rawProject(): Database.Database {
  const store = newProject();
  store.addVideo(sampleVideo({ path: '/v/seed.mp4', pts: [0], keyframes: [0] })); // video id 1 for the frames' foreign key
  const file = store.file;
  store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec('DELETE FROM frames');
  return db;
}
const oneRowMs = median(
  [0, 1, 2].map(() => {
    const db = rawProject();
    const insert = db.prepare('INSERT INTO frames (video_id, idx, pts, codec_keyframe) VALUES (1, ?, ?, ?)');
    const ms = time(() => db.transaction(() => pts.forEach((p, i) => insert.run(i, p, i % 250 === 0 ? 1 : 0)))());
    db.close();
    return ms;
  }),
);
const AUTOCOMMIT_ROWS = 2_000;
const autocommitMs = (() => {
  const db = rawProject();
  const insert = db.prepare('INSERT INTO frames (video_id, idx, pts, codec_keyframe) VALUES (1, ?, ?, ?)');
  const ms = time(() => {
    for (let i = 0; i < AUTOCOMMIT_ROWS; i++) insert.run(i, pts[i], 0);
  });
  db.close();
  return (ms * FRAMES) / AUTOCOMMIT_ROWS;
})();

rows.push(['addVideo, 100 000 frames (app)', `${appMs.toFixed(0)} ms`, '1.00×']);
rows.push(['  baseline: 1 row per INSERT, one transaction', `${oneRowMs.toFixed(0)} ms`, `${(oneRowMs / appMs).toFixed(2)}× slower`]);
rows.push([
  `  baseline: autocommit per row (2 000 rows, scaled)`,
  `${autocommitMs.toFixed(0)} ms`,
  `${(autocommitMs / appMs).toFixed(1)}× slower`,
]);

// Machine results and reads on one project.
const store = newProject();
const video = store.addVideo(sampleVideo({ path: '/v/long.mp4', pts, keyframes, width: 320, height: 240 }));
const cls = store.addClass({ name: 'person', color: '#ff0000' });
const run = store.createRun({ packName: 'bench', packPath: '/p', packHash: 'h', params: {}, executionProvider: 'cpu' });
const mask = new Uint8Array(240 * 320);
for (let y = 60; y < 180; y++) for (let x = 100; x < 220; x++) if ((x - 160) ** 2 + (y - 120) ** 2 < 3600) mask[y * 320 + x] = 1;
const rle = encodeMask(mask, 240, 320);
const BATCH = 50;
const TOTAL = 1_000;
const writeMs = time(() => {
  for (let start = 0; start < TOTAL; start += BATCH) {
    const batch: MachineFrameResult[] = [];
    for (let f = start; f < start + BATCH; f++) {
      batch.push({
        frameIdx: f,
        state: f % 10 === 0 ? 'predicted' : 'propagated',
        score: 0.9,
        annotations: Array.from({ length: 5 }, (_, k) => ({ classId: cls.id, trackId: k, mask: rle, score: 0.8 })),
      });
    }
    store.writeMachineResults(run.id, video.id, batch);
  }
});
rows.push([`writeMachineResults, ${TOTAL} frames × 5 masks`, `${writeMs.toFixed(0)} ms`, `${((writeMs / TOTAL) * 1000).toFixed(0)} µs/frame`]);
const listMs = median(Array.from({ length: 200 }, (_, i) => time(() => store.listAnnotations(video.id, i * 5))));
rows.push(['listAnnotations, one frame (median of 200)', `${listMs.toFixed(3)} ms`, '']);
const framesMs = median([0, 1, 2].map(() => time(() => store.listFrames(video.id))));
rows.push(['listFrames, all 100 000', `${framesMs.toFixed(0)} ms`, '']);
store.close();
fs.rmSync(dir, { recursive: true, force: true });

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\n${'what'.padEnd(width)} | time        | vs app`);
console.log(`${'-'.repeat(width)}-|-------------|-----------`);
for (const [what, ms, ratio] of rows) console.log(`${what.padEnd(width)} | ${ms.padEnd(11)} | ${ratio}`);
