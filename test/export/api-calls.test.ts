import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cityscapesMappingGet,
  cityscapesMappingSet,
  exportLastSpec,
  exportPresetGet,
  exportPresetList,
  exportPresetSave,
  exportRun,
  exportSummary,
  importCocoCall,
} from '../../electron/core/export/api-calls';
import type { ExportProgress } from '../../electron/core/export/export-context';
import type { ProjectStore } from '../../electron/core/store';
import { expectAppError, labelledProject, newProject, sampleVideo, tempDir } from './helpers';

let store: ProjectStore | undefined;
afterEach(() => store?.close());

describe('export/import API calls', () => {
  it('summarise, run with progress, remember the spec, and import back', async () => {
    const dir = tempDir('api');
    const p = labelledProject(dir);
    store = p.store;
    expect(exportSummary(store, { selection: { corrected: true } }).framesByState).toMatchObject({ verified: 5, corrected: 2 });
    const progress: ExportProgress[] = [];
    const spec = { format: 'coco' as const, outDir: dir, name: 'ds', images: 'none' as const, selection: { corrected: true } };
    const r = await exportRun(store, { spec }, { onProgress: (x) => progress.push(x) });
    expect(r.frames).toBe(7);
    expect(progress.at(-1)).toEqual({ phase: 'committing', done: 7, total: 7 });
    expect(progress.filter((x) => x.phase === 'labels').at(-1)).toEqual({ phase: 'labels', done: 7, total: 7 });
    expect(exportLastSpec(store)?.name).toBe('ds');
    exportPresetSave(store, { name: 'again', spec });
    expect(Object.keys(exportPresetList(store))).toEqual(['again']);
    expect(exportPresetGet(store, { name: 'again' }).selection.corrected).toBe(true);

    const target = newProject(dir, 'target');
    try {
      const v = target.addVideo(sampleVideo({ path: path.join(dir, 'clip.mp4'), width: 40, height: 30 }, 20));
      const res = await importCocoCall(target, { file: path.join(dir, 'ds/annotations/instances_train.json'), videoId: v.id, createClasses: true });
      expect(res.annotations).toBe(22);
    } finally {
      target.close();
    }
  });

  it('validate their input and name the field', async () => {
    const dir = tempDir('api-bad');
    store = labelledProject(dir).store;
    expectAppError(() => exportSummary(store!, { selection: { everyNth: 0 } }), 'INVALID_INPUT');
    await expect(exportRun(store, { spec: { format: 'voc', outDir: dir, name: 'x' } } as never)).rejects.toThrow(/export.run: spec.format/);
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
    const road = store.listClasses().find((c) => c.name === 'road')!.id;
    expect(cityscapesMappingSet(store, { entries: { [road]: 'road' } }).find((m) => m.classId === road)).toMatchObject({ cityscapesId: 7, from: 'table' });
    expect(cityscapesMappingSet(store, { entries: { [road]: null } }).find((m) => m.classId === road)).toMatchObject({ cityscapesId: 7, from: 'name' });
    expectAppError(() => cityscapesMappingSet(store!, { entries: { x: 3 } } as never), 'INVALID_INPUT');
    expectAppError(() => cityscapesMappingSet(store!, { entries: { 999: 3 } }), 'NOT_FOUND');
    expect(cityscapesMappingGet(store).map((m) => m.cityscapesId)).toEqual([24, 26, 7]);
  });
});
