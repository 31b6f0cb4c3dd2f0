/**
 * Action clips from the generated world, for training and testing a clip-level action model (MARS): a world
 * video with ONE object slot, cut into windows of `clipLength` consecutive frames, each labelled by the
 * clip-level actions of annotations.ts. A window is labelled with an action when one ActionAnnotation covers
 * all its frames, 'none' when no labelled action touches it, and is ambiguous (left out) otherwise.
 * Each video also carries the exact flow between consecutive frames (the flow stream's input).
 */
import type { ActionAnnotation } from './annotations';
import type { Difficulty } from './params';
import { mixSeed, Rng } from './prng';
import { ACTIONS } from './scene';
import { createWorld } from './world';

/** Logit order of an action model: 'none' (no action) first, then the world's actions. */
export const ACTION_CLASS_NAMES = ['none', ...ACTIONS] as const;
export type ActionClassName = (typeof ACTION_CLASS_NAMES)[number];

export interface ActionVideoOptions {
  seed: number;
  /** Frame size (default 160×96). */
  width?: number;
  height?: number;
  /** Frames in the video (default 200). */
  frameCount?: number;
  /** World difficulty (default 'normal'). */
  difficulty?: Difficulty;
}

export interface ActionVideo {
  seed: number;
  width: number;
  height: number;
  difficulty: Difficulty;
  /** RGB24 per frame (lighting and sensor noise included, as rendered; not video-compressed). */
  frames: Uint8Array[];
  /**
   * flows[t] is the exact flow from frame t+1 back to frame t at full frame size, u and v interleaved per pixel:
   * pixel p of frame t+1 shows the point that sits at p + M(p) in frame t (the direction the pack's flow
   * network computes, key = t, current = t+1). frames.length − 1 of them.
   */
  flows: Float32Array[];
  actions: ActionAnnotation[];
}

/** A window start with its class index in ACTION_CLASS_NAMES, or null when ambiguous. */
export interface LabelledWindow {
  start: number;
  label: number | null;
}

/** One clip: `clipLength` frames from `start`, the clipLength − 1 flows between them, and its class. */
export interface ActionClip {
  video: ActionVideo;
  start: number;
  label: number;
  frames: Uint8Array[];
  flows: Float32Array[];
}

export function renderActionVideo(options: ActionVideoOptions): ActionVideo {
  const width = options.width ?? 160;
  const height = options.height ?? 96;
  const difficulty = options.difficulty ?? 'normal';
  const world = createWorld({ seed: options.seed, width, height, frameCount: options.frameCount ?? 200, objects: 1, difficulty });
  const frames: Uint8Array[] = [];
  const flows: Float32Array[] = [];
  for (let t = 0; t < world.params.frameCount; t++) {
    const frame = world.render(t);
    frames.push(frame.rgb);
    if (t > 0) flows.push(world.flowToFrame(t, t - 1, frame.instances));
  }
  return { seed: options.seed, width, height, difficulty, frames, flows, actions: world.annotations().actions };
}

/**
 * Labels every window of `clipLength` frames starting `stride` frames apart: the action of an annotation that
 * covers all its frames, 'none' (0) when no annotation touches it, null (ambiguous) otherwise.
 */
export function labelWindows(actions: readonly ActionAnnotation[], frameCount: number, clipLength: number, stride = 1): LabelledWindow[] {
  const windows: LabelledWindow[] = [];
  for (let start = 0; start + clipLength <= frameCount; start += stride) {
    const end = start + clipLength - 1;
    const touching = actions.filter((a) => a.start <= end && a.end >= start);
    let label: number | null = null;
    if (touching.length === 0) label = 0;
    else {
      const covering = touching.filter((a) => a.start <= start && a.end >= end);
      // One object: two annotations can only share a boundary frame, so at most one covers a window.
      if (covering.length === 1) label = ACTION_CLASS_NAMES.indexOf(covering[0]!.action);
    }
    windows.push({ start, label });
  }
  return windows;
}

/**
 * Keeps at most `cap` windows of each class, chosen at random (seeded); the default cap is the median of the
 * classes' counts, so rare classes keep everything and 'none' and frequent actions are thinned.
 * Returns the kept items in their original order.
 */
export function balanceByClass<T extends { label: number }>(items: readonly T[], seed: number, cap?: number): T[] {
  const byClass = new Map<number, number[]>();
  items.forEach((item, i) => byClass.set(item.label, [...(byClass.get(item.label) ?? []), i]));
  const counts = [...byClass.values()].map((v) => v.length).sort((a, b) => a - b);
  const limit = cap ?? counts[Math.floor(counts.length / 2)] ?? 0;
  const rng = new Rng(mixSeed(seed, 0xba1));
  const keep = new Set<number>();
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = byClass.get(label)!;
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    for (const i of idx.slice(0, limit)) keep.add(i);
  }
  return items.filter((_, i) => keep.has(i));
}

/** The labelled (non-ambiguous) windows of a video as clips sharing its frame and flow buffers. */
export function videoClips(video: ActionVideo, clipLength: number, stride = 1): ActionClip[] {
  return labelWindows(video.actions, video.frames.length, clipLength, stride)
    .filter((w): w is { start: number; label: number } => w.label !== null)
    .map(({ start, label }) => ({
      video,
      start,
      label,
      frames: video.frames.slice(start, start + clipLength),
      flows: video.flows.slice(start, start + clipLength - 1),
    }));
}

export interface ActionClipSetOptions extends Omit<ActionVideoOptions, 'seed'> {
  /** Dataset seed: video v uses mixSeed(seed, v, 0xac7). */
  seed: number;
  videos: number;
  clipLength?: number;
  /** Frames between window starts (default 1). */
  windowStride?: number;
  /** Thin the classes with balanceByClass (default true). */
  balance?: boolean;
}

export function actionVideoSeed(seed: number, video: number): number {
  return mixSeed(seed, video, 0xac7);
}

/** Renders `videos` videos and returns their labelled clips, balanced across classes unless asked not to. */
export function generateActionClips(options: ActionClipSetOptions): ActionClip[] {
  const clipLength = options.clipLength ?? 8;
  const clips: ActionClip[] = [];
  for (let v = 0; v < options.videos; v++) {
    const video = renderActionVideo({ ...options, seed: actionVideoSeed(options.seed, v) });
    clips.push(...videoClips(video, clipLength, options.windowStride ?? 1));
  }
  return options.balance === false ? clips : balanceByClass(clips, options.seed);
}

/** IEEE half-precision bits of each value (round to nearest even; overflow to ±Inf), for compact flow files. */
export function toFloat16(values: Float32Array): Uint16Array {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000; // subnormal half: shift the implicit bit in
      const shift = 14 - e;
      let h = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rest > half || (rest === half && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // may carry into the exponent: still correct
    out[i] = sign | h;
  }
  return out;
}
