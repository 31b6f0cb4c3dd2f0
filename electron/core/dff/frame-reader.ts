/**
 * The frames of a run at the pack's input size, with the faults a real video has: a frame that does not
 * decode is reported and the stream restarts after it; frames past the end of a video that ends early
 * (the file now has fewer frames than the project knows) are reported as missing.
 */
import type { FrameSource } from '../video';
import type { Size } from './labels';

export type ReadResult = { frameIdx: number; rgb: Uint8Array } | { frameIdx: number; error: string };

/** A video whose decoder fails this many frames in a row is taken to be unreadable from there on. */
const VIDEO_FAILURES_IN_A_ROW = 3;

export async function* readFrames(source: FrameSource, from: number, to: number, size: Size): AsyncGenerator<ReadResult, void, undefined> {
  const available = source.info.frameCount;
  const end = Math.min(to, available);
  let i = from;
  let failures = 0;
  while (i < end) {
    try {
      for await (const frame of source.frames(i, end, { ...size, format: 'rgb24' })) {
        yield { frameIdx: frame.index, rgb: frame.data };
        i = frame.index + 1;
        failures = 0;
      }
    } catch (err) {
      failures++;
      yield { frameIdx: i, error: (err as Error).message };
      i++;
      if (source.info.kind === 'video' && failures >= VIDEO_FAILURES_IN_A_ROW) {
        for (; i < end; i++) yield { frameIdx: i, error: `not decoded: ${source.info.path} failed on ${failures} frames in a row before it` };
      }
    }
  }
  for (let j = Math.max(from, available); j < to; j++) {
    yield { frameIdx: j, error: `${source.info.path} ends after ${available} frames; the project expects frame ${j}` };
  }
}
