/**
 * Which frames are key frames. A run cuts its range into segments that share one key frame, the middle
 * frame of the segment: a video is labelled offline, so a frame may take its features from a key after it
 * as well as before, and no frame is more than half a segment from its key. With the default pack, DFF's
 * error grows about linearly with the distance to the key (models/default/MODEL_CARD.md), so the middle
 * halves the mean distance of the paper's key-at-the-start at the same key rate.
 *
 * - baseline: every frame is its own segment;
 * - fixed k: segments of k frames from the first frame of the range;
 * - adaptive: as many segments as fixed k makes, short where the video changes fast (planSegments, from a
 *   cheap first pass that measures the change: plan-pass.ts), stored with the run so a resumed run cuts the same.
 */
import { middleKey, type Segment } from '../models/segments';
import type { RunMode } from './types';

export { middleKey, type Segment };

export interface KeyPlan {
  /** The segment of frame i (from <= i < to). */
  segmentAt(i: number): Segment;
}

/**
 * The key plan of a run over [from, to). `starts` (adaptive runs only) are its segments' first frames,
 * ascending from `from`, as planSegments made them.
 */
export function keyPlan(mode: RunMode, from: number, to: number, starts?: readonly number[]): KeyPlan {
  if (mode.kind === 'baseline') return { segmentAt: (i) => middleKey(i, i + 1) };
  if (mode.kind === 'fixed') {
    const k = mode.k;
    return {
      segmentAt: (i) => {
        const start = from + Math.floor((i - from) / k) * k;
        return middleKey(start, Math.min(start + k, to));
      },
    };
  }
  if (!starts?.length || starts[0] !== from) throw new Error(`an adaptive key plan needs segment starts from frame ${from}`);
  return {
    segmentAt: (i) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= i) lo = mid;
        else hi = mid - 1;
      }
      return middleKey(starts[lo]!, starts[lo + 1] ?? to);
    },
  };
}

/** Where a run resumed at `cursor` starts decoding: the start of the cursor's segment, so its key is rebuilt. */
export function resumeDecodeStart(plan: KeyPlan, cursor: number): number {
  return plan.segmentAt(cursor).start;
}

/** No adaptive segment is longer than this many times k (the pack was trained on key distances below k). */
export const MAX_SEGMENT_K = 2;
/**
 * Change every frame counts with besides its own, as a fraction of the video's mean: a still stretch is
 * still cut evenly, and a noisy measure does not swing the cuts. Chosen on world seeds 501–504 (0.05, 0.5
 * and 2 all beat fixed k there; 0.5 did best on clips at a steady speed).
 */
const CHANGE_FLOOR = 0.5;

/**
 * Adaptive segments: exactly ceil(T/k) segments (the fixed-k key count) of at most MAX_SEGMENT_K·k frames,
 * cut to minimise Σ_i |M(i) − M(key(i))|, the change between each frame and its key, where M is the
 * cumulative change. `change[t]` is how much the video changed from frame t−1 to frame t, in any unit
 * (plan-pass.ts: what the flow does not explain; change[0] is ignored). As M rises monotonically, the
 * best key of a segment is its middle frame, so segments are all the plan has to choose: where the video
 * changes fast they are short, where it changes slowly long. Returns segment starts relative to the first
 * frame (0, …).
 */
export function planSegments(change: ArrayLike<number>, k: number): number[] {
  const T = change.length;
  if (T === 0) return [];
  let mean = 0;
  for (let t = 1; t < T; t++) mean += Math.max(0, change[t]!) / (T - 1);
  const floor = CHANGE_FLOOR * mean || 1e-9;
  const M = new Float64Array(T);
  for (let t = 1; t < T; t++) M[t] = M[t - 1]! + Math.max(0, change[t]!) + floor;
  const S = new Float64Array(T + 1); // S[x] = Σ_{i<x} M[i]
  for (let t = 0; t < T; t++) S[t + 1] = S[t]! + M[t]!;
  const cost = (a: number, b: number) => {
    const j = a + Math.floor((b - a - 1) / 2);
    return M[j]! * (j - a) - (S[j]! - S[a]!) + (S[b]! - S[j + 1]!) - M[j]! * (b - 1 - j);
  };
  return partitionSegments(T, Math.ceil(T / k), Math.max(1, MAX_SEGMENT_K * k), cost);
}

/**
 * Cuts frames [0, T) into `count` segments of at most `maxLen` frames that minimise Σ cost(a, b) over the
 * segments [a, b). Solved exactly for a penalty per segment (dynamic programming, O(T · maxLen) cost calls
 * per penalty) with the penalty bisected to give the count; where no penalty gives it exactly (ties), the
 * cheapest adjacent pairs are merged. Returns the segment starts (0, …).
 */
export function partitionSegments(T: number, count: number, maxLen: number, cost: (a: number, b: number) => number): number[] {
  if (T === 0) return [];
  const best = new Float64Array(T + 1);
  const segments = new Int32Array(T + 1);
  const from = new Int32Array(T + 1);
  const solve = (penalty: number): number => {
    for (let b = 1; b <= T; b++) {
      let bestCost = Infinity;
      let bestCount = 0;
      let bestFrom = 0;
      for (let a = Math.max(0, b - maxLen); a < b; a++) {
        const c = best[a]! + cost(a, b) + penalty;
        if (c < bestCost || (c === bestCost && segments[a]! + 1 < bestCount)) {
          bestCost = c;
          bestCount = segments[a]! + 1;
          bestFrom = a;
        }
      }
      best[b] = bestCost;
      segments[b] = bestCount;
      from[b] = bestFrom;
    }
    return segments[T]!;
  };
  const startsOf = () => {
    const starts: number[] = [];
    for (let b = T; b > 0; b = from[b]!) starts.push(from[b]!);
    return starts.reverse();
  };

  // more penalty, fewer segments: find the smallest penalty that gives at most `count`, keep the last above it
  let lo = 0;
  let hi = 1;
  for (let a = 0; a < T; a += maxLen) hi += cost(a, Math.min(T, a + maxLen)); // above any plan's total cost
  let above: number[] | null = null;
  if (solve(hi) > count) above = startsOf(); // even the fewest segments (one per maxLen frames) are more than count
  for (let iter = 0; iter < 60 && !above; iter++) {
    const mid = (lo + hi) / 2;
    const n = solve(mid);
    if (n === count) return startsOf();
    if (n > count) lo = mid;
    else hi = mid;
  }
  solve(lo);
  const starts = above ?? startsOf();
  while (starts.length > count) {
    // merge the adjacent pair whose merge costs least and stays within maxLen
    let pick = -1;
    let pickCost = Infinity;
    for (let s = 0; s + 1 < starts.length; s++) {
      const a = starts[s]!;
      const b = starts[s + 2] ?? T;
      if (b - a > maxLen) continue;
      const extra = cost(a, b) - cost(a, starts[s + 1]!) - cost(starts[s + 1]!, b);
      if (extra < pickCost) {
        pickCost = extra;
        pick = s;
      }
    }
    if (pick < 0) break;
    starts.splice(pick + 1, 1);
  }
  return starts;
}
