/**
 * dff.visualise on a generated world clip (exact ground-truth flow) with the real default pack: the flow it
 * returns is the flow network's, in video pixels and closer to the truth than no flow; on a key frame the
 * warp is the identity; the scale field is the network's; the key follows the run that labelled the video;
 * and the call goes through the API contract.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameVisual } from '../../electron/common/visualise-schemas';
import { AppContext } from '../../electron/core/api/context';
import { dispatch } from '../../electron/core/api/handlers';
import { Session } from '../../electron/core/api/session';
import { FeatureCache } from '../../electron/core/dff/feature-cache';
import { keyForFrame } from '../../electron/core/dff/frame-key';
import { fromBase64, visualiseFrame } from '../../electron/core/dff/visualise';
import type { ProjectStore, Video } from '../../electron/core/store';
import { runTool } from '../../electron/core/video/run-tool';
import { resolveFfmpegTools } from '../../electron/core/video/ffmpeg-tools';
import { createWorld } from '../../electron/core/world/world';
import { havePack, noPackReason, packDir, projectWith, tempDir, worldClip } from './helpers';

const W = 320;
const H = 192;
const world = createWorld({ seed: 4242, width: W, height: H, frameCount: 40 });

/** Ground-truth flow (frame -> key) averaged over each cell of the grid, [dx, dy] planes. */
function truthOnGrid(index: number, key: number, gw: number, gh: number): [Float32Array, Float32Array] {
  const gt = world.flowToFrame(index, key);
  const s = W / gw;
  const dx = new Float32Array(gw * gh);
  const dy = new Float32Array(gw * gh);
  for (let Y = 0; Y < gh; Y++) {
    for (let X = 0; X < gw; X++) {
      let u = 0;
      let v = 0;
      for (let y = Y * s; y < (Y + 1) * s; y++) {
        for (let x = X * s; x < (X + 1) * s; x++) {
          u += gt[(y * W + x) * 2]!;
          v += gt[(y * W + x) * 2 + 1]!;
        }
      }
      dx[Y * gw + X] = u / (s * s);
      dy[Y * gw + X] = v / (s * s);
    }
  }
  return [dx, dy];
}

const meanAbs = (a: Float32Array) => a.reduce((s, v) => s + Math.abs(v), 0) / a.length;

