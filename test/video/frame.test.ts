import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeFrameJpeg, encodeFramePng } from '../../electron/core/video/encode';
import { type Frame, frameByteLength, toRgb } from '../../electron/core/video/frame';
import { FrameCache } from '../../electron/core/video/frame-cache';
import { VideoFileSource } from '../../electron/core/video/video-file-source';
import { decodeAllFrames, fixture, type FixtureName } from '../support/videos';
import { expectAppError } from './helpers';

/** Largest and mean absolute difference between two RGB buffers. */
function difference(a: Buffer, b: Buffer) {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

describe('toRgb', () => {
  // ffmpeg's own conversion (swscale, BT.601) as the yardstick. Its fast path for even sizes also
  // repeats chroma, so rounding differs by a level or two; for odd sizes it interpolates chroma,
  // which differs more at testsrc's hard colour edges. A wrong matrix, range or plane offset
  // gives mean differences of 10 and more.
  const cases: [FixtureName, string, number][] = [
    ['cfr.mp4', 'limited range, even size', 1.2],
    ['mjpeg.mov', 'full range (yuvj420p)', 1.2],
    ['odd-420.mkv', 'odd size 321×241', 4],
  ];
  for (const [name, what, meanLimit] of cases) {
    it(`matches ffmpeg's rgb24 for ${what}`, async () => {
      const file = await fixture(name);
      const source = await VideoFileSource.open(file);
      const { width, height } = source.info;
      const reference = await decodeAllFrames(file, 'rgb24', width, height);
      for (const index of [0, 7, source.info.frameCount - 1]) {
        const frame = await source.getFrame(index);
        expect(frame.format).toBe('yuv420p');
        const rgb = toRgb(frame);
        expect([rgb.format, rgb.width, rgb.height, rgb.index, rgb.data.length]).toEqual(['rgb24', width, height, index, width * height * 3]);
        const d = difference(rgb.data, reference[index]!);
        expect(d.mean, `${name} frame ${index}`).toBeLessThan(meanLimit);
      }
      await source.close();
    });
  }

  it('uses the BT.709 matrix when the stream says so', () => {
    // Pure red in BT.709 limited range is Y=63 Cb=102 Cr=240; read as BT.601 its red falls to ~233.
    const frame: Frame = {
      index: 0, width: 2, height: 2, pts: 0, time: 0, format: 'yuv420p',
      colour: { matrix: 'bt709', fullRange: false },
      data: Buffer.from([63, 63, 63, 63, 102, 240]),
    };
    const rgb = toRgb(frame).data;
    for (let p = 0; p < 4; p++) {
      expect(rgb[p * 3]).toBeGreaterThanOrEqual(253);
      expect(rgb[p * 3 + 1]).toBeLessThanOrEqual(2);
      expect(rgb[p * 3 + 2]).toBeLessThanOrEqual(2);
    }
    const as601 = toRgb({ ...frame, colour: { matrix: 'bt601', fullRange: false } }).data;
    expect(as601[0]).toBeLessThan(240);
  });

  it('sizes I420 with rounded-up chroma planes', () => {
    expect(frameByteLength('yuv420p', 320, 240)).toBe(320 * 240 * 1.5);
    expect(frameByteLength('yuv420p', 321, 241)).toBe(321 * 241 + 2 * 161 * 121);
    expect(frameByteLength('rgb24', 321, 241)).toBe(321 * 241 * 3);
  });
});

describe('FrameCache', () => {
  const frame = (index: number, bytes: number): Frame => ({
    index, width: 1, height: 1, pts: index, time: 0, format: 'rgb24', data: Buffer.alloc(bytes),
  });

  it('evicts the least recently used frames to stay within its byte budget', () => {
    const cache = new FrameCache(100);
    cache.set(frame(1, 40));
    cache.set(frame(2, 40));
    cache.get(1);
    cache.set(frame(3, 40)); // 120 > 100: evicts 2, the least recently used
    expect([cache.has(1), cache.has(2), cache.has(3), cache.bytes]).toEqual([true, false, true, 80]);
    cache.set(frame(3, 60)); // replacing counts the new size only
    expect(cache.bytes).toBe(100);
    cache.set(frame(4, 101)); // larger than the whole budget: not kept
    expect([cache.has(4), cache.bytes, cache.size]).toEqual([false, 100, 2]);
    const off = new FrameCache(0);
    off.set(frame(1, 1));
    expect(off.size).toBe(0);
  });
});

describe('encodeFrameJpeg / encodeFramePng', () => {
  it('encodes a decoded frame losslessly to PNG and to a JPEG of the same size', async () => {
    const source = await VideoFileSource.open(await fixture('cfr.mp4'));
    const frame = await source.getFrame(12);
    const png = await encodeFramePng(frame);
    const back = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([back.info.width, back.info.height, back.info.channels]).toEqual([320, 240, 3]);
    expect(back.data.equals(toRgb(frame).data)).toBe(true);

    const jpeg = await encodeFrameJpeg(frame, 90);
    const decoded = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([decoded.info.format, decoded.info.width, decoded.info.height]).toEqual(['raw', 320, 240]);
    expect(difference(decoded.data, toRgb(frame).data).mean).toBeLessThan(4);
    expect((await encodeFrameJpeg(frame, 20)).length).toBeLessThan(jpeg.length);
    await expectAppError(encodeFrameJpeg(frame, 0), 'INVALID_INPUT', /quality.*0/);
    await source.close();
  });
});
