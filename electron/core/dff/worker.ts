/**
 * The DFF run's worker threads (one file, two roles, so a packaged app bundles one worker): the DFF worker
 * decodes the video and runs onnxruntime off the main thread and sends the task outputs in batches to the
 * labeller (labeller.ts), which turns them into labels and passes them on. The main thread (engine.ts)
 * owns the project store and writes them: the store's lock is per process, so no worker opens the project.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { AppError, toErrorInfo } from '../errors';
import { DffRunner } from '../models/dff-runner';
import type { LoadedPack } from '../models/load-pack';
import { openFrameSource, type FrameSource } from '../video';
import { dffLoop, runAhead } from './dff-loop';
import { readFrames } from './frame-reader';
import { keyFeatureRecorder } from './feature-cache';
import { runLabeller } from './labeller';
import { hashPack, openPack } from './pack-session';
import { planAdaptive } from './plan-pass';
import { keyPlan, resumeDecodeStart } from './schedule';
import { COST_PARTS, emptyTimings, type BadFrame, type ControlMessage, type DffWorkerMessage, type FrameOutputs, type FrameTimings, type HeadOutputs, type LabellerInput, type WorkerInput } from './types';

const port = parentPort!;
const input = workerData as WorkerInput;
const post = (m: DffWorkerMessage) => input.labeller.postMessage(m);

let paused = false;
let cancelled = false;
let wake: (() => void) | null = null;

async function run(): Promise<DffWorkerMessage> {
  let pack: LoadedPack | null = null;
  let source: FrameSource | null = null;
  const batch: FrameOutputs[] = [];
  const bad: BadFrame[] = [];
  const timings = emptyTimings(); // reset in place after each batch: the loop adds to timings.parts
  let next = input.start;
  let lastFlush = Date.now();
  const flush = () => {
    if (batch.length || bad.length) {
      post({ type: 'outputs', frames: batch.splice(0), bad: bad.splice(0), next, timings });
      resetTimings(timings);
    }
    lastFlush = Date.now();
  };
  try {
    const opened = await openPack(input.packDir, input.providers, input.threads);
    pack = opened.pack;
    const { manifest } = pack;
    const packHash = await hashPack(input.packDir, manifest);
    post({
      type: 'ready',
      provider: opened.provider,
      providerFailures: opened.providerFailures,
      packName: manifest.name,
      packHash,
      classes: manifest.classes,
      detects: !!manifest.heads.detection,
    });
    source = await openFrameSource(input.videoPath, { cacheBytes: 0 });
    const { width, height } = source.info;
    if (width !== input.video.width || height !== input.video.height) {
      throw new AppError(
        'INVALID_INPUT',
        `${input.videoPath} is now ${width}×${height}; the project added it as ${input.video.width}×${input.video.height}`,
        { path: input.videoPath },
      );
    }
    if (cancelled) return { type: 'stopped', reason: 'cancelled' };
    const runner = new DffRunner(pack);
    const recordKey = keyFeatureRecorder(runner, input.videoPath, packHash); // key features into the visualisers' cache
    const size = { width: manifest.input.width, height: manifest.input.height };
    let starts = input.plan;
    if (input.mode.kind === 'adaptive' && !starts) {
      const t0 = performance.now();
      let told = 0;
      const onFrame = (i: number) => {
        if (Date.now() - told < input.batchMs / 4) return;
        told = Date.now();
        post({ type: 'planning', done: i + 1 - input.from, total: input.to - input.from });
      };
      starts = await planAdaptive(runner, readFrames(source, input.from, input.to, size), input.from, input.to, input.mode.k, onFrame);
      post({ type: 'planning', done: input.to - input.from, total: input.to - input.from });
      timings.parts.plan += performance.now() - t0;
      if (cancelled) return { type: 'stopped', reason: 'cancelled' };
      post({ type: 'plan', starts });
    }
    const plan = keyPlan(input.mode, input.from, input.to, starts);
    const frames = readFrames(source, resumeDecodeStart(plan, input.start), input.to, size);
    const cellPx = { x: (manifest.feature.stride * width) / size.width, y: (manifest.feature.stride * height) / size.height };
    for await (const ev of runAhead(dffLoop(runner, frames, plan, input.start, timings.parts, cellPx))) {
      if ('error' in ev) bad.push({ frameIdx: ev.frameIdx, message: ev.error });
      else {
        recordKey(ev);
        batch.push({ frameIdx: ev.frameIdx, key: ev.key, keyIdx: ev.keyIdx, flow: ev.flow, outputs: plainOutputs(ev.outputs) });
        if (ev.key) {
          timings.keyFrames++;
          timings.keyMs += ev.ms;
        } else {
          timings.propagatedFrames++;
          timings.propagatedMs += ev.ms;
        }
      }
      next = ev.frameIdx + 1;
      if (batch.length + bad.length >= input.batchFrames || Date.now() - lastFlush >= input.batchMs) flush();
      if (paused && !cancelled) {
        flush();
        post({ type: 'paused' });
        while (paused && !cancelled) await new Promise<void>((resolve) => (wake = resolve));
      }
      if (cancelled) break;
    }
    if (!cancelled) next = input.to;
    flush();
    return { type: 'stopped', reason: cancelled ? 'cancelled' : 'finished' };
  } catch (err) {
    flush();
    return { type: 'failed', error: toErrorInfo(err) };
  } finally {
    await source?.close().catch(() => undefined);
    await pack?.release().catch(() => undefined);
  }
}

/** The tensors' arrays, which a message copies (an ort.Tensor would arrive without its class). */
function plainOutputs(outputs: Partial<Record<keyof HeadOutputs, ort.Tensor>>): HeadOutputs {
  const plain: HeadOutputs = {};
  for (const [name, t] of Object.entries(outputs) as [keyof HeadOutputs, ort.Tensor | undefined][]) {
    if (t) plain[name] = { data: t.data as Float32Array, dims: t.dims };
  }
  return plain;
}

function resetTimings(t: FrameTimings): void {
  t.keyFrames = t.keyMs = t.propagatedFrames = t.propagatedMs = 0;
  for (const k of COST_PARTS) t.parts[k] = 0;
}

// no top-level await: the packaged app bundles this file as CommonJS
if ((workerData as WorkerInput | LabellerInput).role === 'labeller') {
  void runLabeller(workerData as LabellerInput);
} else {
  port.on('message', (m: ControlMessage) => {
    if (m.type === 'pause') paused = true;
    else if (m.type === 'resume') paused = false;
    else if (m.type === 'cancel') cancelled = true;
    wake?.();
  });
  void run().then((last) => {
    post(last);
    input.labeller.close();
    port.close();
  });
}
