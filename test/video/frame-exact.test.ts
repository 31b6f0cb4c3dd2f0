import { describe, expect, it } from 'vitest';
import { pipePixelFormat } from '../../electron/core/video/decode-command';
import { resolveFfmpegTools, toolOnPath } from '../../electron/core/video/ffmpeg-tools';
import { probeVideo } from '../../electron/core/video/probe';
import { runTool } from '../../electron/core/video/run-tool';
import type { VideoInfo } from '../../electron/core/video/media-info';
import { VideoFileSource } from '../../electron/core/video/video-file-source';
import { decodeAllFrames, fixture, type FixtureName, sharedData } from '../support/videos';
import { expectAppError, seededRandom } from './helpers';

/**
 * Frame-exactness: every frame fetched by index, in a random order with backward jumps, keyframe
 * neighbours and the last frame, is byte-identical to the same frame of one plain sequential
 * ffmpeg decode of the whole file (no seeking, no app code).
 */
const VIDEOS: FixtureName[] = [
  'cfr.mp4',
  'long-gop.mp4',
  'low-fps.mp4',
  'vfr.mp4',
  'vfr.mkv',
  'odd-420.mkv',
  'odd-444.mp4',
  'vp9.webm',
  'mpeg4.avi',
  'mjpeg.mov',
  'offset.mkv',
  'edit-list.mp4',
  'rotated.mp4',
  'truncated-front-index.mp4',
  'truncated.mkv',
];

/** Indices that stress seeking: keyframes and their neighbours, both ends, then random jumps. */
function fetchOrder(info: VideoInfo, randomCount: number, seed: number): number[] {
  const n = info.frameCount;
  const rand = seededRandom(seed);
  const around = info.keyframes.flatMap((k) => [k + 1, k - 1, k, k - 2]);
  const random = Array.from({ length: randomCount }, () => Math.floor(rand() * n));
  return [n - 1, ...around, 0, ...random, n - 2, 1].filter((i) => i >= 0 && i < n);
}

function where(frames: Buffer[], data: Buffer): string {
  const at = frames.findIndex((f) => f.equals(data));
  return at < 0 ? 'matches no frame' : `matches frame ${at}`;
}

async function checkExact(file: string, randomCount: number) {
  const source = await VideoFileSource.open(file, { cacheBytes: 0, readAhead: 0 });
  try {
    const { info } = source;
    const reference = await decodeAllFrames(file, pipePixelFormat(info), info.width, info.height);
    expect(info.frameCount, 'index vs plain decode').toBe(reference.length);

    for (const index of fetchOrder(info, randomCount, info.frameCount)) {
      const frame = await source.getFrame(index);
      expect([frame.index, frame.width, frame.height, frame.pts]).toEqual([index, info.width, info.height, info.pts[index]]);
      if (!frame.data.equals(reference[index]!)) {
        expect.fail(`${file}: getFrame(${index}) ${where(reference, frame.data)}`);
      }
    }
    // Stepping forward reads on from the running decoder.
    const startsBefore = source.decoderStarts;
    const from = Math.floor(info.frameCount / 3);
    await source.getFrame(from);
    for (let index = from + 1; index < Math.min(from + 12, info.frameCount); index++) {
      const frame = await source.getFrame(index);
      if (!frame.data.equals(reference[index]!)) expect.fail(`${file}: step to ${index} ${where(reference, frame.data)}`);
    }
    expect(source.decoderStarts - startsBefore, 'decoders started for one seek and 11 steps').toBeLessThanOrEqual(1);

    // One stream over a middle range.
    const start = Math.max(1, Math.floor(info.frameCount / 2) - 3);
    const end = Math.min(info.frameCount, start + 15);
    let next = start;
    for await (const frame of source.frames(start, end)) {
      expect(frame.index).toBe(next);
      if (!frame.data.equals(reference[next]!)) expect.fail(`${file}: frames(${start}, ${end}) at ${next} ${where(reference, frame.data)}`);
      next++;
    }
    expect(next).toBe(end);
  } finally {
    await source.close();
  }
}

describe('frame-exact decoding', () => {
  for (const name of VIDEOS) {
    it(`${name}: getFrame in random order equals one sequential decode`, async () => {
      await checkExact(await fixture(name), 20);
    });
  }

  it('streams every frame of a VFR video once, in order, equal to the plain decode', async () => {
    const file = await fixture('vfr.mkv');
    const source = await VideoFileSource.open(file);
    const reference = await decodeAllFrames(file, 'yuv420p', 320, 240);
    const seen: number[] = [];
    for await (const frame of source.frames()) {
      expect(frame.data.equals(reference[frame.index]!)).toBe(true);
      expect(frame.pts).toBe(source.info.pts[frame.index]);
      seen.push(frame.index);
    }
    expect(seen).toEqual(reference.map((_, i) => i));
    await source.close();
  });

  it('h264.ts: MPEG-TS (start 1.48 s, indexed by decoding) is exact, with the ffprobe on the PATH if the bundled one crashes', async () => {
    const file = await fixture('h264.ts');
    const { ffprobe } = await resolveFfmpegTools();
    const bundledCrashes = (await runTool(ffprobe.path, ['-v', 'error', '-show_format', file])).signal !== null;
    const savedPath = process.env.PATH;
    process.env.PATH = '';
    try {
      if (bundledCrashes) await expectAppError(probeVideo(file), 'TOOL_MISSING', /crashed.*h264\.ts/);
      else expect((await probeVideo(file)).frameCount).toBe(50);
    } finally {
      process.env.PATH = savedPath;
    }
    if (bundledCrashes && !(await toolOnPath('ffprobe'))) return; // nothing to fall back on here
    const info = await probeVideo(file);
    expect([info.indexedBy, info.frameCount]).toEqual(['decoding', 50]);
    expect(info.startTime).toBeGreaterThan(1);
    expect([info.ptsOrdered, info.seekable]).toEqual([true, false]); // TS seeks land past keyframes: decode from the start
    await checkExact(file, 15);
  });

  const bedroom = sharedData('real/bedroom.mp4');
  it.skipIf(!bedroom)(`real H.264 camera video (../shared/data/real/bedroom.mp4)${bedroom ? '' : ': SKIPPED, ../shared/data is absent'}`, async () => {
    await checkExact(bedroom!, 12);
  });
});
