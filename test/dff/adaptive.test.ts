/**
 * Adaptive key frames through the whole engine on a generated clip: the planned segments (fixed k's key
 * count, keys in their middles), the per-frame flow/scale summaries in frame_stats, and a cancelled run
 * resumed with the plan it had.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameStats } from '../../electron/core/dff/frame-stats';
import { resumeRun, startRun, type RunHandle } from '../../electron/core/dff/engine';
import { keyPlan, MAX_SEGMENT_K } from '../../electron/core/dff/schedule';
import type { RunParams, RunProgress } from '../../electron/core/dff/types';
import type { ProjectStore } from '../../electron/core/store';
import { ffmpeg } from '../support/videos';
import { agreement, havePack, noPackReason, packDir, paintMasks, projectWith, tempDir, worldClip } from './helpers';

const FRAMES = 40;
/** The fast frames of the clip. */
const BURST = [15, 25];
const K = 5;

if (!havePack) console.warn(`test/dff/adaptive.test.ts skipped: ${noPackReason}`);

describe.skipIf(!havePack)('adaptive key frames', () => {
  let dir: string;
  let clip: { dir: string; video: string };
  const stores: ProjectStore[] = [];
  beforeAll(async () => {
    dir = tempDir('adaptive');
    // a clip whose middle moves 4× faster: frames 0–14 and 55–69 of a world clip as they are, every 4th of 15–54
    const source = await worldClip(70);
    clip = { dir, video: path.join(dir, 'burst.mp4') };
    const select = `select='lt(n\\,15)+gte(n\\,55)+between(n\\,15\\,54)*not(mod(n-15\\,4))',setpts=N/FRAME_RATE/TB`;
    await ffmpeg(['-i', source.video, '-vf', select, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip.video]);
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

  it('plans fixed k’s key count where the clip moves, keys each segment in its middle, and records every frame’s key, flow, scale and confidence', async () => {
    const { store, video } = await project('whole');
    const progress: RunProgress[] = [];
    const handle = await startRun(store, { videoId: video.id, packDir, mode: { kind: 'adaptive', k: K }, threads: 1 }, { batchMs: 4, onProgress: (p) => progress.push(p) });
    expect((await handle.done).status).toBe('done');
    // the first pass reports itself as 'planning', before any frame is labelled
    const planning = progress.filter((p) => p.phase === 'planning');
    expect(planning.length).toBeGreaterThan(0);
    expect(planning.every((p) => p.total === FRAMES && p.done > 0 && p.done <= FRAMES)).toBe(true);
    expect(progress.findIndex((p) => p.phase === 'frames')).toBeGreaterThan(progress.findLastIndex((p) => p.phase === 'planning'));
    expect(progress.at(-1)).toMatchObject({ phase: 'frames', done: FRAMES });
    const keys = keysOf(store, video.id);
    whole = { store, videoId: video.id, runId: handle.runId, keys };
    const params = store.getRun(handle.runId).params as RunParams;
    expect(params).toMatchObject({ mode: { kind: 'adaptive', k: K } });
    const starts = params.plan!;
    expect(starts.length).toBe(FRAMES / K);
    expect(starts[0]).toBe(0);
    const lengths = starts.map((x, j) => (starts[j + 1] ?? FRAMES) - x);
    const plan0 = keyPlan({ kind: 'adaptive', k: K }, 0, FRAMES, starts);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_SEGMENT_K * K);
    // cut by what the frames show: shorter segments where the clip moves fast
    const meanLength = (inBurst: boolean) => {
      const picked = lengths.filter((_, j) => {
        const key = plan0.segmentAt(starts[j]!).key;
        return (key >= BURST[0]! && key < BURST[1]!) === inBurst;
      });
      return picked.reduce((a, b) => a + b, 0) / picked.length;
    };
    expect(meanLength(true)).toBeLessThan(0.8 * meanLength(false));
    const plan = keyPlan({ kind: 'adaptive', k: K }, 0, FRAMES, starts);
    expect(keys).toEqual(starts.map((x) => plan.segmentAt(x).key));

    const stats = frameStats(store, video.id);
    expect(stats.map((s) => s.frameIdx)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
    const frames = store.listFrames(video.id);
    for (const s of stats) {
      const f = frames[s.frameIdx]!;
      expect(s.runId).toBe(handle.runId);
      expect(s.keyIdx).toBe(plan.segmentAt(s.frameIdx).key);
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

  it('a cancelled adaptive run resumes with the plan it had and writes what an uninterrupted run writes', async () => {
    expect(whole).not.toBeNull();
    const { store, video } = await project('resume');
    // stop between a segment's first frame and its key, so the resumed run must rebuild that key from frames it skips
    const starts = (whole!.store.getRun(whole!.runId).params as RunParams).plan!;
    const seg = starts.findIndex((x, j) => x >= 12 && whole!.keys[j]! - x >= 1);
    const stopAt = starts[seg]! + 1;
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
