import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveFfmpegTools } from '../../electron/core/video/ffmpeg-tools';
import { frameByteLength, toRgb } from '../../electron/core/video/frame';
import { openFrameSource } from '../../electron/core/video/open-frame-source';
import { VideoFileSource } from '../../electron/core/video/video-file-source';
import { decodeAllFrames, ffmpeg, fixture } from '../support/videos';
import { eventually, expectAppError, ffmpegChildren } from './helpers';

const thumbnailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-thumbs-'));
afterAll(() => fs.rmSync(thumbnailDir, { recursive: true, force: true }));

describe('VideoFileSource', () => {
  it('rejects indices outside [0, frameCount) with OUT_OF_RANGE naming the index and the count', async () => {
    const source = await openFrameSource(await fixture('cfr.mp4'));
    for (const bad of [-1, 90, 1.5, Number.NaN]) {
      await expectAppError(source.getFrame(bad), 'OUT_OF_RANGE', new RegExp(`Frame ${bad} .*cfr\\.mp4.*90 frames`));
    }
    expect(() => source.frames(80, 91)).toThrow(/\[80, 91\).*90 frames/);
    expect(() => source.frames(10, 5)).toThrow(/OUT_OF_RANGE|outside/);
    await source.close();
  });

  it('steps forward on one running decoder, and restarts it only for a jump back or far ahead', async () => {
    const source = await VideoFileSource.open(await fixture('long-gop.mp4'), { cacheBytes: 0, readAhead: 0 });
    await source.getFrame(20);
    for (let i = 21; i <= 60; i++) await source.getFrame(i);
    expect(source.decoderStarts).toBe(1);
    await source.getFrame(70); // ahead, same GOP: reading on beats a seek to keyframe 0
    expect(source.decoderStarts).toBe(1);
    await source.getFrame(10); // backwards: a new decoder
    expect(source.decoderStarts).toBe(2);
    await source.getFrame(260); // into the next GOP, far ahead: seek to keyframe 250
    expect(source.decoderStarts).toBe(3);
    await source.close();
  });

  it('decodes a file without usable timestamps from the start, counting frames', async () => {
    const file = await fixture('cfr.mp4');
    const reference = await decodeAllFrames(file, 'yuv420p', 320, 240);
    const probed = await VideoFileSource.open(file);
    const { ffmpeg: tool } = await resolveFfmpegTools();
    const source = new VideoFileSource({ ...probed.info, seekable: false, ptsOrdered: false }, tool, { cacheBytes: 0 });
    for (const index of [75, 31, 0, 89]) expect((await source.getFrame(index)).data.equals(reference[index]!)).toBe(true);
    let next = 60;
    for await (const frame of source.frames(60, 64)) expect(frame.data.equals(reference[next++]!)).toBe(true);
    await Promise.all([source.close(), probed.close()]);
  });

  it('serves repeated frames from a byte-bounded LRU cache', async () => {
    const file = await fixture('cfr.mp4');
    const frameBytes = frameByteLength('yuv420p', 320, 240);
    const source = await VideoFileSource.open(file, { cacheBytes: 3 * frameBytes, readAhead: 0 });
    const f40 = await source.getFrame(40);
    await source.getFrame(41);
    await source.getFrame(42);
    const starts = source.decoderStarts;
    expect(await source.getFrame(40)).toBe(f40); // a hit: the same object, no decoder
    expect(source.decoderStarts).toBe(starts);
    await source.getFrame(43); // evicts 41, the least recently used
    expect(source.frameCache.bytes).toBeLessThanOrEqual(3 * frameBytes);
    expect([40, 41, 42, 43].map((i) => source.frameCache.has(i))).toEqual([true, false, true, true]);
    await source.close();
  });

  it('reads a few frames ahead while idle so the next step is a cache hit', async () => {
    const source = await VideoFileSource.open(await fixture('cfr.mp4'), { readAhead: 4 });
    await source.getFrame(30);
    expect(await eventually(() => source.frameCache.has(34))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200)); // would it read on past the window?
    expect([31, 32, 33, 34, 35].map((i) => source.frameCache.has(i))).toEqual([true, true, true, true, false]);
    await source.getFrame(31);
    expect(await eventually(() => source.frameCache.has(35))).toBe(true);
    expect(source.decoderStarts).toBe(1);
    await source.close();
  });

  it('answers concurrent requests correctly', async () => {
    const file = await fixture('cfr.mp4');
    const reference = await decodeAllFrames(file, 'yuv420p', 320, 240);
    const source = await VideoFileSource.open(file, { readAhead: 2 });
    const wanted = [70, 3, 71, 45, 3, 89, 0, 46];
    const frames = await Promise.all(wanted.map((i) => source.getFrame(i)));
    frames.forEach((f, k) => {
      expect(f.index).toBe(wanted[k]);
      expect(f.data.equals(reference[wanted[k]!]!)).toBe(true);
    });
    await source.close();
  });

  it('streams downscaled frames frame-exactly from a mid-GOP start', async () => {
    const file = await fixture('cfr.mp4');
    const source = await VideoFileSource.open(file);
    // Reference: plain sequential decode through the same scaler.
    const raw = await ffmpeg(['-i', file, '-vf', 'scale=160:120:flags=area', '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1']);
    const bytes = frameByteLength('yuv420p', 160, 120);
    let index = 37;
    for await (const frame of source.frames(37, 52, { width: 160 })) {
      expect([frame.index, frame.width, frame.height, frame.data.length]).toEqual([index, 160, 120, bytes]);
      expect(frame.data.equals(raw.subarray(index * bytes, (index + 1) * bytes))).toBe(true);
      index++;
    }
    expect(index).toBe(52);
    expect(() => source.frames(0, 5, { width: 0 })).toThrow(/width/);
    await source.close();
  });

  it('streams rgb24 converted by ffmpeg, matching toRgb of the same frames', async () => {
    const file = await fixture('cfr.mp4');
    const source = await VideoFileSource.open(file);
    const reference = await decodeAllFrames(file, 'rgb24', 320, 240);
    let index = 40;
    for await (const frame of source.frames(40, 46, { format: 'rgb24' })) {
      expect([frame.index, frame.format, frame.colour, frame.data.length]).toEqual([index, 'rgb24', undefined, 320 * 240 * 3]);
      const ours = toRgb(await source.getFrame(index)).data;
      let sumRef = 0;
      let sumOurs = 0;
      for (let k = 0; k < frame.data.length; k++) {
        sumRef += Math.abs(frame.data[k]! - reference[index]![k]!);
        sumOurs += Math.abs(frame.data[k]! - ours[k]!);
      }
      expect(sumRef / frame.data.length).toBeLessThan(0.5);
      expect(sumOurs / frame.data.length).toBeLessThan(1.2);
      index++;
    }
    expect(index).toBe(46);
    await source.close();
  });

  it('stops the stream decoder when the consumer breaks off, and close() stops the rest', async () => {
    const source = await VideoFileSource.open(await fixture('long-gop.mp4'));
    for await (const frame of source.frames(0, 300)) {
      if (frame.index === 5) break;
    }
    expect(await eventually(() => ffmpegChildren().length === 0)).toBe(true);
    await source.getFrame(100); // leaves a running decoder behind
    expect(ffmpegChildren().length).toBeGreaterThan(0);
    await source.close();
    expect(await eventually(() => ffmpegChildren().length === 0)).toBe(true);
    await expectAppError(Promise.resolve().then(() => source.getFrame(1)), 'INVALID_INPUT', /closed/);
  });

  it('makes evenly spaced thumbnails in one decoding pass and reuses them from disk', async () => {
    const file = await fixture('long-gop.mp4');
    const source = await VideoFileSource.open(file, { thumbnailDir });
    const thumbs = await source.thumbnails({ count: 10, width: 80 });
    expect(thumbs.map((t) => t.index)).toEqual([15, 45, 75, 105, 135, 165, 195, 225, 255, 285]);
    expect(source.decoderStarts).toBe(1);
    for (const t of thumbs) {
      const meta = await sharp(t.jpeg).metadata();
      expect([meta.format, meta.width, meta.height, t.width, t.height]).toEqual(['jpeg', 80, 60, 80, 60]);
    }
    // Each thumbnail shows its own frame: closest to that frame among its neighbours.
    for (const t of [thumbs[0]!, thumbs[4]!, thumbs[9]!]) {
      const seen = await sharp(t.jpeg).raw().toBuffer();
      const distance = async (i: number) => {
        const rgb = toRgb(await source.getFrame(i));
        const small = await sharp(rgb.data, { raw: { width: 320, height: 240, channels: 3 } }).resize(80, 60).raw().toBuffer();
        return small.reduce((sum, v, k) => sum + Math.abs(v - seen[k]!), 0);
      };
      const own = await distance(t.index);
      expect(own).toBeLessThan(await distance(t.index - 8));
      expect(own).toBeLessThan(await distance(t.index + 8));
    }
    await source.close();

    const again = await VideoFileSource.open(file, { thumbnailDir });
    const cached = await again.thumbnails({ count: 10, width: 80 });
    expect(again.decoderStarts).toBe(0);
    expect(cached.map((t) => t.jpeg.equals(thumbs[cached.indexOf(t)]!.jpeg))).toEqual(thumbs.map(() => true));
    await expectAppError(again.thumbnails({ count: 0 }), 'INVALID_INPUT', /count/);
    await again.close();
  });

  it('decodes 4:4:4 video straight to rgb24 and odd-size 4:2:0 to I420 with rounded-up chroma', async () => {
    const s444 = await openFrameSource(await fixture('odd-444.mp4'));
    const f = await s444.getFrame(7);
    expect([f.format, f.width, f.height, f.data.length]).toEqual(['rgb24', 321, 241, 321 * 241 * 3]);
    expect(toRgb(f)).toBe(f);
    await s444.close();
    const s420 = await openFrameSource(await fixture('odd-420.mkv'));
    const g = await s420.getFrame(7);
    expect([g.format, g.data.length]).toEqual(['yuv420p', 321 * 241 + 2 * 161 * 121]);
    await s420.close();
  });
});
