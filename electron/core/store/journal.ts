/**
 * The undo/redo journal. While an edit is recorded, temporary triggers on this connection copy every
 * changed annotation row, action segment and frame state into a capture table; at the end the changes
 * collapse into one `edit_journal` entry holding each row's image before and after. Undo writes the before images
 * back, redo the after images, each only if the rows still look as the entry left them (a later run or
 * edit that touched them makes the step refuse, naming the row, rather than overwrite anything).
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import { stmt } from './statements';

const ANNOTATION_IMAGE_COLUMNS = [
  'id',
  'video_id',
  'frame_idx',
  'class_id',
  'track_id',
  'x',
  'y',
  'w',
  'h',
  'mask_rle',
  'mask_h',
  'mask_w',
  'score',
  'source',
  'verified',
  'run_id',
  'created_at',
  'updated_at',
] as const;
const FRAME_IMAGE_COLUMNS = ['state', 'pre_verify_state'] as const;
const ACTION_SEGMENT_IMAGE_COLUMNS = [
  'id',
  'video_id',
  'start_frame',
  'end_frame',
  'class_id',
  'source',
  'status',
  'score',
  'model',
  'created_at',
  'updated_at',
] as const;
/** Steps kept per project; older ones are forgotten. */
const HISTORY_LIMIT = 1000;

type RowImage = Record<string, unknown>;
type JournalTable = 'annotations' | 'frames' | 'action_segments';
interface Change {
  table: JournalTable;
  /** annotations, action_segments: the id; frames: 'videoId:idx'. */
  key: string;
  before: RowImage | null;
  after: RowImage | null;
}

/** What an undo or redo did, for the UI to show and to jump to. */
export interface EditStep {
  id: number;
  label: string;
  videoId: number | null;
  /** The frames whose labels or state the step changed (for an action segment: its first and last), ascending. */
  frames: number[];
}

export interface EditHistory {
  /** The label of the step undo would revert, or null. */
  undo: string | null;
  redo: string | null;
}

const imageSql = (prefix: 'OLD' | 'NEW', columns: readonly string[]) =>
  `json_object(${columns.map((c) => `'${c}', ${prefix}.${c}`).join(', ')})`;

