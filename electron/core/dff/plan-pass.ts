/**
 * The adaptive schedule's first pass: how much the video changes in ways a warp cannot follow, measured
 * with the pack's own flow network on frames `gap` apart (one flow per `gap` frames: gap = k/2 costs about
 * a tenth of a DFF run's networks), then the segments that asks for (schedule.ts planSegments).
 */
import type * as ort from 'onnxruntime-node';
import type { DffRunner } from '../models/dff-runner';
import { frameToTensor } from '../models/preprocess';
import type { ReadResult } from './frame-reader';
import { planSegments } from './schedule';

/** Segment starts (absolute frame indices) for an adaptive run over [from, to) at a mean interval of k. */
export async function planAdaptive(runner: DffRunner, frames: AsyncIterable<ReadResult>, from: number, to: number, k: number): Promise<number[]> {
  const change = await measureChange(runner, frames, from, to, Math.max(1, Math.round(k / 2)));
  return planSegments(change, k).map((s) => s + from);
}

/**
 * change[t − from]: how much of the change between frames t−1 and t the flow does not explain, per frame:
 * the mean absolute difference between a frame and the earlier frame sampled where the flow points (every
 * other pixel, all channels of the normalised input), from flows between readable frames up to `gap`
 * apart. What a warp cannot explain (occlusion, objects turning, entering or leaving, a cut) is what DFF
 * gets wrong; plain flow length would also count the camera panning, which the warp handles. Frames with
 * no readable neighbour get the mean of the others.
 */
export async function measureChange(runner: DffRunner, frames: AsyncIterable<ReadResult>, from: number, to: number, gap: number): Promise<Float64Array> {
  const { input, feature } = runner.pack.manifest;
  const change = new Float64Array(to - from).fill(NaN);
  let anchor: { idx: number; image: ort.Tensor } | null = null;
  let last: ReadResult | null = null;
  const measure = async (idx: number, image: ort.Tensor) => {
    if (!anchor) return;
    const { flow } = await runner.flow(anchor, image);
    const perFrame = unexplainedChange(anchor.image, image, flow, feature.stride) / (idx - anchor.idx);
    for (let t = anchor.idx + 1; t <= idx; t++) change[t - from] = perFrame;
  };
  for await (const r of frames) {
    if ('error' in r) continue;
    last = r;
    if (anchor && r.frameIdx - anchor.idx < gap) continue;
    const image = frameToTensor(r.rgb, input.width, input.height, input);
    await measure(r.frameIdx, image);
    anchor = { idx: r.frameIdx, image };
  }
  if (last && !('error' in last) && anchor && last.frameIdx > anchor.idx) {
    await measure(last.frameIdx, frameToTensor(last.rgb, input.width, input.height, input));
  }
  let sum = 0;
  let n = 0;
  for (const m of change) if (!Number.isNaN(m)) (sum += m), n++;
  for (let t = 0; t < change.length; t++) if (Number.isNaN(change[t]!)) change[t] = n ? sum / n : 0;
  return change;
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
