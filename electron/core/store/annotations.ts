/**
 * Annotations: human edits and machine results. The rule that matters most lives here: a machine
 * write never touches a frame a person has edited or verified.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import { maskToBox, toCocoRle, type CocoRle } from '../masks/rle';
import { frameCountOf, isVerified, markHumanEdited, requireFrame, requireRange, setFrameVerified } from './frames';
import { stmt } from './statements';
import {
  MACHINE_FRAME_STATES,
  type Annotation,
  type AnnotationContent,
  type AnnotationPatch,
  type AnnotationSource,
  type Box,
  type HumanAnnotationInput,
  type MachineFrameResult,
  type MachineWriteResult,
  type SkippedFrame,
} from './types';
import { optionalFinite, requireBox, requireId, requireIndex, requireOneOf, show } from './validate';

const ANNOTATION_COLUMNS = `id, video_id, frame_idx, class_id, track_id, x, y, w, h, mask_rle, mask_h, mask_w, score, source,
  verified, run_id, created_at, updated_at`;

interface AnnotationRow {
  id: number;
  video_id: number;
  frame_idx: number;
  class_id: number;
  track_id: number | null;
  x: number;
  y: number;
  w: number;
  h: number;
  mask_rle: string | null;
  mask_h: number | null;
  mask_w: number | null;
  score: number | null;
  source: AnnotationSource;
  verified: number;
  run_id: number | null;
  created_at: number;
  updated_at: number;
}

function toAnnotation(r: AnnotationRow): Annotation {
  return {
    id: r.id,
    videoId: r.video_id,
    frameIdx: r.frame_idx,
    classId: r.class_id,
    trackId: r.track_id,
    box: { x: r.x, y: r.y, w: r.w, h: r.h },
    mask: r.mask_rle === null ? null : { size: [r.mask_h as number, r.mask_w as number], counts: r.mask_rle },
    score: r.score,
    source: r.source,
    verified: r.verified === 1,
    runId: r.run_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Validated annotation content, ready for a row. */
interface Content {
  classId: number;
  trackId: number | null;
  box: Box;
  mask: CocoRle | null;
  score: number | null;
}

interface Checker {
  videoSize: [number, number];
  classIds: Set<number>;
}

function checkerFor(db: Database.Database, videoId: number): Checker {
  const v = stmt(db, 'SELECT height, width FROM videos WHERE id = ?').get(videoId) as { height: number; width: number };
  const ids = (stmt(db, 'SELECT id FROM label_classes').all() as { id: number }[]).map((r) => r.id);
  return { videoSize: [v.height, v.width], classIds: new Set(ids) };
}

function checkContent(c: AnnotationContent, checker: Checker, where: string): Content {
  if (typeof c !== 'object' || c === null) throw new AppError('INVALID_INPUT', `${where}: an annotation must be an object, got ${show(c)}`);
  const classId = requireId(c.classId, `${where}: class id`);
  if (!checker.classIds.has(classId)) throw new AppError('NOT_FOUND', `${where}: label class ${classId} does not exist in this project`, { classId });
  const trackId = c.trackId === null || c.trackId === undefined ? null : requireIndex(c.trackId, `${where}: track id`);
  let mask: CocoRle | null = null;
  if (c.mask !== null && c.mask !== undefined) {
    try {
      mask = toCocoRle(c.mask);
    } catch (err) {
      throw new AppError('INVALID_INPUT', `${where}: ${(err as Error).message}`);
    }
    const [h, w] = checker.videoSize;
    if (mask.size[0] !== h || mask.size[1] !== w) {
      throw new AppError('INVALID_INPUT', `${where}: the mask is ${mask.size[0]}×${mask.size[1]} (h×w) but the video is ${h}×${w}`);
    }
  }
  let box: Box;
  if (c.box !== undefined) box = requireBox(c.box, `${where}: box`);
  else if (mask) {
    const [x, y, w, h] = maskToBox(mask);
    box = { x, y, w, h };
  } else throw new AppError('INVALID_INPUT', `${where}: an annotation needs a box or a mask`);
  return { classId, trackId, box, mask, score: optionalFinite(c.score, `${where}: score`) };
}

