import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { getExportPreset, lastExport, saveExportPreset } from '../../electron/core/export/export-spec';
import { runExport } from '../../electron/core/export/run-export';
import { importCoco } from '../../electron/core/import/coco-import';
import { maskArea } from '../../electron/core/masks/rle';
import type { ProjectStore } from '../../electron/core/store';
import { openFrameSource, toRgb } from '../../electron/core/video';
import { addRealVideo, contentOf, expectAppError, labelledProject, newProject, prng, rle, sampleVideo, tempDir } from './helpers';

const open: ProjectStore[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});
const track = <T extends { store: ProjectStore }>(p: T) => (open.push(p.store), p);
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

async function rejects(p: Promise<unknown>, code: string): Promise<Error & { code: string; details?: Record<string, unknown> }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(Error);
  expect((err as { code: string }).code, (err as Error).message).toBe(code);
  return err as Error & { code: string };
}

/** A fresh project with the same video facts and class names, to import into. */
function twin(dir: string, like: ProjectStore) {
  const store = newProject(dir, 'twin');
  open.push(store);
  const v = like.listVideos()[0];
  const video = store.addVideo(sampleVideo({ path: v.path, width: v.width, height: v.height }, v.frameCount));
  for (const c of like.listClasses()) store.addClass({ name: c.name, color: c.color, hasInstances: c.hasInstances });
  return { store, video };
}

