/**
 * Per-frame summaries of DFF runs (the frame_stats table): for the timeline's low-confidence frames and
 * the visualisers.
 */
import { AppError } from '../errors';
import type { FrameStats, ProjectStore } from '../store';

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
