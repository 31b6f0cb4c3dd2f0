import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { decodeMask, encodeMask } from '../../electron/core/masks/rle';
import { openProject, type LabelClass, type MachineFrameResult, type ProjectStore, type Video } from '../../electron/core/store';
import { expectAppError, rawDb, sampleVideo, tempDir } from './helpers';

const root = tempDir('annotations');
let n = 0;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let store: ProjectStore;
let video: Video; // 32×24, 30 frames
let person: LabelClass;
let car: LabelClass;

beforeEach(() => {
  store = openProject(path.join(root, `p${++n}`, 'project.dffproj'), { create: true });
  video = store.addVideo(sampleVideo());
  person = store.addClass({ name: 'person', color: '#ff0000' });
  car = store.addClass({ name: 'car', color: '#0000ff' });
});
afterEach(() => store.close());

const box = (x: number) => ({ x, y: 2, w: 4, h: 6 });
const newRun = () => store.createRun({ packName: 'dff-r18', packPath: '/packs/r18', packHash: 'sha256:aa', params: { k: 10 }, executionProvider: 'cpu' });
const predicted = (frameIdx: number, x: number, classId = person.id): MachineFrameResult => ({
  frameIdx,
  state: 'predicted',
  score: 0.8,
  annotations: [{ classId, box: box(x), score: 0.7 }],
});

/** A small mask on the video's 24×32 grid: a w×h rectangle at (x, y). */
function rectMask(x: number, y: number, w: number, h: number) {
  const m = new Uint8Array(24 * 32);
  for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) m[r * 32 + c] = 1;
  return encodeMask(m, 24, 32);
}

describe('human annotations', () => {
  it('are source manual and mark the frame corrected', () => {
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: 5, classId: person.id, trackId: 3, box: box(1) });
    expect(a).toMatchObject({ videoId: video.id, frameIdx: 5, classId: person.id, trackId: 3, box: box(1), mask: null, source: 'manual', verified: false, runId: null });
    expect(a.createdAt).toBe(a.updatedAt);
    expect(store.getFrame(video.id, 5).state).toBe('corrected');
    expect(store.listAnnotations(video.id, 5)).toEqual([a]);
    expect(store.listAnnotations(video.id, 6)).toEqual([]);
  });

  it('with a mask and no box get the mask\'s box; the mask round-trips', () => {
    const mask = rectMask(3, 4, 5, 2);
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: 0, classId: car.id, mask });
    expect(a.box).toEqual({ x: 3, y: 4, w: 5, h: 2 });
    expect(a.mask).toEqual(mask);
    const back = decodeMask(store.getAnnotation(a.id).mask!);
    expect(back.reduce((s, v) => s + v, 0)).toBe(10);
  });

  it('refuse bad input, naming what is wrong', () => {
    const base = { videoId: video.id, frameIdx: 0, classId: person.id };
    const cases: Array<[object, string, RegExp]> = [
      [{ ...base, box: { x: 0, y: 0, w: -1, h: 2 } }, 'INVALID_INPUT', /negative size \(w -1, h 2\)/],
      [{ ...base, box: { x: Number.NaN, y: 0, w: 1, h: 2 } }, 'INVALID_INPUT', /box\.x must be a finite number, got NaN/],
      [{ ...base, box: { x: 0, y: Infinity, w: 1, h: 2 } }, 'INVALID_INPUT', /box\.y must be a finite number, got Infinity/],
      [{ ...base }, 'INVALID_INPUT', /needs a box or a mask/],
      [{ ...base, classId: 99, box: box(0) }, 'NOT_FOUND', /label class 99 does not exist/],
      [{ ...base, frameIdx: 30, box: box(0) }, 'OUT_OF_RANGE', /Frame 30 is outside video \d+, which has 30 frames/],
      [{ ...base, videoId: 42, box: box(0) }, 'NOT_FOUND', /Video 42/],
      [{ ...base, trackId: -2, box: box(0) }, 'INVALID_INPUT', /track id must be a whole number ≥ 0, got -2/],
      [{ ...base, mask: encodeMask(new Uint8Array(24 * 31), 24, 31) }, 'INVALID_INPUT', /mask is 24×31 \(h×w\) but the video is 24×32/],
      [{ ...base, mask: { size: [24, 32], counts: '0' } }, 'INVALID_INPUT', /add up to 0 pixels but its size 24×32 has 768/],
    ];
    for (const [input, code, message] of cases) {
      const err = expectAppError(() => store.addHumanAnnotation(input as never), code);
      expect(err.message).toMatch(message);
    }
    expect(store.listAnnotations(video.id, 0)).toEqual([]);
    expect(store.getFrame(video.id, 0).state).toBe('unlabelled');
  });

  it('editing a machine row makes it corrected; editing a manual row keeps it manual', () => {
    const run = newRun();
    store.writeMachineResults(run.id, video.id, [predicted(7, 1)]);
    const [machine] = store.listAnnotations(video.id, 7);
    expect(machine.source).toBe('predicted');
    const edited = store.updateAnnotation(machine.id, { box: box(9), classId: car.id });
    expect(edited).toMatchObject({ source: 'corrected', box: box(9), classId: car.id, runId: run.id, score: 0.7 });
    expect(edited.updatedAt).toBeGreaterThan(machine.updatedAt);
    expect(store.getFrame(video.id, 7).state).toBe('corrected');

    const manual = store.addHumanAnnotation({ videoId: video.id, frameIdx: 8, classId: person.id, box: box(0) });
    expect(store.updateAnnotation(manual.id, { trackId: 4 }).source).toBe('manual');
    expectAppError(() => store.updateAnnotation(manual.id, { box: { x: 0, y: 0, w: 1, h: -3 } }), 'INVALID_INPUT');
    expectAppError(() => store.updateAnnotation(manual.id, { classId: 1234 }), 'NOT_FOUND');
    expectAppError(() => store.updateAnnotation(555, { trackId: 1 }), 'NOT_FOUND');
    expect(store.getAnnotation(manual.id).trackId).toBe(4);
  });

  it('a new mask without a box moves the box to the mask', () => {
    const a = store.addHumanAnnotation({ videoId: video.id, frameIdx: 1, classId: person.id, box: box(0) });
    const edited = store.updateAnnotation(a.id, { mask: rectMask(10, 10, 3, 3) });
    expect(edited.box).toEqual({ x: 10, y: 10, w: 3, h: 3 });
    expect(store.updateAnnotation(a.id, { mask: null }).mask).toBeNull();
  });

  it('on a verified frame keep it verified, and withdrawing the verification leaves it corrected', () => {
    const run = newRun();
    store.writeMachineResults(run.id, video.id, [predicted(4, 1)]);
    store.setFrameVerified(video.id, 4, true);
    const added = store.addHumanAnnotation({ videoId: video.id, frameIdx: 4, classId: car.id, box: box(5) });
    expect(added.verified).toBe(true);
    expect(store.getFrame(video.id, 4).state).toBe('verified');
    expect(store.setFrameVerified(video.id, 4, false).state).toBe('corrected');
  });
});

