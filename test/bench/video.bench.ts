/**
 * npm run bench:video — the video layer's speed on a generated 720p H.264 clip (600 frames of
 * testsrc2, 30 fps, a 250-frame GOP). Throughput is compared with plain ffmpeg decoding the same
 * file to null in the same run (interleaved, median of several runs: the machine is shared).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveFfmpegTools } from '../../electron/core/video/ffmpeg-tools';
import { decodeArgs, keyframeAtOrBefore } from '../../electron/core/video/decode-command';
import { encodeFrameJpeg } from '../../electron/core/video/encode';
import { frameByteLength, toRgb } from '../../electron/core/video/frame';
import { RawFrameReader } from '../../electron/core/video/raw-frame-reader';
import { runTool } from '../../electron/core/video/run-tool';
import { VideoFileSource } from '../../electron/core/video/video-file-source';
import { fixture } from '../support/videos';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  const file = await fixture('bench-720p.mp4');
  const tools = await resolveFfmpegTools();
  const source = await VideoFileSource.open(file, { cacheBytes: 0, readAhead: 0 });
  const { info } = source;
  console.log(`file: ${file}`);
  console.log(`${info.width}x${info.height} ${info.codec} ${info.frameCount} frames, keyframes ${info.keyframes.join(', ')}`);
  console.log(`ffmpeg: ${tools.ffmpeg.path} (${tools.ffmpeg.version}, ${tools.ffmpeg.source}); ffprobe ${tools.ffprobe.version}`);

  const probeMs = await time(() => VideoFileSource.open(file).then((s) => s.close()));

  // Sequential throughput, interleaved so background load hits all variants alike.
  const nullMs: number[] = [];
  const pipeMs: number[] = [];
  // frames({ reuse: true }) is how inference reads a video; frames() gives every frame its own buffer.
  const appReuseMs: number[] = [];
  const appMs: number[] = [];
  const readerMs = { fifo: [] as number[], fifoReuse: [] as number[], stdout: [] as number[], stdoutReuse: [] as number[] };
  // The app's own decode command, read by RawFrameReader alone: no Frame objects, no source logic.
  const appArgs = decodeArgs(tools.ffmpeg, info, { start: 0, width: info.width, height: info.height });
  const frameBytes = frameByteLength(info.decodeFormat, info.width, info.height);
  // Node's own CPU time per frame: what reading costs this process, much less sensitive to load than fps.
  const readerCpuMs = { fifo: [] as number[], fifoReuse: [] as number[], stdout: [] as number[], stdoutReuse: [] as number[] };
  const readAll = async (fifo: boolean, reuse: boolean) => {
    const cpu = process.cpuUsage();
    const reader = new RawFrameReader(tools.ffmpeg.path, appArgs, frameBytes, 'bench', { fifo, reuse });
    let n = 0;
    while (await reader.next()) n++;
    if (n !== info.frameCount || reader.transport !== (fifo ? 'fifo' : 'stdout')) throw new Error(`read ${n} frames over ${reader.transport}`);
    const { user, system } = process.cpuUsage(cpu);
    readerCpuMs[`${fifo ? 'fifo' : 'stdout'}${reuse ? 'Reuse' : ''}` as const].push((user + system) / 1000 / n);
  };
  const ffmpegArgs = ['-hide_banner', '-nostdin', '-v', 'error', '-i', file];
  for (let run = 0; run < RUNS; run++) {
    nullMs.push(await time(() => runTool(tools.ffmpeg.path, [...ffmpegArgs, '-f', 'null', '-'])));
    // The same decode into a Node pipe whose bytes are thrown away: the cost of the transport alone.
    pipeMs.push(
      await time(
        () =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(tools.ffmpeg.path, [...ffmpegArgs, '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-avioflags', 'direct', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
            child.stdout.on('data', () => undefined);
            child.on('error', reject);
            child.on('close', () => resolve());
          }),
      ),
    );
    readerMs.fifoReuse.push(await time(() => readAll(true, true)));
    readerMs.fifo.push(await time(() => readAll(true, false)));
    readerMs.stdoutReuse.push(await time(() => readAll(false, true)));
    readerMs.stdout.push(await time(() => readAll(false, false)));
    for (const [reuse, ms] of [[true, appReuseMs], [false, appMs]] as const) {
      ms.push(
        await time(async () => {
          let n = 0;
          for await (const frame of source.frames(0, info.frameCount, { reuse })) n += frame.data.length > 0 ? 1 : 0;
          if (n !== info.frameCount) throw new Error(`streamed ${n} frames`);
        }),
      );
    }
  }
  const ffmpegRgbMs = await time(async () => {
    for await (const frame of source.frames(0, info.frameCount, { format: 'rgb24', reuse: true })) void frame;
  });
  const jsRgbMs = await time(async () => {
    for await (const frame of source.frames()) toRgb(frame);
  });
  const fps = (ms: number) => (info.frameCount * 1000) / ms;
  const nullFps = fps(median(nullMs));
  const pipeFps = fps(median(pipeMs));
  const appFps = fps(median(appReuseMs));
  const ratio = (ms: number[]) => `${fps(median(ms)).toFixed(0)} fps = ${(fps(median(ms)) / nullFps).toFixed(2)}x`;

  // Random seeks, nothing cached: every fetch is a keyframe seek plus decoding up to the frame.
  const rand = random(42);
  const seekMs: number[] = [];
  const distances: number[] = [];
  for (let i = 0; i < 50; i++) {
    const index = Math.floor(rand() * info.frameCount);
    distances.push(index - keyframeAtOrBefore(info.keyframes, index));
    seekMs.push(await time(() => source.getFrame(index)));
  }
  // A seek straight onto a keyframe: process start + demuxer seek + one decode.
  const keyMs: number[] = [];
  for (let i = 0; i < 6; i++) {
    keyMs.push(await time(() => source.getFrame(info.keyframes[1 + (i % (info.keyframes.length - 1))]!)));
    await source.getFrame(0);
  }
  // What decoding alone must cost: the p95 distance from the keyframe at plain ffmpeg's speed.
  const floorMs = median(keyMs) + (percentile(distances, 95) * 1000) / nullFps;

  // Stepping forward with no cache and no read-ahead: the running decoder yields the next frame.
  const stepMs: number[] = [];
  await source.getFrame(100);
  const startsBeforeSteps = source.decoderStarts;
  for (let index = 101; index < 201; index++) stepMs.push(await time(() => source.getFrame(index)));
  const stepStarts = source.decoderStarts - startsBeforeSteps;
  await source.close();

  // The UI's case: default cache and read-ahead, a person stepping every ~40 ms.
  const thumbnailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-bench-thumbs-'));
  const ui = await VideoFileSource.open(file, { thumbnailDir });
  const uiStepMs: number[] = [];
  await ui.getFrame(300);
  for (let index = 301; index < 361; index++) {
    await new Promise((r) => setTimeout(r, 40));
    uiStepMs.push(await time(() => ui.getFrame(index)));
  }
  // Stepping back and forth over frames already seen: pure cache hits.
  const cachedMs: number[] = [];
  const cachedJpegMs: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (let index = 360; index > 300; index--) cachedMs.push(await time(() => ui.getFrame(index)));
  }
  for (let index = 301; index < 331; index++) {
    cachedJpegMs.push(await time(async () => encodeFrameJpeg(await ui.getFrame(index), 85)));
  }
  const thumbsMs = await time(() => ui.thumbnails({ count: 60, width: 160 }));
  await ui.close();
  fs.rmSync(thumbnailDir, { recursive: true, force: true });

  const rows: [string, string, string, string][] = [
    ['probe + open (index of 600 frames)', `${probeMs.toFixed(0)} ms`, '', ''],
    ['ffmpeg -i f -f null - (baseline)', `${nullFps.toFixed(0)} fps`, '', ''],
    ['app decoder frames({ reuse: true }) sequential (I420)', `${appFps.toFixed(0)} fps = ${(appFps / nullFps).toFixed(2)}x`, '>= 0.80x', appFps / nullFps >= 0.8 ? 'yes' : 'NO'],
    ['  frames(), a buffer of its own per frame', ratio(appMs), '', ''],
    ['  RawFrameReader alone, FIFO into a ring of 3 buffers', ratio(readerMs.fifoReuse), '', ''],
    ['  RawFrameReader alone, FIFO into a new buffer per frame', ratio(readerMs.fifo), '', ''],
    ['  RawFrameReader alone, stdout pipe (fallback), ring', ratio(readerMs.stdoutReuse), '', ''],
    ['  RawFrameReader alone, stdout pipe, new buffer per frame', ratio(readerMs.stdout), '', ''],
    ['  Node CPU per frame, FIFO: ring / new buffer', `${median(readerCpuMs.fifoReuse).toFixed(2)} / ${median(readerCpuMs.fifo).toFixed(2)} ms`, '', ''],
    ['  Node CPU per frame, stdout: ring / new buffer', `${median(readerCpuMs.stdoutReuse).toFixed(2)} / ${median(readerCpuMs.stdout).toFixed(2)} ms`, '', ''],
    ["  floor of stdout: 'data' events, discarded", `${pipeFps.toFixed(0)} fps = ${(pipeFps / nullFps).toFixed(2)}x`, '', ''],
    ["  frames({ format: 'rgb24', reuse: true }), ffmpeg converts", `${fps(ffmpegRgbMs).toFixed(0)} fps = ${(fps(ffmpegRgbMs) / nullFps).toFixed(2)}x`, '', ''],
    ['  frames() + toRgb() in JS on every frame', `${fps(jsRgbMs).toFixed(0)} fps = ${(fps(jsRgbMs) / nullFps).toFixed(2)}x`, '', ''],
    ['random seek, 50 frames, no cache', `p50 ${median(seekMs).toFixed(0)} / p95 ${percentile(seekMs, 95).toFixed(0)} ms`, 'p95 <= 400 ms', percentile(seekMs, 95) <= 400 ? 'yes' : 'NO'],
    ['  seek onto a keyframe (start-up cost)', `p50 ${median(keyMs).toFixed(0)} ms`, '', ''],
    [`  floor: p95 distance ${percentile(distances, 95)} frames at null fps`, `${floorMs.toFixed(0)} ms`, '', ''],
    ['cached frame step (getFrame hit)', `p50 ${median(cachedMs).toFixed(3)} / p95 ${percentile(cachedMs, 95).toFixed(3)} ms`, 'p95 <= 30 ms', percentile(cachedMs, 95) <= 30 ? 'yes' : 'NO'],
    ['  cached step + JPEG q85 for the UI', `p50 ${median(cachedJpegMs).toFixed(1)} / p95 ${percentile(cachedJpegMs, 95).toFixed(1)} ms`, '', ''],
    ['uncached step N -> N+1 (running decoder)', `p50 ${median(stepMs).toFixed(1)} / p95 ${percentile(stepMs, 95).toFixed(1)} ms`, '', ''],
    ['  ffmpeg restarts during the 100 steps', String(stepStarts), '0', stepStarts === 0 ? 'yes' : 'NO'],
    ['step with read-ahead (default, 40 ms pace)', `p50 ${median(uiStepMs).toFixed(2)} / p95 ${percentile(uiStepMs, 95).toFixed(2)} ms`, '', ''],
    ['60 thumbnails, one pass (uncached)', `${thumbsMs.toFixed(0)} ms`, '', ''],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['metric', 'value', 'goal', 'met'][c]!.length));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  console.log();
  console.log(line(['metric', 'value', 'goal', 'met']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
  const ratios = (ms: number[]) => nullMs.map((n, i) => (n / ms[i]!).toFixed(2)).join(' ');
  console.log(`\nper-run app/null ratios: frames({ reuse: true }) ${ratios(appReuseMs)}; frames() ${ratios(appMs)}`);
  const list = (xs: number[]) => xs.map((m) => m.toFixed(0)).join('/');
  console.log(
    `sequential runs (ms): null ${list(nullMs)}, stdout floor ${list(pipeMs)}, reader fifo ${list(readerMs.fifo)}, ` +
      `reader fifo ring ${list(readerMs.fifoReuse)}, reader stdout ${list(readerMs.stdout)}, reader stdout ring ${list(readerMs.stdoutReuse)}, ` +
      `app reuse ${list(appReuseMs)}, app ${list(appMs)}`,
  );
  console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
}

await main();
