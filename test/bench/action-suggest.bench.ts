/**
 * npx tsx test/bench/action-suggest.bench.ts [--pack DIR] [--frames 2000] [--threads 1]
 *   A suggestion run (electron/core/actions/suggest.ts) over a long 320×192 video (ffmpeg lavfi testsrc) on the
 *   main thread, against decoding alone at the model's size with the same decoder, measured in one run: fps,
 *   ms per window, how long the event loop was held at most (what a UI server call waits at worst, since
 *   onnxruntime-node runs a session on the calling thread), and the peak RSS a quarter of the way and at the end
 *   (flat: frames are kept only while a window needs them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { suggestActions } from '../../electron/core/actions/suggest';
import { readFrames } from '../../electron/core/dff/frame-reader';
import { readManifest } from '../../electron/core/models/load-pack';
import { openFrameSource } from '../../electron/core/video';
import { packDir as defaultPack, projectWith, tempDir } from '../dff/helpers';
import { ffmpeg } from '../support/videos';

const { values } = parseArgs({
  options: {
    pack: { type: 'string' },
    frames: { type: 'string', default: '2000' },
    threads: { type: 'string', default: '1' },
  },
});
const pack = path.resolve(values.pack ?? defaultPack);
const frames = Number(values.frames);
const threads = Number(values.threads);
const action = fs.existsSync(path.join(pack, 'manifest.json')) ? (await readManifest(pack)).action : undefined;
if (!action) {
  console.log(`the pack at ${pack} has no action model: nothing to measure`);
  process.exit(0);
}
const dir = tempDir('suggest-bench');
try {
  const video = path.join(dir, 'long.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x192:rate=30', '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video]);
  const { store, video: v } = await projectWith(dir, video, 'bench');

  // baseline: decoding alone, at the model's size, with the decoder the run uses
  const source = await openFrameSource(store.locateVideo(v.id), { cacheBytes: 0 });
  let t = performance.now();
  for await (const _ of readFrames(source, 0, v.frameCount, { width: action.width, height: action.height })) void _;
  const decodeS = (performance.now() - t) / 1000;
  await source.close();

  const delay = monitorEventLoopDelay({ resolution: 1 });
  let peak = 0;
  const rss: { at: string; mb: number }[] = [];
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const before = process.memoryUsage().rss;
  delay.enable();
  t = performance.now();
  const result = await suggestActions(
    store,
    { videoId: v.id, packDir: pack, providers: ['cpu'], threads },
    {
      progressMs: 0,
      onProgress: (p) => {
        peak = Math.max(peak, process.memoryUsage().rss);
        if (rss.length === 0 && p.done >= p.total / 4) rss.push({ at: `${p.done} of ${p.total} windows`, mb: peak / 2 ** 20 });
      },
    },
  );
  const runS = (performance.now() - t) / 1000;
  delay.disable();
  clearInterval(sampler);
  rss.push({ at: `the end (${result.windows} windows)`, mb: peak / 2 ** 20 });
  store.close();

  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `\nAction suggestions over a ${frames}-frame 320×192 video: ${result.model}, clip ${action.clipLength}×${action.width}×${action.height}, ` +
      `stride ${action.windowStride}, ${threads} onnxruntime thread(s), CPU; ${result.suggested} suggested\n`,
  );
  console.log('| pass | s | fps | ms / window | × decode time |');
  console.log('|---|---|---|---|---|');
  console.log(`| decode at ${action.width}×${action.height} only | ${decodeS.toFixed(2)} | ${(frames / decodeS).toFixed(0)} | – | 1.00 |`);
  console.log(`| suggestion run | ${runS.toFixed(2)} | ${(frames / runS).toFixed(0)} | ${((runS * 1000) / result.windows).toFixed(1)} | ${(runS / decodeS).toFixed(2)} |`);
  console.log(`\nEvent loop held during the run: max ${ms(delay.max)} ms, p99 ${ms(delay.percentile(99))} ms, mean ${ms(delay.mean)} ms`);
  console.log(`RSS before the run ${(before / 2 ** 20).toFixed(0)} MB; peak at ${rss.map((r) => `${r.at}: ${r.mb.toFixed(0)} MB`).join(', at ')}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
