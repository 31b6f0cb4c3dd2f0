/**
 * From clip-level class scores to segments on a video's action lane (pure; suggest.ts runs the model).
 *
 * Windows: a clip is `clipLength` frames `frameStep` apart, so it spans (clipLength − 1)·frameStep + 1 frames.
 * Windows start at 0, windowStride, 2·windowStride, … and the last one ends on the video's last frame; a video
 * shorter than one span gets a single window whose missing frames repeat the last frame.
 *
 * Votes: each window's softmax is added to every frame of its span, and a frame's probabilities are the mean of
 * the windows over it. Probabilities, not logits: a segment's score must be a probability (the mean of its
 * class's over its frames), and logits are unbounded, so one over-confident window would outvote its
 * neighbours; averaging softmaxes is the usual late fusion of clip predictions. A frame no window spans (a
 * stride longer than the span) takes the probabilities of the nearest frame that one does.
 *
 * Segments: each frame's class is its argmax. Fewer than minSegmentFrames frames between two runs of the same
 * class join them (flicker inside an action, or a short dip to the background); then every run of
 * a non-background class (index ≠ 0) at least minSegmentFrames long is a segment, scored by the mean
 * probability of its class over its frames. Other short runs propose nothing.
 */
import { AppError } from '../errors';

export interface WindowSpec {
  clipLength: number;
  frameStep: number;
  windowStride: number;
}

/** A segment the model proposes: frames start..end (both included), a class by its logit index (≥ 1). */
export interface Proposal {
  start: number;
  end: number;
  classIndex: number;
  score: number;
}

/** Frames from a clip's first sampled frame to its last. */
export function clipSpan(w: WindowSpec): number {
  return (w.clipLength - 1) * w.frameStep + 1;
}

function checkFrameCount(frameCount: number): void {
  if (!Number.isInteger(frameCount) || frameCount < 1) {
    throw new AppError('INVALID_INPUT', `a video needs at least one frame for action suggestions, got ${frameCount}`);
  }
}

/** First frame of every window, rising; the last window ends on the last frame (or starts at 0). */
export function windowStarts(frameCount: number, w: WindowSpec): number[] {
  checkFrameCount(frameCount);
  const last = Math.max(0, frameCount - clipSpan(w));
  const starts: number[] = [];
  for (let s = 0; s < last; s += w.windowStride) starts.push(s);
  starts.push(last);
  return starts;
}

/** The frames a window's clip is made of, in order; past the video's end the last frame repeats. */
export function clipFrames(start: number, frameCount: number, w: WindowSpec): number[] {
  return Array.from({ length: w.clipLength }, (_, t) => Math.min(start + t * w.frameStep, frameCount - 1));
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Per-frame sums of the window probabilities over each frame (frameCount × classCount numbers). */
export class FrameVotes {
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;
  private readonly span: number;

  constructor(
    readonly frameCount: number,
    readonly classCount: number,
    w: WindowSpec,
  ) {
    checkFrameCount(frameCount);
    this.sums = new Float64Array(frameCount * classCount);
    this.counts = new Uint32Array(frameCount);
    this.span = clipSpan(w);
  }

  /** Adds one window's class probabilities to every frame of its span. */
  add(start: number, probs: ArrayLike<number>): void {
    if (probs.length !== this.classCount) throw new AppError('INVALID_INPUT', `a window has ${probs.length} class scores, the model has ${this.classCount} classes`);
    const K = this.classCount;
    const end = Math.min(start + this.span, this.frameCount);
    for (let f = start; f < end; f++) {
      this.counts[f]!++;
      for (let k = 0; k < K; k++) this.sums[f * K + k]! += probs[k]!;
    }
  }

  /** Each frame's mean probabilities (frame-major); frames no window spans copy the nearest spanned frame's. */
  means(): Float64Array {
    const K = this.classCount;
    const N = this.frameCount;
    const out = new Float64Array(N * K);
    const spanned: number[] = [];
    for (let f = 0; f < N; f++) {
      const c = this.counts[f]!;
      if (!c) continue;
      spanned.push(f);
      for (let k = 0; k < K; k++) out[f * K + k] = this.sums[f * K + k]! / c;
    }
    if (!spanned.length) throw new AppError('INVALID_INPUT', 'no window was added: nothing to average');
    let j = 0;
    for (let f = 0; f < N; f++) {
      if (this.counts[f]) continue;
      while (j + 1 < spanned.length && spanned[j + 1]! < f) j++;
      const before = spanned[j]! < f ? spanned[j]! : null;
      const after = before === null ? spanned[j]! : (spanned[j + 1] ?? null);
      const from = before === null ? after! : after === null || f - before <= after - f ? before : after;
      out.copyWithin(f * K, from * K, from * K + K);
    }
    return out;
  }
}

interface Run {
  label: number;
  start: number;
  end: number;
}

/** Segments from per-frame mean probabilities (frame-major, frameCount × classCount); see the file's comment. */
export function proposeSegments(means: Float64Array, frameCount: number, classCount: number, minSegmentFrames: number): Proposal[] {
  const K = classCount;
  const runs: Run[] = [];
  const short = (r: Run) => r.end - r.start + 1 < minSegmentFrames;
  for (let f = 0; f < frameCount; f++) {
    let label = 0;
    for (let k = 1; k < K; k++) if (means[f * K + k]! > means[f * K + label]!) label = k;
    const top = runs[runs.length - 1];
    if (top && top.label === label) {
      top.end = f;
      continue;
    }
    runs.push({ label, start: f, end: f });
    // fewer than minSegmentFrames frames since the last run of this class: they join it
    let gap = 0;
    for (let j = runs.length - 2; j >= 0 && gap < minSegmentFrames; j--) {
      const r = runs[j]!;
      if (r.label === label) {
        r.end = f;
        runs.splice(j + 1);
        break;
      }
      gap += r.end - r.start + 1;
    }
  }
  const proposals: Proposal[] = [];
  for (const r of runs) {
    if (r.label === 0 || short(r)) continue;
    let sum = 0;
    for (let f = r.start; f <= r.end; f++) sum += means[f * K + r.label]!;
    proposals.push({ start: r.start, end: r.end, classIndex: r.label, score: Math.min(1, sum / (r.end - r.start + 1)) });
  }
  return proposals;
}

/** The whole pure pipeline: every window's logits (in any order) → segments. */
export function proposalsFromWindows(
  frameCount: number,
  spec: WindowSpec & { minSegmentFrames: number },
  windows: { start: number; logits: ArrayLike<number> }[],
): Proposal[] {
  const classCount = windows[0]?.logits.length ?? 0;
  const votes = new FrameVotes(frameCount, classCount, spec);
  for (const w of windows) votes.add(w.start, softmax(w.logits));
  return proposeSegments(votes.means(), frameCount, classCount, spec.minSegmentFrames);
}
