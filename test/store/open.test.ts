import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { APPLICATION_ID, openProject } from '../../electron/core/store';
import { openProjectWith } from '../../electron/core/store/open';
import { MIGRATIONS, type Migration } from '../../electron/core/store/migrations';
import { expectAppError, rawDb, tempDir } from './helpers';

const root = tempDir('open');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(root, `case-${++n}`);

/** Every file in the folder with its bytes, to show that a refused open changed nothing and left nothing behind. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    out[name] = fs.statSync(p).isFile() ? crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex') : '<dir>';
  }
  return out;
}

/** Opens must fail with `code`, leaving the folder exactly as it was. */
function expectRefusedUntouched(file: string, code: string): Error {
  const before = snapshot(path.dirname(file));
  const err = expectAppError(() => openProject(file), code);
  expect(snapshot(path.dirname(file))).toEqual(before);
  return err;
}

describe('creating a project', () => {
  it('creates the file, its missing parent folders, and a schema at the newest version in WAL mode', () => {
    const file = path.join(fresh(), 'nested', 'deeper', 'p.dffproj');
    const store = openProject(file, { create: true });
    expect(store.file).toBe(file);
    expect(store.name).toBe('p');
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
    store.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);

    const head = fs.readFileSync(file).subarray(0, 20);
    expect(head.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    expect([head[18], head[19]]).toEqual([2, 2]); // file format 2 = WAL
    const db = rawDb(file);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(tables).toEqual([
      'action_classes',
      'action_segments',
      'annotations',
      'edit_journal',
      'frame_stats',
      'frames',
      'inference_runs',
      'label_classes',
      'project_settings',
      'sqlite_sequence', // action_segments' AUTOINCREMENT
      'videos',
    ]);
    db.close();
  });

  it('refuses to overwrite an existing file, of any kind', () => {
    const dir = fresh();
    fs.mkdirSync(dir);
    const file = path.join(dir, 'existing.dffproj');
    fs.writeFileSync(file, 'precious notes');
    const before = snapshot(dir);
    const err = expectAppError(() => openProject(file, { create: true }), 'INVALID_INPUT');
    expect(err.message).toContain(file);
    expect(snapshot(dir)).toEqual(before);
  });

  it('keeps what was saved across close and reopen', () => {
    const file = path.join(fresh(), 'p.dffproj');
    const a = openProject(file, { create: true });
    a.addClass({ name: 'person', color: '#ff0000' });
    a.setSetting('keyInterval', 10);
    a.close();
    const b = openProject(file);
    expect(b.listClasses().map((c) => c.name)).toEqual(['person']);
    expect(b.getSetting('keyInterval')).toBe(10);
    b.close();
  });

  it('refuses every call once closed', () => {
    const store = openProject(path.join(fresh(), 'p.dffproj'), { create: true });
    store.close();
    store.close(); // twice is fine
    expect(store.isOpen).toBe(false);
    expectAppError(() => store.listVideos(), 'NO_PROJECT');
  });
});

