/**
 * frame_stats rows: per frame, what the last DFF run over it measured (its key frame, the flow and scale
 * field that propagated it, the task's confidence). Written by the DFF engine for every frame of a run,
 * also frames whose labels a person owns: these describe the run, not the labels. A later run replaces a row.
 */
import type Database from 'better-sqlite3';
import { stmt } from './statements';
import { requireFrame } from './frames';
import { requireId, requireIndex } from './validate';

export interface FrameStats {
  frameIdx: number;
  runId: number | null;
  /** The key frame whose features made this frame's labels (the frame itself on key frames). */
  keyIdx: number;
  flowMeanPx: number | null;
  flowMaxPx: number | null;
  scaleMean: number | null;
  scaleStd: number | null;
  confidence: number | null;
}

interface Row {
  frame_idx: number;
  run_id: number | null;
  key_idx: number;
  flow_mean_px: number | null;
  flow_max_px: number | null;
  scale_mean: number | null;
  scale_std: number | null;
  confidence: number | null;
}

export function writeFrameStats(db: Database.Database, runId: number, videoId: number, rows: readonly Omit<FrameStats, 'runId'>[]): void {
  requireId(runId, 'run id');
  const upsert = stmt(
    db,
    `INSERT OR REPLACE INTO frame_stats (video_id, frame_idx, run_id, key_idx, flow_mean_px, flow_max_px, scale_mean, scale_std, confidence)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const r of rows) {
      requireFrame(db, videoId, r.frameIdx);
      upsert.run(videoId, r.frameIdx, runId, requireIndex(r.keyIdx, 'key frame index'), r.flowMeanPx, r.flowMaxPx, r.scaleMean, r.scaleStd, r.confidence);
    }
  })();
}

/** Rows of frames [from, to) of a video that have one, in frame order. */
export function listFrameStats(db: Database.Database, videoId: number, from: number, to: number): FrameStats[] {
  const rows = stmt(
    db,
    `SELECT frame_idx, run_id, key_idx, flow_mean_px, flow_max_px, scale_mean, scale_std, confidence
     FROM frame_stats WHERE video_id = ? AND frame_idx >= ? AND frame_idx < ? ORDER BY frame_idx`,
  ).all(videoId, from, to) as Row[];
  return rows.map((r) => ({
    frameIdx: r.frame_idx,
    runId: r.run_id,
    keyIdx: r.key_idx,
    flowMeanPx: r.flow_mean_px,
    flowMaxPx: r.flow_max_px,
    scaleMean: r.scale_mean,
    scaleStd: r.scale_std,
    confidence: r.confidence,
  }));
}
