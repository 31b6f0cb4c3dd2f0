/** Where the timeline's jump buttons go: the next (or previous) frame after `from` that matches, or null. */
import { FRAME_NO_SCORE, FRAME_STATES } from '../../../electron/common/api';
import type { FrameStateArrays } from './frame-states';
import { isKey } from './frame-states';

export type JumpKind = 'key' | 'unreviewed' | 'low';
export type Direction = 1 | -1;

/** A person has looked at these frames; every other state still needs a review. */
const REVIEWED = new Set(['corrected', 'verified'].map((s) => FRAME_STATES.indexOf(s as never)));

function find(count: number, from: number, dir: Direction, test: (i: number) => boolean): number | null {
  for (let i = from + dir; i >= 0 && i < count; i += dir) if (test(i)) return i;
  return null;
}

/** `threshold` (0..1): a frame with a score below it is low-confidence; frames without a score never are. */
export function jumpTarget(kind: JumpKind, states: FrameStateArrays, from: number, dir: Direction, threshold: number): number | null {
  const { codes, scores } = states;
  if (kind === 'key') return find(codes.length, from, dir, (i) => isKey(codes[i]!));
  if (kind === 'unreviewed') return find(codes.length, from, dir, (i) => !REVIEWED.has(codes[i]! & 0x7f));
  const limit = threshold * 254;
  return find(scores.length, from, dir, (i) => scores[i] !== FRAME_NO_SCORE && scores[i]! < limit);
}
