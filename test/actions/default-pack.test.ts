/**
 * Suggestions with the committed pack's action model (models/default, or DFF_TEST_PACK) on a generated world
 * clip: the model passes the checks, the run covers the video with windows, reports progress, adds the pack's
 * classes and writes well-formed suggestions under the pack's name; a rejected one does not come back; a
 * cancel writes nothing. Not the model's accuracy (test/models/action-pack.test.ts measures that).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowStarts } from '../../electron/core/actions/proposals';
import { suggestActions, type SuggestProgress } from '../../electron/core/actions/suggest';
import { AppError } from '../../electron/core/errors';
import { loadActionModel } from '../../electron/core/models/action-model';
import { readManifest } from '../../electron/core/models/load-pack';
import type { PackManifest } from '../../electron/core/models/manifest';
import { temporalIou } from '../../electron/core/store/actions';
import { havePack, noPackReason, packDir, projectWith, tempDir, worldClip } from '../dff/helpers';

const manifest: PackManifest | null = havePack ? await readManifest(packDir) : null;
const skip = !manifest?.action;
if (skip) console.warn(`test/actions/default-pack.test.ts skipped: ${manifest ? `the pack at ${packDir} has no action model yet` : noPackReason}`);

describe.skipIf(skip)('suggestions with the committed pack', () => {
  const action = manifest!.action!;
  const model = `${manifest!.name} ${manifest!.version}`;
  const FRAMES = 40;
  let dir: string;
  let videoFile: string;
  beforeAll(async () => {
    dir = tempDir('actions-default');
    videoFile = (await worldClip(FRAMES)).video;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('its action model matches its manifest', async () => {
    const loaded = await loadActionModel(packDir);
    expect([loaded.model, loaded.session.inputNames, loaded.session.outputNames]).toEqual([model, [action.inputs.clip], [action.outputs.logits]]);
    await loaded.release();
  });

  it('runs over a world clip: progress, the pack’s classes, suggestions under its name; a rejected one stays away', async () => {
    const { store, video } = await projectWith(dir, videoFile, 'run');
    const progress: SuggestProgress[] = [];
    const request = { videoId: video.id, packDir, providers: ['cpu'], threads: 1 };
    const result = await suggestActions(store, request, { onProgress: (p) => progress.push(p), progressMs: 0 });
    const windows = windowStarts(FRAMES, action).length;
    expect(result).toMatchObject({ videoId: video.id, windows, model });
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: windows + 1 }, (_, i) => i));
    expect(progress.every((p) => p.total === windows)).toBe(true);

    const classes = store.listActionClasses();
    expect(classes.map((c) => c.name)).toEqual(action.classes.slice(1).map((c) => c.name));
    const segments = store.listActionSegments(video.id);
    expect(segments).toHaveLength(result.suggested);
    for (const s of segments) {
      expect(s).toMatchObject({ source: 'machine', status: 'suggested', model });
      expect(classes.map((c) => c.id)).toContain(s.classId);
      expect(s.end - s.start + 1).toBeGreaterThanOrEqual(action.minSegmentFrames);
      expect(s.end).toBeLessThan(FRAMES);
      expect(s.score).toBeGreaterThan(0);
    }
    // the same model on the same frames proposes the same again (pending ones replaced, not added)
    const again = await suggestActions(store, request);
    expect(again.suggested).toBe(result.suggested);
    const second = store.listActionSegments(video.id);
    expect(second.map((s) => [s.start, s.end, s.classId])).toEqual(segments.map((s) => [s.start, s.end, s.classId]));
    if (second.length) {
      const rejected = store.rejectActionSegment(second[0]!.id);
      const third = await suggestActions(store, request);
      expect(third.skipped).toBeGreaterThanOrEqual(1);
      const back = store
        .listActionSegments(video.id)
        .filter((s) => s.status === 'suggested' && s.classId === rejected.classId && temporalIou(s.start, s.end, rejected.start, rejected.end) >= 0.5);
      expect(back).toEqual([]);
      expect(store.listActionSegments(video.id, true).find((s) => s.id === rejected.id)?.status).toBe('rejected');
    }
    store.close();
  });

  it('a cancel after the first window writes nothing', async () => {
    const { store, video } = await projectWith(dir, videoFile, 'cancel');
    const controller = new AbortController();
    const run = suggestActions(
      store,
      { videoId: video.id, packDir, providers: ['cpu'], threads: 1 },
      { progressMs: 0, signal: controller.signal, onProgress: (p) => p.done === 1 && controller.abort() },
    );
    await expect(run).rejects.toThrow(AppError);
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(store.listActionSegments(video.id, true)).toEqual([]);
    expect(store.listActionClasses()).toEqual([]);
    store.close();
  });
});