describe('COCO export', () => {
  it('writes images, categories, videos and annotations with RLE masks, tracks and areas', async () => {
    const dir = tempDir('coco');
    const { store, video, classes } = track(labelledProject(dir));
    const result = await runExport(store, { format: 'coco', outDir: dir, name: 'ds', images: 'none', selection: { corrected: true } });
    expect(result.dest).toBe(path.join(dir, 'ds'));
    expect(result.frames).toBe(7);
    const coco = readJson(path.join(dir, 'ds/annotations/instances_train.json'));
    expect(fs.existsSync(path.join(dir, 'ds/annotations/instances_val.json'))).toBe(false);
    expect(coco.categories).toEqual([
      { id: classes.person, name: 'person', supercategory: 'thing' },
      { id: classes.car, name: 'car', supercategory: 'thing' },
      { id: classes.road, name: 'road', supercategory: 'stuff' },
    ]);
    expect(coco.videos).toEqual([{ id: video.id, name: 'clip.mp4', width: 40, height: 30, frame_count: 20, fps: 30000 / 1001, actions: [] }]);
    expect(coco.images).toHaveLength(7);
    expect(coco.images[3]).toEqual({ id: 4, file_name: 'clip/000003.jpg', width: 40, height: 30, video_id: video.id, frame_id: 3 });
    expect(coco.annotations).toHaveLength(7 * 3 + 1);
    expect(new Set(coco.annotations.map((a: { id: number }) => a.id)).size).toBe(coco.annotations.length);
    for (const a of coco.annotations) {
      const stored = store.listAnnotations(video.id, coco.images[a.image_id - 1].frame_id).find((s) => s.box.x === a.bbox[0] && s.classId === a.category_id);
      expect(stored, JSON.stringify(a)).toBeDefined();
      expect(a.iscrowd).toBe(0);
      expect(a.bbox).toEqual([stored!.box.x, stored!.box.y, stored!.box.w, stored!.box.h]);
      if (stored!.mask) {
        expect(a.segmentation).toEqual(stored!.mask);
        expect(a.area).toBe(maskArea(stored!.mask));
      } else {
        expect(a.segmentation).toBeUndefined();
        expect(a.area).toBe(5.5 * 4);
      }
    }
    const persons = coco.annotations.filter((a: { category_id: number }) => a.category_id === classes.person);
    expect(new Set(persons.map((a: { track_id: number }) => a.track_id))).toEqual(new Set([1]));
    const cars = coco.annotations.filter((a: { track_id?: number }) => a.track_id === 2);
    expect(new Set(cars.map((a: { instance_id: number }) => a.instance_id)).size).toBe(1);
    expect(cars[0].instance_id).not.toBe(persons[0].instance_id);
    // no temp folder is left beside the export
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    const manifest = readJson(path.join(dir, 'ds/dff-export.json'));
    expect(manifest.frames).toBe(7);
  });

  it('round-trips: export then import gives the same annotations, masks bit-exact, through RLE and through polygons', async () => {
    for (const segmentation of ['rle', 'polygon'] as const) {
      const dir = tempDir('coco-rt');
      const { store, video } = track(labelledProject(dir));
      const selection = { corrected: true, machineMinScore: 0 };
      await runExport(store, { format: 'coco', outDir: dir, name: 'ds', images: 'none', segmentation, selection });
      const coco = readJson(path.join(dir, 'ds/annotations/instances_train.json'));
      if (segmentation === 'polygon') {
        // the ring-shaped car has a hole: COCO polygons cannot hold it, so it stays RLE; the others are polygons
        const kinds = coco.annotations.filter((a: { segmentation?: unknown }) => a.segmentation).map((a: { segmentation: unknown }) => (Array.isArray(a.segmentation) ? 'poly' : 'rle'));
        expect(kinds.filter((k: string) => k === 'rle')).toHaveLength(7);
        expect(kinds.filter((k: string) => k === 'poly')).toHaveLength(7 * 2 + 8);
      }
      const t = twin(dir, store);
      const r = await importCoco(t.store, { file: path.join(dir, 'ds/annotations/instances_train.json'), videoId: t.video.id });
      expect(r.framesWritten).toBe(15);
      expect(r.annotations).toBe(7 * 3 + 1 + 8);
      const names = (s: ProjectStore) => new Map(s.listClasses().map((c) => [c.id, c.name]));
      const before = contentOf(store.listAnnotationsInRange(video.id, 0, 15), names(store));
      const after = contentOf(t.store.listAnnotationsInRange(t.video.id, 0, 15), names(t.store));
      expect(after).toEqual(before);
      for (const a of t.store.listAnnotationsInRange(t.video.id)) expect(a.source).toBe('predicted');
      const run = t.store.getRun(r.runId);
      expect(run.packName).toBe('import:instances_train.json');
      expect(run.status).toBe('done');
    }
  });

  it('writes predictions as a COCO results file with scores, which imports back with the images it refers to', async () => {
    const dir = tempDir('coco-res');
    const { store, video } = track(labelledProject(dir));
    await runExport(store, { format: 'coco', outDir: dir, name: 'ds', images: 'none', predictions: true, selection: { machineMinScore: 0.6 } });
    const results = readJson(path.join(dir, 'ds/annotations/results_train.json'));
    // machine frames 9..14 hold one prediction each; the human rows on verified frames are not predictions
    expect(results).toHaveLength(6);
    expect(results.map((r: { score: number }) => r.score)).toEqual([0.88, 0.87, 0.86, 0.85, 0.84, 0.83].map((s) => expect.closeTo(s, 9)));
    expect(Object.keys(results[0]).sort()).toEqual(['bbox', 'category_id', 'image_id', 'score', 'segmentation']);
    const t = twin(dir, store);
    const r = await importCoco(t.store, {
      file: path.join(dir, 'ds/annotations/results_train.json'),
      imagesFrom: path.join(dir, 'ds/annotations/instances_train.json'),
      videoId: t.video.id,
      minScore: 0.85,
    });
    expect(r.kind).toBe('results');
    expect(r.annotations).toBe(4);
    const got = t.store.listAnnotationsInRange(t.video.id).map((a) => [a.frameIdx, a.score]);
    expect(got).toEqual([9, 10, 11, 12].map((f, k) => [f, expect.closeTo(0.88 - k * 0.01, 9)]));
    const src = store.listAnnotations(video.id, 9)[0];
    expect(t.store.listAnnotations(t.video.id, 9)[0].mask).toEqual(src.mask);
  });

  it('writes frame images (JPEG or PNG) beside the JSON, the PNGs equal to the decoded frames', async () => {
    const dir = tempDir('coco-img');
    const store = newProject(dir);
    open.push(store);
    const video = await addRealVideo(store);
    for (const f of [0, 3, 7]) store.setFrameVerified(video.id, f, true);
    const r = await runExport(store, { format: 'coco', outDir: dir, name: 'png', images: 'png' });
    const name = path.basename(video.path, '.mp4');
    expect(r.files.filter((f) => f.startsWith('images/')).sort()).toEqual([0, 3, 7].map((f) => `images/train/${name}/${String(f).padStart(6, '0')}.png`));
    const source = await openFrameSource(video.path);
    try {
      for (const f of [0, 3, 7]) {
        const png = await sharp(path.join(dir, 'png', r.files[[0, 3, 7].indexOf(f)])).raw().toBuffer();
        expect(png.equals(toRgb(await source.getFrame(f)).data), `frame ${f}`).toBe(true);
      }
    } finally {
      await source.close();
    }
    await runExport(store, { format: 'coco', outDir: dir, name: 'jpg', images: 'jpeg' });
    const meta = await sharp(path.join(dir, `jpg/images/train/${name}/000003.jpg`)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 240]);
  });
});