describe('machine results', () => {
  it('replace the earlier machine rows of untouched frames and record the run', () => {
    const run1 = newRun();
    store.writeMachineResults(run1.id, video.id, [predicted(0, 1), predicted(1, 1)]);
    const run2 = newRun();
    const res = store.writeMachineResults(run2.id, video.id, [
      { ...predicted(0, 11), dffKey: true },
      { frameIdx: 1, state: 'propagated', score: 0.4, annotations: [{ classId: car.id, box: box(12) }, { classId: person.id, box: box(13) }] },
    ]);
    expect(res).toEqual({ written: 2, skipped: [] });
    expect(store.listAnnotations(video.id, 0).map((a) => [a.box.x, a.source, a.runId])).toEqual([[11, 'predicted', run2.id]]);
    expect(store.listAnnotations(video.id, 1).map((a) => [a.box.x, a.source])).toEqual([
      [12, 'propagated'],
      [13, 'propagated'],
    ]);
    expect(store.getFrame(video.id, 0)).toMatchObject({ state: 'predicted', score: 0.8, runId: run2.id, dffKey: true });
    expect(store.getFrame(video.id, 1)).toMatchObject({ state: 'propagated', score: 0.4, runId: run2.id, dffKey: false });
  });

  it('never overwrite what a person made, corrected, deleted or verified, and report each skipped frame', () => {
    const run1 = newRun();
    store.writeMachineResults(run1.id, video.id, [predicted(1, 1), predicted(2, 1), predicted(3, 1), predicted(4, 1), predicted(5, 1)]);
    const manual = store.addHumanAnnotation({ videoId: video.id, frameIdx: 1, classId: car.id, box: box(20) });
    const [onFrame2] = store.listAnnotations(video.id, 2);
    const corrected = store.updateAnnotation(onFrame2.id, { box: box(21) });
    const [onFrame3] = store.listAnnotations(video.id, 3);
    store.deleteAnnotation(onFrame3.id);
    store.setFrameVerified(video.id, 4, true); // only machine rows, but a person said they are right
    const before = [1, 2, 3, 4].map((f) => store.listAnnotations(video.id, f));
    const framesBefore = [1, 2, 3, 4].map((f) => store.getFrame(video.id, f));

    const run2 = newRun();
    const res = store.writeMachineResults(run2.id, video.id, [1, 2, 3, 4, 5].map((f) => predicted(f, 30)));
    expect(res).toEqual({
      written: 1,
      skipped: [
        { frameIdx: 1, reason: 'human-edited' },
        { frameIdx: 2, reason: 'human-edited' },
        { frameIdx: 3, reason: 'human-edited' },
        { frameIdx: 4, reason: 'verified' },
      ],
    });
    expect([1, 2, 3, 4].map((f) => store.listAnnotations(video.id, f))).toEqual(before);
    expect([1, 2, 3, 4].map((f) => store.getFrame(video.id, f))).toEqual(framesBefore);
    expect(store.getAnnotation(manual.id)).toEqual(manual);
    expect(store.getAnnotation(corrected.id)).toEqual(corrected);
    expect(store.listAnnotations(video.id, 3)).toEqual([]); // the deleted box did not come back
    expect(store.listAnnotations(video.id, 5).map((a) => a.box.x)).toEqual([30]);
  });

  it('skip a frame that holds a human row even when its state says otherwise', () => {
    const run = newRun();
    const manual = store.addHumanAnnotation({ videoId: video.id, frameIdx: 9, classId: car.id, box: box(2) });
    // The API never lets this happen (setFrameState refuses it); a file edited elsewhere might.
    const db = rawDb(store.file, false);
    db.prepare("UPDATE frames SET state = 'predicted' WHERE video_id = ? AND idx = 9").run(video.id);
    db.close();
    const res = store.writeMachineResults(run.id, video.id, [predicted(9, 1)]);
    expect(res.skipped).toEqual([{ frameIdx: 9, reason: 'human-edited' }]);
    expect(store.listAnnotations(video.id, 9)).toEqual([manual]);
  });

  it('validate the whole batch first: one bad frame and nothing is written', () => {
    const run = newRun();
    store.writeMachineResults(run.id, video.id, [predicted(0, 1)]);
    const bad: Array<[MachineFrameResult[], string, RegExp]> = [
      [[predicted(0, 5), predicted(30, 5)], 'OUT_OF_RANGE', /result 1 \(frame 30\) .* outside video \d+, which has 30 frames/],
      [[predicted(0, 5), predicted(0, 6)], 'INVALID_INPUT', /frame 0 appears twice/],
      [[predicted(0, 5), predicted(2, 5, 77)], 'NOT_FOUND', /result 1 \(frame 2\) of run \d+, annotation 0: label class 77/],
      [[predicted(0, 5), { ...predicted(3, 5), state: 'verified' as never }], 'INVALID_INPUT', /state must be one of predicted, propagated/],
      [[predicted(0, 5), { ...predicted(3, 5), score: Number.NaN }], 'INVALID_INPUT', /score must be a finite number, got NaN/],
      [[predicted(0, 5), { frameIdx: 3, state: 'predicted', score: 1, annotations: [{ classId: person.id, box: { x: 1, y: 1, w: -4, h: 1 } }] }], 'INVALID_INPUT', /annotation 0: box has a negative size/],
    ];
    for (const [frames, code, message] of bad) {
      expect(expectAppError(() => store.writeMachineResults(run.id, video.id, frames), code).message).toMatch(message);
    }
    expect(store.listAnnotations(video.id, 0).map((a) => a.box.x)).toEqual([1]);
    expect(store.listAnnotations(video.id, 2)).toEqual([]);
  });

  it('are refused for a run that is not running or does not exist', () => {
    const run = newRun();
    store.updateRun(run.id, { status: 'cancelled' });
    expect(expectAppError(() => store.writeMachineResults(run.id, video.id, [predicted(0, 1)]), 'INVALID_INPUT').message).toContain(
      `Inference run ${run.id} is cancelled`,
    );
    expectAppError(() => store.writeMachineResults(999, video.id, [predicted(0, 1)]), 'NOT_FOUND');
    expectAppError(() => store.writeMachineResults(newRun().id, 999, [predicted(0, 1)]), 'NOT_FOUND');
    expect(store.listAnnotations(video.id, 0)).toEqual([]);
  });

  it('listAnnotationsInRange returns frames [from, to) in order', () => {
    const run = newRun();
    store.writeMachineResults(run.id, video.id, [predicted(2, 1), predicted(0, 2), predicted(5, 3)]);
    expect(store.listAnnotationsInRange(video.id, 0, 5).map((a) => a.frameIdx)).toEqual([0, 2]);
    expect(store.listAnnotationsInRange(video.id).map((a) => a.frameIdx)).toEqual([0, 2, 5]);
    expectAppError(() => store.listAnnotationsInRange(video.id, 0, 31), 'OUT_OF_RANGE');
  });
});
