import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/core/app-paths';
import { openProject } from '../../electron/core/store';
import { expectAppError, tempDir } from './helpers';

const root = tempDir('lock');
let n = 0;
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function newProject(): string {
  const file = path.join(root, `p${++n}`, 'project.dffproj');
  openProject(file, { create: true }).close();
  return file;
}

/** A real second process (Node + tsx) that opens the project and holds it; resolves with its pid once open. */
async function holdInChild(file: string): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(appRoot(), 'test/store/fixtures/hold-project.ts'), file], {
    cwd: appRoot(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`holder exited (${code}) before opening: ${stderr}`)));
  });
  return { child, pid: JSON.parse(line).pid };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** The pid of a process that has certainly ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('exclusive use of a project', () => {
  it('a second open from this process (another window) is PROJECT_LOCKED naming pid, host and since when', () => {
    const file = newProject();
    const first = openProject(file);
    const err = expectAppError(() => openProject(file), 'PROJECT_LOCKED');
    expect(err.message).toContain(file);
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(err.message).toContain(`host ${os.hostname()}`);
    expect(err.message).toMatch(/since \d{4}-\d\d-\d\dT/);
    expect(err.details).toMatchObject({ pid: process.pid, host: os.hostname() });
    // The refused open must not have disturbed the first one.
    first.addClass({ name: 'still-works', color: '#123456' });
    first.close();
    const again = openProject(file);
    expect(again.listClasses().map((c) => c.name)).toEqual(['still-works']);
    again.close();
  });

  it('the lock file holds {pid, host, openedAt} while open and is gone after close', () => {
    const file = newProject();
    const store = openProject(file);
    const holder = JSON.parse(fs.readFileSync(`${file}.lock`, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(Number.isNaN(Date.parse(holder.openedAt))).toBe(false);
    store.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('another process holding the project locks this one out until it closes', async () => {
    const file = newProject();
    const { child, pid } = await holdInChild(file);
    expect(pid).not.toBe(process.pid);
    const err = expectAppError(() => openProject(file), 'PROJECT_LOCKED');
    expect(err.message).toContain('by another DFF Studio');
    expect(err.message).toContain(`pid ${pid}`);
    expect(err.details).toMatchObject({ pid });

    child.stdin!.end(); // the holder closes cleanly
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    openProject(file).close();
  });

  it('a holder that was killed leaves a stale lock, which the next open takes over', async () => {
    const file = newProject();
    const { child, pid } = await holdInChild(file);
    child.kill('SIGKILL');
    await exited(child);
    expect(JSON.parse(fs.readFileSync(`${file}.lock`, 'utf8')).pid).toBe(pid); // left behind

    const store = openProject(file);
    expect(JSON.parse(fs.readFileSync(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
    store.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.stale-'))).toEqual([]);
  });

  it('a lock from another host is respected (its pid cannot be checked from here)', () => {
    const file = newProject();
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid(), host: 'other-machine', openedAt: '2024-01-02T03:04:05.000Z' }));
    const err = expectAppError(() => openProject(file), 'PROJECT_LOCKED');
    expect(err.message).toContain('host other-machine since 2024-01-02T03:04:05.000Z');
  });

  it('an unreadable lock file is respected while fresh and taken over once old', () => {
    const file = newProject();
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, ''); // what a crash between create and write leaves
    expectAppError(() => openProject(file), 'PROJECT_LOCKED');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    openProject(file).close();
  });

  it('refused opens leave no lock behind', () => {
    const file = newProject();
    const db = openProject(file);
    db.close();
    fs.writeFileSync(file, 'not a database any more');
    expectAppError(() => openProject(file), 'NOT_A_PROJECT');
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});