describe.skipIf(!havePack)('dff.visualise', () => {
  if (!havePack) console.warn(`skipped: ${noPackReason}`);
  let dir: string;
  let store: ProjectStore;
  let video: Video;
  let clipVideo: string;

  beforeAll(async () => {
    dir = tempDir('visualise');
    clipVideo = (await worldClip(40)).video;
    ({ store, video } = await projectWith(dir, clipVideo));
  });
  afterAll(() => {
    store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const visualise = (index: number, channel = 0, cache: FeatureCache | null = null) =>
    visualiseFrame(store, { videoId: video.id, index, channel, packDir }, { cache });

  it('returns the flow back to the key, closer to the ground truth than no flow at all', async () => {
    let err = 0;
    let zero = 0;
    for (const index of [0, 2, 6, 9]) {
      const v = await visualise(index); // key 4, the middle of frames 0–9: flows to a later and to an earlier key
      expect(v).toMatchObject({ keyIndex: 4, isKey: false, gridWidth: 20, gridHeight: 12, channels: 64 });
      const dx = fromBase64(v.flowDx);
      const dy = fromBase64(v.flowDy);
      const [tx, ty] = truthOnGrid(index, v.keyIndex, v.gridWidth, v.gridHeight);
      for (let p = 0; p < dx.length; p++) {
        err += Math.hypot(dx[p]! - tx[p]!, dy[p]! - ty[p]!);
        zero += Math.hypot(tx[p]!, ty[p]!);
      }
      expect(v.maxFlowPx).toBeCloseTo(Math.max(...dx.map((x, p) => Math.hypot(x, dy[p]!))), 4);
    }
    // The committed pack's flow net is weak (its model card: EPE 5.05 px against 5.19 for zero flow); measured
    // here ~0.86 of zero flow's error. A flip of sign or of units would put it at or above 1.
    expect(err / zero).toBeLessThan(0.95);
  });

  it('gives the flow in video pixels: the same clip at twice the size gets twice the vectors', async () => {
    const { ffmpeg } = await resolveFfmpegTools({});
    const big = path.join(dir, 'made', 'big.mp4');
    fs.mkdirSync(path.dirname(big), { recursive: true });
    const made = await runTool(ffmpeg.path, ['-v', 'error', '-i', clipVideo, '-frames:v', '10', '-vf', 'scale=640:384:flags=bicubic', '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv420p', big]);
    expect(made.code, made.stderr).toBe(0);
    const other = await projectWith(dir, big, 'big');
    try {
      const small = await visualise(6);
      const large = await visualiseFrame(other.store, { videoId: other.video.id, index: 6, packDir }, { cache: null });
      expect(large.maxFlowPx).toBeGreaterThan(1);
      const a = [...fromBase64(large.flowDx), ...fromBase64(large.flowDy)];
      const b = [...fromBase64(small.flowDx), ...fromBase64(small.flowDy)];
      const ratio = a.reduce((s, x, i) => s + x * b[i]!, 0) / b.reduce((s, x) => s + x * x, 0); // least-squares a ≈ ratio·b
      expect(ratio).toBeGreaterThan(1.7);
      expect(ratio).toBeLessThan(2.3);
    } finally {
      other.store.close();
    }
  });

  it('on a key frame puts the key features through the warp graph unchanged; elsewhere the scale is the flow net’s', async () => {
    let size = 0;
    let keyError = 0;
    let laterError = 0;
    for (const channel of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const key = await visualise(14, channel);
      expect(key).toMatchObject({ index: 14, keyIndex: 14, isKey: true, channel });
      expect(key).toMatchObject({ maxFlowPx: 0, scale: { min: 1, max: 1 } });
      expect(fromBase64(key.keyFeature.data)).toEqual(fromBase64(key.currentFeature.data));
      size += meanAbs(fromBase64(key.currentFeature.data));
      keyError += meanAbs(fromBase64(key.warpError.data));
      const later = await visualise(19, channel);
      expect(later.keyIndex).toBe(14);
      laterError += meanAbs(fromBase64(later.warpError.data));
      // warpError is |warped − current| cell by cell
      const [w, c, e] = [later.warpedFeature, later.currentFeature, later.warpError].map((g) => fromBase64(g.data));
      e!.forEach((x, p) => expect(x).toBeCloseTo(Math.abs(w![p]! - c![p]!), 5));
      // the trained scale field is not the constant 1 of an untrained FlowNet
      expect(later.scale.max - later.scale.min).toBeGreaterThan(0.05);
      expect(later.scale.min).toBe(Math.min(...fromBase64(later.scale.data)));
    }
    expect(keyError).toBeLessThan(1e-4 * size); // a grid off by half a cell would show here
    expect(laterError).toBeGreaterThan(0.1 * size);
  });

  it('refuses a channel outside the pack, naming the range', async () => {
    await expect(visualise(3, 64)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('0–63') });
  });

  it('takes the key from the run that labelled the video: its per-frame record, fixed k, baseline, or the frames it marked', () => {
    expect(keyForFrame(store, video.id, 13, 10)).toEqual({ keyIndex: 14, run: null });
    const run = (params: unknown) => store.createRun({ packName: 'default', packPath: packDir, packHash: 'sha256:x', params, executionProvider: 'cpu' });
    const fixed = run({ videoId: video.id, from: 2, to: 40, mode: { kind: 'fixed', k: 4 } });
    expect(keyForFrame(store, video.id, 13, 10)).toMatchObject({ keyIndex: 11, run: { id: fixed.id } }); // frames 10–13
    const adaptive = run({ videoId: video.id, from: 0, to: 40, mode: { kind: 'adaptive', k: 10 } });
    store.writeMachineResults(adaptive.id, video.id, [
      { frameIdx: 7, state: 'predicted', score: null, dffKey: true, annotations: [] },
      { frameIdx: 8, state: 'propagated', score: null, dffKey: false, annotations: [] },
    ]);
    expect(keyForFrame(store, video.id, 8, 10)).toMatchObject({ keyIndex: 7, run: { id: adaptive.id } });
    // frame 13 was not written by the adaptive run: the latest run covering it (adaptive, no key marked
    // after 7 in its frames) still decides
    expect(keyForFrame(store, video.id, 13, 10)).toMatchObject({ keyIndex: 7, run: { id: adaptive.id } });
    const baseline = run({ videoId: video.id, from: 0, to: 40, mode: { kind: 'baseline' } });
    expect(keyForFrame(store, video.id, 13, 10)).toMatchObject({ keyIndex: 13, run: { id: baseline.id } });
    expect(keyForFrame(store, video.id, 8, 10).keyIndex).toBe(7); // frame 8 remembers the run that wrote it
    // what the engine recorded per frame (frame_stats) comes first: an adaptive key is exact there
    const none = { flowMeanPx: null, flowMaxPx: null, scaleMean: null, scaleStd: null, confidence: null };
    store.writeFrameStats(adaptive.id, video.id, [{ frameIdx: 15, keyIdx: 12, ...none }]);
    expect(keyForFrame(store, video.id, 15, 10)).toMatchObject({ keyIndex: 12, run: { id: adaptive.id } });
    for (const r of [fixed, adaptive, baseline]) store.updateRun(r.id, { status: 'done' });
  });

  it('writes the key features it computes into the cache, and answers the same from it', async () => {
    const cache = new FeatureCache(path.join(dir, 'features'));
    const first = await visualise(25, 2, cache);
    expect(cache.sizeBytes()).toBe(16 + 64 * 12 * 20 * 4);
    const again = await visualise(25, 2, cache);
    expect(again).toEqual(first);
  });
});

describe.skipIf(!havePack)('dff.visualise through the API', () => {
  it('validates its input and answers with the contract’s shape', async () => {
    const dir = tempDir('visualise-api');
    const session = new Session(new AppContext(dir), { kind: 'browser' }, () => undefined);
    try {
      const clip = (await worldClip(40)).video;
      await session.openProject(path.join(dir, 'p.dffproj'), { create: true });
      const video = await session.addVideo(clip);
      const r = await dispatch(session, 'dff.visualise', { videoId: video.id, index: 7 });
      expect(r.ok).toBe(true);
      const v = (r as { value: FrameVisual }).value;
      expect(v).toMatchObject({ videoId: video.id, index: 7, keyIndex: 4, channel: 0, isKey: false });
      expect(fromBase64(v.flowDx)).toHaveLength(v.gridWidth * v.gridHeight);
      expect(fs.readdirSync(path.join(dir, 'cache', 'features'))).toHaveLength(1); // the key's features, under the app home
      const bad = await dispatch(session, 'dff.visualise', { videoId: video.id, index: 4, channel: 99 });
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('0–63') } });
      const missing = await dispatch(session, 'dff.visualise', { videoId: video.id, index: 400 });
      expect(missing).toMatchObject({ ok: false, error: { code: 'OUT_OF_RANGE' } });
    } finally {
      await session.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
