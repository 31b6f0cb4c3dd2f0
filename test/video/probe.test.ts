import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeVideo } from '../../electron/core/video/probe';
import { countDecodedFrames, fixture, fixtureDir, imageFolder } from '../support/videos';
import { errorAsUnprivileged, expectAppError } from './helpers';

describe('probeVideo', () => {
  it('reads a constant-rate H.264 mp4: size, codec, rate, pts and keyframes from its packets', async () => {
    const info = await probeVideo(await fixture('cfr.mp4'));
    expect(info).toMatchObject({
      kind: 'video',
      width: 320,
      height: 240,
      codec: 'h264',
      pixFmt: 'yuv420p',
      frameCount: 90,
      frameRate: 25,
      declaredFrameCount: 90,
      indexedBy: 'packets',
      truncated: false,
      variableFrameRate: false,
      startTime: 0,
      decodeFormat: 'yuv420p',
      ptsOrdered: true,
      seekable: true,
    });
    expect(info.duration).toBeCloseTo(3.6, 6);
    expect(info.keyframes).toEqual([0, 30, 60]);
    // B-frames arrive in decode order; the index is in presentation order, evenly spaced.
    const tick = (info.timeBase.den / info.timeBase.num) / 25;
    expect(info.pts).toEqual(info.pts.map((_, i) => info.pts[0]! + i * tick));
    expect(info.reorderDelay).toBeGreaterThan(0);
  });

  it('keeps the uneven timestamps of a variable-rate video, in presentation order', async () => {
    for (const name of ['vfr.mp4', 'vfr.mkv'] as const) {
      const file = await fixture(name);
      const info = await probeVideo(file);
      const gaps = info.pts.slice(1).map((p, i) => p - info.pts[i]!);
      expect(gaps.every((g) => g > 0), name).toBe(true);
      expect(new Set(gaps).size, `${name} gaps ${gaps.join(',')}`).toBeGreaterThan(5);
      expect(info.variableFrameRate, name).toBe(true);
      // Seconds of the generator's expression: frame 1 at 61 ms, frame 2 at 122 ms, frame 3 at 125 ms.
      const ms = info.pts.slice(0, 4).map((p) => Math.round(((p - info.pts[0]!) * 1000 * info.timeBase.num) / info.timeBase.den));
      expect(ms, name).toEqual([0, 61, 122, 125]);
      expect(info.frameCount, name).toBe(await countDecodedFrames(file));
    }
  });

  it('drops the frame an mp4 edit list hides at the end of a VFR clip (discard flag)', async () => {
    const info = await probeVideo(await fixture('vfr.mp4'));
    expect(info.declaredFrameCount).toBe(60);
    expect(info.frameCount).toBe(59);
    expect(info.indexedBy).toBe('packets');
  });

  it('finds the two keyframes of a 250-frame GOP', async () => {
    const info = await probeVideo(await fixture('long-gop.mp4'));
    expect(info.frameCount).toBe(300);
    expect(info.keyframes).toEqual([0, 250]);
  });

  it('indexes an edit-listed mp4 (pre-roll hidden) by decoding: frame 0 is not a keyframe', async () => {
    const file = await fixture('edit-list.mp4');
    const info = await probeVideo(file);
    expect(info.indexedBy).toBe('decoding');
    expect(info.frameCount).toBe(await countDecodedFrames(file));
    expect(info.frameCount).toBeLessThan(info.declaredFrameCount!);
    expect(info.keyframes[0]).toBeGreaterThan(0);
    expect(info.startTime).toBe(0);
  });

  it('keeps a non-zero start time', async () => {
    const info = await probeVideo(await fixture('offset.mkv'));
    expect(info.startTime).toBeCloseTo(7.5, 3);
    expect(info.frameCount).toBe(50);
    expect(info.indexedBy).toBe('packets');
  });

  it('indexes MPEG-4 part 2 with packed B-frames in AVI by decoding, since packets are not frames', async () => {
    const file = await fixture('mpeg4.avi');
    const info = await probeVideo(file);
    expect(info.indexedBy).toBe('decoding');
    expect(info.frameCount).toBe(50);
    expect(info.frameCount).toBe(await countDecodedFrames(file));
  });

  it('reports the decoded size of a rotated video and the layouts of other formats', async () => {
    const rotated = await probeVideo(await fixture('rotated.mp4'));
    expect([rotated.width, rotated.height, rotated.codedWidth, rotated.codedHeight, rotated.rotation]).toEqual([240, 320, 320, 240, 90]);
    const odd420 = await probeVideo(await fixture('odd-420.mkv'));
    expect([odd420.width, odd420.height, odd420.decodeFormat, odd420.codec]).toEqual([321, 241, 'yuv420p', 'ffv1']);
    const odd444 = await probeVideo(await fixture('odd-444.mp4'));
    expect([odd444.width, odd444.height, odd444.decodeFormat]).toEqual([321, 241, 'rgb24']);
    const mjpeg = await probeVideo(await fixture('mjpeg.mov'));
    expect(mjpeg.colour).toEqual({ matrix: 'bt601', fullRange: true });
    expect(mjpeg.keyframes).toHaveLength(30);
    const vp9 = await probeVideo(await fixture('vp9.webm'));
    expect([vp9.codec, vp9.frameCount, vp9.indexedBy]).toEqual(['vp9', 50, 'packets']);
  });

  it('opens a truncated mp4 whose index is in front with the frames that really decode', async () => {
    const file = await fixture('truncated-front-index.mp4');
    const info = await probeVideo(file);
    expect(info.truncated).toBe(true);
    expect(info.indexedBy).toBe('decoding');
    expect(info.declaredFrameCount).toBe(90);
    expect(info.frameCount).toBeGreaterThan(20);
    expect(info.frameCount).toBeLessThan(90);
    expect(info.frameCount).toBe(await countDecodedFrames(file));
  });

  it('opens an mkv cut short with the frames that really decode', async () => {
    const file = await fixture('truncated.mkv');
    const info = await probeVideo(file);
    expect(info.truncated).toBe(true);
    expect(info.frameCount).toBeLessThan(60);
    expect(info.frameCount).toBe(await countDecodedFrames(file));
  });

  it('rejects a cut mp4 whose index was at the end: TRUNCATED_VIDEO naming the file', async () => {
    const file = await fixture('truncated-end-index.mp4');
    await expectAppError(probeVideo(file), 'TRUNCATED_VIDEO', file);
  });

  it('names the file for missing, non-video, audio-only, empty, still-image and folder inputs', async () => {
    const missing = path.join(fixtureDir, 'no-such-video.mp4');
    await expectAppError(probeVideo(missing), 'NOT_FOUND', missing);

    const text = path.join(fixtureDir, 'notes.mp4');
    fs.writeFileSync(text, 'these are not the frames you are looking for\n'.repeat(50));
    await expectAppError(probeVideo(text), 'NOT_A_VIDEO', text);

    const audio = await fixture('audio-only.m4a');
    await expectAppError(probeVideo(audio), 'NOT_A_VIDEO', /no video stream.*audio/);

    const empty = path.join(fixtureDir, 'empty.mp4');
    fs.writeFileSync(empty, '');
    await expectAppError(probeVideo(empty), 'NOT_A_VIDEO', /empty/);

    const stillDir = path.join(fixtureDir, 'still');
    fs.mkdirSync(stillDir, { recursive: true });
    const still = path.join(stillDir, 'one.png');
    fs.copyFileSync(await firstPng(), still);
    await expectAppError(probeVideo(still), 'NOT_A_VIDEO', /still image/);

    await expectAppError(probeVideo(fixtureDir), 'NOT_A_VIDEO', /folder/);
  });

  it('reports a file without read permission as UNREADABLE, naming it', async () => {
    const file = path.join(fixtureDir, 'locked.mp4');
    fs.copyFileSync(await fixture('cfr.mp4'), file);
    fs.chmodSync(file, 0o000);
    try {
      const result = await errorAsUnprivileged('electron/core/video/probe.ts', 'probeVideo', file);
      expect(result.code).toBe('UNREADABLE');
      expect(result.message).toContain(file);
      expect(result.message).toMatch(/permission denied/);
    } finally {
      fs.chmodSync(file, 0o644);
    }
  });
});

async function firstPng(): Promise<string> {
  return path.join(await imageFolder('probe-still', 1), 'frame_1.png');
}
