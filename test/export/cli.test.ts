import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/core/app-paths';
import { main } from '../../electron/core/cli/main';
import { lastExport } from '../../electron/core/export/export-spec';
import { openProject } from '../../electron/core/store';
import { labelledProject, newProject, sampleVideo, tempDir } from './helpers';

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const progress: string[] = [];
  const code = await main(argv, { out: (l) => lines.push(l), progress: (t) => progress.push(t), signal: new AbortController().signal });
  return { code, out: lines.join('\n'), progress };
}

describe('dff CLI', () => {
  it('exports with the selection from the command line, prints the summary and progress, and can do it again', async () => {
    const dir = tempDir('cli');
    const { store } = labelledProject(dir);
    const file = store.file;
    store.close();
    const r = await cli('export', '--project', file, '--format', 'coco', '--out', dir, '--name', 'ds', '--images', 'none', '--corrected', '--min-score', '0.7', '--every', '2', '--save-preset', 'mine');
    expect(r.out, r.out).toContain('Frames: 6 (train 6, val 0)');
    expect(r.out).toContain('by state: propagated 2, corrected 1, verified 3');
    expect(r.out).toMatch(/Exported 6 frames, \d+ annotations to .*ds in/);
    expect(r.code).toBe(0);
    expect(r.progress.some((p) => /^labels 6\/6 \(100%\)$/.test(p))).toBe(true);
    const coco = JSON.parse(fs.readFileSync(path.join(dir, 'ds/annotations/instances_train.json'), 'utf8'));
    expect(coco.images.map((i: { frame_id: number }) => i.frame_id)).toEqual([0, 2, 4, 6, 12, 14]);
    // the same export again, under another name, from the saved settings
    const again = await cli('export', '--project', file, '--again', '--name', 'ds2');
    expect(again.code, again.out).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'ds2/annotations/instances_train.json'), 'utf8').length).toBe(
      fs.readFileSync(path.join(dir, 'ds/annotations/instances_train.json'), 'utf8').length,
    );
    const fromPreset = await cli('export', '--project', file, '--preset', 'mine', '--name', 'ds3', '--summary');
    expect(fromPreset.out).toContain('Frames: 6');
    expect(fs.existsSync(path.join(dir, 'ds3'))).toBe(false);
    const s = openProject(file);
    expect(lastExport(s)?.name).toBe('ds2');
    s.close();
  });

  it('exports Cityscapes with a class table given on the command line', async () => {
    const dir = tempDir('cli-cs');
    const { store, classes } = labelledProject(dir);
    const file = store.file;
    store.close();
    const mapped = await cli('export', '--project', file, '--format', 'cityscapes', '--out', dir, '--name', 'cs', '--images', 'none', '--map', `${classes.road}=sky`);
    expect(mapped.code, mapped.out).toBe(0);
    const r = await cli('export', '--project', file, '--format', 'cityscapes', '--out', dir, '--name', 'cs2', '--images', 'none', '--city', 'dojo', '--val-blocks', '2', '--val-fraction', '0.5', '--val-gap', '1');
    expect(r.code, r.out).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'cs2/gtFine/val/dojo')).sort()[0]).toBe('dojo_000001_000002_gtFine_color.png');
  });

  it('imports a COCO file, and reports bad usage and failures with an exit status', async () => {
    const dir = tempDir('cli-imp');
    const { store } = labelledProject(dir);
    const file = store.file;
    store.close();
    await cli('export', '--project', file, '--format', 'coco', '--out', dir, '--name', 'ds', '--images', 'none', '--corrected');
    const target = newProject(dir, 'target');
    target.addVideo(sampleVideo({ path: path.join(dir, 'clip.mp4'), width: 40, height: 30 }, 20));
    target.addClass({ name: 'person', color: '#ff0000' });
    const targetFile = target.file;
    target.close();
    const json = path.join(dir, 'ds/annotations/instances_train.json');
    const noClasses = await cli('import', '--project', targetFile, '--file', json, '--video', '1');
    expect(noClasses.code).toBe(1);
    expect(noClasses.out).toContain('"car", "road" are not classes of this project');
    const ok = await cli('import', '--project', targetFile, '--file', json, '--video', '1', '--create-classes');
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('Imported 22 annotations from a COCO dataset file onto 7 frames');
    expect(ok.out).toContain('New classes: car, road');

    expect((await cli('export', '--project', file, '--format', 'coco', '--out', dir, '--name', 'ds', '--images', 'none')).out).toContain('error [ALREADY_EXISTS]');
    const typo = await cli('export', '--project', file, '--format', 'coco', '--out', dir, '--name', 'x', '--evry', '2');
    expect([typo.code, typo.out]).toEqual([2, 'error [INVALID_INPUT]: Unknown option(s): --evry']);
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('export', '--help')).out).toContain('--val-blocks');
  });

  it('runs as `npm run dff` does (tsx electron/core/cli/main.ts)', () => {
    const dir = tempDir('cli-proc');
    const store = newProject(dir);
    store.addVideo(sampleVideo({ path: path.join(dir, 'v.mp4') }, 3));
    store.setFrameVerified(1, 1, true);
    const file = store.file;
    store.close();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'electron/core/cli/main.ts', 'export', '--project', file, '--format', 'coco', '--out', dir, '--name', 'ds', '--images', 'none'], {
      cwd: appRoot(),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Exported 1 frames, 0 annotations');
    expect(fs.existsSync(path.join(dir, 'ds/annotations/instances_train.json'))).toBe(true);
  });
});
