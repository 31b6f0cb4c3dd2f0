/** Frame rows: one per frame of each video, with its labelling state. */
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import { stmt } from './statements';
import { FRAME_STATES, type Frame, type FrameState } from './types';
import { requireId, requireIndex, requireOneOf } from './validate';

const FRAME_COLUMNS = 'video_id, idx, pts, codec_keyframe, dff_key, state, score, run_id';

interface FrameRow {
  video_id: number;
  idx: number;
  pts: number;
  codec_keyframe: number;
  dff_key: number;
  state: FrameState;
  score: number | null;
  run_id: number | null;
}

function toFrame(r: FrameRow): Frame {
  return {
    videoId: r.video_id,
    idx: r.idx,
    pts: r.pts,
    codecKeyframe: r.codec_keyframe === 1,
    dffKey: r.dff_key === 1,
    state: r.state,
    score: r.score,
    runId: r.run_id,
  };
}

/** Checks that the video exists and the index is inside it; returns the video's frame count. */
export function requireFrame(db: Database.Database, videoId: number, frameIdx: number): number {
  const count = frameCountOf(db, videoId);
  requireIndex(frameIdx, 'frame index');
  if (frameIdx >= count) {
    throw new AppError('OUT_OF_RANGE', `Frame ${frameIdx} is outside video ${videoId}, which has ${count} frames (0–${count - 1})`, {
      videoId,
      frameIdx,
      frameCount: count,
    });
  }
  return count;
}

export function frameCountOf(db: Database.Database, videoId: number): number {
  const row = stmt(db, 'SELECT frame_count FROM videos WHERE id = ?').get(requireId(videoId, 'video id')) as
    | { frame_count: number }
    | undefined;
  if (!row) throw new AppError('NOT_FOUND', `Video ${videoId} is not in this project`, { videoId });
  return row.frame_count;
}

export function getFrame(db: Database.Database, videoId: number, frameIdx: number): Frame {
  requireFrame(db, videoId, frameIdx);
  return toFrame(stmt(db, `SELECT ${FRAME_COLUMNS} FROM frames WHERE video_id = ? AND idx = ?`).get(videoId, frameIdx) as FrameRow);
}

/** Frames [from, to) of a video in index order; `to` defaults to the end. */
export function listFrames(db: Database.Database, videoId: number, from = 0, to?: number): Frame[] {
  const [start, end] = requireRange(db, videoId, from, to);
  const rows = stmt(db, `SELECT ${FRAME_COLUMNS} FROM frames WHERE video_id = ? AND idx >= ? AND idx < ? ORDER BY idx`).all(
    videoId,
    start,
    end,
  ) as FrameRow[];
  return rows.map(toFrame);
}

/** Checks a half-open frame range [from, to) against the video; `to` defaults to the end. */
export function requireRange(db: Database.Database, videoId: number, from: number, to?: number): [number, number] {
  const count = frameCountOf(db, videoId);
  const end = to ?? count;
  requireIndex(from, 'first frame');
  requireIndex(end, 'end frame');
  if (from > end || end > count) {
    throw new AppError('OUT_OF_RANGE', `Frame range ${from}–${end} is outside video ${videoId}, which has ${count} frames`, {
      videoId,
      from,
      to: end,
      frameCount: count,
    });
  }
  return [from, end];
}

export function humanRowCount(db: Database.Database, videoId: number, frameIdx: number): number {
  return (
    stmt(
      db,
      `SELECT count(*) AS n FROM annotations WHERE video_id = ? AND frame_idx = ? AND source IN ('manual', 'corrected', 'carried')`,
    ).get(videoId, frameIdx) as { n: number }
  ).n;
}

/**
 * Sets a frame's state by hand. 'verified' goes through setFrameVerified. A frame with human rows
 * (manual, corrected or carried) can only be 'carried', 'corrected' or 'verified': any other state
 * would let the next run overwrite them.
 */
