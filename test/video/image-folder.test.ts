import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageFolderSource } from '../../electron/core/video/image-folder-source';
import { openFrameSource } from '../../electron/core/video/open-frame-source';
import { imageFolder, sharedData } from '../support/videos';
import { errorAsUnprivileged, expectAppError } from './helpers';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-images-'));
fs.chmodSync(scratch, 0o755);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A copy of a generated folder that a test may change. */
function copyOf(dir: string, name: string): string {
  const target = path.join(scratch, name);
  fs.cpSync(dir, target, { recursive: true });
  return target;
}

describe('image folder as a frame source', () => {
  it('orders frames by the number in the name (frame_2 before frame_10) and decodes them to rgb24', async () => {
    const dir = await imageFolder('png12', 12);
    const source = await openFrameSource(dir, { thumbnailDir: path.join(scratch, 'thumbs') });
    expect(source.info.kind).toBe('image-folder');
    expect([source.info.width, source.info.height, source.info.frameCount]).toEqual([160, 120, 12]);
    if (source.info.kind !== 'image-folder') throw new Error('not an image folder');
    expect(source.info.files.map((f) => path.basename(f))).toEqual(Array.from({ length: 12 }, (_, i) => `frame_${i + 1}.png`));
    for (const index of [11, 1, 9, 0]) {
      const frame = await source.getFrame(index);
      const expected = await sharp(path.join(dir, `frame_${index + 1}.png`)).removeAlpha().raw().toBuffer();
      expect([frame.index, frame.format, frame.width, frame.height]).toEqual([index, 'rgb24', 160, 120]);
      expect(frame.data.equals(expected)).toBe(true);
    }
    await expectAppError(source.getFrame(12), 'OUT_OF_RANGE', /Frame 12 .*12 frames/);

    const streamed = [];
    for await (const frame of source.frames(2, 6, { width: 80 })) streamed.push([frame.index, frame.width, frame.height]);
    expect(streamed).toEqual([[2, 80, 60], [3, 80, 60], [4, 80, 60], [5, 80, 60]]);

    const thumbs = await source.thumbnails({ count: 4, width: 40 });
    expect(thumbs.map((t) => [t.index, t.width, t.height])).toEqual([[1, 40, 30], [4, 40, 30], [7, 40, 30], [10, 40, 30]]);
    await source.close();
  });

  it('decodes BMP frames (through ffmpeg) to the same pixels as PNG frames of the same source', async () => {
    const bmp = await ImageFolderSource.open(await imageFolder('bmp5', 5, { ext: 'bmp' }));
    const png = await ImageFolderSource.open(await imageFolder('png12', 12));
    for (const index of [0, 4]) {
      expect((await bmp.getFrame(index)).data.equals((await png.getFrame(index)).data)).toBe(true);
    }
  });

  it('reads 16-bit PNGs as 8-bit RGB', async () => {
    const dir = path.join(scratch, 'deep');
    fs.mkdirSync(dir);
    const pixels = Uint16Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 2731) % 65536);
    await sharp(pixels, { raw: { width: 4, height: 2, channels: 3 } }).toColourspace('rgb16').png().toFile(path.join(dir, 'f_0.png'));
    const meta = await sharp(path.join(dir, 'f_0.png')).metadata();
    expect(meta.depth).toBe('ushort');
    const frame = await (await ImageFolderSource.open(dir)).getFrame(0);
    expect(frame.data.length).toBe(4 * 2 * 3);
    for (let i = 0; i < 24; i++) expect(Math.abs(frame.data[i]! - ((i * 2731) % 65536) / 257)).toBeLessThanOrEqual(1);
  });

  it('names the file and both sizes when one frame differs in size', async () => {
    const dir = copyOf(await imageFolder('png12', 12), 'mixed');
    await sharp({ create: { width: 100, height: 50, channels: 3, background: 'red' } }).png().toFile(path.join(dir, 'frame_7.png'));
    await expectAppError(ImageFolderSource.open(dir), 'INVALID_INPUT', /frame_7\.png is 100×50 .* 160×120/);
  });

  it('rejects an empty folder, one without numbered images, and two files with one number', async () => {
    const empty = path.join(scratch, 'empty');
    fs.mkdirSync(empty);
    await expectAppError(openFrameSource(empty), 'EMPTY_FOLDER', empty);
    const unnumbered = path.join(scratch, 'unnumbered');
    fs.mkdirSync(unnumbered);
    fs.copyFileSync(path.join(await imageFolder('png12', 12), 'frame_1.png'), path.join(unnumbered, 'cover.png'));
    fs.writeFileSync(path.join(unnumbered, 'notes_1.txt'), 'not an image');
    await expectAppError(openFrameSource(unnumbered), 'EMPTY_FOLDER', /no numbered images/);
    const twice = copyOf(await imageFolder('png12', 12), 'twice');
    fs.copyFileSync(path.join(twice, 'frame_3.png'), path.join(twice, 'frame_03.png'));
    await expectAppError(openFrameSource(twice), 'INVALID_INPUT', /frame_03\.png and frame_3\.png both carry frame number 3|frame_3\.png and frame_03\.png/);
    await expectAppError(openFrameSource(path.join(scratch, 'nothing-here')), 'NOT_FOUND');
  });

  it('reports a folder or a frame without read permission as UNREADABLE, naming it', async () => {
    const lockedDir = copyOf(await imageFolder('png12', 12), 'locked-dir');
    fs.chmodSync(lockedDir, 0o000);
    const lockedFile = copyOf(await imageFolder('png12', 12), 'locked-file');
    fs.chmodSync(path.join(lockedFile, 'frame_5.png'), 0o000);
    try {
      const dirResult = await errorAsUnprivileged('electron/core/video/image-folder.ts', 'scanImageFolder', lockedDir);
      expect([dirResult.code, dirResult.message?.includes(lockedDir)]).toEqual(['UNREADABLE', true]);
      const fileResult = await errorAsUnprivileged('electron/core/video/image-folder.ts', 'scanImageFolder', lockedFile);
      expect(fileResult.code).toBe('UNREADABLE');
      expect(fileResult.message).toContain(path.join(lockedFile, 'frame_5.png'));
    } finally {
      fs.chmodSync(lockedDir, 0o755);
    }
  });

  const judo = sharedData('real/judo/images');
  it.skipIf(!judo)(`opens the real judo JPEG sequence${judo ? '' : ': SKIPPED, ../shared/data is absent'}`, async () => {
    const source = await openFrameSource(judo!);
    expect([source.info.frameCount, source.info.width, source.info.height]).toEqual([16, 854, 480]);
    const frame = await source.getFrame(15);
    const expected = await sharp(path.join(judo!, '00015.jpg')).raw().toBuffer();
    expect(frame.data.equals(expected)).toBe(true);
    await source.close();
  });
});
