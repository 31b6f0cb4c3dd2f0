/**
 * The Deep Feature Flow loop (Zhu et al. 2017): on a key frame, N_feat then N_task, keeping the key image
 * and features; on any other frame, flow from the current frame back to the key (never chained), the
 * warp of the key features by it (times the scale field, an ONNX graph on the same execution provider),
 * then N_task. The adaptive schedule may then promote the frame to a key frame. A key frame that cannot
 * be read hands the key to the next frame that can.
 */
import type * as ort from 'onnxruntime-node';
import type { DffRunner, KeyFrame, TaskOutputs } from '../models/dff-runner';
import { frameToTensor } from '../models/preprocess';
import { KEY_FRAME_SUMMARY, propagationSignals, summariseFlow, taskConfidence, type FlowSummary } from './frame-signals';
import type { ReadResult } from './frame-reader';
import type { KeySchedule } from './schedule';
import type { CostSplit } from './types';

export type LoopEvent =
  | { frameIdx: number; key: boolean; keyIdx: number; outputs: TaskOutputs; flow: FlowSummary; ms: number }
  | { frameIdx: number; error: string };

interface Key extends KeyFrame {
  idx: number;
  /** The task's confidence on the key frame (adaptive runs only). */
  confidence: number | null;
}

/**
 * `frames` must start at the frame a resumed run rebuilds its key from (schedule.ts `resumeDecodeStart`):
 * frames before `start` only rebuild the key and yield nothing. `parts` gets each part's milliseconds.
 */
export async function* dffLoop(
  runner: DffRunner,
  frames: AsyncIterable<ReadResult>,
  schedule: KeySchedule,
  start: number,
  parts: CostSplit,
  videoPxPerCell: { x: number; y: number },
): AsyncGenerator<LoopEvent, void, undefined> {
  const { input, feature } = runner.pack.manifest;
  let key: Key | null = null;
  let keyMissed = false;
  let t = performance.now();
  const lap = (part: keyof CostSplit) => {
    const now = performance.now();
    parts[part] += now - t;
    t = now;
  };
  const makeKey = async (idx: number, image: ort.Tensor, withTask: boolean) => {
    const features = await runner.features(image);
    lap('feature');
    const outputs = withTask ? await runner.task(features) : null;
    if (withTask) lap('task');
    const confidence = schedule.adaptive && outputs ? taskConfidence(outputs, runner.pack.manifest) : null;
    schedule.keyed(idx);
    return { key: { idx, image, features, confidence }, outputs };
  };

  for await (const r of frames) {
    const i = r.frameIdx;
    const warmUp = i < start;
    if ('error' in r) {
      if (schedule.mustKey(i)) keyMissed = true;
      if (!warmUp) yield r;
      continue;
    }
    const isKey = !key || keyMissed || schedule.mustKey(i);
    if (warmUp && !isKey) continue;
    const frameStart = performance.now();
    const image = frameToTensor(r.rgb, input.width, input.height, input);
    lap('decode');
    keyMissed = false;
    if (warmUp) {
      // an adaptive run compares with the key's confidence, so it needs the key's task outputs too
      key = (await makeKey(i, image, schedule.adaptive)).key;
      continue;
    }
    if (isKey) {
      const made = await makeKey(i, image, true);
      key = made.key;
      yield { frameIdx: i, key: true, keyIdx: i, outputs: made.outputs!, flow: KEY_FRAME_SUMMARY, ms: performance.now() - frameStart };
      t = performance.now(); // from here the wait for the next frame counts as decoding
      continue;
    }
    const { flow, scale } = await runner.flow(key!, image);
    lap('flow');
    const warped = await runner.warp(key!, flow, scale);
    lap('warp');
    const outputs = await runner.task(warped);
    lap('task');
    if (schedule.adaptive) {
      const confidence = taskConfidence(outputs, runner.pack.manifest);
      const drop = confidence !== null && key!.confidence !== null ? key!.confidence - confidence : null;
      if (schedule.promote(i, propagationSignals(flow, scale, feature.stride, drop))) {
        const made = await makeKey(i, image, true);
        key = made.key;
        yield { frameIdx: i, key: true, keyIdx: i, outputs: made.outputs!, flow: KEY_FRAME_SUMMARY, ms: performance.now() - frameStart };
        t = performance.now();
        continue;
      }
    }
    const summary = summariseFlow(flow, scale, videoPxPerCell);
    yield { frameIdx: i, key: false, keyIdx: key!.idx, outputs, flow: summary, ms: performance.now() - frameStart };
    t = performance.now();
  }
}

/**
 * Hands out each item while the next is already being made: onnxruntime runs a session off the JS thread,
 * so the next frame's networks overlap this frame's labels (and the wait for decoded frames). A consumer
 * that stops early leaves one item made and dropped (a paused or cancelled run writes nothing of it).
 */
export async function* runAhead<T>(items: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const it = items[Symbol.asyncIterator]();
  let next = it.next();
  next.catch(() => undefined); // a failure is rethrown where it is awaited, not reported as unhandled meanwhile
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    await next.catch(() => undefined);
    await it.return?.();
  }
}
