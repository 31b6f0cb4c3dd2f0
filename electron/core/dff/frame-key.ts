/** Which key frame a frame's labels came (or would come) from, by the run that last labelled the video. */
import type { InferenceRun, ProjectStore } from '../store';
import { frameStats } from './frame-stats';
import { keyPlan } from './schedule';
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
 * The key of frame `index`: as the last run over it recorded it (frame_stats); else from the run's key plan
 * (schedule.ts; baseline: the frame itself), else the last frame at or before it that the run marked as a
 * key. With no run, the plan of fixed `keyInterval` over the whole video.
 */
export function keyForFrame(store: ProjectStore, videoId: number, index: number, keyInterval: number): FrameKey {
  const [stats] = frameStats(store, videoId, index, index + 1);
  if (stats) return { keyIndex: stats.keyIdx, run: stats.runId === null ? null : store.getRun(stats.runId) };
  const run = runForFrame(store, videoId, index);
  const frameCount = store.getVideo(videoId).frameCount;
  if (!run) return { keyIndex: keyPlan({ kind: 'fixed', k: keyInterval }, 0, frameCount).segmentAt(index).key, run: null };
  const p = runOf(run);
  const from = Math.min(p.from ?? 0, index);
  const to = Math.max(p.to ?? frameCount, index + 1);
  const mode = p.mode as { kind?: string; k?: number } | undefined;
  if (mode?.kind === 'baseline') return { keyIndex: index, run };
  if (mode?.kind === 'fixed' && Number.isInteger(mode.k) && mode.k! > 0) {
    return { keyIndex: keyPlan({ kind: 'fixed', k: mode.k! }, from, to).segmentAt(index).key, run };
  }
  if (mode?.kind === 'adaptive' && p.plan?.[0] === from) return { keyIndex: keyPlan({ kind: 'adaptive', k: mode.k ?? 1 }, from, to, p.plan).segmentAt(index).key, run };
  const frames = store.listFrames(videoId, from, index + 1);
  for (let i = frames.length - 1; i >= 0; i--) {
    if (frames[i]!.dffKey && frames[i]!.runId === run.id) return { keyIndex: frames[i]!.idx, run };
  }
  return { keyIndex: from, run };
}
