/**
 * Action classes and action segments: clip-level labels on a video's timeline (frames start..end, both
 * included). A person's create/update/delete/accept/reject is one undoable journal step each; a suggestion
 * run (`replaceActionSuggestions`) is not, and only ever replaces the video's pending suggestions:
 *   - a person's segment is source 'human', status 'accepted';
 *   - editing a machine segment makes it the person's (human, accepted; its score goes, its model stays as provenance);
 *   - deleting a machine segment marks it 'rejected' (a tombstone the next run respects); a human one is removed.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import { frameCountOf } from './frames';
import { recordEdit } from './journal';
import { stmt } from './statements';
import type {
  ActionClass,
  ActionProposal,
  ActionSegment,
  ActionSegmentPatch,
  ActionSource,
  ActionStatus,
  ActionSuggestionWrite,
  NewActionSegment,
} from './types';
import { requireColor, requireFinite, requireId, requireIndex, requireText, show } from './validate';

/** A proposal overlapping an accepted or rejected segment of its class at least this much (temporal IoU) is dropped. */
export const SUGGESTION_OVERLAP_IOU = 0.5;

/** Colours for classes added without one, in turn. */
const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#9a6324', '#469990'];

interface ClassRow {
  id: number;
  name: string;
  color: string;
}

const SEGMENT_COLUMNS = 'id, video_id, start_frame, end_frame, class_id, source, status, score, model';

interface SegmentRow {
  id: number;
  video_id: number;
  start_frame: number;
  end_frame: number;
  class_id: number;
  source: ActionSource;
  status: ActionStatus;
  score: number | null;
  model: string | null;
}

const toSegment = (r: SegmentRow): ActionSegment => ({
  id: r.id,
  videoId: r.video_id,
  start: r.start_frame,
  end: r.end_frame,
  classId: r.class_id,
  source: r.source,
  status: r.status,
  score: r.score,
  model: r.model,
});

// --- classes

export function listActionClasses(db: Database.Database): ActionClass[] {
  return stmt(db, 'SELECT id, name, color FROM action_classes ORDER BY position, id').all() as ClassRow[];
}

export function getActionClass(db: Database.Database, id: number): ActionClass {
  const row = stmt(db, 'SELECT id, name, color FROM action_classes WHERE id = ?').get(requireId(id, 'action class id')) as ClassRow | undefined;
  if (!row) throw new AppError('NOT_FOUND', `Action class ${id} does not exist in this project`, { classId: id });
  return row;
}

/** Adds a class after the last one; a name already there (any case) is refused, naming it. */
export function addActionClass(db: Database.Database, name: string, color?: string): ActionClass {
  const trimmed = requireText(name, 'action class name').trim();
  const existing = findClass(db, trimmed);
  if (existing) {
    throw new AppError('INVALID_INPUT', `An action class named ${show(existing.name)} already exists (action class ${existing.id})`, {
      classId: existing.id,
    });
  }
  const { count, next } = stmt(db, 'SELECT count(*) AS count, coalesce(max(position) + 1, 0) AS next FROM action_classes').get() as {
    count: number;
    next: number;
  };
  const colour = color === undefined ? PALETTE[count % PALETTE.length]! : requireColor(color, `colour of action class ${show(trimmed)}`);
  const info = stmt(db, 'INSERT INTO action_classes (name, color, position) VALUES (?, ?, ?)').run(trimmed, colour, next);
  return getActionClass(db, Number(info.lastInsertRowid));
}

/** The id of each named class (matched case-insensitively), adding those missing; keys are the names as given. */
export function ensureActionClasses(db: Database.Database, classes: readonly { name: string; color: string }[]): Map<string, number> {
  return db.transaction(() => {
    const ids = new Map<string, number>();
    for (const c of classes) ids.set(c.name, (findClass(db, requireText(c.name, 'action class name').trim()) ?? addActionClass(db, c.name, c.color)).id);
    return ids;
  })();
}

function findClass(db: Database.Database, name: string): ClassRow | undefined {
  return stmt(db, 'SELECT id, name, color FROM action_classes WHERE name = ? COLLATE NOCASE').get(name) as ClassRow | undefined;
}

