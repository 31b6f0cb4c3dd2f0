/**
 * The project schema as an ordered list of forward migrations: migration i takes a file from
 * `user_version` i to i + 1, in one transaction together with the version bump.
 * Never edit a migration that has shipped; append a new one.
 */
import type Database from 'better-sqlite3';

/** SQL run as one script, or a function for changes that need code. Runs inside a transaction. */
export type Migration = string | ((db: Database.Database) => void);

const SCHEMA_V1 = `
CREATE TABLE videos (
  id            INTEGER PRIMARY KEY,
  path          TEXT NOT NULL UNIQUE,
  rel_path      TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('file', 'images')),
  content_hash  TEXT NOT NULL,
  size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
  width         INTEGER NOT NULL CHECK (width > 0),
  height        INTEGER NOT NULL CHECK (height > 0),
  frame_count   INTEGER NOT NULL CHECK (frame_count >= 0),
  fps_num       INTEGER NOT NULL,
  fps_den       INTEGER NOT NULL,
  time_base_num INTEGER NOT NULL,
  time_base_den INTEGER NOT NULL,
  codec         TEXT NOT NULL,
  pix_fmt       TEXT NOT NULL,
  duration_s    REAL NOT NULL,
  is_vfr        INTEGER NOT NULL CHECK (is_vfr IN (0, 1)),
  added_at      INTEGER NOT NULL
);

CREATE TABLE inference_runs (
  id                 INTEGER PRIMARY KEY,
  pack_name          TEXT NOT NULL,
  pack_path          TEXT NOT NULL,
  pack_hash          TEXT NOT NULL,
  params             TEXT NOT NULL CHECK (json_valid(params)),
  execution_provider TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('running', 'paused', 'cancelled', 'failed', 'done')),
  error              TEXT,
  frames_done        INTEGER NOT NULL DEFAULT 0,
  started_at         INTEGER NOT NULL,
  finished_at        INTEGER,
  timings            TEXT CHECK (timings IS NULL OR json_valid(timings))
);

CREATE TABLE frames (
  video_id       INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  idx            INTEGER NOT NULL,
  pts            INTEGER NOT NULL,
  codec_keyframe INTEGER NOT NULL CHECK (codec_keyframe IN (0, 1)),
  dff_key        INTEGER NOT NULL DEFAULT 0 CHECK (dff_key IN (0, 1)),
  state          TEXT NOT NULL DEFAULT 'unlabelled'
                 CHECK (state IN ('unlabelled', 'predicted', 'propagated', 'corrected', 'verified')),
  -- the state to return to when a verification is withdrawn
  pre_verify_state TEXT CHECK (pre_verify_state IN ('unlabelled', 'predicted', 'propagated', 'corrected')),
  score          REAL,
  run_id         INTEGER REFERENCES inference_runs(id) ON DELETE SET NULL,
  PRIMARY KEY (video_id, idx)
) WITHOUT ROWID;
CREATE INDEX frames_by_run ON frames(run_id) WHERE run_id IS NOT NULL;

CREATE TABLE label_classes (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
  color         TEXT NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
  has_instances INTEGER NOT NULL CHECK (has_instances IN (0, 1)),
  sort_order    INTEGER NOT NULL
);

CREATE TABLE annotations (
  id         INTEGER PRIMARY KEY,
  video_id   INTEGER NOT NULL,
  frame_idx  INTEGER NOT NULL,
  class_id   INTEGER NOT NULL REFERENCES label_classes(id) ON DELETE RESTRICT,
  track_id   INTEGER,
  x          REAL NOT NULL,
  y          REAL NOT NULL,
  w          REAL NOT NULL CHECK (w >= 0),
  h          REAL NOT NULL CHECK (h >= 0),
  mask_rle   TEXT,
  mask_h     INTEGER,
  mask_w     INTEGER,
  score      REAL,
  source     TEXT NOT NULL CHECK (source IN ('predicted', 'propagated', 'manual', 'corrected')),
  verified   INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  run_id     INTEGER REFERENCES inference_runs(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  FOREIGN KEY (video_id, frame_idx) REFERENCES frames(video_id, idx) ON DELETE CASCADE,
  CHECK ((mask_rle IS NULL) = (mask_h IS NULL) AND (mask_rle IS NULL) = (mask_w IS NULL))
);
CREATE INDEX annotations_by_frame ON annotations(video_id, frame_idx);
CREATE INDEX annotations_by_class ON annotations(class_id);
CREATE INDEX annotations_by_run ON annotations(run_id) WHERE run_id IS NOT NULL;
CREATE INDEX annotations_by_track ON annotations(video_id, track_id, frame_idx) WHERE track_id IS NOT NULL;

CREATE TABLE project_settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) WITHOUT ROWID;
`;

/**
 * V2: frame state and annotation source 'carried' (a person's correction carried along the flow),
 * the undo/redo journal, and per-frame engine statistics. SQLite cannot alter a CHECK constraint,
 * so frames and annotations are rebuilt (create, copy, drop, rename, re-index); `migrate` turns
 * foreign keys off around this so that dropping the old frames table cascades nothing.
 */
