import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importCoco, type ImportInput } from '../../electron/core/import/coco-import';
import { decodeMask, encodeMask } from '../../electron/core/masks/rle';
import type { ProjectStore } from '../../electron/core/store';
import { maskOf, newProject, rle, sampleVideo, tempDir } from '../export/helpers';

const open: ProjectStore[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

/** A 40×30 video of 10 frames, classes person and car. */
function project() {
  const dir = tempDir('import');
  const store = newProject(dir);
  open.push(store);
  const video = store.addVideo(sampleVideo({ path: path.join(dir, 'clip.mp4'), width: 40, height: 30 }, 10));
  const person = store.addClass({ name: 'person', color: '#dc143c' }).id;
  const car = store.addClass({ name: 'car', color: '#00008e' }).id;
  return { dir, store, video, person, car };
}

function dataset(overrides: Record<string, unknown> = {}) {
  return {
    images: [
      { id: 10, file_name: 'clip/000002.jpg', width: 40, height: 30 },
      { id: 11, file_name: 'clip/frame_0005.jpg', width: 40, height: 30 },
    ],
    categories: [
      { id: 1, name: 'Person' },
      { id: 3, name: 'car' },
    ],
    annotations: [
      { id: 1, image_id: 10, category_id: 1, bbox: [2, 3, 10, 12], segmentation: rle(30, 40, (x, y) => x >= 2 && x < 12 && y >= 3 && y < 15), track_id: 4, iscrowd: 0 },
      { id: 2, image_id: 11, category_id: 3, bbox: [20, 5, 6, 4], segmentation: [[20, 5, 26, 5, 26, 9, 20, 9]], iscrowd: 0 },
      { id: 3, image_id: 11, category_id: 1, bbox: [0, 0, 40, 30] },
    ],
    ...overrides,
  };
}

async function importJson(p: ReturnType<typeof project>, json: unknown, extra: Partial<ImportInput> = {}) {
  const file = path.join(p.dir, `in-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
  return importCoco(p.store, { file, videoId: p.video.id, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<Error & { code: string; details?: { problems?: string[] } }> {
  const err = await promise.then(
    () => null,
    (e) => e,
  );
  expect(err, 'expected the import to fail').toBeInstanceOf(Error);
  return err;
}

describe('COCO import', () => {
  it('puts a dataset on the frames its file names name, as predicted rows of an import run', async () => {
    const p = project();
    const r = await importJson(p, dataset());
    expect(r).toMatchObject({ kind: 'dataset', framesWritten: 2, annotations: 3, skipped: [], createdClasses: [] });
    const f2 = p.store.listAnnotations(p.video.id, 2);
    expect(f2).toHaveLength(1);
    expect(f2[0]).toMatchObject({ classId: p.person, trackId: 4, box: { x: 2, y: 3, w: 10, h: 12 }, source: 'predicted', runId: r.runId });
    const f5 = p.store.listAnnotations(p.video.id, 5);
    expect(f5.map((a) => a.classId)).toEqual([p.car, p.person]);
    // the polygon is rasterised at pixel centres: exactly the 6×4 rectangle
    expect(Buffer.from(decodeMask(f5[0].mask!)).equals(Buffer.from(maskOf(30, 40, (x, y) => x >= 20 && x < 26 && y >= 5 && y < 9)))).toBe(true);
    expect(f5[1].mask).toBeNull();
    expect(p.store.getFrame(p.video.id, 5).state).toBe('predicted');
    expect(p.store.getRun(r.runId)).toMatchObject({ packName: expect.stringMatching(/^import:in-.*\.json$/), status: 'done', executionProvider: 'import' });
  });

  it('matches by frame_id when asked, and by file name otherwise', async () => {
    const p = project();
    const json = dataset();
    (json.images[0] as Record<string, unknown>).frame_id = 7;
    await importJson(p, json);
    expect(p.store.listAnnotations(p.video.id, 7)).toHaveLength(1);
    const q = project();
    await importJson(q, json, { match: 'file-name' });
    expect(q.store.listAnnotations(q.video.id, 2)).toHaveLength(1);
    expect(q.store.listAnnotations(q.video.id, 7)).toHaveLength(0);
  });

  it('never overwrites a person: verified and edited frames are skipped and reported', async () => {
    const p = project();
    const mine = p.store.addHumanAnnotation({ videoId: p.video.id, frameIdx: 2, classId: p.car, box: { x: 1, y: 1, w: 2, h: 2 } });
    p.store.setFrameVerified(p.video.id, 5, true);
    const r = await importJson(p, dataset());
    expect(r.framesWritten).toBe(0);
    expect(r.skipped).toEqual([
      { frameIdx: 2, reason: 'human-edited' },
      { frameIdx: 5, reason: 'verified' },
    ]);
    expect(p.store.listAnnotations(p.video.id, 2)).toEqual([mine]);
    expect(p.store.listAnnotations(p.video.id, 5)).toEqual([]);
  });

  it('imports a results file: image_id as the frame index, category_id as the class id, scores kept, low scores left out', async () => {
    const p = project();
    const results = [
      { image_id: 3, category_id: p.person, bbox: [1, 1, 5, 5], score: 0.9 },
      { image_id: 3, category_id: p.car, bbox: [10, 1, 5, 5], score: 0.2 },
      { image_id: 8, category_id: p.car, bbox: [10, 1, 5, 5], score: 0.6, segmentation: encodeMask(maskOf(30, 40, (x, y) => x >= 10 && x < 15 && y >= 1 && y < 6), 30, 40) },
    ];
    const r = await importJson(p, results, { minScore: 0.5 });
    expect(r).toMatchObject({ kind: 'results', framesWritten: 2, annotations: 2 });
    expect(p.store.listAnnotations(p.video.id, 3).map((a) => [a.classId, a.score])).toEqual([[p.person, 0.9]]);
    expect(p.store.getFrame(p.video.id, 8).score).toBe(0.6);
  });

  it('creates missing classes only when asked', async () => {
    const p = project();
    const json = dataset({ categories: [{ id: 1, name: 'person' }, { id: 3, name: 'bicycle' }] });
    const err = await failure(importJson(p, json));
    expect(err.message).toContain('"bicycle" are not classes of this project');
    const r = await importJson(p, json, { createClasses: true });
    expect(r.createdClasses).toEqual(['bicycle']);
    const bicycle = p.store.listClasses().find((c) => c.name === 'bicycle')!;
    expect(p.store.listAnnotations(p.video.id, 5)[0].classId).toBe(bicycle.id);
  });

  it('reports every problem of a bad file with where it is, and imports nothing', async () => {
    const p = project();
    const good = rle(30, 40, (x) => x < 3);
    const json = {
      images: [
        { id: 10, file_name: 'a/000001.jpg', width: 40, height: 30 },
        { id: 10, file_name: 'a/000002.jpg', width: 40, height: 30 },
        { id: 12, file_name: 'a/cover.jpg', width: 40, height: 30 },
        { id: 13, file_name: 'a/000003.jpg', width: 64, height: 30 },
        { id: 14, file_name: 'b/000001.jpg', width: 40, height: 30 },
        { id: 15, file_name: 'a/000099.jpg', width: 40, height: 30 },
      ],
      categories: [{ id: 1, name: 'person' }],
      annotations: [
        { id: 1, image_id: 10, category_id: 1, bbox: [0, 0, 3, 30], segmentation: good },
        { id: 1, image_id: 10, category_id: 1, bbox: [0, 0, 3, 30] },
        { id: 2, image_id: 99, category_id: 1, bbox: [0, 0, 3, 3] },
        { id: 3, image_id: 10, category_id: 7, bbox: [0, 0, 3, 3] },
        { id: 4, image_id: 10, category_id: 1, bbox: [0, 0, 3, 3], segmentation: { size: [30, 40], counts: 'zz!' } },
        { id: 5, image_id: 10, category_id: 1, bbox: [0, 0, 3, 3], segmentation: { size: [20, 40], counts: encodeMask(new Uint8Array(800), 20, 40).counts } },
        { id: 6, image_id: 10, category_id: 1, bbox: [0, 0, 3, 3], segmentation: [[1, 2, 3, 4, 5]] },
        { id: 7, image_id: 10, category_id: 1, bbox: [35, 0, 10, 3] },
        { id: 8, image_id: 10, category_id: 1, bbox: [1, 1, -2, 3] },
        { id: 9, image_id: 10, category_id: 1, segmentation: [[0, 0, 50, 0, 50, 5]] },
      ],
    };
    const before = p.store.listRuns().length;
    const err = await failure(importJson(p, json));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('Nothing was imported');
    const problems = err.details!.problems!;
    const expectProblem = (text: string) => expect(problems.some((x) => x.includes(text)), `${text}\n${problems.join('\n')}`).toBe(true);
    expectProblem('images[1] (id 10): duplicate image id 10 (also images[0] (id 10))');
    expectProblem('annotations[1] (id 1): duplicate annotation id 1 (also annotations[0] (id 1))');
    expectProblem('annotations[8] (id 8): bbox [1,1,-2,3] has a negative width or height');
    expectProblem('annotations[6] (id 6): segmentation polygon 0 has 5 numbers; it needs an even count and at least 3 points');
    expect(problems).toHaveLength(4);
    // the first pass stops at problems of form; fix them and the problems of content come out
    json.images.splice(1, 1);
    json.annotations.splice(1, 1);
    json.annotations = json.annotations.filter((a) => a.id !== 6 && a.id !== 8);
    const err2 = await failure(importJson(p, json));
    const problems2 = err2.details!.problems!;
    const expect2 = (text: string) => expect(problems2.some((x) => x.includes(text)), `${text}\n${problems2.join('\n')}`).toBe(true);
    expect2('images[1] (id 12): file_name "a/cover.jpg" holds no frame number');
    expect2('images[2] (id 13): is 64×30 but clip.mp4 is 40×30');
    expect2('images[3] (id 14): lands on frame 1, like images[0] (id 10)');
    expect2('images[4] (id 15): frame 99 is outside clip.mp4, which has 10 frames');
    expect2('annotations[1] (id 2): image_id 99 is not in images');
    expect2('annotations[2] (id 3): category_id 7 is not in categories');
    expect2(`annotations[3] (id 4): segmentation: mask RLE string has "z" at 0`);
    expect2('annotations[4] (id 5): segmentation RLE is 20×40 (h×w) but the frame is 30×40');
    expect2('annotations[5] (id 7): bbox [35, 0, 10, 3] reaches outside the 40×30 frame');
    expect2('annotations[6] (id 9): segmentation point (50, 0) is outside the 40×30 frame');
    expect(problems2.length).toBe(10);
    // nothing at all was written
    expect(p.store.listRuns()).toHaveLength(before);
    expect(p.store.listAnnotationsInRange(p.video.id)).toEqual([]);
  });

  it('says so for a file that is not JSON, not COCO, or missing', async () => {
    const p = project();
    expect((await failure(importJson(p, '{"images": ['))).message).toMatch(/is not valid JSON/);
    expect((await failure(importJson(p, { images: [] }))).message).toContain('annotations: missing');
    expect((await failure(importJson(p, [{ image_id: 1, category_id: p.car, bbox: [0, 0, 1, 1] }]))).message).toContain('results[0]: a result needs a score');
    const missing = await failure(importCoco(p.store, { file: path.join(p.dir, 'nope.json'), videoId: p.video.id }));
    expect(missing.code).toBe('NOT_FOUND');
    expect((await failure(importJson(p, [], { videoId: 0 }))).message).toContain('videoId');
  });
});
