/**
 * Regenerates resources/demo/: demo.mp4 (640×360, 30 fps, 300 frames of the generated world with a fixed
 * seed, in which every class and every action appears), its annotations.json and meta.json. The masks and
 * flow are too big to commit; createWorld(DEMO_PARAMS) reproduces them exactly.
 *   npx tsx electron/core/world/make-demo.ts [--out DIR]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appRoot } from '../app-paths';
import type { WorldParams } from './params';
import { createWorld } from './world';
import { writeClip } from './writer';

export const DEMO_PARAMS: WorldParams = { seed: 2018, width: 640, height: 360, frameCount: 300, fps: 30, objects: 7, difficulty: 'normal' };

export async function makeDemo(outDir: string): Promise<void> {
  const world = createWorld(DEMO_PARAMS);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-demo-'));
  try {
    await writeClip(world, tmp, {
      flowScale: 4,
      pngFrames: false,
      onFrame: (i) => (i + 1) % 50 === 0 && console.log(`  frame ${i + 1}/${DEMO_PARAMS.frameCount}`),
    });
    fs.mkdirSync(outDir, { recursive: true });
    fs.copyFileSync(path.join(tmp, 'video.mp4'), path.join(outDir, 'demo.mp4'));
    fs.copyFileSync(path.join(tmp, 'annotations.json'), path.join(outDir, 'annotations.json'));
    const meta = JSON.parse(fs.readFileSync(path.join(tmp, 'meta.json'), 'utf8'));
    // Only the video and annotations are kept here: no flow files, so no flow scale.
    delete meta.flowScale;
    fs.writeFileSync(path.join(outDir, 'meta.json'), JSON.stringify({ ...meta, video: 'demo.mp4' }, null, 2));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('make-demo.ts')) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = values.out ?? path.join(appRoot(), 'resources', 'demo');
  const started = performance.now();
  await makeDemo(out);
  const size = fs.statSync(path.join(out, 'demo.mp4')).size;
  console.log(`wrote ${out}/demo.mp4 (${(size / 1e6).toFixed(2)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
