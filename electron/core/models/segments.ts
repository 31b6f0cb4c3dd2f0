/** Stretches of frames that share one key frame (the DFF engine's key plans: electron/core/dff/schedule.ts). */

/** Frames [start, end) that take their features from `key`. */
export interface Segment {
  start: number;
  end: number;
  key: number;
}

/** A segment's key: its middle frame (the earlier of the two middle ones). */
export function middleKey(start: number, end: number): Segment {
  return { start, end, key: start + Math.floor((end - start - 1) / 2) };
}
