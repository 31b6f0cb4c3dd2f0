/**
 * Where each action segment sits on the lane, and what is under the pointer. Segments may overlap (two
 * actions at once, a suggestion over a person's segment), so they are packed into rows: the person's
 * (accepted) segments first, the pending suggestions in rows of their own below, so accepting one visibly
 * moves it up. Pure functions: the component draws from them and the pointer handlers ask them.
 */
import type { ActionSegment } from '../../../electron/common/action-schemas';
import { xOfFrame, type TimelineView } from '../timeline/view';

/** Height of one row in CSS pixels, and the strip's padding above and below the rows. */
export const ROW_PX = 18;
export const PAD_PX = 2;
/** Pixels either side of a selected segment's end that grab the end instead of the body. */
export const HANDLE_PX = 6;

export interface LaneLayout {
  /** Segment id → row (0 at the top). */
  rowOf: Map<number, number>;
  /** At least one, so the empty lane can be drawn on. */
  rows: number;
}

/** Greedy interval packing in start order: each segment takes the first row whose last segment ended before it. */
function pack(segments: ActionSegment[], firstRow: number, rowOf: Map<number, number>): number {
  const rowEnds: number[] = [];
  for (const s of [...segments].sort((a, b) => a.start - b.start || a.end - b.end)) {
    let row = rowEnds.findIndex((end) => end < s.start);
    if (row < 0) row = rowEnds.push(s.end) - 1;
    else rowEnds[row] = s.end;
    rowOf.set(s.id, firstRow + row);
  }
  return rowEnds.length;
}

export function layoutLane(segments: ActionSegment[]): LaneLayout {
  const rowOf = new Map<number, number>();
  const accepted = pack(
    segments.filter((s) => s.status !== 'suggested'),
    0,
    rowOf,
  );
  const suggested = pack(
    segments.filter((s) => s.status === 'suggested'),
    accepted,
    rowOf,
  );
  return { rowOf, rows: Math.max(1, accepted + suggested) };
}

export const laneHeight = (layout: LaneLayout) => layout.rows * ROW_PX + 2 * PAD_PX;
export const rowTop = (row: number) => PAD_PX + row * ROW_PX;

/** A segment's left and right edge in pixels: from the left of its first frame to the right of its last. */
export function segmentX(s: { start: number; end: number }, view: TimelineView, width: number): { left: number; right: number } {
  return { left: xOfFrame(s.start, view, width), right: xOfFrame(s.end + 1, view, width) };
}

export type LaneHit = { kind: 'end'; segment: ActionSegment; end: 'start' | 'end' } | { kind: 'body'; segment: ActionSegment } | { kind: 'empty' };

/**
 * What a press at (x, y) in the strip grabs: an end of the selected segment (within HANDLE_PX, only in its row),
 * a segment's body (at least 3 px wide, as drawn), or empty lane.
 */
export function hitTest(x: number, y: number, segments: ActionSegment[], layout: LaneLayout, selectedId: number | null, view: TimelineView, width: number): LaneHit {
  const row = Math.floor((y - PAD_PX) / ROW_PX);
  const inRow = segments.filter((s) => layout.rowOf.get(s.id) === row);
  const selected = inRow.find((s) => s.id === selectedId);
  if (selected) {
    const { left, right } = segmentX(selected, view, width);
    // a narrow segment: the nearer end wins
    const dl = Math.abs(x - left);
    const dr = Math.abs(x - right);
    if (Math.min(dl, dr) <= HANDLE_PX) return { kind: 'end', segment: selected, end: dl < dr ? 'start' : 'end' };
  }
  const body = inRow.find((s) => {
    const { left, right } = segmentX(s, view, width);
    return x >= left && x <= Math.max(right, left + 3);
  });
  return body ? { kind: 'body', segment: body } : { kind: 'empty' };
}