describe('export settings and faults', () => {
  it('saves the last export and named presets in the project, so the same export can be made again', async () => {
    const dir = tempDir('coco-set');
    const { store } = track(labelledProject(dir));
    const spec = { format: 'coco' as const, outDir: dir, name: 'first', images: 'none' as const, selection: { corrected: true, everyNth: 2 } };
    await runExport(store, spec);
    const last = lastExport(store)!;
    expect(last).toMatchObject({ ...spec, segmentation: 'rle', selection: { corrected: true, everyNth: 2, verified: true } });
    saveExportPreset(store, 'weekly', last);
    const again = await runExport(store, { ...getExportPreset(store, 'weekly'), name: 'second' });
    expect(fs.readFileSync(path.join(dir, 'second/annotations/instances_train.json'), 'utf8').replace(/"date_created":"[^"]+"/, '')).toBe(
      fs.readFileSync(path.join(dir, 'first/annotations/instances_train.json'), 'utf8').replace(/"date_created":"[^"]+"/, ''),
    );
    expect(again.frames).toBe(4);
    expectAppError(() => getExportPreset(store, 'nope'), 'NOT_FOUND');
  });

  it('never overwrites an existing export silently; with overwrite it replaces it whole', async () => {
    const dir = tempDir('coco-exists');
    const { store } = track(labelledProject(dir));
    fs.mkdirSync(path.join(dir, 'ds'));
    fs.writeFileSync(path.join(dir, 'ds/keep.txt'), 'mine');
    const err = await rejects(runExport(store, { format: 'coco', outDir: dir, name: 'ds', images: 'none' }), 'ALREADY_EXISTS');
    expect(err.message).toContain(path.join(dir, 'ds'));
    expect(fs.readdirSync(path.join(dir, 'ds'))).toEqual(['keep.txt']);
    await runExport(store, { format: 'coco', outDir: dir, name: 'ds', images: 'none', overwrite: true });
    expect(fs.readdirSync(path.join(dir, 'ds')).sort()).toEqual(['annotations', 'dff-export.json']);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a cancelled export leaves nothing behind, and says it was cancelled', async () => {
    const dir = tempDir('coco-cancel');
    const { store } = track(labelledProject(dir));
    const controller = new AbortController();
    const seen: number[] = [];
    const err = await rejects(
      runExport(
        store,
        { format: 'coco', outDir: dir, name: 'ds', images: 'none', selection: { corrected: true } },
        {
          signal: controller.signal,
          onProgress: (p) => {
            seen.push(p.done);
            if (p.done >= 1) controller.abort();
          },
        },
      ),
      'CANCELLED',
    );
    expect(err.message).toContain('cancelled');
    expect(seen[0]).toBe(1);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('ds') || f.startsWith('.ds'))).toEqual([]);
  });

  it('refuses an export with nothing selected and bad settings, naming the field', async () => {
    const dir = tempDir('coco-bad');
    const { store } = track(labelledProject(dir));
    const none = await rejects(runExport(store, { format: 'coco', outDir: dir, name: 'ds', selection: { verified: false } }), 'INVALID_INPUT');
    expect(none.message).toContain('No frame matches');
    const bad = await rejects(runExport(store, { format: 'coco', outDir: dir, name: 'a/b' } as never), 'INVALID_INPUT');
    expect(bad.message).toContain('name');
    const q = await rejects(runExport(store, { format: 'coco', outDir: dir, name: 'x', jpegQuality: 0 }), 'INVALID_INPUT');
    expect(q.message).toContain('jpegQuality');
    expect(fs.existsSync(path.join(dir, 'ds'))).toBe(false);
  });

  it('an export folder that is not writable is a WRITE_FAILED that says why', async () => {
    const dir = tempDir('coco-ro');
    const { store } = track(labelledProject(dir));
    fs.writeFileSync(path.join(dir, 'afile'), '');
    const err = await rejects(runExport(store, { format: 'coco', outDir: path.join(dir, 'afile'), name: 'ds', images: 'none' }), 'WRITE_FAILED');
    expect(err.message).toContain(path.join(dir, 'afile'));
  });

  const mountPoint = tempDir('coco-mnt');
  const canMount = (() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mountPoint], { stdio: 'ignore' });
      execFileSync('umount', [mountPoint], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!canMount)(`a read-only folder and a disk that fills up part way: WRITE_FAILED, no half-written export${canMount ? '' : ' (skipped: cannot mount a tmpfs here)'}`, async () => {
    const dir = tempDir('coco-full');
    const { store } = track(labelledProject(dir));
    const spec = { format: 'coco' as const, outDir: mountPoint, name: 'ds', images: 'none' as const, selection: { corrected: true, machineMinScore: 0 } };
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,ro', 'tmpfs', mountPoint]);
    try {
      const ro = await rejects(runExport(store, spec), 'WRITE_FAILED');
      expect(ro.message).toContain('read-only');
    } finally {
      execFileSync('umount', [mountPoint]);
    }
    // 200 frames of noisy masks make a JSON of ~300 KB: a 64 KB disk fills up part way through
    const big = newProject(dir, 'big');
    open.push(big);
    const v = big.addVideo(sampleVideo({ path: path.join(dir, 'big.mp4'), width: 40, height: 30 }, 200));
    const cls = big.addClass({ name: 'thing', color: '#ffffff' }).id;
    const rand = prng(3);
    for (let f = 0; f < 200; f++) big.addHumanAnnotation({ videoId: v.id, frameIdx: f, classId: cls, mask: rle(30, 40, () => rand() < 0.5) });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
    try {
      const full = await rejects(runExport(big, spec), 'WRITE_FAILED');
      expect(full.message).toContain('the disk is full');
      expect(fs.readdirSync(mountPoint)).toEqual([]);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
