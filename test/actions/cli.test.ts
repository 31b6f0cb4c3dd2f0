/** `npm run dff -- actions` as a real process: suggestions written with a progress line, and clear failures. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/core/app-paths';
import { openProject } from '../../electron/core/store';
import { projectWith, tempDir } from '../dff/helpers';
import { flashVideo, writeProbePack } from './probe-pack';

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/core/cli/main.ts', ...args], { cwd: appRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('dff actions (CLI)', () => {
  let dir: string;
  let file: string;
  let pack: string;
  beforeAll(async () => {
    dir = tempDir('actions-cli');
    pack = writeProbePack(path.join(dir, 'probe'));
    const { store, file: f } = await projectWith(dir, await flashVideo(dir), 'cli');
    store.close();
    file = f;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('suggests segments on the project’s only video, with a progress line, and exits 0', async () => {
    const r = await cli(['actions', '--project', file, '--pack', pack, '--providers', 'cpu', '--threads', '1']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Suggesting actions on video 1 with probe 0.1 (cpu): 15 clip windows');
    expect(r.out).toMatch(/\[-+\] 0\/15 windows/);
    expect(r.out).toContain('Suggested 2 action segment(s) on video 1');
    const store = openProject(file);
    try {
      expect(store.listActionSegments(1).map((s) => [s.status, s.model])).toEqual([
        ['suggested', 'probe 0.1'],
        ['suggested', 'probe 0.1'],
      ]);
    } finally {
      store.close();
    }
  });

  it('exits 1 naming the pack when it has no action model, and 2 on an unknown option', async () => {
    const bare = writeProbePack(path.join(dir, 'bare'), null, null);
    const r = await cli(['actions', '--project', file, '--pack', bare]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error \[INVALID_INPUT\]: pack probe 0\.1 \(.*bare\) has no action model/);
    const u = await cli(['actions', '--project', file, '--stride', '3']);
    expect(u.code).toBe(2);
    expect(u.out).toContain('Unknown option(s): --stride');
  });
});
