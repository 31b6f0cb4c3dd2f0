/**
 * What a propagated frame's networks say about how far to trust it, cheap to compute (one pass over the
 * feature-resolution tensors): the flow's size, the scale field's spread, and the task's confidence. The
 * engine stores them per frame (frame_stats) for the timeline and the visualisers.
 */
import type * as ort from 'onnxruntime-node';
import { classPerCell, type MapTensor } from '../models/decode';

export interface FlowSummary {
  /** Mean and largest flow vector length, in video pixels (0 on key frames). */
  flowMeanPx: number;
  flowMaxPx: number;
  /** Mean and standard deviation of the scale field over cells and channels (1 and 0 on key frames). */
  scaleMean: number;
  scaleStd: number;
}

export const KEY_FRAME_SUMMARY: FlowSummary = { flowMeanPx: 0, flowMaxPx: 0, scaleMean: 1, scaleStd: 0 };

/** `flow` (1,2,h,w) in feature cells, `scale` (1,C|1,h,w); `cellPx` = video pixels per cell along x and y. */
export function summariseFlow(flow: ort.Tensor, scale: ort.Tensor, cellPx: { x: number; y: number }): FlowSummary {
  const f = flow.data as Float32Array;
  const plane = f.length / 2;
  let sum = 0;
  let max = 0;
  for (let p = 0; p < plane; p++) {
    const u = f[p]! * cellPx.x;
    const v = f[plane + p]! * cellPx.y;
    const len = Math.sqrt(u * u + v * v);
    sum += len;
    if (len > max) max = len;
  }
  const s = scale.data as Float32Array;
  let ss = 0;
  let ss2 = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    ss += v;
    ss2 += v * v;
  }
  const scaleMean = ss / s.length;
  return { flowMeanPx: sum / plane, flowMaxPx: max, scaleMean, scaleStd: Math.sqrt(Math.max(ss2 / s.length - scaleMean * scaleMean, 0)) };
}

/** Softmax over the class axis at logit resolution: the mean top probability, and per class where it wins. */
export function segmentationConfidence(logits: MapTensor, cellClass = classPerCell(logits)): { mean: number; perClass: (number | undefined)[] } {
  const [, C, h, w] = logits.dims as [number, number, number, number];
  const d = logits.data;
  const plane = h * w;
  const sum = new Float64Array(C);
  const count = new Uint32Array(C);
  let total = 0;
  for (let p = 0; p < plane; p++) {
    const best = cellClass[p]!;
    const max = d[best * plane + p]!;
    let z = 0;
    for (let c = 0, o = p; c < C; c++, o += plane) z += expOfMinus(max - d[o]!);
    const prob = 1 / z;
    sum[best] += prob;
    count[best]! += 1;
    total += prob;
  }
  return { mean: total / plane, perClass: Array.from(sum, (s, c) => (count[c] ? s / count[c]! : undefined)) };
}

/**
 * e^-x for x >= 0, to ~1e-7 relative: e^-(k/32) from a table times a cubic for the rest (x - k/32 < 1/32).
 * Math.exp cost the labelling thread ~0.3 ms a frame here (7 classes × 3 840 logit cells); this ~0.05.
 */
function expOfMinus(x: number): number {
  if (!(x < EXP_TABLE_END)) return x >= EXP_TABLE_END ? 0 : Math.exp(-x); // below e^-24 adds nothing to a softmax sum ≥ 1; NaN stays NaN
  const k = (x * EXP_STEPS) | 0;
  const r = x - k / EXP_STEPS;
  return EXP_TABLE[k]! * (1 - r * (1 - r * (0.5 - r / 6)));
}
const EXP_STEPS = 32;
const EXP_TABLE_END = 24;
const EXP_TABLE = Float64Array.from({ length: EXP_TABLE_END * EXP_STEPS + 1 }, (_, k) => Math.exp(-k / EXP_STEPS));
