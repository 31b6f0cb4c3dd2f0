/** Which key frame a frame's labels came (or would come) from, by the run that last labelled the video. */
import type { InferenceRun, ProjectStore } from '../store';
import { frameStats } from './frame-stats';
import type { RunParams } from './types';

export interface FrameKey {
  keyIndex: number;
  /** The run whose schedule gave the key; null when no run labelled this video (fixed k from frame 0). */
  run: InferenceRun | null;
}

function runOf(run: InferenceRun): Partial<RunParams> {
  return (run.params ?? {}) as Partial<RunParams>;
}

/** The last run over the frame (frame_stats), else the run that wrote it, else the latest run on the video covering it, else null. */
export function runForFrame(store: ProjectStore, videoId: number, index: number): InferenceRun | null {
  const frame = store.getFrame(videoId, index);
  const [stats] = frameStats(store, videoId, index, index + 1);
  if (stats?.runId != null) return store.getRun(stats.runId);
  if (frame.runId !== null) return store.getRun(frame.runId);
  return (
    store.listRuns().find((r) => {
      const p = runOf(r);
      return p.videoId === videoId && (p.from ?? 0) <= index && index < (p.to ?? Infinity);
    }) ?? null
  );
}

/**
 * The key of frame `index`: as the last run over it recorded it (frame_stats); else from the run's fixed
 * schedule (baseline: the frame itself), or for other modes the last frame at or before it that the run
 * marked as a key. With no run, a key every `keyInterval` frames from frame 0.
 */
export function keyForFrame(store: ProjectStore, videoId: number, index: number, keyInterval: number): FrameKey {
  const [stats] = frameStats(store, videoId, index, index + 1);
  if (stats) return { keyIndex: stats.keyIdx, run: stats.runId === null ? null : store.getRun(stats.runId) };
  const run = runForFrame(store, videoId, index);
  if (!run) return { keyIndex: index - (index % keyInterval), run: null };
  const p = runOf(run);
  const from = Math.min(p.from ?? 0, index);
  const mode = p.mode as { kind?: string; k?: number } | undefined;
  if (mode?.kind === 'baseline') return { keyIndex: index, run };
  if (mode?.kind === 'fixed' && Number.isInteger(mode.k) && mode.k! > 0) {
    return { keyIndex: from + Math.floor((index - from) / mode.k!) * mode.k!, run };
  }
  const frames = store.listFrames(videoId, from, index + 1);
  for (let i = frames.length - 1; i >= 0; i--) {
    if (frames[i]!.dffKey && frames[i]!.runId === run.id) return { keyIndex: frames[i]!.idx, run };
  }
  return { keyIndex: from, run };
}
