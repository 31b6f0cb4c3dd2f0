/**
 * Reuse streams: frames decoded into a small ring of buffers, each valid until the next step. Every
 * check hashes a frame at the moment it is yielded, since a reused buffer compared later would
 * show a later frame by design.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpegTools } from '../../electron/core/video/ffmpeg-tools';
import { frameByteLength } from '../../electron/core/video/frame';
import { openFrameSource } from '../../electron/core/video/open-frame-source';
import { type FrameTransport, RawFrameReader } from '../../electron/core/video/raw-frame-reader';
import { VideoFileSource } from '../../electron/core/video/video-file-source';
import { decodeAllFrames, fixture, imageFolder } from '../support/videos';
import { eventually, ffmpegChildren } from './helpers';

const FRAME_BYTES = frameByteLength('yuv420p', 320, 240);
const onLinux = process.platform === 'linux';
const hash = (data: Buffer) => createHash('sha1').update(data).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const openFds = () => fs.readdirSync('/proc/self/fd').length;

let ffmpegPath: string;
let longGop: string;
/** Hashes of every frame of long-gop.mp4 from one plain sequential ffmpeg decode. */
let reference: string[];
beforeAll(async () => {
  ffmpegPath = (await resolveFfmpegTools()).ffmpeg.path;
  longGop = await fixture('long-gop.mp4');
  reference = (await decodeAllFrames(longGop, 'yuv420p', 320, 240)).map(hash);
});

function reusingReader(fifo: boolean): RawFrameReader {
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-i', longGop,
    '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-avioflags', 'direct', 'pipe:1',
  ];
  return new RawFrameReader(ffmpegPath, args, FRAME_BYTES, 'long-gop.mp4 from frame 0', { fifo, reuse: true });
}

describe.each([
  { fifo: true, expected: (process.platform === 'win32' ? 'stdout' : 'fifo') as FrameTransport },
  { fifo: false, expected: 'stdout' as FrameTransport },
])('RawFrameReader with reuse (fifo: $fifo)', ({ fifo, expected }) => {
  it(`delivers every frame byte-exactly from a few recycled buffers over ${expected}`, async () => {
    const r = reusingReader(fifo);
    const seen: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for (let data = await r.next(); data; data = await r.next()) {
      seen.push(hash(data));
      buffers.add(data.buffer);
      expect(data.length).toBe(FRAME_BYTES);
    }
    expect(r.transport).toBe(expected);
    expect(seen.length).toBe(reference.length);
    seen.forEach((h, i) => expect(h, `frame ${i}`).toBe(reference[i]));
    expect(buffers.size).toBeLessThanOrEqual(3);
  });

  it('never overwrites the frame a slow consumer holds, while ffmpeg has time to fill every other buffer', async () => {
    const r = reusingReader(fifo);
    for (let i = 0; i < reference.length; i++) {
      const data = (await r.next())!;
      const before = hash(data);
      if (i < 6 || i % 50 === 0) await sleep(20);
      expect(hash(data), `frame ${i} after the consumer's pause`).toBe(before);
      expect(before, `frame ${i}`).toBe(reference[i]);
    }
    expect(await r.next()).toBe(null);
  });
});

describe('VideoFileSource.frames({ reuse: true })', () => {
  it('yields the frames of a plain sequential decode from a mid-GOP start, and caches none of them', async () => {
    const source = await VideoFileSource.open(longGop);
    const buffers = new Set<ArrayBufferLike>();
    let index = 37;
    for await (const frame of source.frames(37, 300, { reuse: true })) {
      expect([frame.index, frame.format, frame.data.length]).toEqual([index, 'yuv420p', FRAME_BYTES]);
      expect(hash(frame.data), `frame ${index}`).toBe(reference[index]);
      buffers.add(frame.data.buffer);
      if (index < 41) {
        await sleep(20); // a slow consumer: its frame must still be intact afterwards
        expect(hash(frame.data), `frame ${index} after a pause`).toBe(reference[index]);
      }
      index++;
    }
    expect(index).toBe(300);
    expect(buffers.size).toBeLessThanOrEqual(3);
    expect(source.frameCache.size).toBe(0);
    // getFrame still hands out frames of their own, untouched by a later stream.
    const own = await source.getFrame(120);
    for await (const frame of source.frames(100, 140, { reuse: true })) void frame;
    expect(hash(own.data)).toBe(reference[120]);
    await source.close();
  });

  it.runIf(onLinux)('ends ffmpeg and leaks no fd when the consumer breaks off', async () => {
    const source = await VideoFileSource.open(longGop);
    const breakOffAt = async (stop: number) => {
      for await (const frame of source.frames(0, 300, { reuse: true })) {
        if (frame.index === stop) break;
      }
    };
    await breakOffAt(1); // the first stream opens Node's own fds
    expect(await eventually(() => ffmpegChildren().length === 0)).toBe(true);
    const fdsBefore = openFds();
    for (let round = 0; round < 8; round++) {
      await breakOffAt(round * 30 + 3);
      expect(await eventually(() => ffmpegChildren().length === 0), `round ${round}`).toBe(true);
    }
    expect(openFds()).toBe(fdsBefore);
    await source.close();
  });
});

describe('ImageFolderSource.frames({ reuse: true })', () => {
  it('accepts the option and still gives every frame its own buffer', async () => {
    const dir = await imageFolder('png12', 12);
    const source = await openFrameSource(dir, { cacheBytes: 0 });
    const frames = [];
    for await (const frame of source.frames(0, 12, { reuse: true })) frames.push(frame);
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    for (const frame of frames) {
      const expected = await sharp(path.join(dir, `frame_${frame.index + 1}.png`)).removeAlpha().raw().toBuffer();
      expect(frame.data.equals(expected), `frame ${frame.index}`).toBe(true);
    }
    await source.close();
  });
});
