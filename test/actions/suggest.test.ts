/**
 * Suggestion runs with a probe action model whose answers are known (probe-pack.ts): a real project, a real
 * H.264 video decoded by ffmpeg, a real onnxruntime session. Where suggestions land, what a second run does
 * with accepted and rejected ones, cancel, and the checks a pack's action model must pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSuggestRun, suggestActions, type SuggestProgress } from '../../electron/core/actions/suggest';
import { AppError } from '../../electron/core/errors';
import { loadActionModel } from '../../electron/core/models/action-model';
import type { ProjectStore, Video } from '../../electron/core/store';
import { projectWith, tempDir } from '../dff/helpers';
import { flashVideo, probeAction, probeModel, writeProbePack } from './probe-pack';

let dir: string;
let pack: string;
let videoFile: string;
let n = 0;

beforeAll(async () => {
  dir = tempDir('actions-suggest');
  pack = writeProbePack(path.join(dir, 'probe'));
  videoFile = await flashVideo(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function project(): Promise<{ store: ProjectStore; video: Video }> {
  return projectWith(dir, videoFile, `p${++n}`);
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const near = (got: number, want: number, tolerance: number) => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tolerance);

describe('a suggestion run', () => {
  it('suggests a segment on each flash, adds the pack’s classes, and reports progress in windows', async () => {
    const { store, video } = await project();
    const progress: SuggestProgress[] = [];
    const result = await suggestActions(store, { videoId: video.id, packDir: pack, providers: ['cpu'] }, { onProgress: (p) => progress.push(p), progressMs: 0 });
    // 64 frames, clips of 8, stride 4: windows 0, 4, …, 52 and 56 (ending on frame 63)
    expect(result).toEqual({ videoId: video.id, suggested: 2, skipped: 0, windows: 15, model: 'probe 0.1' });
    const classes = store.listActionClasses();
    expect(classes.map((c) => [c.name, c.color])).toEqual([
      ['flash_red', '#e62828'],
      ['flash_green', '#28c83c'],
    ]);
    const [red, green] = store.listActionSegments(video.id);
    expect(store.listActionSegments(video.id)).toHaveLength(2);
    for (const [s, cls, start, end] of [
      [red!, 'flash_red', 10, 25],
      [green!, 'flash_green', 38, 53],
    ] as const) {
      expect(s).toMatchObject({ source: 'machine', status: 'suggested', model: 'probe 0.1', classId: classes.find((c) => c.name === cls)!.id });
      near(s.start, start, 4); // within half a clip of where the colour starts and ends
      near(s.end, end, 4);
      expect(s.score).toBeGreaterThan(0.6);
      expect(s.score).toBeLessThanOrEqual(1);
    }
    expect(progress[0]).toMatchObject({ phase: 'windows', done: 0, total: 15 });
    expect(progress.at(-1)).toMatchObject({ done: 15, total: 15, etaS: 0 });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
    expect(progress.at(-1)!.fps).toBeGreaterThan(0);
    store.close();
  });

  it('replaces its own pending suggestions, never brings back a rejected one and leaves an accepted one alone', async () => {
    const { store, video } = await project();
    const request = { videoId: video.id, packDir: pack, providers: ['cpu'] };
    await suggestActions(store, request);
    const first = store.listActionSegments(video.id);
    const again = await suggestActions(store, request);
    expect(again).toMatchObject({ suggested: 2, skipped: 0 });
    const second = store.listActionSegments(video.id);
    expect(second.map((s) => [s.start, s.end, s.classId])).toEqual(first.map((s) => [s.start, s.end, s.classId]));
    expect(second.map((s) => s.id)).not.toEqual(first.map((s) => s.id)); // the pending ones were replaced

    const [red, green] = second;
    store.acceptActionSegment(red!.id);
    store.rejectActionSegment(green!.id);
    const before = store.listActionSegments(video.id, true);
    const third = await suggestActions(store, request);
    expect(third).toMatchObject({ suggested: 0, skipped: 2 });
    const after = store.listActionSegments(video.id, true);
    expect(after).toEqual(before);
    expect(after.map((s) => [s.id, s.status])).toEqual([
      [red!.id, 'accepted'],
      [green!.id, 'rejected'],
    ]);
    store.close();
  });

  it('samples clips frameStep frames apart', async () => {
    const { store, video } = await project();
    const spaced = writeProbePack(path.join(dir, 'probe-step2'), probeAction({ frameStep: 2 }));
    const result = await suggestActions(store, { videoId: video.id, packDir: spaced, providers: ['cpu'] });
    // a clip spans 15 frames: windows 0, 4, …, 48 and 49
    expect(result).toMatchObject({ windows: 14, suggested: 2 });
    const [red, green] = store.listActionSegments(video.id);
    near(red!.start, 10, 8);
    near(green!.end, 53, 8);
    store.close();
  });

  it('writes nothing when cancelled, mid-way or after the last window', async () => {
    const { store, video } = await project();
    for (const at of [5, 15]) {
      const controller = new AbortController();
      const onProgress = (p: SuggestProgress) => {
        if (p.done === at) controller.abort();
      };
      const err = await failure(suggestActions(store, { videoId: video.id, packDir: pack, providers: ['cpu'] }, { onProgress, progressMs: 0, signal: controller.signal }));
      expect(err.code).toBe('CANCELLED');
      expect(err.message).toContain(`after ${at} of 15 windows; nothing was written`);
      expect(store.listActionSegments(video.id, true)).toEqual([]);
      expect(store.listActionClasses()).toEqual([]);
    }
    // the model was let go each time: a new run on the same video goes ahead
    await expect(suggestActions(store, { videoId: video.id, packDir: pack, providers: ['cpu'] })).resolves.toMatchObject({ suggested: 2 });
    store.close();
  });

  it('refuses a second run on a video while one is open', async () => {
    const { store, video } = await project();
    const run = await openSuggestRun(store, { videoId: video.id, packDir: pack, providers: ['cpu'] });
    const err = await failure(openSuggestRun(store, { videoId: video.id, packDir: pack, providers: ['cpu'] }));
    expect(err.message).toMatch(new RegExp(`video ${video.id} are being computed already`));
    await run.release();
    const next = await openSuggestRun(store, { videoId: video.id, packDir: pack, providers: ['cpu'] });
    await next.release();
    store.close();
  });

  it('falls back to the CPU when a provider before it does not start', async () => {
    const { store, video } = await project();
    const run = await openSuggestRun(store, { videoId: video.id, packDir: pack, providers: ['no-such-provider', 'cpu'] });
    expect(run.provider).toBe('cpu');
    expect(run.providerFailures.map((f) => f.provider)).toEqual(['no-such-provider']);
    await expect(run.run()).resolves.toMatchObject({ suggested: 2 });
    store.close();
  });
});

describe('a pack’s action model', () => {
  const packWith = (name: string, action: Record<string, unknown> | null, model: Uint8Array | null = probeModel()) => writeProbePack(path.join(dir, name), action, model);
  const loadError = (packDir: string) => failure(loadActionModel(packDir));

  it('a pack without one gives a clear error before anything runs', async () => {
    const { store, video } = await project();
    const err = await failure(suggestActions(store, { videoId: video.id, packDir: packWith('no-action', null) }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/^pack probe 0\.1 \(.*no-action\) has no action model/);
    expect(store.listActionClasses()).toEqual([]);
    store.close();
  });

  it('a missing file, or tensor names the graph does not have, name the file and the tensor', async () => {
    let err = await loadError(packWith('no-file', probeAction(), null));
    expect([err.code, err.message]).toEqual(['NOT_FOUND', expect.stringMatching(/action\.onnx \(the action model\) is missing/)]);
    err = await loadError(packWith('bad-input', probeAction({ inputs: { clip: 'video' } })));
    expect(err.message).toBe("action.onnx: the manifest names input 'video' (clip), the graph has 'clip'");
    expect(err.details).toMatchObject({ tensor: 'video', file: expect.stringMatching(/bad-input\/action\.onnx$/) });
    err = await loadError(packWith('bad-output', probeAction({ outputs: { logits: 'scores' } })));
    expect(err.message).toBe("action.onnx: the manifest names output 'scores' (logits), the graph has 'logits'");
  });

  it('shapes that disagree with the manifest name the tensor and both shapes', async () => {
    let err = await loadError(packWith('bad-length', probeAction({ clipLength: 16 })));
    expect(err.message).toBe(
      "action.onnx: input 'clip' (clip) is float32[1, 3, 8, 24, 32], the manifest implies float32[1, 3, 16, 24, 32] (batch, RGB, clipLength, height, width)",
    );
    err = await loadError(packWith('bad-rank', probeAction(), probeModel({ inputShape: [1, 3, 24, 32], axes: [2, 3] })));
    expect(err.message).toMatch(/input 'clip' \(clip\) is float32\[1, 3, 24, 32\], the manifest implies float32\[1, 3, 8, 24, 32\]/);
    const four = [...probeAction().classes, { name: 'flash_blue', color: [0, 0, 255] }];
    err = await loadError(packWith('bad-classes', probeAction({ classes: four })));
    expect(err.message).toBe("action.onnx: output 'logits' (logits) is float32[1, 3], the manifest implies float32[1, 4] (one logit for each of its 4 action classes)");
    expect(err.details).toMatchObject({ tensor: 'logits' });
    const twice = [...probeAction().classes.slice(0, 2), { name: 'Flash_Red', color: [0, 0, 255] }];
    err = await loadError(packWith('twice', probeAction({ classes: twice })));
    expect(err.message).toMatch(/manifest\.json: action\.classes names 'Flash_Red' twice/);
  });

  it('a dynamic batch dimension is accepted', async () => {
    const model = await loadActionModel(packWith('dynamic', probeAction(), probeModel({ inputShape: ['batch', 3, 8, 24, 32] })));
    expect([model.model, model.provider, model.spec.clipLength]).toEqual(['probe 0.1', 'cpu', 8]);
    await model.release();
  });
});