const SCHEMA_V2 = `
CREATE TABLE frames_v2 (
  video_id       INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  idx            INTEGER NOT NULL,
  pts            INTEGER NOT NULL,
  codec_keyframe INTEGER NOT NULL CHECK (codec_keyframe IN (0, 1)),
  dff_key        INTEGER NOT NULL DEFAULT 0 CHECK (dff_key IN (0, 1)),
  state          TEXT NOT NULL DEFAULT 'unlabelled'
                 CHECK (state IN ('unlabelled', 'predicted', 'propagated', 'carried', 'corrected', 'verified')),
  -- the state to return to when a verification is withdrawn
  pre_verify_state TEXT CHECK (pre_verify_state IN ('unlabelled', 'predicted', 'propagated', 'carried', 'corrected')),
  score          REAL,
  run_id         INTEGER REFERENCES inference_runs(id) ON DELETE SET NULL,
  PRIMARY KEY (video_id, idx)
) WITHOUT ROWID;
INSERT INTO frames_v2 (video_id, idx, pts, codec_keyframe, dff_key, state, pre_verify_state, score, run_id)
  SELECT video_id, idx, pts, codec_keyframe, dff_key, state, pre_verify_state, score, run_id FROM frames;
DROP TABLE frames;
ALTER TABLE frames_v2 RENAME TO frames;
CREATE INDEX frames_by_run ON frames(run_id) WHERE run_id IS NOT NULL;

CREATE TABLE annotations_v2 (
  id         INTEGER PRIMARY KEY,
  video_id   INTEGER NOT NULL,
  frame_idx  INTEGER NOT NULL,
  class_id   INTEGER NOT NULL REFERENCES label_classes(id) ON DELETE RESTRICT,
  track_id   INTEGER,
  x          REAL NOT NULL,
  y          REAL NOT NULL,
  w          REAL NOT NULL CHECK (w >= 0),
  h          REAL NOT NULL CHECK (h >= 0),
  mask_rle   TEXT,
  mask_h     INTEGER,
  mask_w     INTEGER,
  score      REAL,
  source     TEXT NOT NULL CHECK (source IN ('predicted', 'propagated', 'manual', 'corrected', 'carried')),
  verified   INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  run_id     INTEGER REFERENCES inference_runs(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  FOREIGN KEY (video_id, frame_idx) REFERENCES frames(video_id, idx) ON DELETE CASCADE,
  CHECK ((mask_rle IS NULL) = (mask_h IS NULL) AND (mask_rle IS NULL) = (mask_w IS NULL))
);
INSERT INTO annotations_v2 (id, video_id, frame_idx, class_id, track_id, x, y, w, h, mask_rle, mask_h, mask_w, score, source,
    verified, run_id, created_at, updated_at)
  SELECT id, video_id, frame_idx, class_id, track_id, x, y, w, h, mask_rle, mask_h, mask_w, score, source,
    verified, run_id, created_at, updated_at FROM annotations;
DROP TABLE annotations;
ALTER TABLE annotations_v2 RENAME TO annotations;
CREATE INDEX annotations_by_frame ON annotations(video_id, frame_idx);
CREATE INDEX annotations_by_class ON annotations(class_id);
CREATE INDEX annotations_by_run ON annotations(run_id) WHERE run_id IS NOT NULL;
CREATE INDEX annotations_by_track ON annotations(video_id, track_id, frame_idx) WHERE track_id IS NOT NULL;

-- One undoable step per row: the row images before and after it (see edits/journal). Entries with
-- undone = 1 form the redo stack, always the newest ids; a new edit deletes them.
CREATE TABLE edit_journal (
  id         INTEGER PRIMARY KEY,
  video_id   INTEGER REFERENCES videos(id) ON DELETE CASCADE,
  label      TEXT NOT NULL,
  changes    TEXT NOT NULL CHECK (json_valid(changes)),
  undone     INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
  created_at INTEGER NOT NULL
);
CREATE INDEX edit_journal_by_video ON edit_journal(video_id);

CREATE TABLE frame_stats (
  video_id     INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  frame_idx    INTEGER NOT NULL,
  run_id       INTEGER REFERENCES inference_runs(id) ON DELETE SET NULL,
  key_idx      INTEGER NOT NULL,
  flow_mean_px REAL,
  flow_max_px  REAL,
  scale_mean   REAL,
  scale_std    REAL,
  confidence   REAL,
  PRIMARY KEY (video_id, frame_idx)
) WITHOUT ROWID;
`;

/**
 * V3: clip-level action labels. A segment covers frames start..end of one video (both included). Ids are
 * AUTOINCREMENT so that a row the journal restores by id can never collide with a newer row that took its id.
 */
const SCHEMA_V3 = `
CREATE TABLE action_classes (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
  color    TEXT NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
  position INTEGER NOT NULL
);

CREATE TABLE action_segments (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  video_id    INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  start_frame INTEGER NOT NULL CHECK (start_frame >= 0),
  end_frame   INTEGER NOT NULL,
  class_id    INTEGER NOT NULL REFERENCES action_classes(id) ON DELETE RESTRICT,
  source      TEXT NOT NULL CHECK (source IN ('human', 'machine')),
  status      TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),
  score       REAL CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
  model       TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  CHECK (end_frame >= start_frame)
);
CREATE INDEX action_segments_by_video ON action_segments(video_id, start_frame);
`;

/** The built-in schema history. Its length is the newest schema version this build knows. */
export const MIGRATIONS: readonly Migration[] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3];

/**
 * Applies every migration past the file's `user_version`, each in its own transaction. Foreign keys
 * are off meanwhile (a table rebuild must not cascade) and checked before each step commits.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  const from = schemaVersion(db);
  if (from >= migrations.length) return;
  const foreignKeysWereOn = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (let version = from; version < migrations.length; version++) {
      const step = migrations[version];
      db.transaction(() => {
        if (typeof step === 'string') db.exec(step);
        else step(db);
        const broken = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
        if (broken.length > 0) {
          const first = broken[0]!;
          throw new Error(
            `migration to schema ${version + 1} leaves ${broken.length} row(s) pointing at missing rows (first: ${first.table} row ${first.rowid} → ${first.parent})`,
          );
        }
        db.pragma(`user_version = ${version + 1}`);
      })();
    }
  } finally {
    if (foreignKeysWereOn) db.pragma('foreign_keys = ON');
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
