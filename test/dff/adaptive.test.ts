/**
 * Adaptive key frames through the whole engine on a generated clip: the key-rate budget, the per-frame
 * flow/scale summaries in frame_stats, and a cancelled run resumed at the key it had.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameStats } from '../../electron/core/dff/frame-stats';
import { resumeRun, startRun, type RunHandle } from '../../electron/core/dff/engine';
import { MAX_DEBT, MAX_SPARE } from '../../electron/core/dff/schedule';
import type { ProjectStore } from '../../electron/core/store';
import { agreement, havePack, noPackReason, packDir, paintMasks, projectWith, tempDir, worldClip } from './helpers';

const FRAMES = 40;
const K = 5;

if (!havePack) console.warn(`test/dff/adaptive.test.ts skipped: ${noPackReason}`);

describe.skipIf(!havePack)('adaptive key frames', () => {
  let dir: string;
  let clip: { dir: string; video: string };
  const stores: ProjectStore[] = [];
  beforeAll(async () => {
    dir = tempDir('adaptive');
    clip = await worldClip(FRAMES);
  });
  afterAll(() => {
    for (const s of stores) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const project = async (name: string) => {
    const p = await projectWith(dir, clip.video, name);
    stores.push(p.store);
    return p;
  };
  const keysOf = (store: ProjectStore, videoId: number) => store.listFrames(videoId).filter((f) => f.dffKey).map((f) => f.idx);
  const mapsOf = (store: ProjectStore, videoId: number) =>
    Array.from({ length: FRAMES }, (_, i) => paintMasks(store.listAnnotations(videoId, i), 192, 320));

  let whole: { store: ProjectStore; videoId: number; runId: number; keys: number[] } | null = null;

  it('keeps the key rate at 1/k within the budget, and records every frame’s key, flow, scale and confidence', async () => {
    const { store, video } = await project('whole');
    const handle = await startRun(store, { videoId: video.id, packDir, mode: { kind: 'adaptive', k: K }, threads: 1 });
    expect((await handle.done).status).toBe('done');
    const keys = keysOf(store, video.id);
    whole = { store, videoId: video.id, runId: handle.runId, keys };
    expect(keys.some((x) => x % K !== 0)).toBe(true); // promoted by what the frames show, not by index alone
    expect(keys[0]).toBe(0);
    expect(Math.abs(keys.length - FRAMES / K)).toBeLessThanOrEqual(MAX_SPARE + MAX_DEBT);
    const gaps = keys.slice(1).map((x, j) => x - keys[j]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual((1 + MAX_SPARE + MAX_DEBT) * K);
    expect(store.getRun(handle.runId).params).toMatchObject({ mode: { kind: 'adaptive', k: K } });

    const stats = frameStats(store, video.id);
    expect(stats.map((s) => s.frameIdx)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
    const frames = store.listFrames(video.id);
    for (const s of stats) {
      const f = frames[s.frameIdx]!;
      expect(s.runId).toBe(handle.runId);
      expect(s.keyIdx).toBe(Math.max(...keys.filter((x) => x <= s.frameIdx)));
      expect(s.confidence).toBeCloseTo(f.score!, 9);
      if (f.dffKey) expect(s).toMatchObject({ flowMeanPx: 0, flowMaxPx: 0, scaleMean: 1, scaleStd: 0 });
      else {
        expect(s.flowMaxPx!).toBeGreaterThanOrEqual(s.flowMeanPx!);
        expect(s.flowMeanPx!).toBeGreaterThan(0);
        expect(s.scaleStd!).toBeGreaterThan(0);
      }
    }
    expect(frameStats(store, video.id, 10, 12).map((s) => s.frameIdx)).toEqual([10, 11]);
    expect(() => frameStats(store, video.id, 5, FRAMES + 1)).toThrow(/Frames \[5, 41\) are not a range of video \d+, which has 40 frames/);
  });

  it('a cancelled adaptive run resumes at the key it had and writes what an uninterrupted run writes', async () => {
    expect(whole).not.toBeNull();
    const { store, video } = await project('resume');
    // stop 2 frames past a key that is no multiple of k (promoted), so the resumed run must rebuild it
    const stopAt = whole!.keys.find((x) => x >= 12 && x % K !== 0)! + 2;
    let handle: RunHandle | null = null;
    handle = await startRun(store, { videoId: video.id, packDir, mode: { kind: 'adaptive', k: K }, threads: 1 }, {
      batchFrames: 1,
      onProgress: (p) => {
        if (p.done >= stopAt) handle?.cancel();
      },
    });
    const stopped = await handle.done;
    expect(stopped.status).toBe('cancelled');
    expect(stopped.done).toBeLessThan(FRAMES);
    const resumed = await resumeRun(store, handle.runId);
    expect(await resumed.done).toMatchObject({ status: 'done', done: FRAMES, written: FRAMES - stopped.done });
    expect(keysOf(store, video.id)).toEqual(whole!.keys);
    const a = mapsOf(store, video.id);
    const b = mapsOf(whole!.store, whole!.videoId);
    expect(a.map((m, i) => agreement(m, b[i]!))).toEqual(a.map(() => 1));
    expect(frameStats(store, video.id).map((s) => s.keyIdx)).toEqual(frameStats(whole!.store, whole!.videoId).map((s) => s.keyIdx));
  });
});
