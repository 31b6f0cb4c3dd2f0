/**
 * The adaptive schedule's first pass: how much the video changes in ways a warp cannot follow, measured
 * with the pack's own flow network on frames `gap` apart (one flow per `gap` frames: gap = k/2 costs about
 * a tenth of a DFF run's networks; a cut is then located frame by frame), then the segments that asks for
 * (schedule.ts planSegments).
 */
import type * as ort from 'onnxruntime-node';
import type { DffRunner } from '../models/dff-runner';
import { frameToTensor } from '../models/preprocess';
import type { ReadResult } from './frame-reader';
import { planSegments } from './schedule';

/** Segment starts (absolute frame indices) for an adaptive run over [from, to) at a mean interval of k. */
export async function planAdaptive(
  runner: DffRunner,
  frames: AsyncIterable<ReadResult>,
  from: number,
  to: number,
  k: number,
  onFrame?: (frameIdx: number) => void,
): Promise<number[]> {
  const change = await measureChange(runner, frames, from, to, Math.max(1, Math.round(k / 2)), onFrame);
  return planSegments(change, k).map((s) => s + from);
}

/** A window whose change per frame is this many times the recent median's is measured again frame by frame. */
const REFINE_ABOVE = 2;
/** How many recent windows the median is taken over. */
const RECENT_WINDOWS = 64;

/**
 * change[t − from]: how much of the change between frames t−1 and t the flow does not explain, per frame:
 * the mean absolute difference between a frame and the earlier frame sampled where the flow points (every
 * other pixel, all channels of the normalised input). What a warp cannot explain (occlusion, objects
 * turning, entering or leaving, a cut) is what DFF gets wrong; plain flow length would also count the camera
 * panning, which the warp handles. Measured on windows of `gap` frames (one flow each, spread evenly over
 * the window); a window that changed far more than the recent ones (a cut) is measured again step by step,
 * so the plan can cut exactly there. Frames with no readable neighbour get the mean of the others.
 */
export async function measureChange(
  runner: DffRunner,
  frames: AsyncIterable<ReadResult>,
  from: number,
  to: number,
  gap: number,
  onFrame?: (frameIdx: number) => void,
): Promise<Float64Array> {
  const { input, feature } = runner.pack.manifest;
  const change = new Float64Array(to - from).fill(NaN);
  const recent: number[] = [];
  const tensor = (rgb: Uint8Array) => frameToTensor(rgb, input.width, input.height, input);
  const between = async (a: Measured, b: Measured) => {
    const { flow } = await runner.flow(a, b.image);
    const perFrame = unexplainedChange(a.image, b.image, flow, feature.stride) / (b.idx - a.idx);
    for (let t = a.idx + 1; t <= b.idx; t++) change[t - from] = perFrame;
    return perFrame;
  };
  let anchor: Measured | null = null;
  let pending: { idx: number; rgb: Uint8Array }[] = []; // readable frames after the anchor
  const closeWindow = async () => {
    const last = pending.at(-1)!;
    const end = { idx: last.idx, image: tensor(last.rgb) };
    const perFrame = await between(anchor!, end);
    const median = [...recent].sort((x, y) => x - y)[recent.length >> 1];
    if (pending.length > 1 && recent.length > 0 && perFrame > REFINE_ABOVE * median!) {
      let prev = anchor!;
      for (const p of pending) {
        const next = p === last ? end : { idx: p.idx, image: tensor(p.rgb) };
        await between(prev, next);
        prev = next;
      }
    }
    recent.push(perFrame);
    if (recent.length > RECENT_WINDOWS) recent.shift();
    anchor = end;
    pending = [];
  };
  for await (const r of frames) {
    onFrame?.(r.frameIdx);
    if ('error' in r) continue;
    if (!anchor) anchor = { idx: r.frameIdx, image: tensor(r.rgb) };
    else {
      pending.push({ idx: r.frameIdx, rgb: Uint8Array.from(r.rgb) }); // a copy: the reader may reuse its buffer
      if (r.frameIdx - anchor.idx >= gap) await closeWindow();
    }
  }
  if (anchor && pending.length) await closeWindow();
  let sum = 0;
  let n = 0;
  for (const m of change) if (!Number.isNaN(m)) (sum += m), n++;
  for (let t = 0; t < change.length; t++) if (Number.isNaN(change[t]!)) change[t] = n ? sum / n : 0;
  return change;
}

interface Measured {
  idx: number;
  image: ort.Tensor;
}

/**
 * Mean |current(p) − earlier(p + flow(p))| over every other pixel and the channels, the flow (in feature
 * cells, from current to earlier) taken from p's cell; pixels whose source falls outside are left out.
 */
export function unexplainedChange(earlier: ort.Tensor, current: ort.Tensor, flow: ort.Tensor, stride: number): number {
  const [, C, H, W] = current.dims as [number, number, number, number];
  const [, , h, w] = flow.dims as [number, number, number, number];
  const a = earlier.data as Float32Array;
  const b = current.data as Float32Array;
  const f = flow.data as Float32Array;
  const cells = h * w;
  const plane = H * W;
  let sum = 0;
  let count = 0;
  for (let y = 0; y < H; y += 2) {
    const cy = Math.min(h - 1, Math.floor(y / stride));
    for (let x = 0; x < W; x += 2) {
      const cell = cy * w + Math.min(w - 1, Math.floor(x / stride));
      const sx = Math.round(x + f[cell]! * stride);
      const sy = Math.round(y + f[cells + cell]! * stride);
      if (sx < 0 || sy < 0 || sx >= W || sy >= H) continue;
      for (let c = 0, p = y * W + x, q = sy * W + sx; c < C; c++, p += plane, q += plane) sum += Math.abs(b[p]! - a[q]!);
      count += C;
    }
  }
  return count ? sum / count : 0;
}
