/** Which frames are key frames, and where a resumed run must start decoding to rebuild its key. */
import type { RunMode } from './types';

export interface KeySchedule {
  /** True when frame i is a scheduled key frame. */
  isKey(i: number): boolean;
  /**
   * The frame to start from so that the run resumed at `cursor` uses the same key frame as an
   * uninterrupted run would: the scheduled key at or before it.
   */
  keyAtOrBefore(cursor: number): number;
}

export function keySchedule(mode: RunMode, from: number): KeySchedule {
  if (mode.kind === 'baseline') return { isKey: () => true, keyAtOrBefore: (c) => c };
  const k = mode.k;
  return {
    isKey: (i) => (i - from) % k === 0,
    keyAtOrBefore: (c) => from + Math.floor((c - from) / k) * k,
  };
}