export function setFrameState(db: Database.Database, videoId: number, frameIdx: number, state: FrameState): Frame {
  requireOneOf(state, FRAME_STATES, 'frame state');
  if (state === 'verified') return setFrameVerified(db, videoId, frameIdx, true);
  requireFrame(db, videoId, frameIdx);
  db.transaction(() => {
    if (state !== 'corrected' && state !== 'carried') {
      const human = humanRowCount(db, videoId, frameIdx);
      if (human > 0) {
        throw new AppError(
          'INVALID_INPUT',
          `Frame ${frameIdx} of video ${videoId} has ${human} annotation(s) made or corrected by a person; it cannot become '${state}'`,
          { videoId, frameIdx, humanRows: human },
        );
      }
    }
    stmt(db, 'UPDATE annotations SET verified = 0 WHERE video_id = ? AND frame_idx = ?').run(videoId, frameIdx);
    stmt(db, 'UPDATE frames SET state = ?, pre_verify_state = NULL WHERE video_id = ? AND idx = ?').run(state, videoId, frameIdx);
  })();
  return getFrame(db, videoId, frameIdx);
}

/** Verifies a frame (it and all its annotations), or withdraws that, returning to the state it had before. */
export function setFrameVerified(db: Database.Database, videoId: number, frameIdx: number, verified: boolean): Frame {
  requireFrame(db, videoId, frameIdx);
  if (typeof verified !== 'boolean') throw new AppError('INVALID_INPUT', `verified must be true or false, got ${verified}`);
  db.transaction(() => {
    if (verified) {
      stmt(
        db,
        `UPDATE frames SET pre_verify_state = CASE WHEN state = 'verified' THEN pre_verify_state ELSE state END,
           state = 'verified' WHERE video_id = ? AND idx = ?`,
      ).run(videoId, frameIdx);
    } else {
      stmt(
        db,
        `UPDATE frames SET state = coalesce(pre_verify_state, 'unlabelled'), pre_verify_state = NULL
           WHERE video_id = ? AND idx = ? AND state = 'verified'`,
      ).run(videoId, frameIdx);
    }
    stmt(db, 'UPDATE annotations SET verified = ? WHERE video_id = ? AND frame_idx = ?').run(verified ? 1 : 0, videoId, frameIdx);
  })();
  return getFrame(db, videoId, frameIdx);
}

/**
 * Records that a person changed the frame's labels: it becomes 'corrected' (so no run overwrites it;
 * a 'carried' frame too), or stays 'verified' and returns to 'corrected' if the verification is withdrawn.
 */
export function markHumanEdited(db: Database.Database, videoId: number, frameIdx: number): void {
  stmt(
    db,
    `UPDATE frames SET
       pre_verify_state = CASE WHEN state = 'verified' THEN 'corrected' ELSE NULL END,
       state = CASE WHEN state = 'verified' THEN 'verified' ELSE 'corrected' END
     WHERE video_id = ? AND idx = ?`,
  ).run(videoId, frameIdx);
}

export function isVerified(db: Database.Database, videoId: number, frameIdx: number): boolean {
  const row = stmt(db, 'SELECT state FROM frames WHERE video_id = ? AND idx = ?').get(videoId, frameIdx) as { state: FrameState };
  return row.state === 'verified';
}

/**
 * Every frame of a video as two bytes, built by SQLite in one query (the timeline reads 100 000 frames):
 * codes[i] = index of the state in FRAME_STATES, + 0x80 on DFF key frames; scores[i] = round(score × 254),
 * 255 when the frame has no score. The ordered subquery feeds the aggregate in primary-key order (SQLite
 * does not flatten an ordered subquery into an aggregate), which costs no sort, unlike ORDER BY inside it.
 */
export function frameStateBytes(db: Database.Database, videoId: number): { codes: Buffer; scores: Buffer } {
  const count = frameCountOf(db, videoId);
  const state = `CASE state ${FRAME_STATES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`;
  const score = 'coalesce(CAST(round(min(max(score, 0.0), 1.0) * 254) AS INTEGER), 255)';
  const row = stmt(
    db,
    `SELECT count(*) AS n, unhex(group_concat(printf('%02x%02x', ${state} | (dff_key << 7), ${score}), '')) AS pairs
     FROM (SELECT state, dff_key, score FROM frames WHERE video_id = ? ORDER BY idx)`,
  ).get(videoId) as { n: number; pairs: Buffer | null };
  if (row.n !== count) {
    throw new AppError('INTERNAL', `Video ${videoId} has ${row.n} frame rows for its ${count} frames; the project file is damaged`, { videoId });
  }
  const codes = Buffer.alloc(count);
  const scores = Buffer.alloc(count);
  const pairs = row.pairs ?? Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    codes[i] = pairs[2 * i]!;
    scores[i] = pairs[2 * i + 1]!;
  }
  return { codes, scores };
}
