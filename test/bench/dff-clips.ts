/**
 * The generated clips the DFF benchmarks measure (bench:dff, bench:schedule): world seeds 2101…, off the
 * pack's training and test seeds, of three kinds as a real video's footage varies: steady motion, speed
 * changing every 25 frames, three cuts.
 */
import type { TruthBox } from '../../electron/core/models/metrics';
import { createWorld } from '../../electron/core/world/world';

export const KINDS = ['steady', 'changing speed', 'cuts'] as const;
export type Kind = (typeof KINDS)[number];
export const FIRST_SEED = 2101;
/** Shot lengths of a clip with cuts, as fractions of its frames (no multiple of any k, so cuts fall inside segments). */
const SHOTS = [0.2425, 0.2825, 0.215];
/** How many world frames a clip of changing speed moves on per output frame, each for 25 frames. */
export const SPEEDS = [1, 1, 3, 1, 2, 1, 3, 1];

export interface ClipFrame {
  rgb: Uint8Array;
  semantic: Uint8Array;
  boxes: TruthBox[];
}

/** The clips' kinds and seeds in bench order: clipsPerKind of each kind. */
export function clipList(clipsPerKind: number): { kind: Kind; seed: number }[] {
  return KINDS.flatMap((kind, k) => Array.from({ length: clipsPerKind }, (_, c) => ({ kind, seed: FIRST_SEED + k * clipsPerKind + c })));
}

/** The frames of one clip, rendered with their ground truth, and the clip's frame rate. */
export function renderClip(kind: Kind, seed: number, frames: number, width: number, height: number): { fps: number; frames: Iterable<ClipFrame> } {
  const src = sourceFrames(kind, seed, frames);
  const lastFrame = new Map<number, number>();
  for (const f of src) lastFrame.set(f.seed, Math.max(f.t, lastFrame.get(f.seed) ?? 0));
  const worlds = new Map([...lastFrame].map(([s, t]) => [s, createWorld({ seed: s, width, height, frameCount: t + 1 })]));
  return {
    fps: worlds.get(src[0]!.seed)!.params.fps,
    frames: (function* () {
      for (const { seed: s, t } of src) {
        const world = worlds.get(s)!;
        const f = world.render(t);
        const boxes = world.annotate(f).objects.map((o) => ({ box: o.box, classId: o.classId, area: o.area, visibleFraction: o.visibleFraction }));
        yield { rgb: f.rgb, semantic: f.semantic, boxes };
      }
    })(),
  };
}

/** Where each output frame of a clip of `kind` comes from: which world (seed) and which of its frames. */
function sourceFrames(kind: Kind, seed: number, frames: number): { seed: number; t: number }[] {
  if (kind === 'steady') return Array.from({ length: frames }, (_, i) => ({ seed, t: i }));
  if (kind === 'changing speed') {
    const out: { seed: number; t: number }[] = [];
    for (let i = 0, t = 0; i < frames; t += SPEEDS[Math.floor(i / 25) % SPEEDS.length]!, i++) out.push({ seed, t });
    return out;
  }
  const lengths = SHOTS.map((f) => Math.round(f * frames));
  lengths.push(frames - lengths.reduce((a, b) => a + b, 0));
  return lengths.flatMap((n, shot) => Array.from({ length: n }, (_, t) => ({ seed: seed * 10 + shot, t })));
}
