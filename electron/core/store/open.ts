/**
 * Opening and creating project files. Every check that can refuse a file runs before anything is
 * written to it, so a file that is refused is left byte-for-byte as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../errors';
import { acquireProjectLock, type ProjectLock } from './lock';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations';
import { ProjectStore } from './project-store';

export const PROJECT_EXTENSION = '.dffproj';
/** `PRAGMA application_id` of every DFF Studio project: 'DFFS' in ASCII. */
export const APPLICATION_ID = 0x44464653;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface OpenProjectOptions {
  /** Create a new project; refuses to overwrite an existing file. */
  create?: boolean;
}

/** Opens (or creates) a project file and takes exclusive use of it until `close()`. */
export function openProject(file: string, options: OpenProjectOptions = {}): ProjectStore {
  return openProjectWith(file, options, MIGRATIONS);
}

/** `openProject` with a given schema history; tests use it to exercise migrations. */
export function openProjectWith(file: string, options: OpenProjectOptions, migrations: readonly Migration[]): ProjectStore {
  const abs = path.resolve(file);
  return options.create ? createProject(abs, migrations) : openExisting(abs, migrations);
}

function createProject(file: string, migrations: readonly Migration[]): ProjectStore {
  refuseExisting(file);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new AppError('INVALID_INPUT', `Cannot create the folder for project ${file}: ${(err as Error).message}`, { file });
  }
  const lock = acquireProjectLock(file);
  let db: Database.Database | undefined;
  try {
    refuseExisting(file); // it may have appeared while we took the lock
    db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    configure(db);
    migrate(db, migrations);
    return new ProjectStore(file, db, lock);
  } catch (err) {
    db?.close();
    if (db) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    lock.release();
    throw asAppError(err, file);
  }
}

function openExisting(file: string, migrations: readonly Migration[]): ProjectStore {
  const header = readHeader(file);
  checkIdentity(file, header, migrations.length);
  const lock: ProjectLock = acquireProjectLock(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    // Again through SQLite, which also parses the schema (a damaged file fails here, unwritten): the WAL of a
    // crashed session can hold a newer header than the file.
    const version = schemaVersion(db);
    checkIdentity(file, { appId: db.pragma('application_id', { simple: true }) as number, version }, migrations.length);
    configure(db);
    if (version < migrations.length) {
      backUpBeforeMigrating(db, file, version);
      migrate(db, migrations);
    }
    return new ProjectStore(file, db, lock);
  } catch (err) {
    db?.close();
    lock.release();
    throw asAppError(err, file);
  }
}

function refuseExisting(file: string): void {
  if (fs.existsSync(file)) {
    throw new AppError('INVALID_INPUT', `Cannot create project ${file}: a file already exists there`, { file });
  }
}

interface Identity {
  appId: number;
  version: number;
}

/**
 * Reads the 100-byte SQLite header directly rather than through SQLite: opening even read-only
 * leaves -wal/-shm files beside a WAL database, and a refused file must be left as it was.
 */
function readHeader(file: string): Identity {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('NOT_FOUND', `Project file ${file} does not exist`, { file });
    }
    throw new AppError('UNREADABLE', `Cannot read project file ${file}: ${(err as Error).message}`, { file });
  }
  if (!stat.isFile()) throw new AppError('NOT_A_PROJECT', `${file} is a folder, not a DFF Studio project file`, { file });
  const head = Buffer.alloc(100);
  let n: number;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      n = fs.readSync(fd, head, 0, head.length, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw new AppError('UNREADABLE', `Cannot read project file ${file}: ${(err as Error).message}`, { file });
  }
  if (n < 16 || !head.subarray(0, 16).equals(SQLITE_HEADER)) {
    throw new AppError('NOT_A_PROJECT', `${file} is not a DFF Studio project (not an SQLite database)`, { file });
  }
  if (n < head.length) throw new AppError('NOT_A_PROJECT', `${file} is a damaged SQLite file (${n} bytes)`, { file });
  return { version: head.readInt32BE(60), appId: head.readInt32BE(68) };
}

function checkIdentity(file: string, { appId, version }: Identity, newestKnown: number): void {
  if (appId !== APPLICATION_ID) {
    throw new AppError('NOT_A_PROJECT', `${file} is an SQLite database but not a DFF Studio project`, {
      file,
      applicationId: appId,
    });
  }
  if (version > newestKnown) {
    throw new AppError(
      'NEWER_SCHEMA',
      `${file} was written by a newer DFF Studio (schema ${version}, this build knows up to ${newestKnown})`,
      { file, version, newestKnown },
    );
  }
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

/** A copy of the file as it was, in case a migration goes wrong in a way its transaction cannot undo. */
function backUpBeforeMigrating(db: Database.Database, file: string, version: number): void {
  let backup = `${file}.schema-${version}.bak`;
  if (fs.existsSync(backup)) backup = `${file}.schema-${version}.${Date.now()}.bak`;
  db.prepare('VACUUM INTO ?').run(backup);
}

function asAppError(err: unknown, file: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new AppError('NOT_A_PROJECT', `${file} is damaged or not an SQLite database: ${message}`, { file });
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR')) {
    return new AppError('UNREADABLE', `Cannot open project ${file}: ${message}`, { file });
  }
  return new AppError('INTERNAL', `Opening project ${file} failed: ${message}`, { file });
}
