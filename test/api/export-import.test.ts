/**
 * Export and import over the real browser-mode server: export.start answers with a task id at once, the
 * export runs in the core and reports task.progress then one task.finished; cancel keeps nothing; a second
 * export to the same name is refused; a COCO file imports as machine pre-labels and a person's frames are skipped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, ExportResult, ExportSummary, ImportResult, Result } from '../../electron/common/api';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { writeLabelledProject, type LabelledProject } from './labelled-project';
import { connectWs, type TestWsClient } from './ws-client';

function ok<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

type Finished = EventPayload<'task.finished'>;
type Progress = EventPayload<'task.progress'>;

describe('export and import calls over the server', () => {
  let dir: string;
  let server: RunningServer;
  let ws: TestWsClient;
  let project: LabelledProject;
  let outDir: string;

  /** Waits for the task.finished event of one task. */
  async function finished(taskId: string): Promise<Finished> {
    let found: Finished | undefined;
    await expect
      .poll(() => (found = ws.events.find((e) => e.event === 'task.finished' && (e.payload as Finished).taskId === taskId)?.payload as Finished), { timeout: 60_000 })
      .toBeTruthy();
    return found!;
  }

  const progressOf = (taskId: string) =>
    ws.events.filter((e) => e.event === 'task.progress' && (e.payload as Progress).taskId === taskId).map((e) => e.payload as Progress);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-api-export-'));
    outDir = path.join(dir, 'exports');
    project = await writeLabelledProject(dir);
    server = await startServer({ port: 0, project: project.file, home: path.join(dir, 'home'), rendererDir: dir });
    ws = await connectWs(server.url);
  });

  afterAll(async () => {
    await ws?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('summarises a selection: frames per state and split, objects per class', async () => {
    const all = ok<ExportSummary>(
      await ws.call('export.summary', { selection: { verified: true, corrected: true, machineMinScore: 0.6 } }),
    );
    // verified 0–9, corrected 10–14, predicted 30–39 (scores 0.60–0.78)
    expect(all.framesByState).toMatchObject({ verified: 10, corrected: 5, predicted: 10 });
    expect(all.frames).toBe(25);
    expect(all.objectsByClass).toEqual({ [project.classes.person]: 25, [project.classes.car]: 15 });
    expect(all.boxOnlyObjects).toBe(25); // the cars and the machine boxes
    const val = ok<ExportSummary>(
      await ws.call('export.summary', { selection: { verified: true, validation: { by: 'time-block', blockFrames: 5, fraction: 0.5, gapFrames: 1 } } }),
    );
    // blocks 0–4 | 5–9: block 1 is validation, frame 4 neighbours it and is dropped
    expect(val.framesBySplit).toEqual({ train: 4, val: 5 });
    expect(val.droppedAsNeighbours).toBe(1);
  });

  it('names the field of a bad selection', async () => {
    const r = await ws.call('export.summary', { selection: { everyNth: 0 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('selection.everyNth') });
  });

  it('exports COCO in the background: a task id at once, progress, then the result; the JSON is on disk', async () => {
    ws.events.length = 0;
    const spec = { format: 'coco', outDir, name: 'first', images: 'jpeg', selection: { verified: true, corrected: true } };
    const { taskId } = ok<{ taskId: string }>(await ws.call('export.start', { spec }));
    expect(taskId).toMatch(/^export-/);
    const end = await finished(taskId);
    if (!end.ok) throw new Error(`export failed: ${end.error.code}: ${end.error.message}`);
    if (end.kind !== 'export') throw new Error(`expected an export, got ${end.kind}`);
    const result: ExportResult = end.result;
    expect(result).toMatchObject({ dest: path.join(outDir, 'first'), format: 'coco', frames: 15, annotations: 30 });
    const progress = progressOf(taskId);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.kind === 'export' && p.total === 15 && p.done <= p.total)).toBe(true);
    expect(progress.map((p) => p.phase)).toContain('committing');
    // the finished event comes after every progress event of the task
    const order = ws.events.filter((e) => (e.payload as { taskId?: string }).taskId === taskId).map((e) => e.event);
    expect(order.at(-1)).toBe('task.finished');
    expect(order.filter((e) => e === 'task.finished')).toHaveLength(1);

    const jsonFile = result.files.find((f) => f.endsWith('.json') && f !== 'dff-export.json')!;
    const coco = JSON.parse(fs.readFileSync(path.join(result.dest, jsonFile), 'utf8')) as { images: unknown[]; annotations: unknown[] };
    expect(coco.images).toHaveLength(15);
    expect(coco.annotations).toHaveLength(30);
    const jpegs = result.files.filter((f) => f.endsWith('.jpg'));
    expect(jpegs).toHaveLength(15);
    expect(fs.readFileSync(path.join(result.dest, jpegs[0])).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    // the last settings are kept to export again
    expect(ok<{ name: string; format: string }>(await ws.call('export.lastSpec'))).toMatchObject({ name: 'first', format: 'coco' });
  });

  it('refuses a second export to the same name with ALREADY_EXISTS, and overwrites when asked', async () => {
    const spec = { format: 'coco', outDir, name: 'first', images: 'none', selection: { verified: true } };
    const before = fs.readdirSync(path.join(outDir, 'first')).sort();
    const refused = await finished(ok<{ taskId: string }>(await ws.call('export.start', { spec })).taskId);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('ALREADY_EXISTS');
      expect(refused.error.message).toContain(path.join(outDir, 'first'));
    }
    expect(fs.readdirSync(path.join(outDir, 'first')).sort()).toEqual(before);
    const replaced = await finished(ok<{ taskId: string }>(await ws.call('export.start', { spec: { ...spec, overwrite: true } })).taskId);
    expect(replaced.ok && replaced.kind === 'export' && replaced.result.frames).toBe(10);
    expect(fs.readdirSync(path.join(outDir, 'first')).some((f) => f.endsWith('.jpg'))).toBe(false);
  });

  it('cancels a running export: CANCELLED, and nothing of it is kept', async () => {
    const spec = { format: 'coco', outDir, name: 'cancelled', images: 'png', selection: { verified: true, corrected: true, machineMinScore: 0 } };
    const { taskId } = ok<{ taskId: string }>(await ws.call('export.start', { spec }));
    ok(await ws.call('export.cancel', { taskId }));
    const end = await finished(taskId);
    expect(end.ok).toBe(false);
    if (!end.ok) expect(end.error.code).toBe('CANCELLED');
    expect(fs.existsSync(path.join(outDir, 'cancelled'))).toBe(false);
    expect(fs.readdirSync(outDir).filter((f) => f.includes('cancelled'))).toEqual([]);
    // a finished task cannot be cancelled
    const again = await ws.call('export.cancel', { taskId });
    expect(!again.ok && again.error.code).toBe('NOT_FOUND');
  });

  it('saves and reads presets, and edits the Cityscapes table', async () => {
    const spec = { format: 'cityscapes', outDir, name: 'cs', selection: { verified: true } };
    ok(await ws.call('export.presetSave', { name: 'val set', spec }));
    expect(Object.keys(ok<Record<string, unknown>>(await ws.call('export.presetList')))).toEqual(['val set']);
    expect(ok<{ images: boolean }>(await ws.call('export.presetGet', { name: 'val set' })).images).toBe(true);
    const missing = await ws.call('export.presetGet', { name: 'nope' });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');

    const labels = ok<Array<{ name: string; id: number }>>(await ws.call('export.cityscapesLabels'));
    expect(labels.find((l) => l.name === 'bicycle')?.id).toBe(33);
    const mapped = ok<Array<{ classId: number; cityscapesId: number | null; from: string | null }>>(
      await ws.call('export.cityscapesMappingSet', { entries: { [project.classes.car]: 'truck' } }),
    );
    expect(mapped.find((m) => m.classId === project.classes.car)).toMatchObject({ cityscapesId: 27, from: 'table' });
    expect(mapped.find((m) => m.classId === project.classes.person)).toMatchObject({ cityscapesId: 24, from: 'name' });
    const bad = await ws.call('export.cityscapesMappingSet', { entries: { [project.classes.car]: 'spaceship' } });
    expect(!bad.ok && bad.error.message).toContain('"spaceship" is not a Cityscapes label');
    expect(ok<Array<{ classId: number; cityscapesId: number }>>(await ws.call('export.cityscapesMapping')).find((m) => m.classId === project.classes.car)?.cityscapesId).toBe(27);
  });

  it('imports a small COCO file as pre-labels, skipping the frames a person verified or edited', async () => {
    const file = path.join(dir, 'pre-labels.json');
    const images = [3, 12, 50, 51].map((f) => ({ id: 100 + f, file_name: `frame_${String(f).padStart(6, '0')}.jpg`, width: 320, height: 240 }));
    const annotations = [
      ...images.map((im, i) => ({ id: i + 1, image_id: im.id, category_id: 1, bbox: [10, 10, 40, 80], area: 3200, iscrowd: 0, score: 0.9 })),
      { id: 99, image_id: 150, category_id: 1, bbox: [200, 10, 30, 30], area: 900, iscrowd: 0, score: 0.1 },
    ];
    fs.writeFileSync(file, JSON.stringify({ images, annotations, categories: [{ id: 1, name: 'person' }] }));
    const result = ok<ImportResult>(await ws.call('import.coco', { file, videoId: project.videoId, match: 'file-name', minScore: 0.5 }));
    expect(result.kind).toBe('dataset');
    expect(result.framesWritten).toBe(2); // 50 and 51
    expect(result.annotations).toBe(4); // read at or above the minimum score: the 0.1 one is left out
    expect(result.skipped).toEqual([
      { frameIdx: 3, reason: 'verified' },
      { frameIdx: 12, reason: 'human-edited' },
    ]);
    const state = async (index: number) => ok<{ state: string }>(await ws.call('frame.info', { videoId: project.videoId, index })).state;
    expect([await state(3), await state(12), await state(50), await state(51)]).toEqual(['verified', 'corrected', 'predicted', 'predicted']);
    // a broken file: every problem named, nothing imported
    fs.writeFileSync(file, JSON.stringify({ images: [{ id: 1, file_name: 'x.jpg' }], annotations: [{ id: 1, image_id: 7, category_id: 1, bbox: [0, 0, 1] }], categories: [{ id: 1, name: 'person' }] }));
    const bad = await ws.call('import.coco', { file, videoId: project.videoId });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('INVALID_INPUT');
      expect(bad.error.message).toContain(file);
      expect((bad.error.details?.problems as string[]).length).toBeGreaterThan(0);
    }
  });

  it('cancels a running export when the project is closed, keeping nothing', async () => {
    const spec = { format: 'coco', outDir, name: 'closed-under-it', images: 'png', selection: { verified: true, corrected: true, machineMinScore: 0 } };
    const { taskId } = ok<{ taskId: string }>(await ws.call('export.start', { spec }));
    ok(await ws.call('project.close'));
    const end = await finished(taskId);
    expect(!end.ok && end.error.code).toBe('CANCELLED');
    expect(fs.readdirSync(outDir).filter((f) => f.includes('closed-under-it'))).toEqual([]);
    ok(await ws.call('project.open', { path: project.file }));
  });
});