// --- segments: reading

/** The video's segments in start order; rejected ones (tombstones) only when asked. */
export function listActionSegments(db: Database.Database, videoId: number, includeRejected = false): ActionSegment[] {
  frameCountOf(db, videoId); // names a video that is not there
  const sql = `SELECT ${SEGMENT_COLUMNS} FROM action_segments WHERE video_id = ?${includeRejected ? '' : " AND status != 'rejected'"} ORDER BY start_frame, end_frame, id`;
  return (stmt(db, sql).all(videoId) as SegmentRow[]).map(toSegment);
}

export function getActionSegment(db: Database.Database, id: number): ActionSegment {
  const row = stmt(db, `SELECT ${SEGMENT_COLUMNS} FROM action_segments WHERE id = ?`).get(requireId(id, 'action segment id')) as SegmentRow | undefined;
  if (!row) throw new AppError('NOT_FOUND', `Action segment ${id} does not exist in this project`, { segmentId: id });
  return toSegment(row);
}

// --- segments: a person's edits (each one journal step)

export function createActionSegment(db: Database.Database, input: NewActionSegment): ActionSegment {
  const videoId = requireId(input?.videoId, 'video id');
  const { start, end } = checkFrames(db, videoId, input.start, input.end, 'New action segment');
  const cls = getActionClass(db, input.classId);
  return recordEdit(db, `Add action ${cls.name} ${start}–${end}`, videoId, () => {
    const now = Date.now();
    const info = stmt(
      db,
      `INSERT INTO action_segments (video_id, start_frame, end_frame, class_id, source, status, score, model, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'human', 'accepted', NULL, NULL, ?, ?)`,
    ).run(videoId, start, end, cls.id, now, now);
    return getActionSegment(db, Number(info.lastInsertRowid));
  });
}

/** Moves either end or changes the class; a machine segment becomes the person's. No change, no step. */
export function updateActionSegment(db: Database.Database, id: number, patch: ActionSegmentPatch): ActionSegment {
  const current = getActionSegment(db, id);
  const { start, end } = checkFrames(db, current.videoId, patch?.start ?? current.start, patch?.end ?? current.end, `Action segment ${id}`);
  const cls = getActionClass(db, patch?.classId ?? current.classId);
  if (start === current.start && end === current.end && cls.id === current.classId) return current;
  return recordEdit(db, `Edit action ${cls.name} ${start}–${end}`, current.videoId, () => {
    stmt(
      db,
      `UPDATE action_segments SET start_frame = ?, end_frame = ?, class_id = ?, source = 'human', status = 'accepted', score = NULL, updated_at = ?
       WHERE id = ?`,
    ).run(start, end, cls.id, Date.now(), id);
    return getActionSegment(db, id);
  });
}

/**
 * A person's segment is removed; a machine one becomes 'rejected' (kept, so later runs do not propose it
 * again). Returns the segment as it was before.
 */
export function deleteActionSegment(db: Database.Database, id: number): ActionSegment {
  const current = getActionSegment(db, id);
  if (current.source === 'machine') setStatus(db, current, 'rejected', 'Delete action');
  else recordEdit(db, `Delete action ${stepName(db, current)}`, current.videoId, () => stmt(db, 'DELETE FROM action_segments WHERE id = ?').run(id));
  return current;
}

/** A suggestion (or a rejected one) becomes accepted, keeping its source, score and model. */
export function acceptActionSegment(db: Database.Database, id: number): ActionSegment {
  return setStatus(db, getActionSegment(db, id), 'accepted', 'Accept suggestion');
}

/** A machine segment becomes rejected: hidden, not exported, and not proposed again. */
export function rejectActionSegment(db: Database.Database, id: number): ActionSegment {
  const current = getActionSegment(db, id);
  if (current.source === 'human') {
    throw new AppError('INVALID_INPUT', `Action segment ${id} (frames ${current.start}–${current.end}) is a person's segment, not a suggestion; delete it instead`, {
      segmentId: id,
    });
  }
  return setStatus(db, current, 'rejected', 'Reject suggestion');
}