function insertRow(
  db: Database.Database,
  videoId: number,
  frameIdx: number,
  c: Content,
  source: AnnotationSource,
  verified: boolean,
  runId: number | null,
  now: number,
): number {
  const info = stmt(
    db,
    `INSERT INTO annotations (video_id, frame_idx, class_id, track_id, x, y, w, h, mask_rle, mask_h, mask_w, score, source,
       verified, run_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    videoId,
    frameIdx,
    c.classId,
    c.trackId,
    c.box.x,
    c.box.y,
    c.box.w,
    c.box.h,
    c.mask?.counts ?? null,
    c.mask?.size[0] ?? null,
    c.mask?.size[1] ?? null,
    c.score,
    source,
    verified ? 1 : 0,
    runId,
    now,
    now,
  );
  return Number(info.lastInsertRowid);
}

export function getAnnotation(db: Database.Database, id: number): Annotation {
  const row = stmt(db, `SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE id = ?`).get(requireId(id, 'annotation id')) as
    | AnnotationRow
    | undefined;
  if (!row) throw new AppError('NOT_FOUND', `Annotation ${id} does not exist in this project`, { annotationId: id });
  return toAnnotation(row);
}

export function listAnnotations(db: Database.Database, videoId: number, frameIdx: number): Annotation[] {
  requireFrame(db, videoId, frameIdx);
  const rows = stmt(db, `SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE video_id = ? AND frame_idx = ? ORDER BY id`).all(
    videoId,
    frameIdx,
  ) as AnnotationRow[];
  return rows.map(toAnnotation);
}

/** All annotations of frames [from, to), by frame then id (for export and timelines); `to` defaults to the end. */
export function listAnnotationsInRange(db: Database.Database, videoId: number, from = 0, to?: number): Annotation[] {
  const [start, end] = requireRange(db, videoId, from, to);
  const rows = stmt(
    db,
    `SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE video_id = ? AND frame_idx >= ? AND frame_idx < ? ORDER BY frame_idx, id`,
  ).all(videoId, start, end) as AnnotationRow[];
  return rows.map(toAnnotation);
}

/** A box or mask drawn by a person: source 'manual'; the frame becomes 'corrected' (or stays 'verified'). */
export function addHumanAnnotation(db: Database.Database, input: HumanAnnotationInput): Annotation {
  const { videoId, frameIdx } = input ?? ({} as HumanAnnotationInput);
  requireFrame(db, videoId, frameIdx);
  const content = checkContent(input, checkerFor(db, videoId), `frame ${frameIdx} of video ${videoId}`);
  const id = db.transaction(() => {
    const newId = insertRow(db, videoId, frameIdx, content, 'manual', isVerified(db, videoId, frameIdx), null, Date.now());
    markHumanEdited(db, videoId, frameIdx);
    return newId;
  })();
  return getAnnotation(db, id);
}

/** A person's edit: a machine row becomes 'corrected' and no later run will replace it. */
export function updateAnnotation(db: Database.Database, id: number, patch: AnnotationPatch): Annotation {
  const current = getAnnotation(db, id);
  if (typeof patch !== 'object' || patch === null) throw new AppError('INVALID_INPUT', `The edit of annotation ${id} must be an object`);
  const merged: AnnotationContent = {
    classId: patch.classId ?? current.classId,
    trackId: patch.trackId === undefined ? current.trackId : patch.trackId,
    mask: patch.mask === undefined ? current.mask : patch.mask,
    // a new mask without a new box moves the box to the mask
    box: patch.box ?? (patch.mask ? undefined : current.box),
    score: patch.score === undefined ? current.score : patch.score,
  };
  const content = checkContent(merged, checkerFor(db, current.videoId), `annotation ${id}`);
  const source: AnnotationSource = current.source === 'manual' ? 'manual' : 'corrected';
  db.transaction(() => {
    stmt(
      db,
      `UPDATE annotations SET class_id = ?, track_id = ?, x = ?, y = ?, w = ?, h = ?, mask_rle = ?, mask_h = ?, mask_w = ?,
         score = ?, source = ?, updated_at = ? WHERE id = ?`,
    ).run(
      content.classId,
      content.trackId,
      content.box.x,
      content.box.y,
      content.box.w,
      content.box.h,
      content.mask?.counts ?? null,
      content.mask?.size[0] ?? null,
      content.mask?.size[1] ?? null,
      content.score,
      source,
      Math.max(Date.now(), current.updatedAt + 1),
      id,
    );
    markHumanEdited(db, current.videoId, current.frameIdx);
  })();
  return getAnnotation(db, id);
}

/** A person's deletion. The frame is marked edited, so a later run does not bring a deleted box back. */
export function deleteAnnotation(db: Database.Database, id: number): void {
  const current = getAnnotation(db, id);
  db.transaction(() => {
    stmt(db, 'DELETE FROM annotations WHERE id = ?').run(id);
    markHumanEdited(db, current.videoId, current.frameIdx);
  })();
}

/**
 * One batch of an inference run, in one transaction: for each frame, its earlier machine rows are
 * replaced by these. Frames that are verified, 'corrected', 'carried' (a person's correction carried
 * forward), or hold any manual/corrected/carried row are skipped and reported. Everything is validated before anything is written.
 */
export function writeMachineResults(
  db: Database.Database,
  runId: number,
  videoId: number,
  frames: MachineFrameResult[],
): MachineWriteResult {
  const run = stmt(db, 'SELECT status FROM inference_runs WHERE id = ?').get(requireId(runId, 'run id')) as
    | { status: string }
    | undefined;
  if (!run) throw new AppError('NOT_FOUND', `Inference run ${runId} does not exist in this project`, { runId });
  if (run.status !== 'running') {
    throw new AppError('INVALID_INPUT', `Inference run ${runId} is ${run.status}; only a running run writes results`, { runId });
  }
  if (!Array.isArray(frames)) throw new AppError('INVALID_INPUT', 'Machine results must be an array of frames');
  const count = frameCountOf(db, videoId);
  const checker = checkerFor(db, videoId);
  const seen = new Set<number>();
  const checked = frames.map((f, i) => {
    const where = `result ${i} (frame ${show(f?.frameIdx)}) of run ${runId}`;
    const frameIdx = requireIndex(f?.frameIdx, `${where}: frame index`);
    if (frameIdx >= count) {
      throw new AppError('OUT_OF_RANGE', `${where}: frame ${frameIdx} is outside video ${videoId}, which has ${count} frames`);
    }
    if (seen.has(frameIdx)) throw new AppError('INVALID_INPUT', `${where}: frame ${frameIdx} appears twice in one batch`);
    seen.add(frameIdx);
    const state = requireOneOf(f.state, MACHINE_FRAME_STATES, `${where}: state`);
    if (f.dffKey !== undefined && typeof f.dffKey !== 'boolean') throw new AppError('INVALID_INPUT', `${where}: dffKey must be true or false`);
    if (!Array.isArray(f.annotations)) throw new AppError('INVALID_INPUT', `${where}: annotations must be an array`);
    const annotations = f.annotations.map((a, j) => checkContent(a, checker, `${where}, annotation ${j}`));
    return { frameIdx, state, score: optionalFinite(f.score, `${where}: score`), dffKey: f.dffKey, annotations };
  });

  const frameGuard = stmt(
    db,
    `SELECT state, EXISTS (SELECT 1 FROM annotations a WHERE a.video_id = f.video_id AND a.frame_idx = f.idx
       AND a.source IN ('manual', 'corrected', 'carried')) AS has_human
     FROM frames f WHERE f.video_id = ? AND f.idx = ?`,
  );
  const deleteMachineRows = stmt(
    db,
    `DELETE FROM annotations WHERE video_id = ? AND frame_idx = ? AND source IN ('predicted', 'propagated')`,
  );
  const updateFrame = stmt(
    db,
    `UPDATE frames SET state = ?, score = ?, run_id = ?, dff_key = coalesce(?, dff_key), pre_verify_state = NULL
     WHERE video_id = ? AND idx = ?`,
  );
  return db.transaction(() => {
    const skipped: SkippedFrame[] = [];
    let written = 0;
    const now = Date.now();
    for (const f of checked) {
      const guard = frameGuard.get(videoId, f.frameIdx) as { state: string; has_human: number };
      if (guard.state === 'verified') {
        skipped.push({ frameIdx: f.frameIdx, reason: 'verified' });
        continue;
      }
      if (guard.state === 'corrected' || guard.state === 'carried' || guard.has_human === 1) {
        skipped.push({ frameIdx: f.frameIdx, reason: 'human-edited' });
        continue;
      }
      deleteMachineRows.run(videoId, f.frameIdx);
      for (const a of f.annotations) insertRow(db, videoId, f.frameIdx, a, f.state, false, runId, now);
      updateFrame.run(f.state, f.score, runId, f.dffKey === undefined ? null : f.dffKey ? 1 : 0, videoId, f.frameIdx);
      written++;
    }
    return { written, skipped };
  })();
}

/** A person's correction carried along the flow onto a later frame (see edits/carry-forward). */
export interface CarriedAnnotationInput extends AnnotationContent {
  videoId: number;
  frameIdx: number;
  /** Machine or earlier carried rows of that frame that this one takes the place of. */
  replaces: number[];
}

/**
 * Writes a carried annotation: the replaced rows go, the new row is source 'carried', the frame becomes
 * 'carried'. A frame a person edited or verified is refused: a carried label never overwrites a person's.
 */
export function addCarriedAnnotation(db: Database.Database, input: CarriedAnnotationInput): Annotation {
  const { videoId, frameIdx } = input ?? ({} as CarriedAnnotationInput);
  requireFrame(db, videoId, frameIdx);
  const content = checkContent(input, checkerFor(db, videoId), `carried annotation on frame ${frameIdx} of video ${videoId}`);
  const id = db.transaction(() => {
    const frame = stmt(db, 'SELECT state FROM frames WHERE video_id = ? AND idx = ?').get(videoId, frameIdx) as { state: string };
    const human = (
      stmt(db, `SELECT count(*) AS n FROM annotations WHERE video_id = ? AND frame_idx = ? AND source IN ('manual', 'corrected')`).get(
        videoId,
        frameIdx,
      ) as { n: number }
    ).n;
    if (frame.state === 'corrected' || frame.state === 'verified' || human > 0) {
      throw new AppError('INVALID_INPUT', `Frame ${frameIdx} of video ${videoId} was edited or verified by a person; a carried label does not overwrite it`, {
        videoId,
        frameIdx,
      });
    }
    for (const old of input.replaces ?? []) {
      const row = stmt(db, 'SELECT video_id, frame_idx, source FROM annotations WHERE id = ?').get(requireId(old, 'replaced annotation id')) as
        | { video_id: number; frame_idx: number; source: AnnotationSource }
        | undefined;
      if (!row || row.video_id !== videoId || row.frame_idx !== frameIdx || row.source === 'manual' || row.source === 'corrected') {
        throw new AppError('INVALID_INPUT', `Annotation ${old} is not a machine or carried label of frame ${frameIdx}; it cannot be replaced`, {
          annotationId: old,
        });
      }
      stmt(db, 'DELETE FROM annotations WHERE id = ?').run(old);
    }
    const newId = insertRow(db, videoId, frameIdx, content, 'carried', false, null, Date.now());
    stmt(db, `UPDATE frames SET state = 'carried', pre_verify_state = NULL WHERE video_id = ? AND idx = ?`).run(videoId, frameIdx);
    return newId;
  })();
  return getAnnotation(db, id);
}

/** "Accept all": the frame's machine and carried labels become the person's ('corrected') and the frame is verified. */
export function acceptFrame(db: Database.Database, videoId: number, frameIdx: number): number {
  requireFrame(db, videoId, frameIdx);
  return db.transaction(() => {
    const accepted = stmt(
      db,
      `UPDATE annotations SET source = 'corrected', updated_at = max(?, updated_at + 1)
       WHERE video_id = ? AND frame_idx = ? AND source IN ('predicted', 'propagated', 'carried')`,
    ).run(Date.now(), videoId, frameIdx).changes;
    markHumanEdited(db, videoId, frameIdx);
    setFrameVerified(db, videoId, frameIdx, true);
    return accepted;
  })();
}

/** One more than the highest track id used in the video (0 when none is). */
export function nextTrackId(db: Database.Database, videoId: number): number {
  frameCountOf(db, videoId);
  return (stmt(db, 'SELECT coalesce(max(track_id) + 1, 0) AS next FROM annotations WHERE video_id = ?').get(videoId) as { next: number }).next;
}