describe('opening refuses bad files and leaves them untouched', () => {
  it('a missing file is NOT_FOUND', () => {
    const dir = fresh();
    fs.mkdirSync(dir);
    const err = expectRefusedUntouched(path.join(dir, 'nope.dffproj'), 'NOT_FOUND');
    expect(err.message).toContain('nope.dffproj');
  });

  it('a text file, an empty file and a folder are NOT_A_PROJECT, named in the message', () => {
    const dir = fresh();
    fs.mkdirSync(dir);
    const text = path.join(dir, 'notes.dffproj');
    fs.writeFileSync(text, 'this is not a database, just some text that is long enough');
    expect(expectRefusedUntouched(text, 'NOT_A_PROJECT').message).toContain(text);
    const empty = path.join(dir, 'empty.dffproj');
    fs.writeFileSync(empty, '');
    expect(expectRefusedUntouched(empty, 'NOT_A_PROJECT').message).toContain(empty);
    const folder = path.join(dir, 'folder.dffproj');
    fs.mkdirSync(folder);
    expect(expectRefusedUntouched(folder, 'NOT_A_PROJECT').message).toContain(folder);
  });

  it('a damaged SQLite file (right header, garbage after) is NOT_A_PROJECT', () => {
    const dir = fresh();
    fs.mkdirSync(dir);
    const file = path.join(dir, 'damaged.dffproj');
    const bytes = Buffer.alloc(8192, 0xab);
    bytes.write('SQLite format 3\0', 0, 'latin1');
    fs.writeFileSync(file, bytes);
    expect(expectRefusedUntouched(file, 'NOT_A_PROJECT').message).toContain(file);
  });

  it('a project whose schema page is damaged is NOT_A_PROJECT', () => {
    const file = path.join(fresh(), 'p.dffproj');
    openProject(file, { create: true }).close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0xff, 100, 1000); // keep the 100-byte header, break the schema b-tree behind it
    fs.writeFileSync(file, bytes);
    const err = expectRefusedUntouched(file, 'NOT_A_PROJECT');
    expect(err.message).toContain(file);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it("another program's SQLite database is NOT_A_PROJECT, also when it is in WAL mode", () => {
    const dir = fresh();
    fs.mkdirSync(dir);
    for (const [name, wal] of [
      ['other.db', false],
      ['other-wal.db', true],
    ] as const) {
      const file = path.join(dir, name);
      const db = new Database(file);
      if (wal) db.pragma('journal_mode = WAL');
      db.exec("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep me')");
      db.close();
      const err = expectRefusedUntouched(file, 'NOT_A_PROJECT');
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/not a DFF Studio project/);
    }
  });

  it('a project from a newer DFF Studio is NEWER_SCHEMA, saying both versions', () => {
    const file = path.join(fresh(), 'future.dffproj');
    openProject(file, { create: true }).close();
    const db = rawDb(file, false);
    db.pragma(`user_version = ${MIGRATIONS.length + 6}`);
    db.close();
    const err = expectRefusedUntouched(file, 'NEWER_SCHEMA');
    expect(err.message).toBe(
      `${file} was written by a newer DFF Studio (schema ${MIGRATIONS.length + 6}, this build knows up to ${MIGRATIONS.length})`,
    );
  });
});

describe('migrations', () => {
  const v2AddsNotes: Migration = `
    CREATE TABLE frame_notes (video_id INTEGER NOT NULL, idx INTEGER NOT NULL, note TEXT NOT NULL);
    ALTER TABLE label_classes ADD COLUMN description TEXT NOT NULL DEFAULT '';`;
  const v3Code: Migration = (db) => {
    db.prepare("UPDATE label_classes SET description = 'named ' || name").run();
  };

  it('bring a version-1 file forward, one version at a time, keeping its data and a backup of the old file', () => {
    const file = path.join(fresh(), 'old.dffproj');
    const v1 = openProjectWith(file, { create: true }, [MIGRATIONS[0]]);
    v1.addClass({ name: 'car', color: '#00ff00' });
    expect(v1.schemaVersion).toBe(1);
    v1.close();

    const v3 = openProjectWith(file, {}, [MIGRATIONS[0], v2AddsNotes, v3Code]);
    expect(v3.schemaVersion).toBe(3);
    expect(v3.listClasses().map((c) => c.name)).toEqual(['car']);
    v3.close();

    const db = rawDb(file);
    expect(db.prepare('SELECT description FROM label_classes').get()).toEqual({ description: 'named car' });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'frame_notes'").get()).toEqual({ n: 1 });
    db.close();

    const backup = rawDb(`${file}.schema-1.bak`);
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare('SELECT name FROM label_classes').all()).toEqual([{ name: 'car' }]);
    backup.close();
  });

  it('a failing migration rolls back its own step and leaves the file at the last good version', () => {
    const file = path.join(fresh(), 'p.dffproj');
    const v1 = openProjectWith(file, { create: true }, [MIGRATIONS[0]]);
    v1.addClass({ name: 'car', color: '#00ff00' });
    v1.close();
    const broken: Migration = (db) => {
      db.exec('DELETE FROM label_classes');
      throw new Error('bug in migration 3');
    };
    const err = expectAppError(() => openProjectWith(file, {}, [MIGRATIONS[0], v2AddsNotes, broken]), 'INTERNAL');
    expect(err.message).toContain('bug in migration 3');
    expect(fs.existsSync(`${file}.lock`)).toBe(false);

    const db = rawDb(file);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT name FROM label_classes').all()).toEqual([{ name: 'car' }]);
    db.close();
  });

  it('the public openProject uses the built-in list: a file at that version needs no migration and gets no backup', () => {
    const file = path.join(fresh(), 'p.dffproj');
    openProject(file, { create: true }).close();
    openProject(file).close();
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });
});
