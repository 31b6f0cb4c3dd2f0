/**
 * The Deep Feature Flow loop (Zhu et al. 2017) over the segments of a key plan (schedule.ts): on a
 * segment's key frame, N_feat then N_task, keeping the key image and features; on every other frame of the
 * segment, flow from that frame to the key (never chained; the key may lie after it), the warp of the key
 * features by it (times the scale field, an ONNX graph on the same execution provider), then N_task.
 * Frames before the key wait (as input tensors) until it is made; events come out in frame order. A key
 * frame that cannot be read hands the key to the next readable frame of the segment, else the last one.
 */
import type * as ort from 'onnxruntime-node';
import type { DffRunner, KeyFrame, TaskOutputs } from '../models/dff-runner';
import { frameToTensor, InputBuffers } from '../models/preprocess';
import { KEY_FRAME_SUMMARY, summariseFlow, type FlowSummary } from './frame-signals';
import type { ReadResult } from './frame-reader';
import type { KeyPlan, Segment } from './schedule';
import type { CostSplit } from './types';

export type LoopEvent =
  | { frameIdx: number; key: boolean; keyIdx: number; outputs: TaskOutputs; flow: FlowSummary; ms: number }
  | { frameIdx: number; error: string };

interface Key extends KeyFrame {
  idx: number;
}

type Waiting = { frameIdx: number; image: ort.Tensor; ms: number } | { frameIdx: number; error: string };

/**
 * `frames` must start at the first frame of the segment of `start` (schedule.ts `resumeDecodeStart`):
 * frames before `start` only rebuild that segment's key and yield nothing. `parts` gets each part's milliseconds.
 */
export async function* dffLoop(
  runner: DffRunner,
  frames: AsyncIterable<ReadResult>,
  plan: KeyPlan,
  start: number,
  parts: CostSplit,
  videoPxPerCell: { x: number; y: number },
): AsyncGenerator<LoopEvent, void, undefined> {
  const { input } = runner.pack.manifest;
  let segment: Segment | null = null;
  let key: Key | null = null;
  let waiting: Waiting[] = []; // frames of this segment before its key, to be written
  const buffers = new InputBuffers(3 * input.width * input.height);
  let t = performance.now();
  const lap = (part: keyof CostSplit) => {
    const now = performance.now();
    parts[part] += now - t;
    t = now;
  };
  const makeKey = async (idx: number, image: ort.Tensor) => {
    const features = await runner.features(image);
    lap('feature');
    const outputs = await runner.task(features);
    lap('task');
    key = { idx, image, features };
    return outputs;
  };
  const propagate = async (frameIdx: number, image: ort.Tensor, ms: number): Promise<LoopEvent> => {
    const frameStart = performance.now();
    const { flow, scale } = await runner.flow(key!, image);
    buffers.give(image); // read only by the flow network
    lap('flow');
    const warped = await runner.warp(key!, flow, scale);
    lap('warp');
    const outputs = await runner.task(warped);
    lap('task');
    const summary = summariseFlow(flow, scale, videoPxPerCell);
    return { frameIdx, key: false, keyIdx: key!.idx, outputs, flow: summary, ms: ms + performance.now() - frameStart };
  };
  /** The frames that waited for the key, in order, with the key's own event at its place. */
  async function* release(keyEvent: LoopEvent | null): AsyncGenerator<LoopEvent, void, undefined> {
    const before = waiting.splice(0);
    for (const w of before) {
      if (keyEvent && keyEvent.frameIdx < w.frameIdx) {
        yield keyEvent;
        keyEvent = null;
      }
      if ('error' in w) yield w;
      else if (w.frameIdx !== key!.idx) yield await propagate(w.frameIdx, w.image, w.ms);
      t = performance.now();
    }
    if (keyEvent) yield keyEvent;
    t = performance.now();
  }
  /** A segment ends with no key made (its key frame and all after it unreadable): the last readable frame becomes it. */
  async function* closeSegment(): AsyncGenerator<LoopEvent, void, undefined> {
    if (key || !waiting.length) return yield* release(null);
    const last = waiting.findLast((w): w is Extract<Waiting, { image: ort.Tensor }> => 'image' in w);
    if (!last) return yield* release(null);
    const frameStart = performance.now();
    const outputs = await makeKey(last.frameIdx, last.image);
    const ms = last.ms + performance.now() - frameStart;
    yield* release({ frameIdx: last.frameIdx, key: true, keyIdx: last.frameIdx, outputs, flow: KEY_FRAME_SUMMARY, ms });
  }

  for await (const r of frames) {
    const i = r.frameIdx;
    if (!segment || i >= segment.end) {
      yield* closeSegment();
      segment = plan.segmentAt(i);
      if (key) buffers.give((key as Key).image); // the segment's key image: read by no network from here
      key = null;
    }
    const written = i >= start;
    if ('error' in r) {
      if (!written) continue;
      if (key) yield r;
      else waiting.push(r);
      continue;
    }
    if (!written && (key || i < segment.key)) continue; // before the resume point and not the key
    const frameStart = performance.now();
    const image = frameToTensor(r.rgb, input.width, input.height, input, buffers.take());
    lap('decode');
    if (key) {
      yield await propagate(i, image, performance.now() - frameStart);
      t = performance.now(); // from here the wait for the next frame counts as decoding
    } else if (i < segment.key) {
      waiting.push({ frameIdx: i, image, ms: performance.now() - frameStart });
      t = performance.now();
    } else {
      const outputs = await makeKey(i, image);
      const keyEvent: LoopEvent = { frameIdx: i, key: true, keyIdx: i, outputs, flow: KEY_FRAME_SUMMARY, ms: performance.now() - frameStart };
      yield* release(written ? keyEvent : null);
    }
  }
  yield* closeSegment();
}

/**
 * Hands out each item while the next is already being made. onnxruntime-node runs a session on the calling
 * thread, so this overlaps only what waits on I/O (the next decoded frame, a batch's message); the labels are
 * made on another thread (labeller.ts). A consumer that stops early leaves one item made and dropped (a
 * paused or cancelled run writes nothing of it).
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
