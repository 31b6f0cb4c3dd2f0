/**
 * Per-frame summaries of DFF runs (the frame_stats table): for the timeline's low-confidence frames and
 * the visualisers, and for resuming an adaptive run at the key it had.
 */
import { AppError } from '../errors';
import type { FrameStats, ProjectStore } from '../store';
import type { ResumePoint } from './schedule';

export type { FrameStats };

/** What the last run over each frame of [from, to) measured; frames no run has reached have no entry. */
export function frameStats(store: ProjectStore, videoId: number, from = 0, to?: number): FrameStats[] {
  const video = store.getVideo(videoId);
  const end = to ?? video.frameCount;
  if (!Number.isInteger(from) || !Number.isInteger(end) || from < 0 || end > video.frameCount || from > end) {
    throw new AppError('OUT_OF_RANGE', `Frames [${from}, ${end}) are not a range of video ${videoId}, which has ${video.frameCount} frames`, {
      videoId,
      from,
      to: end,
    });
  }
  return store.listFrameStats(videoId, from, end);
}

/**
 * An adaptive run resumed at `cursor`: its last key frame before the cursor and the number of its keys
 * before that one, from the rows it wrote (every frame it handled has one, also frames a person owns).
 * Null when it has written none (it starts afresh at its first frame).
 */
export function adaptiveResumePoint(store: ProjectStore, runId: number, videoId: number, from: number, cursor: number): ResumePoint | null {
  const rows = store.listFrameStats(videoId, from, cursor).filter((r) => r.runId === runId);
  const keys = rows.filter((r) => r.keyIdx === r.frameIdx);
  const last = keys.at(-1);
  if (!last) return null;
  if (rows.some((r) => r.frameIdx > last.frameIdx && r.keyIdx !== last.frameIdx)) {
    throw new AppError('INVALID_INPUT', `Run ${runId} cannot be resumed exactly: its per-frame records before frame ${cursor} were replaced by a later run`, {
      runId,
    });
  }
  return { keyIdx: last.frameIdx, keysBefore: keys.length - 1 };
}