function setStatus(db: Database.Database, current: ActionSegment, status: ActionStatus, verb: string): ActionSegment {
  if (current.status === status) return current;
  return recordEdit(db, `${verb} ${stepName(db, current)}`, current.videoId, () => {
    stmt(db, 'UPDATE action_segments SET status = ?, updated_at = ? WHERE id = ?').run(status, Date.now(), current.id);
    return getActionSegment(db, current.id);
  });
}

const stepName = (db: Database.Database, s: ActionSegment) => `${getActionClass(db, s.classId).name} ${s.start}–${s.end}`;

// --- segments: a suggestion run (not a journal step)

/**
 * Replaces the video's pending suggestions with `proposals` in one transaction. Accepted, human and
 * rejected segments stay as they are; a proposal overlapping (temporal IoU ≥ 0.5) an accepted or
 * rejected segment of the same class is dropped and counted as skipped. Everything is checked first.
 */
export function replaceActionSuggestions(
  db: Database.Database,
  videoId: number,
  model: string,
  proposals: readonly ActionProposal[],
): ActionSuggestionWrite {
  frameCountOf(db, videoId); // names a video that is not there, even with no proposals
  const modelName = requireText(model, 'model name');
  if (!Array.isArray(proposals)) throw new AppError('INVALID_INPUT', `proposals must be a list, got ${show(proposals)}`);
  const checked = proposals.map((p, i) => {
    const where = `Proposal ${i} for video ${videoId}`;
    const { start, end } = checkFrames(db, videoId, p?.start, p?.end, where);
    const classId = getActionClass(db, p.classId).id;
    const score = requireFinite(p.score, `${where}: score`);
    if (score < 0 || score > 1) throw new AppError('INVALID_INPUT', `${where}: score must be within 0..1, got ${score}`);
    return { start, end, classId, score };
  });
  return db.transaction(() => {
    stmt(db, "DELETE FROM action_segments WHERE video_id = ? AND status = 'suggested'").run(videoId);
    const settled = stmt(db, 'SELECT start_frame, end_frame, class_id FROM action_segments WHERE video_id = ?').all(videoId) as Pick<
      SegmentRow,
      'start_frame' | 'end_frame' | 'class_id'
    >[];
    const insert = stmt(
      db,
      `INSERT INTO action_segments (video_id, start_frame, end_frame, class_id, source, status, score, model, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'machine', 'suggested', ?, ?, ?, ?)`,
    );
    const now = Date.now();
    let suggested = 0;
    for (const p of checked) {
      const settledHere = settled.some(
        (s) => s.class_id === p.classId && temporalIou(p.start, p.end, s.start_frame, s.end_frame) >= SUGGESTION_OVERLAP_IOU,
      );
      if (settledHere) continue;
      insert.run(videoId, p.start, p.end, p.classId, p.score, modelName, now, now);
      suggested++;
    }
    return { suggested, skipped: checked.length - suggested };
  })();
}

/** Intersection over union of two frame ranges, both ends included. */
export function temporalIou(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const inter = Math.max(0, Math.min(aEnd, bEnd) - Math.max(aStart, bStart) + 1);
  return inter / (aEnd - aStart + 1 + (bEnd - bStart + 1) - inter);
}

/** start..end as whole frames of the video, start ≤ end, end at most its last frame. */
function checkFrames(db: Database.Database, videoId: number, start: unknown, end: unknown, where: string): { start: number; end: number } {
  const count = frameCountOf(db, videoId);
  const s = requireIndex(start, `${where}: start frame`);
  const e = requireIndex(end, `${where}: end frame`);
  if (s > e) throw new AppError('INVALID_INPUT', `${where}: start frame ${s} is after end frame ${e}`, { start: s, end: e });
  if (e >= count) {
    throw new AppError('OUT_OF_RANGE', `${where}: frame ${e} is past the last frame (${count - 1}) of video ${videoId}`, {
      videoId,
      frame: e,
      frameCount: count,
    });
  }
  return { start: s, end: e };
}
