/**
 * Exclusive use of a project: `<project>.lock` beside it, created with the `wx` flag (fails if it
 * exists, atomically) and holding JSON {pid, host, openedAt}. A lock whose pid is dead on this host
 * is stale and taken over. SQLite's own locking cannot do this job: WAL lets two writers take turns,
 * and two windows writing the same project in turns would overwrite each other's edits.
 */
import fs from 'node:fs';
import os from 'node:os';
import { AppError } from '../errors';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder opened the project. */
  openedAt: string;
}

/** A lock file that nobody could have finished writing by now is garbage from a crash, not an open in progress. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

const held = new Set<ProjectLock>();
let exitHookInstalled = false;

export class ProjectLock {
  private released = false;

  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder,
    private readonly content: string,
  ) {}

  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    try {
      if (fs.readFileSync(this.lockFile, 'utf8') === this.content) fs.unlinkSync(this.lockFile);
    } catch {
      // already gone: nothing to release
    }
  }
}

export function lockFileFor(projectFile: string): string {
  return `${projectFile}.lock`;
}

/** Takes the project's lock or throws PROJECT_LOCKED naming who holds it. */
export function acquireProjectLock(projectFile: string): ProjectLock {
  const lockFile = lockFileFor(projectFile);
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), openedAt: new Date().toISOString() };
  const content = JSON.stringify(holder);
  // A few rounds: each either wins, meets a live holder, or clears a stale lock and tries again.
  for (let round = 0; round < 5; round++) {
    if (tryCreate(lockFile, content)) {
      const lock = new ProjectLock(lockFile, holder, content);
      held.add(lock);
      installExitHook();
      return lock;
    }
    const existing = readLock(lockFile);
    if (existing === null) continue; // vanished between our create and read
    if (!isStale(existing)) throw lockedError(projectFile, lockFile, existing.holder);
    takeOver(lockFile, existing.raw);
  }
  throw new AppError('PROJECT_LOCKED', `Could not take the lock ${lockFile}: other processes keep changing it`, {
    lockFile,
  });
}

function tryCreate(lockFile: string, content: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new AppError('UNREADABLE', `Cannot create the lock file ${lockFile}: ${(err as Error).message}`, { lockFile });
  }
  try {
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

interface ExistingLock {
  raw: string;
  holder: LockHolder | null;
  mtimeMs: number;
}

function readLock(lockFile: string): ExistingLock | null {
  try {
    const raw = fs.readFileSync(lockFile, 'utf8');
    const { mtimeMs } = fs.statSync(lockFile);
    return { raw, holder: parseHolder(raw), mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AppError('UNREADABLE', `Cannot read the lock file ${lockFile}: ${(err as Error).message}`, { lockFile });
  }
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const v = JSON.parse(raw) as Partial<LockHolder>;
    if (Number.isSafeInteger(v.pid) && typeof v.host === 'string' && typeof v.openedAt === 'string') {
      return { pid: v.pid as number, host: v.host, openedAt: v.openedAt };
    }
  } catch {
    // fall through: not a lock we can read
  }
  return null;
}

function isStale({ holder, mtimeMs }: ExistingLock): boolean {
  if (!holder) return Date.now() - mtimeMs > UNREADABLE_LOCK_GRACE_MS;
  // A pid on another host cannot be checked from here: treat it as alive.
  return holder.host === os.hostname() && !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Moves the stale lock aside (rename is atomic, so of two processes clearing the same stale lock only
 * one gets it), then checks that what it moved is the stale lock it judged and not a fresh one that
 * another process had put in its place meanwhile; if so, it puts that one back.
 */
function takeOver(lockFile: string, staleRaw: string): void {
  const aside = `${lockFile}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch {
    return; // someone else moved it first
  }
  try {
    if (fs.readFileSync(aside, 'utf8') !== staleRaw) {
      try {
        fs.linkSync(aside, lockFile);
      } catch {
        // a third lock appeared: that one stands
      }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function lockedError(projectFile: string, lockFile: string, holder: LockHolder | null): AppError {
  if (!holder) {
    return new AppError('PROJECT_LOCKED', `Project ${projectFile} is being opened by another process (lock file ${lockFile})`, {
      lockFile,
    });
  }
  const here = holder.pid === process.pid && holder.host === os.hostname();
  const where = here ? 'in this DFF Studio process (another window)' : 'by another DFF Studio';
  return new AppError(
    'PROJECT_LOCKED',
    `Project ${projectFile} is already open ${where}: pid ${holder.pid} on host ${holder.host} since ${holder.openedAt}`,
    { ...holder, lockFile },
  );
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const lock of [...held]) lock.release();
  });
}
