import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProject, type ProjectStore } from '../../electron/core/store';
import { expectAppError, sampleVideo, tempDir } from './helpers';

const root = tempDir('classes');
let n = 0;
let store: ProjectStore;
beforeEach(() => {
  store = openProject(path.join(root, `p${++n}`, 'project.dffproj'), { create: true });
});
afterEach(() => store.close());
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('label classes', () => {
  it('are added in order, colours normalised to lower case, and listed by sort order', () => {
    const a = store.addClass({ name: 'person', color: '#FF8800' });
    const b = store.addClass({ name: 'road', color: '#808080', hasInstances: false });
    const c = store.addClass({ name: 'car', color: '#00ff00', sortOrder: -1 });
    expect(a).toMatchObject({ name: 'person', color: '#ff8800', hasInstances: true, sortOrder: 0 });
    expect(b).toMatchObject({ hasInstances: false, sortOrder: 1 });
    expect(store.listClasses().map((x) => x.name)).toEqual(['car', 'person', 'road']);
    expect(store.updateClass(c.id, { sortOrder: 5, name: 'vehicle' })).toMatchObject({ name: 'vehicle', sortOrder: 5 });
    expect(store.listClasses().map((x) => x.name)).toEqual(['person', 'road', 'vehicle']);
    expect(store.updateClass(a.id, { name: 'Person' }).name).toBe('Person'); // its own name in another case is fine
  });

  it('refuse duplicate names (any case), bad colours and empty names', () => {
    const a = store.addClass({ name: 'person', color: '#ff0000' });
    expect(expectAppError(() => store.addClass({ name: 'PERSON', color: '#00ff00' }), 'INVALID_INPUT').message).toContain(
      `A class named "person" already exists (class ${a.id})`,
    );
    const b = store.addClass({ name: 'car', color: '#00ff00' });
    expectAppError(() => store.updateClass(b.id, { name: 'Person' }), 'INVALID_INPUT');
    expect(expectAppError(() => store.addClass({ name: 'x', color: 'red' }), 'INVALID_INPUT').message).toContain(
      `colour of class "x" must be a colour like '#ff8800', got "red"`,
    );
    expectAppError(() => store.addClass({ name: '  ', color: '#000000' }), 'INVALID_INPUT');
    expectAppError(() => store.updateClass(999, { name: 'z' }), 'NOT_FOUND');
  });

  it('in use cannot be removed; the error says how many annotations use it', () => {
    const person = store.addClass({ name: 'person', color: '#ff0000' });
    const unused = store.addClass({ name: 'unused', color: '#00ff00' });
    const v = store.addVideo(sampleVideo());
    for (const f of [0, 1, 1]) store.addHumanAnnotation({ videoId: v.id, frameIdx: f, classId: person.id, box: { x: 0, y: 0, w: 1, h: 1 } });
    const err = expectAppError(() => store.removeClass(person.id), 'INVALID_INPUT');
    expect(err.message).toBe('Class "person" is used by 3 annotations; change or delete them before removing the class');
    expect(err.details).toMatchObject({ annotations: 3 });
    store.removeClass(unused.id);
    expect(store.listClasses().map((c) => c.name)).toEqual(['person']);
    expectAppError(() => store.removeClass(unused.id), 'NOT_FOUND');
  });
});

describe('inference runs', () => {
  const input = { packName: 'dff-r18', packPath: '/packs/r18', packHash: 'sha256:aa', params: { keyInterval: 10, thresholds: [0.5] }, executionProvider: 'cpu' };

  it('start running, record progress, and get finishedAt when they end', () => {
    const run = store.createRun(input);
    expect(run).toMatchObject({ ...input, status: 'running', error: null, framesDone: 0, finishedAt: null, timings: null });
    const paused = store.updateRun(run.id, { status: 'paused', framesDone: 40 });
    expect(paused).toMatchObject({ status: 'paused', framesDone: 40, finishedAt: null });
    const failed = store.updateRun(run.id, { status: 'failed', error: 'onnxruntime: out of memory', timings: { featMs: 31.5 } });
    expect(failed).toMatchObject({ status: 'failed', error: 'onnxruntime: out of memory', timings: { featMs: 31.5 }, framesDone: 40 });
    expect(failed.finishedAt).toBeGreaterThanOrEqual(run.startedAt);
    const second = store.createRun({ ...input, params: {} });
    expect(store.listRuns().map((r) => r.id)).toEqual([second.id, run.id]);
    expect(store.getRun(run.id)).toEqual(failed);
  });

  it('refuse bad input', () => {
    expectAppError(() => store.createRun({ ...input, packName: '' }), 'INVALID_INPUT');
    expect(expectAppError(() => store.createRun({ ...input, params: { k: Number.NaN } }), 'INVALID_INPUT').message).toContain(
      'run parameters cannot be saved as JSON: it holds the number NaN',
    );
    const run = store.createRun(input);
    expectAppError(() => store.updateRun(run.id, { status: 'exploded' as never }), 'INVALID_INPUT');
    expectAppError(() => store.updateRun(run.id, { framesDone: -1 }), 'INVALID_INPUT');
    expectAppError(() => store.getRun(12345), 'NOT_FOUND');
  });
});

describe('project settings', () => {
  it('store JSON values by key, overwrite them, and forget them', () => {
    expect(store.getSetting('keyInterval')).toBeUndefined();
    store.setSetting('keyInterval', 10);
    store.setSetting('export', { formats: ['coco', 'cityscapes'], minScore: 0.6, include: null });
    expect(store.getSetting('keyInterval')).toBe(10);
    store.setSetting('keyInterval', 12);
    expect(store.getSetting('keyInterval')).toBe(12);
    expect(store.getSetting('export')).toEqual({ formats: ['coco', 'cityscapes'], minScore: 0.6, include: null });
    store.setSetting('keyInterval', undefined);
    expect(store.getSetting('keyInterval')).toBeUndefined();
    expectAppError(() => store.setSetting('', 1), 'INVALID_INPUT');
    expectAppError(() => store.setSetting('f', () => 1), 'INVALID_INPUT');
  });
});
