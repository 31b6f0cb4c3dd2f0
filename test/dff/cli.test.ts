/** `npm run dff -- infer` as a real process: a run, clear failures, and a run killed mid-way that resumes. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/core/app-paths';
import { resumableRuns } from '../../electron/core/dff/engine';
import { openProject } from '../../electron/core/store';
import { havePack, noPackReason, packDir, projectWith, tempDir, worldClip } from './helpers';

if (!havePack) console.warn(`test/dff/cli.test.ts skipped: ${noPackReason}`);

interface Exit {
  code: number | null;
  out: string;
}

/** The CLI in its own Node process (Node 22 with tsx, as `npm run dff` runs it). */
function cli(args: string[], onStart?: (pid: number) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/core/cli/main.ts', ...args], { cwd: appRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    onStart?.(child.pid!);
  });
}

/** Calls fn once run 1 of the project has written its first batch (watched through a read-only connection). */
function whenFramesDone(file: string, fn: (framesDone: number) => void): void {
  const raw = new Database(file, { readonly: true, fileMustExist: true });
  const poll = setInterval(() => {
    const row = raw.prepare('SELECT frames_done FROM inference_runs WHERE id = 1').get() as { frames_done: number } | undefined;
    if (row && row.frames_done > 0) {
      clearInterval(poll);
      raw.close();
      fn(row.frames_done);
    }
  }, 25);
}

describe.skipIf(!havePack)('dff infer (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('infer-cli');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function newProject(name: string, frames: number): Promise<string> {
    const { store, file } = await projectWith(dir, (await worldClip(frames)).video, name);
    store.close();
    return file;
  }

  it('labels the project video, prints the run, and exits 0', async () => {
    const file = await newProject('run', 40);
    const r = await cli(['infer', '--project', file, '--pack', packDir, '--k', '10', '--threads', '1']);
    expect(r.out).toContain('Started run 1 (cpu)');
    expect(r.out).toMatch(/Run 1 done: 40\/40 frames, 40 written this session/);
    expect(r.code, r.out).toBe(0);
    const store = openProject(file);
    try {
      const frames = store.listFrames(1);
      expect(frames.filter((f) => f.dffKey).map((f) => f.idx)).toEqual([4, 14, 24, 34]);
      expect(frames.every((f) => f.runId === 1 && f.state !== 'unlabelled')).toBe(true);
    } finally {
      store.close();
    }
  });

  it('--adaptive runs adaptive key frames at the mean interval --k, and excludes --baseline', async () => {
    const file = await newProject('adaptive', 40);
    const r = await cli(['infer', '--project', file, '--pack', packDir, '--adaptive', '--k', '5', '--threads', '1']);
    expect(r.code, r.out).toBe(0);
    const store = openProject(file);
    try {
      expect(store.getRun(1).params).toMatchObject({ mode: { kind: 'adaptive', k: 5 } });
      const keys = store.listFrames(1).filter((f) => f.dffKey).length;
      expect(Math.abs(keys - 8)).toBeLessThanOrEqual(3);
    } finally {
      store.close();
    }
    const both = await cli(['infer', '--project', file, '--pack', packDir, '--baseline', '--adaptive']);
    expect(both.code).not.toBe(0);
    expect(both.out).toContain('--baseline and --adaptive exclude each other');
  });

  it('exits non-zero with a clear message on a bad pack, a bad option or a missing project', async () => {
    const file = await newProject('bad', 40);
    const noPack = await cli(['infer', '--project', file, '--pack', path.join(dir, 'no-pack')]);
    expect(noPack.code).toBe(1);
    expect(noPack.out).toContain(`error [NOT_FOUND]: model pack ${path.join(dir, 'no-pack')} has no manifest.json`);
    const both = await cli(['infer', '--project', file, '--pack', packDir, '--baseline', '--k', '5']);
    expect(both.code).not.toBe(0);
    expect(both.out).toContain('--baseline and --k exclude each other');
    const missing = await cli(['infer', '--project', path.join(dir, 'nope.dffproj'), '--pack', packDir]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('nope.dffproj does not exist');
  });

  it('stops cleanly on Ctrl-C: exit 130, the run cancelled with what it wrote, and how to resume it', async () => {
    const file = await newProject('sigint', 60);
    const r = await cli(['infer', '--project', file, '--pack', packDir, '--baseline', '--threads', '1'], (pid) => whenFramesDone(file, () => process.kill(pid, 'SIGINT')));
    expect(r.code, r.out).toBe(130);
    expect(r.out).toMatch(/error \[CANCELLED\]: run 1 cancelled after \d+ of 60 frames; resume it with --resume 1/);
    const store = openProject(file);
    try {
      const run = store.getRun(1);
      expect(run.status).toBe('cancelled');
      expect(store.listFrames(1).filter((f) => f.state === 'predicted')).toHaveLength(run.framesDone);
    } finally {
      store.close();
    }
  });

  it('leaves a project that opens fine when killed mid-run, and --resume finishes the rest', async () => {
    const file = await newProject('killed', 60);
    let killedAt = -1;
    const first = await cli(['infer', '--project', file, '--pack', packDir, '--baseline', '--threads', '1'], (pid) =>
      whenFramesDone(file, (n) => {
        killedAt = n;
        process.kill(pid, 'SIGKILL');
      }),
    );
    expect(first.code, first.out).toBeNull(); // killed by the signal
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(60);

    const store = openProject(file); // the dead process's lock is stale and taken over
    const run = store.getRun(1);
    expect(run.status).toBe('running');
    expect(resumableRuns(store).map((r) => r.id)).toEqual([1]);
    const before = store.listAnnotationsInRange(1, 0, run.framesDone);
    store.close();

    const second = await cli(['infer', '--project', file, '--resume', '1']);
    expect(second.out).toContain('Resumed run 1');
    expect(second.out).toMatch(new RegExp(`Run 1 done: 60/60 frames, ${60 - run.framesDone} written this session`));
    expect(second.code, second.out).toBe(0);
    const after = openProject(file);
    try {
      expect(after.listFrames(1).every((f) => f.state === 'predicted' && f.runId === 1)).toBe(true);
      expect(after.listAnnotationsInRange(1, 0, run.framesDone)).toEqual(before);
      expect(after.getRun(1)).toMatchObject({ status: 'done', framesDone: 60 });
    } finally {
      after.close();
    }
  });
});