/** The capture table and triggers, created once per connection (TEMP objects live and die with it). */
const prepared = new WeakSet<Database.Database>();
function prepareCapture(db: Database.Database): void {
  if (prepared.has(db)) return;
  const when = 'WHEN EXISTS (SELECT 1 FROM edit_recording)';
  const capture = 'INSERT INTO edit_capture (tbl, key, old, new) VALUES';
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS edit_recording (on_ INTEGER);
    CREATE TEMP TABLE IF NOT EXISTS edit_capture (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, key TEXT NOT NULL, old TEXT, new TEXT);
    CREATE TEMP TRIGGER IF NOT EXISTS edit_capture_annotation_insert AFTER INSERT ON main.annotations ${when}
      BEGIN ${capture} ('annotations', NEW.id, NULL, ${imageSql('NEW', ANNOTATION_IMAGE_COLUMNS)}); END;
    CREATE TEMP TRIGGER IF NOT EXISTS edit_capture_annotation_update AFTER UPDATE ON main.annotations ${when}
      BEGIN ${capture} ('annotations', NEW.id, ${imageSql('OLD', ANNOTATION_IMAGE_COLUMNS)}, ${imageSql('NEW', ANNOTATION_IMAGE_COLUMNS)}); END;
    CREATE TEMP TRIGGER IF NOT EXISTS edit_capture_annotation_delete AFTER DELETE ON main.annotations ${when}
      BEGIN ${capture} ('annotations', OLD.id, ${imageSql('OLD', ANNOTATION_IMAGE_COLUMNS)}, NULL); END;
    CREATE TEMP TRIGGER IF NOT EXISTS edit_capture_action_insert AFTER INSERT ON main.action_segments ${when}
      BEGIN ${capture} ('action_segments', NEW.id, NULL, ${imageSql('NEW', ACTION_SEGMENT_IMAGE_COLUMNS)}); END;
    CREATE TEMP TRIGGER IF NOT EXISTS edit_capture_action_update AFTER UPDATE ON main.action_segments ${when}
      BEGIN ${capture} ('action_segments', NEW.id, ${imageSql('OLD', ACTION_SEGMENT_IMAGE_COLUMNS)}, ${imageSql('NEW', ACTION_SEGMENT_IMAGE_COLUMNS)}); END;
    CREATE TEMP TRIGGER IF NOT EXISTS edit_capture_action_delete AFTER DELETE ON main.action_segments ${when}
      BEGIN ${capture} ('action_segments', OLD.id, ${imageSql('OLD', ACTION_SEGMENT_IMAGE_COLUMNS)}, NULL); END;
    CREATE TEMP TRIGGER IF NOT EXISTS edit_capture_frame_update AFTER UPDATE OF state, pre_verify_state ON main.frames ${when}
      BEGIN ${capture} ('frames', NEW.video_id || ':' || NEW.idx, ${imageSql('OLD', FRAME_IMAGE_COLUMNS)}, ${imageSql('NEW', FRAME_IMAGE_COLUMNS)}); END;
  `);
  prepared.add(db);
}

const depth = new WeakMap<Database.Database, number>();

/**
 * Runs `fn` in one transaction and journals everything it changed as one undoable step named `label`
 * (no step when nothing changed). A new step clears the redo stack. Nested calls join the outer step.
 * `fn` must be synchronous.
 */
export function recordEdit<T>(db: Database.Database, label: string, videoId: number | null, fn: () => T): T {
  const level = depth.get(db) ?? 0;
  if (level > 0) return fn();
  prepareCapture(db);
  depth.set(db, 1);
  try {
    return db.transaction(() => {
      stmt(db, 'DELETE FROM edit_capture').run();
      stmt(db, 'INSERT INTO edit_recording (on_) VALUES (1)').run();
      let result: T;
      try {
        result = fn();
      } finally {
        stmt(db, 'DELETE FROM edit_recording').run();
      }
      const changes = collapse(stmt(db, 'SELECT tbl, key, old, new FROM edit_capture ORDER BY seq').all() as CaptureRow[]);
      stmt(db, 'DELETE FROM edit_capture').run();
      if (changes.length > 0) {
        stmt(db, 'DELETE FROM edit_journal WHERE undone = 1').run();
        stmt(db, 'INSERT INTO edit_journal (video_id, label, changes, created_at) VALUES (?, ?, ?, ?)').run(
          videoId,
          label,
          JSON.stringify(changes),
          Date.now(),
        );
        stmt(db, `DELETE FROM edit_journal WHERE id <= (SELECT max(id) FROM edit_journal) - ${HISTORY_LIMIT}`).run();
      }
      return result;
    })();
  } finally {
    depth.set(db, 0);
  }
}

interface CaptureRow {
  tbl: JournalTable;
  key: string;
  old: string | null;
  new: string | null;
}

/** One change per row: its image before the first write and after the last; rows that ended as they began drop out. */
function collapse(rows: CaptureRow[]): Change[] {
  const byRow = new Map<string, Change>();
  for (const r of rows) {
    const id = `${r.tbl}/${r.key}`;
    const seen = byRow.get(id);
    const after = r.new === null ? null : (JSON.parse(r.new) as RowImage);
    if (seen) seen.after = after;
    else byRow.set(id, { table: r.tbl, key: r.key, before: r.old === null ? null : (JSON.parse(r.old) as RowImage), after });
  }
  return [...byRow.values()].filter((c) => !sameImage(c.before, c.after));
}

/** Reverts the newest step not yet undone; null when there is none. */
export function undoEdit(db: Database.Database): EditStep | null {
  return step(db, 'undo');
}

/** Re-applies the oldest undone step; null when there is none. */
export function redoEdit(db: Database.Database): EditStep | null {
  return step(db, 'redo');
}

export function editHistory(db: Database.Database): EditHistory {
  const undo = stmt(db, 'SELECT label FROM edit_journal WHERE undone = 0 ORDER BY id DESC LIMIT 1').get() as { label: string } | undefined;
  const redo = stmt(db, 'SELECT label FROM edit_journal WHERE undone = 1 ORDER BY id LIMIT 1').get() as { label: string } | undefined;
  return { undo: undo?.label ?? null, redo: redo?.label ?? null };
}

interface JournalRow {
  id: number;
  video_id: number | null;
  label: string;
  changes: string;
}

function step(db: Database.Database, direction: 'undo' | 'redo'): EditStep | null {
  if ((depth.get(db) ?? 0) > 0) throw new AppError('INTERNAL', `${direction} cannot run inside a recorded edit`);
  const row = stmt(
    db,
    direction === 'undo'
      ? 'SELECT id, video_id, label, changes FROM edit_journal WHERE undone = 0 ORDER BY id DESC LIMIT 1'
      : 'SELECT id, video_id, label, changes FROM edit_journal WHERE undone = 1 ORDER BY id LIMIT 1',
  ).get() as JournalRow | undefined;
  if (!row) return null;
  const changes = JSON.parse(row.changes) as Change[];
  const ordered = direction === 'undo' ? [...changes].reverse() : changes;
  db.transaction(() => {
    for (const c of ordered) {
      const expected = direction === 'undo' ? c.after : c.before;
      const target = direction === 'undo' ? c.before : c.after;
      const now = currentImage(db, c);
      if (!sameImage(now, expected)) {
        throw new AppError(
          'INVALID_INPUT',
          `Cannot ${direction} "${row.label}": ${describe(c)} ${replacedSuggestion(c, expected, now) ? 'was replaced by a later suggestion run' : 'has changed since (a later edit or run)'}; nothing was changed`,
          { step: row.id, table: c.table, key: c.key },
        );
      }
      write(db, c, target, row.label, direction);
    }
    stmt(db, 'UPDATE edit_journal SET undone = ? WHERE id = ?').run(direction === 'undo' ? 1 : 0, row.id);
  })();
  const frames = new Set<number>();
  for (const c of changes) {
    if (c.table === 'frames') frames.add(Number(c.key.split(':')[1]));
    else if (c.table === 'annotations') frames.add(Number((c.before ?? c.after)!.frame_idx));
    else for (const img of [c.before, c.after]) if (img) frames.add(Number(img.start_frame)).add(Number(img.end_frame));
  }
  return { id: row.id, label: row.label, videoId: row.video_id, frames: [...frames].sort((a, b) => a - b) };
}

function currentImage(db: Database.Database, c: Change): RowImage | null {
  if (c.table === 'action_segments') {
    const r = stmt(db, `SELECT ${ACTION_SEGMENT_IMAGE_COLUMNS.join(', ')} FROM action_segments WHERE id = ?`).get(Number(c.key)) as RowImage | undefined;
    return r ?? null;
  }
  if (c.table === 'annotations') {
    const r = stmt(db, `SELECT ${ANNOTATION_IMAGE_COLUMNS.join(', ')} FROM annotations WHERE id = ?`).get(Number(c.key)) as RowImage | undefined;
    return r ?? null;
  }
  const [videoId, idx] = c.key.split(':').map(Number);
  const r = stmt(db, `SELECT ${FRAME_IMAGE_COLUMNS.join(', ')} FROM frames WHERE video_id = ? AND idx = ?`).get(videoId, idx) as
    | RowImage
    | undefined;
  return r ?? null;
}

function write(db: Database.Database, c: Change, image: RowImage | null, label: string, direction: string): void {
  if (c.table === 'frames') {
    const [videoId, idx] = c.key.split(':').map(Number);
    if (!image) throw new AppError('INTERNAL', `journal step "${label}" has no image for frame ${idx}`);
    stmt(db, 'UPDATE frames SET state = ?, pre_verify_state = ? WHERE video_id = ? AND idx = ?').run(image.state, image.pre_verify_state, videoId, idx);
    return;
  }
  if (c.table === 'action_segments') {
    writeActionSegment(db, c, image, label, direction);
    return;
  }
  if (!image) {
    stmt(db, 'DELETE FROM annotations WHERE id = ?').run(Number(c.key));
    return;
  }
  const classExists = stmt(db, 'SELECT 1 FROM label_classes WHERE id = ?').get(image.class_id);
  if (!classExists) {
    throw new AppError('INVALID_INPUT', `Cannot ${direction} "${label}": ${describe(c)} needs label class ${image.class_id}, which was removed`, {
      classId: image.class_id,
    });
  }
  const values = ANNOTATION_IMAGE_COLUMNS.map((col) => image[col] ?? null);
  // a run deleted since leaves its rows without a run, as its ON DELETE SET NULL would have
  values[ANNOTATION_IMAGE_COLUMNS.indexOf('run_id')] = image.run_id === null ? null : ((stmt(db, 'SELECT id FROM inference_runs WHERE id = ?').get(image.run_id) as { id: number } | undefined)?.id ?? null);
  stmt(
    db,
    `INSERT OR REPLACE INTO annotations (${ANNOTATION_IMAGE_COLUMNS.join(', ')}) VALUES (${ANNOTATION_IMAGE_COLUMNS.map(() => '?').join(', ')})`,
  ).run(...values);
}

function writeActionSegment(db: Database.Database, c: Change, image: RowImage | null, label: string, direction: string): void {
  if (!image) {
    stmt(db, 'DELETE FROM action_segments WHERE id = ?').run(Number(c.key));
    return;
  }
  if (!stmt(db, 'SELECT 1 FROM action_classes WHERE id = ?').get(image.class_id)) {
    throw new AppError('INVALID_INPUT', `Cannot ${direction} "${label}": ${describe(c)} needs action class ${image.class_id}, which was removed`, {
      classId: image.class_id,
    });
  }
  stmt(
    db,
    `INSERT OR REPLACE INTO action_segments (${ACTION_SEGMENT_IMAGE_COLUMNS.join(', ')}) VALUES (${ACTION_SEGMENT_IMAGE_COLUMNS.map(() => '?').join(', ')})`,
  ).run(...ACTION_SEGMENT_IMAGE_COLUMNS.map((col) => image[col] ?? null));
}

/** A pending suggestion the step expects is gone: only a suggestion run removes those (it replaces them all). */
function replacedSuggestion(c: Change, expected: RowImage | null, now: RowImage | null): boolean {
  return c.table === 'action_segments' && now === null && expected?.status === 'suggested';
}

function describe(c: Change): string {
  if (c.table === 'frames') {
    const [videoId, idx] = c.key.split(':');
    return `frame ${idx} of video ${videoId}`;
  }
  if (c.table === 'action_segments') {
    const img = c.before ?? c.after;
    return `action segment ${c.key}${img ? ` (frames ${img.start_frame}–${img.end_frame} of video ${img.video_id})` : ''}`;
  }
  const img = c.before ?? c.after;
  return `annotation ${c.key}${img ? ` on frame ${img.frame_idx}` : ''}`;
}

/** Row images compared by value; the run a row came from is left out (deleting a run clears it). */
function sameImage(a: RowImage | null, b: RowImage | null): boolean {
  if (a === null || b === null) return a === b;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === 'run_id') continue;
    if ((a[k] ?? null) !== (b[k] ?? null)) return false;
  }
  return true;
}
