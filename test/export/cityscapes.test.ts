import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { CITYSCAPES_LABELS } from '../../electron/core/export/cityscapes-labels';
import { cityscapesMapping, setCityscapesMapping } from '../../electron/core/export/cityscapes-map';
import { runExport } from '../../electron/core/export/run-export';
import { encodeMask } from '../../electron/core/masks/rle';
import type { ProjectStore } from '../../electron/core/store';
import { addRealVideo, expectAppError, haveJudoMasks, judoMasksDir, labelledProject, maskOf, newProject, readInstanceMasks, rle, sampleVideo, tempDir } from './helpers';

const open: ProjectStore[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

async function grey(file: string, sixteen = false): Promise<Uint16Array | Uint8Array> {
  const meta = await sharp(file).metadata();
  expect(meta.channels).toBe(1);
  expect(meta.depth).toBe(sixteen ? 'ushort' : 'uchar');
  if (!sixteen) return new Uint8Array(await sharp(file).extractChannel(0).raw().toBuffer());
  const data = await sharp(file).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
  return new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
}

describe('Cityscapes export', () => {
  it('has the official 34-class table', () => {
    const pixel = CITYSCAPES_LABELS.filter((l) => l.id >= 0);
    expect(pixel.map((l) => l.id)).toEqual(Array.from({ length: 34 }, (_, i) => i));
    expect(CITYSCAPES_LABELS.find((l) => l.name === 'car')).toMatchObject({ id: 26, trainId: 13, hasInstances: true, color: [0, 0, 142] });
    expect(CITYSCAPES_LABELS.find((l) => l.name === 'road')).toMatchObject({ id: 7, trainId: 0, hasInstances: false, color: [128, 64, 128] });
    expect(pixel.filter((l) => l.hasInstances).map((l) => l.name)).toEqual(['person', 'rider', 'car', 'truck', 'bus', 'caravan', 'trailer', 'train', 'motorcycle', 'bicycle']);
  });

  it('writes labelIds, instanceIds, color and polygons for constructed frames, in the official layout', async () => {
    const dir = tempDir('cs');
    const store = newProject(dir, 'Test City');
    open.push(store);
    const v = store.addVideo(sampleVideo({ path: path.join(dir, 'v.mp4'), width: 12, height: 8 }, 3));
    const judoka = store.addClass({ name: 'judoka', color: '#ff0000' }).id;
    const floor = store.addClass({ name: 'mat', color: '#00ff00', hasInstances: false }).id;
    const car = store.addClass({ name: 'car', color: '#0000ff' }).id;
    setCityscapesMapping(store, { [judoka]: 'person', [floor]: 7 });
    expect(cityscapesMapping(store).map((m) => [m.className, m.cityscapesId, m.from])).toEqual([
      ['judoka', 24, 'table'],
      ['mat', 7, 'table'],
      ['car', 26, 'name'],
    ]);
    const add = (classId: number, inside: (x: number, y: number) => boolean) => store.addHumanAnnotation({ videoId: v.id, frameIdx: 1, classId, mask: rle(8, 12, inside) });
    add(floor, (_x, y) => y >= 6); // rows 6–7
    add(judoka, (x, y) => x < 3 && y < 7); // over the mat at row 6
    add(judoka, (x, y) => x >= 4 && x < 6 && y >= 2 && y < 5);
    add(car, (x, y) => x >= 8 && y >= 1 && y < 4);
    store.setFrameVerified(v.id, 1, true);
    const r = await runExport(store, { format: 'cityscapes', outDir: dir, name: 'cs', images: false });
    const base = 'test-city_000001_000001';
    const gt = `gtFine/train/test-city/${base}_gtFine`;
    expect(r.files.sort()).toEqual([`${gt}_color.png`, `${gt}_instanceIds.png`, `${gt}_labelIds.png`, `${gt}_polygons.json`, 'actions.json', 'dff-export.json'].sort());
    const root = path.join(dir, 'cs');
    const labelIds = await grey(path.join(root, `${gt}_labelIds.png`));
    const instanceIds = await grey(path.join(root, `${gt}_instanceIds.png`), true);
    const at = (a: ArrayLike<number>, x: number, y: number) => a[y * 12 + x];
    expect([at(labelIds, 0, 0), at(labelIds, 0, 6), at(labelIds, 5, 7), at(labelIds, 4, 2), at(labelIds, 9, 2), at(labelIds, 7, 0)]).toEqual([24, 24, 7, 24, 26, 0]);
    expect([at(instanceIds, 0, 0), at(instanceIds, 0, 6), at(instanceIds, 5, 7), at(instanceIds, 4, 2), at(instanceIds, 9, 2), at(instanceIds, 7, 0)]).toEqual([24000, 24000, 7, 24001, 26000, 0]);
    const color = await sharp(path.join(root, `${gt}_color.png`)).raw().toBuffer();
    expect([...color.subarray(0, 3)]).toEqual([220, 20, 60]);
    expect([...color.subarray((7 * 12 + 5) * 3, (7 * 12 + 5) * 3 + 3)]).toEqual([128, 64, 128]);
    expect([...color.subarray(7 * 3, 7 * 3 + 3)]).toEqual([0, 0, 0]);
    const poly = JSON.parse(fs.readFileSync(path.join(root, `${gt}_polygons.json`), 'utf8'));
    expect(poly.imgHeight).toBe(8);
    expect(poly.imgWidth).toBe(12);
    expect(poly.objects).toEqual([
      { label: 'road', polygon: [[0, 6], [12, 6], [12, 8], [0, 8]] },
      { label: 'person', polygon: [[0, 0], [3, 0], [3, 7], [0, 7]] },
      { label: 'person', polygon: [[4, 2], [6, 2], [6, 5], [4, 5]] },
      { label: 'car', polygon: [[8, 1], [12, 1], [12, 4], [8, 4]] },
    ]);
  });

  it('refuses classes with no Cityscapes id, listing them, before writing anything', async () => {
    const dir = tempDir('cs-miss');
    const { store } = labelledProject(dir);
    open.push(store);
    store.addClass({ name: 'kite', color: '#123456' });
    store.updateClass(store.listClasses().find((c) => c.name === 'road')!.id, { name: 'tarmac' });
    const person = store.listClasses().find((c) => c.name === 'person')!.id;
    store.updateClass(person, { name: 'judoka' });
    let err: (Error & { code?: string; details?: Record<string, unknown> }) | undefined;
    await runExport(store, { format: 'cityscapes', outDir: dir, name: 'cs', images: false }).catch((e) => (err = e));
    expect(err?.code).toBe('INVALID_INPUT');
    // 'kite' is not used by any selected frame, so it is not in the list
    expect(err?.message).toContain('These classes have no Cityscapes id: "judoka", "tarmac"');
    expect(err?.details).toEqual({ classes: ['judoka', 'tarmac'] });
    expect(fs.readdirSync(dir).filter((f) => f.includes('cs'))).toEqual([]);
    expectAppError(() => setCityscapesMapping(store, { [person]: 'pedestrian' }), 'INVALID_INPUT');
    expectAppError(() => setCityscapesMapping(store, { [person]: 34 }), 'INVALID_INPUT');
  });

  it('splits into train and val folders and writes the frames as _leftImg8bit.png', async () => {
    const dir = tempDir('cs-img');
    const store = newProject(dir, 'street');
    open.push(store);
    const video = await addRealVideo(store);
    const car = store.addClass({ name: 'car', color: '#0000ff' }).id;
    for (let f = 0; f < 8; f++) {
      store.addHumanAnnotation({ videoId: video.id, frameIdx: f, classId: car, mask: rle(240, 320, (x, y) => x >= f && x < f + 10 && y >= 5 && y < 20) });
      store.setFrameVerified(video.id, f, true);
    }
    const r = await runExport(store, {
      format: 'cityscapes',
      outDir: dir,
      name: 'cs',
      selection: { validation: { by: 'time-block', blockFrames: 2, fraction: 0.5, gapFrames: 1 } },
    });
    // blocks of 2: frames 2–3 and 6–7 are val; 1, 4 and 5 neighbour them and are dropped
    expect(r.framesBySplit).toEqual({ train: 1, val: 4 });
    const left = r.files.filter((f) => f.startsWith('leftImg8bit/')).sort();
    expect(left).toEqual([
      'leftImg8bit/train/street/street_000001_000000_leftImg8bit.png',
      'leftImg8bit/val/street/street_000001_000002_leftImg8bit.png',
      'leftImg8bit/val/street/street_000001_000003_leftImg8bit.png',
      'leftImg8bit/val/street/street_000001_000006_leftImg8bit.png',
      'leftImg8bit/val/street/street_000001_000007_leftImg8bit.png',
    ]);
    const meta = await sharp(path.join(dir, 'cs', left[0])).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 320, 240, 3]);
    expect(fs.existsSync(path.join(dir, 'cs/gtFine/val/street/street_000001_000006_gtFine_instanceIds.png'))).toBe(true);
  });

  it.skipIf(!haveJudoMasks)(
    `carries the real judo masks through the instanceIds PNG and back bit-exact${haveJudoMasks ? '' : ` (skipped: ${judoMasksDir} not found)`}`,
    async () => {
      const dir = tempDir('cs-judo');
      const store = newProject(dir, 'judo');
      open.push(store);
      const person = store.addClass({ name: 'person', color: '#dc143c' }).id;
      const files = fs.readdirSync(judoMasksDir).filter((f) => f.endsWith('.png')).sort();
      const expected: Array<{ base: string; h: number; w: number; masks: Uint8Array[] }> = [];
      for (const file of files) {
        const { h, w, masks } = await readInstanceMasks(path.join(judoMasksDir, file));
        // one video per mask, each the mask's own size (one of the masks is 853 wide)
        const v = store.addVideo(sampleVideo({ path: path.join(dir, file), width: w, height: h }, 1));
        for (const m of masks) store.addHumanAnnotation({ videoId: v.id, frameIdx: 0, classId: person, mask: encodeMask(m, h, w) });
        store.setFrameVerified(v.id, 0, true);
        expected.push({ base: `judo_${String(v.id).padStart(6, '0')}_000000`, h, w, masks });
      }
      await runExport(store, { format: 'cityscapes', outDir: dir, name: 'cs', images: false });
      for (const { base, h, w, masks } of expected) {
        const ids = await grey(path.join(dir, 'cs/gtFine/train/judo', `${base}_gtFine_instanceIds.png`), true);
        expect(ids.length).toBe(h * w);
        masks.forEach((m, n) => {
          // judo instances do not overlap, so each comes back whole as the pixels holding 24000 + n
          const back = maskOf(h, w, (x, y) => ids[y * w + x] === 24000 + n);
          expect(Buffer.from(back).equals(Buffer.from(m)), `${base} instance ${n}`).toBe(true);
        });
        expect(ids.every((v) => v === 0 || (v >= 24000 && v < 24000 + masks.length))).toBe(true);
      }
    },
  );
});
