/**
 * The DFF engine on a real pack, a real generated video, a real project file: key frames, states and run
 * ids in SQLite, human work left alone, pause/cancel/resume, DFF against the per-frame baseline, and the
 * faults (bad pack, video ending early, corrupt frame, locked database).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumableRuns, resumeRun, startRun, type RunCallbacks } from '../../electron/core/dff/engine';
import { frameStats } from '../../electron/core/dff/frame-stats';
import { readFrames } from '../../electron/core/dff/frame-reader';
import { labelFrame } from '../../electron/core/dff/labels';
import { hashPack, openPack } from '../../electron/core/dff/pack-session';
import type { RunOutcome, RunProgress, RunRequest } from '../../electron/core/dff/types';
import { DffRunner } from '../../electron/core/models/dff-runner';
import { readManifest } from '../../electron/core/models/load-pack';
import { frameToTensor } from '../../electron/core/models/preprocess';
import type { Annotation, ProjectStore } from '../../electron/core/store';
import { openFrameSource } from '../../electron/core/video';
import { ffmpeg } from '../support/videos';
import { agreement, havePack, noPackReason, packDir, paintMasks, projectWith, semanticTruth, tempDir, worldClip } from './helpers';

const FRAMES = 40;
const W = 320;
const H = 192;

if (!havePack) console.warn(`test/dff/engine.test.ts skipped: ${noPackReason}`);

describe.skipIf(!havePack)('DFF engine', () => {
  let dir: string;
  let clip: { dir: string; video: string };
  const stores: ProjectStore[] = [];
  /** Class maps of the uninterrupted DFF k=10 run, by frame (project class ids). */
  const dffMaps: Uint8Array[] = [];

  beforeAll(async () => {
    dir = tempDir('engine');
    clip = await worldClip(FRAMES);
  });
  afterAll(() => {
    for (const s of stores) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function project(name: string, video = clip.video) {
    const p = await projectWith(dir, video, name);
    stores.push(p.store);
    return p;
  }
  const request = (videoId: number, extra: Partial<RunRequest> = {}): RunRequest => ({
    videoId,
    packDir,
    mode: { kind: 'fixed', k: 10 },
    threads: 1,
    ...extra,
  });
  const maps = (store: ProjectStore, videoId: number) =>
    Array.from({ length: FRAMES }, (_, i) => paintMasks(store.listAnnotations(videoId, i), H, W));

  /** The uninterrupted DFF k=10 run that other tests compare with, made once. */
  let reference: Promise<{ store: ProjectStore; videoId: number; runId: number; outcome: RunOutcome; progress: RunProgress[] }> | null = null;
  function dffReference() {
    reference ??= (async () => {
      const { store, video } = await project('dff');
      const progress: RunProgress[] = [];
      const handle = await startRun(store, request(video.id), { onProgress: (p) => progress.push(p), batchFrames: 8, batchMs: 60_000 });
      const outcome = await handle.done;
      dffMaps.push(...maps(store, video.id));
      return { store, videoId: video.id, runId: handle.runId, outcome, progress };
    })();
    return reference;
  }

  it('runs DFF k=10 over the video: a key frame in the middle of every 10, states, scores and run ids in SQLite', async () => {
    const { store, videoId, runId, outcome, progress } = await dffReference();
    const video = { id: videoId };
    const handle = { runId };
    expect(outcome).toMatchObject({ status: 'done', done: FRAMES, total: FRAMES, written: FRAMES, skipped: [], badFrames: [] });

    const frames = store.listFrames(video.id);
    expect(frames.filter((f) => f.dffKey).map((f) => f.idx)).toEqual([4, 14, 24, 34]);
    for (const f of frames) {
      expect(f.state).toBe(f.idx % 10 === 4 ? 'predicted' : 'propagated');
      expect(f.runId).toBe(handle.runId);
      expect(f.score).toBeGreaterThan(0);
      expect(f.score).toBeLessThanOrEqual(1);
    }
    const anns = store.listAnnotationsInRange(video.id);
    expect(anns.length).toBeGreaterThan(FRAMES);
    for (const a of anns) {
      expect(a.runId).toBe(handle.runId);
      expect(a.source).toBe(a.frameIdx % 10 === 4 ? 'predicted' : 'propagated');
      if (a.mask) expect(a.mask.size).toEqual([H, W]);
    }
    expect(anns.some((a) => a.mask) && anns.some((a) => !a.mask)).toBe(true); // class masks and boxes

    const manifest = await readManifest(packDir);
    const run = store.getRun(handle.runId);
    expect(run).toMatchObject({ packName: manifest.name, packPath: packDir, executionProvider: 'cpu', status: 'done', framesDone: FRAMES, error: null });
    expect(run.packHash).toBe(await hashPack(packDir, manifest));
    expect(run.params).toMatchObject({ videoId: video.id, from: 0, to: FRAMES, mode: { kind: 'fixed', k: 10 }, threads: 1 });
    expect(run.timings).toMatchObject({ frames: FRAMES, keyFrames: 4, propagatedFrames: 36 });
    // the pack's classes became project classes, by name
    expect(store.listClasses().map((c) => c.name)).toEqual(manifest.classes.map((c) => c.name));

    expect(progress.map((p) => p.done)).toEqual([8, 16, 24, 32, 40]);
    expect(progress.at(-1)).toMatchObject({ runId: handle.runId, total: FRAMES, status: 'running', etaS: 0 });
  });

  it('baseline runs N_feat on every frame; DFF equals it on key frames and stays close on the others', async () => {
    await dffReference();
    const { store, video } = await project('baseline');
    const handle = await startRun(store, request(video.id, { mode: { kind: 'baseline' } }));
    expect((await handle.done).status).toBe('done');
    const frames = store.listFrames(video.id);
    expect(frames.every((f) => f.dffKey && f.state === 'predicted' && f.runId === handle.runId)).toBe(true);
    const base = maps(store, video.id);
    const nonKey: number[] = [];
    const truthDff: number[] = [];
    const truthBase: number[] = [];
    for (let i = 0; i < FRAMES; i++) {
      if (i % 10 === 4) expect(agreement(dffMaps[i]!, base[i]!), `key frame ${i}`).toBe(1);
      else nonKey.push(agreement(dffMaps[i]!, base[i]!));
      const truth = await semanticTruth(clip.dir, i);
      truthDff.push(agreement(dffMaps[i]!, truth));
      truthBase.push(agreement(base[i]!, truth));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `DFF k=10 vs baseline on non-key frames: pixel agreement mean ${mean(nonKey).toFixed(3)}, min ${Math.min(...nonKey).toFixed(3)}; ` +
        `pixel accuracy against the truth: DFF ${mean(truthDff).toFixed(3)}, baseline ${mean(truthBase).toFixed(3)}`,
    );
    expect(mean(nonKey)).toBeGreaterThan(0.9);
    expect(Math.min(...nonKey)).toBeGreaterThan(0.8);
    expect(mean(nonKey)).toBeLessThan(1); // propagated frames really are propagated, not recomputed
  });

  it('labels every frame exactly as DFF with middle keys defines it (no input tensor reused too early)', async () => {
    const { store, videoId } = await dffReference();
    const { pack } = await openPack(packDir, ['cpu'], 1); // the run's session options
    const source = await openFrameSource(clip.video, { cacheBytes: 0 });
    try {
      const images = [];
      for await (const r of readFrames(source, 0, FRAMES, { width: W, height: H })) {
        if ('error' in r) throw new Error(r.error);
        images.push(frameToTensor(r.rgb, W, H, pack.manifest.input));
      }
      const outputs = await new DffRunner(pack).runSequence(images, 10, 'middle');
      const classIds = new Map(store.listClasses().map((c) => [c.name.toLowerCase(), c.id]));
      const projectId = (c: number) => classIds.get(pack.manifest.classes.find((k) => k.id === c)!.name.toLowerCase())!;
      for (let i = 0; i < FRAMES; i++) {
        const plain = Object.fromEntries(Object.entries(outputs[i]!).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims }]));
        const { masks } = labelFrame(plain, pack.manifest, { width: W, height: H });
        const expected = paintMasks(masks.map((m) => ({ classId: projectId(m.classId), mask: m.mask }) as Annotation), H, W);
        expect(agreement(paintMasks(store.listAnnotations(videoId, i), H, W), expected), `frame ${i}`).toBe(1);
      }
    } finally {
      await source.close();
      await pack.release();
    }
  });

  it('never touches a frame a person edited or verified, and reports it', async () => {
    const { store, video } = await project('human');
    const first = await startRun(store, request(video.id));
    await first.done;
    const cls = store.listClasses()[0]!.id;
    const manual = store.addHumanAnnotation({ videoId: video.id, frameIdx: 3, classId: cls, box: { x: 1, y: 2, w: 30, h: 40 } });
    const edited = store.listAnnotations(video.id, 15)[0]!;
    store.updateAnnotation(edited.id, { box: { x: 5, y: 5, w: 10, h: 10 } });
    store.setFrameVerified(video.id, 22, true);
    const before = [3, 15, 22].map((i) => ({ frame: store.getFrame(video.id, i), anns: store.listAnnotations(video.id, i) }));

    const second = await startRun(store, request(video.id, { mode: { kind: 'baseline' } }));
    const outcome = await second.done;
    expect(outcome.skipped).toEqual([
      { frameIdx: 3, reason: 'human-edited' },
      { frameIdx: 15, reason: 'human-edited' },
      { frameIdx: 22, reason: 'verified' },
    ]);
    expect(outcome.written).toBe(FRAMES - 3);
    const after = [3, 15, 22].map((i) => ({ frame: store.getFrame(video.id, i), anns: store.listAnnotations(video.id, i) }));
    expect(after).toEqual(before);
    expect(store.getAnnotation(manual.id).box).toEqual({ x: 1, y: 2, w: 30, h: 40 });
    expect(store.getFrame(video.id, 4).runId).toBe(second.runId);
  });

  it('cancels mid-run, then resumes from the next frame without redoing any, matching an uninterrupted run', async () => {
    await dffReference();
    const { store, video } = await project('cancel');
    let handle: Awaited<ReturnType<typeof startRun>> | null = null;
    handle = await startRun(store, request(video.id), {
      batchFrames: 4,
      onProgress: (p) => {
        if (p.done >= 8) handle?.cancel();
      },
    });
    const stopped = await handle.done;
    expect(stopped.status).toBe('cancelled');
    expect(stopped.done).toBeGreaterThanOrEqual(8);
    expect(stopped.done).toBeLessThan(FRAMES);
    const run = store.getRun(handle.runId);
    expect(run).toMatchObject({ status: 'cancelled', framesDone: stopped.done });
    expect(resumableRuns(store).map((r) => r.id)).toEqual([handle.runId]);
    const doneBefore = store.listAnnotationsInRange(video.id, 0, stopped.done);
    expect(new Set(doneBefore.map((a) => a.frameIdx)).size).toBe(stopped.done);
    expect(store.listFrames(video.id, stopped.done).every((f) => f.state === 'unlabelled')).toBe(true);

    const resumed = await resumeRun(store, handle.runId);
    expect(resumed.runId).toBe(handle.runId);
    const rest = await resumed.done;
    expect(rest).toMatchObject({ status: 'done', done: FRAMES, written: FRAMES - stopped.done });
    // frames written before the cancel are the same rows (not rewritten)
    expect(store.listAnnotationsInRange(video.id, 0, stopped.done)).toEqual(doneBefore);
    expect(store.getRun(handle.runId)).toMatchObject({ status: 'done', framesDone: FRAMES, finishedAt: expect.any(Number) });
    expect(store.listFrames(video.id).filter((f) => f.dffKey).map((f) => f.idx)).toEqual([4, 14, 24, 34]);
    const resumedMaps = maps(store, video.id);
    expect(resumedMaps.map((m, i) => agreement(m, dffMaps[i]!))).toEqual(dffMaps.map(() => 1));
    expect(resumableRuns(store)).toEqual([]);
  });

  it('pauses (status paused, nothing written) and resumes', async () => {
    const { store, video } = await project('pause');
    const seen: RunProgress[] = [];
    let paused = false;
    const callbacks: RunCallbacks = {
      batchFrames: 4,
      onProgress: (p) => {
        seen.push(p);
        if (!paused) {
          paused = true;
          handle.pause();
        }
      },
    };
    const handle = await startRun(store, request(video.id), callbacks);
    await waitFor(() => seen.at(-1)?.status === 'paused');
    expect(store.getRun(handle.runId).status).toBe('paused');
    const framesDone = store.getRun(handle.runId).framesDone;
    await new Promise((r) => setTimeout(r, 400));
    expect(store.getRun(handle.runId).framesDone).toBe(framesDone);
    expect(framesDone).toBeLessThan(FRAMES);
    handle.resume();
    expect(store.getRun(handle.runId).status).toBe('running');
    expect((await handle.done).status).toBe('done');
    expect(store.getRun(handle.runId).framesDone).toBe(FRAMES);
  });

  it('falls back along the execution providers, recording which ran and why the others failed', async () => {
    const { store, video } = await project('providers');
    const handle = await startRun(store, request(video.id, { providers: ['cuda', 'cpu'], to: 12 }));
    expect((await handle.done).status).toBe('done');
    const run = store.getRun(handle.runId);
    expect(run.executionProvider).toBe('cpu');
    expect(run.params).toMatchObject({ providers: ['cuda', 'cpu'], providerFailures: [{ provider: 'cuda', error: expect.stringMatching(/feature\.onnx: .*cuda/i) }] });
  });

  it('refuses a pack that fails validation with a clear error, and records no run', async () => {
    const { store, video } = await project('badpack');
    const bad = path.join(dir, 'bad-pack');
    fs.cpSync(packDir, bad, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(bad, 'manifest.json'), 'utf8'));
    manifest.feature.channels += 1;
    fs.writeFileSync(path.join(bad, 'manifest.json'), JSON.stringify(manifest));
    await expect(startRun(store, request(video.id, { packDir: bad }))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/feature\.onnx: tensor 'features' \(features\) is float32\[1, \d+, /),
    });
    fs.rmSync(path.join(bad, 'warp.onnx'));
    manifest.feature.channels -= 1;
    fs.writeFileSync(path.join(bad, 'manifest.json'), JSON.stringify(manifest));
    await expect(startRun(store, request(video.id, { packDir: bad }))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('warp.onnx') });
    await expect(startRun(store, request(video.id, { packDir: path.join(dir, 'nowhere') }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(startRun(store, request(video.id, { mode: { kind: 'fixed', k: 0 } }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(startRun(store, request(video.id, { from: 30, to: 50 }))).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    expect(store.listRuns()).toEqual([]);
  });

  it('records the frames of a video that ends early, labels the rest, and finishes', async () => {
    const { store, video } = await project('short');
    const file = store.locateVideo(video.id);
    await ffmpeg(['-i', clip.video, '-frames:v', '24', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', `${file}.mp4`]);
    fs.renameSync(`${file}.mp4`, file);
    const handle = await startRun(store, request(video.id));
    const outcome = await handle.done;
    expect(outcome.status).toBe('done');
    expect(outcome.badFrames.map((b) => b.frameIdx)).toEqual(Array.from({ length: 16 }, (_, i) => 24 + i));
    expect(outcome.badFrames[0]!.message).toContain('ends after 24 frames');
    expect(store.listFrames(video.id).map((f) => f.state !== 'unlabelled')).toEqual(Array.from({ length: FRAMES }, (_, i) => i < 24));
    // frames 20–23 waited for their key, frame 24, which never came: the last of them took over
    expect(store.listFrames(video.id).filter((f) => f.dffKey).map((f) => f.idx)).toEqual([4, 14, 23]);
    const run = store.getRun(handle.runId);
    expect(run.error).toMatch(/^16 frame\(s\) could not be read/);
    expect((run.timings as { badFrames: unknown[] }).badFrames).toHaveLength(16);
  });

  it('records a corrupt frame in the middle and goes on, the next frame taking over as key', async () => {
    const frames = path.join(dir, 'frames-src');
    fs.mkdirSync(frames);
    await ffmpeg(['-i', clip.video, '-frames:v', '20', path.join(frames, '%04d.png')]);
    const { store, video } = await project('corrupt', frames);
    const folder = store.locateVideo(video.id);
    const victim = path.join(folder, '0015.png'); // frame 14: the key of frames 10–19
    const bytes = fs.readFileSync(victim);
    bytes.fill(7, bytes.length >> 1); // the header (and size) survive, half the image data does not
    fs.writeFileSync(victim, bytes);
    const handle = await startRun(store, request(video.id));
    const outcome = await handle.done;
    expect(outcome.status).toBe('done');
    expect(outcome.badFrames.map((b) => b.frameIdx)).toEqual([14]);
    const states = store.listFrames(video.id);
    expect(states[14]!.state).toBe('unlabelled');
    expect(states.filter((f) => f.dffKey).map((f) => f.idx)).toEqual([4, 15]);
    expect(frameStats(store, video.id, 10, 20).map((f) => f.keyIdx)).toEqual([15, 15, 15, 15, 15, 15, 15, 15, 15]);
    expect(states.filter((f) => f.state !== 'unlabelled')).toHaveLength(19);
  });

  it('stops cleanly on a locked database, keeps what was written, says why, and resumes later', async () => {
    const { store, video, file } = await project('locked');
    const blocker = new Database(file);
    let locked = false;
    const handle = await startRun(store, request(video.id, { mode: { kind: 'baseline' } }), {
      batchFrames: 4,
      batchMs: 60_000,
      onProgress: (p) => {
        if (!locked && p.done >= 8) {
          locked = true;
          blocker.exec('BEGIN IMMEDIATE'); // another program holds the write lock
        }
      },
    });
    const err = await handle.done.then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    blocker.exec('ROLLBACK');
    blocker.close();
    expect(err?.code).toBe('PROJECT_LOCKED');
    expect(err?.message).toContain(file);
    expect(err?.message).toMatch(/the 8 frame\(s\) handled before are kept; resume run \d+/);
    const kept = store.listFrames(video.id).filter((f) => f.state !== 'unlabelled').map((f) => f.idx);
    expect(kept).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // the run could not be marked failed in a locked file: it stays 'running' there, and resumable
    expect(store.getRun(handle.runId)).toMatchObject({ status: 'running', framesDone: 8 });
    expect(resumableRuns(store).map((r) => r.id)).toEqual([handle.runId]);
    const resumed = await resumeRun(store, handle.runId);
    expect((await resumed.done).status).toBe('done');
    expect(store.listFrames(video.id).every((f) => f.state === 'predicted')).toBe(true);
  }, 60_000);
});

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
