import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as edits from '../../electron/core/edits';
import { encodeMask } from '../../electron/core/masks/rle';
import { openProject, type LabelClass, type ProjectStore, type Video } from '../../electron/core/store';
import { expectAppError, rawDb, sampleVideo, tempDir } from '../store/helpers';

const root = tempDir('edits');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
let file: string;
let store: ProjectStore;
let video: Video; // 32×24, 30 frames
let car: LabelClass;
let stuff: LabelClass;

beforeEach(() => {
  file = path.join(root, `p${++n}`, 'project.dffproj');
  store = openProject(file, { create: true });
  video = store.addVideo(sampleVideo());
  car = store.addClass({ name: 'car', color: '#0000ff' });
  stuff = store.addClass({ name: 'road', color: '#808080', hasInstances: false });
});
afterEach(() => store.close());

/** Frames 0..9 labelled by a machine run: one car per frame, track 7, moving right one pixel a frame. */
function machineLabels(frames = 10) {
  const run = store.createRun({ packName: 'p', packPath: '/p', packHash: 'h', params: {}, executionProvider: 'cpu' });
  store.writeMachineResults(
    run.id,
    video.id,
    Array.from({ length: frames }, (_, i) => ({
      frameIdx: i,
      state: i === 0 ? ('predicted' as const) : ('propagated' as const),
      score: 0.8,
      dffKey: i === 0,
      annotations: [{ classId: car.id, trackId: 7, box: { x: 2 + i, y: 3, w: 6, h: 5 }, score: 0.9 }],
    })),
  );
  return run;
}

const rect = (x: number, y: number, w: number, h: number) => {
  const m = new Uint8Array(24 * 32);
  for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) m[r * 32 + c] = 1;
  return encodeMask(m, 24, 32).counts;
};
const journalRows = () => {
  const db = rawDb(file);
  const rows = db.prepare('SELECT label, undone FROM edit_journal ORDER BY id').all();
  db.close();
  return rows;
};
const snapshot = () => ({ annotations: store.listAnnotationsInRange(video.id), frames: store.listFrames(video.id) });

describe('edits with undo and redo', () => {
  it('adding a box: one step; undo removes it and restores the frame state; redo brings the same row back', () => {
    const a = edits.createAnnotation(store, { videoId: video.id, frameIdx: 4, classId: car.id, bbox: { x: 1, y: 2, w: 5, h: 6 } });
    expect(a).toMatchObject({ source: 'manual', trackId: 0, box: { x: 1, y: 2, w: 5, h: 6 } });
    expect(store.getFrame(video.id, 4).state).toBe('corrected');
    expect(store.editHistory()).toEqual({ undo: 'Add box (car)', redo: null });

    expect(edits.undo(store)).toMatchObject({ label: 'Add box (car)', videoId: video.id, frames: [4] });
    expect(store.listAnnotations(video.id, 4)).toEqual([]);
    expect(store.getFrame(video.id, 4).state).toBe('unlabelled');
    expect(store.editHistory()).toEqual({ undo: null, redo: 'Add box (car)' });

    expect(edits.redo(store)).toMatchObject({ frames: [4] });
    expect(store.listAnnotations(video.id, 4)).toEqual([a]);
    expect(store.getFrame(video.id, 4).state).toBe('corrected');
    expect(edits.redo(store)).toBeNull();
  });

  it('moving a machine box corrects it; undo restores the machine row, its source and the frame state exactly', () => {
    machineLabels();
    const before = snapshot();
    const [m] = store.listAnnotations(video.id, 3);
    const moved = edits.updateAnnotation(store, m!.id, { bbox: { x: 10, y: 10, w: 4, h: 4 } });
    expect(moved).toMatchObject({ source: 'corrected', box: { x: 10, y: 10, w: 4, h: 4 } });
    expect(store.getFrame(video.id, 3).state).toBe('corrected');
    edits.undo(store);
    expect(snapshot()).toEqual(before);
    edits.redo(store);
    expect(store.getAnnotation(m!.id)).toEqual(moved);
  });

  it('history survives closing and reopening the project', () => {
    machineLabels();
    const [m] = store.listAnnotations(video.id, 2);
    edits.updateAnnotation(store, m!.id, { classId: stuff.id });
    edits.createAnnotation(store, { videoId: video.id, frameIdx: 2, classId: car.id, rle: rect(3, 4, 5, 6) });
    edits.undo(store); // the mask is undone, its redo is kept
    store.close();

    store = openProject(file);
    expect(store.editHistory()).toEqual({ undo: 'Change class', redo: 'Add mask (car)' });
    edits.redo(store);
    expect(store.listAnnotations(video.id, 2).map((a) => a.box)).toEqual([m!.box, { x: 3, y: 4, w: 5, h: 6 }]);
    edits.undo(store);
    edits.undo(store);
    expect(store.getAnnotation(m!.id)).toEqual(m);
    expect(store.getFrame(video.id, 2).state).toBe('propagated');
  });

  it('a new edit clears the redo stack', () => {
    edits.createAnnotation(store, { videoId: video.id, frameIdx: 1, classId: car.id, bbox: { x: 1, y: 1, w: 3, h: 3 } });
    edits.createAnnotation(store, { videoId: video.id, frameIdx: 1, classId: car.id, bbox: { x: 9, y: 1, w: 3, h: 3 } });
    edits.undo(store);
    edits.createAnnotation(store, { videoId: video.id, frameIdx: 5, classId: car.id, bbox: { x: 1, y: 1, w: 3, h: 3 } });
    expect(journalRows()).toEqual([
      { label: 'Add box (car)', undone: 0 },
      { label: 'Add box (car)', undone: 0 },
    ]);
    expect(edits.redo(store)).toBeNull();
  });

  it('recordedEdit makes several changes one step, and a failure inside leaves nothing', () => {
    machineLabels();
    const before = snapshot();
    edits.recordedEdit(store, 'Fix two frames', () => {
      for (const i of [5, 6]) {
        const [m] = store.listAnnotations(video.id, i);
        store.updateAnnotation(m!.id, { box: { x: 0, y: 0, w: 2, h: 2 } });
        edits.deleteAnnotation(store, m!.id); // a nested edit joins the outer step
      }
    });
    expect(journalRows()).toEqual([{ label: 'Fix two frames', undone: 0 }]);
    expect(store.listAnnotations(video.id, 6)).toEqual([]);
    expect(edits.undo(store)).toMatchObject({ frames: [5, 6] });
    expect(snapshot()).toEqual(before);

    expect(() =>
      edits.recordedEdit(store, 'Broken', () => {
        store.deleteAnnotation(store.listAnnotations(video.id, 1)[0]!.id);
        throw new Error('halfway');
      }),
    ).toThrow('halfway');
    expect(snapshot()).toEqual(before);
    expect(store.editHistory()).toEqual({ undo: null, redo: 'Fix two frames' });
  });

  it('verify, unverify and accept all are steps; accept makes machine labels the person\'s', () => {
    machineLabels();
    edits.setFrameVerified(store, video.id, 3, true);
    expect(store.getFrame(video.id, 3).state).toBe('verified');
    edits.undo(store);
    expect(store.getFrame(video.id, 3).state).toBe('propagated');
    expect(store.listAnnotations(video.id, 3)[0]!.verified).toBe(false);

    expect(edits.acceptAll(store, video.id, 4)).toBe(1);
    expect(store.listAnnotations(video.id, 4).map((a) => [a.source, a.verified])).toEqual([['corrected', true]]);
    edits.setFrameVerified(store, video.id, 4, false);
    expect(store.getFrame(video.id, 4).state).toBe('corrected'); // accepted labels stay the person's
    edits.undo(store);
    edits.undo(store);
    expect(store.listAnnotations(video.id, 4).map((a) => [a.source, a.verified])).toEqual([['propagated', false]]);
    expect(store.getFrame(video.id, 4).state).toBe('propagated');
  });

  it('refuses to undo or redo over rows changed since, naming them, and changes nothing', () => {
    const run = machineLabels(2);
    edits.createAnnotation(store, { videoId: video.id, frameIdx: 12, classId: car.id, bbox: { x: 1, y: 1, w: 3, h: 3 } });
    edits.undo(store);
    store.updateRun(run.id, { status: 'running' });
    store.writeMachineResults(run.id, video.id, [{ frameIdx: 12, state: 'predicted', score: 0.5, annotations: [] }]);
    const before = snapshot();
    const err = expectAppError(() => edits.redo(store), 'INVALID_INPUT');
    expect(err.message).toMatch(/Cannot redo "Add box \(car\)": frame 12 of video \d+ has changed since/);
    expect(snapshot()).toEqual(before);
  });
});

describe('bad input', () => {
  it('a box partly outside is clipped; one of zero size or wholly outside is refused, naming it', () => {
    const a = edits.createAnnotation(store, { videoId: video.id, frameIdx: 0, classId: car.id, bbox: { x: -5, y: 20, w: 10, h: 10 } });
    expect(a.box).toEqual({ x: 0, y: 20, w: 5, h: 4 });
    const journal = journalRows();
    expect(expectAppError(() => edits.createAnnotation(store, { videoId: video.id, frameIdx: 0, classId: car.id, bbox: { x: 3, y: 3, w: 0, h: 4 } }), 'INVALID_INPUT').message).toBe(
      'new annotation on frame 0: the box {x 3, y 3, w 0, h 4} has zero size',
    );
    expect(expectAppError(() => edits.updateAnnotation(store, a.id, { bbox: { x: 40, y: 3, w: 5, h: 4 } }), 'INVALID_INPUT').message).toBe(
      `annotation ${a.id} on frame 0: the box {x 40, y 3, w 5, h 4} lies outside the 32×24 frame`,
    );
    expect(store.getAnnotation(a.id).box).toEqual({ x: 0, y: 20, w: 5, h: 4 });
    expect(journalRows()).toEqual(journal);
  });

  it('an empty or malformed mask is refused; a frame that does not exist is named', () => {
    const empty = encodeMask(new Uint8Array(24 * 32), 24, 32).counts;
    expect(expectAppError(() => edits.createAnnotation(store, { videoId: video.id, frameIdx: 1, classId: car.id, rle: empty }), 'INVALID_INPUT').message).toMatch(/mask is empty/);
    expect(expectAppError(() => edits.createAnnotation(store, { videoId: video.id, frameIdx: 1, classId: car.id, rle: '0' }), 'INVALID_INPUT').message).toMatch(/not valid RLE for the 32×24 video/);
    expect(expectAppError(() => edits.createAnnotation(store, { videoId: video.id, frameIdx: 30, classId: car.id, bbox: { x: 1, y: 1, w: 2, h: 2 } }), 'OUT_OF_RANGE').message).toMatch(/Frame 30 is outside video/);
    expectAppError(() => edits.setFrameVerified(store, video.id, 99, true), 'OUT_OF_RANGE');
    expect(store.listAnnotationsInRange(video.id)).toEqual([]);
    expect(journalRows()).toEqual([]);
  });

  it('a class in use cannot be removed; the message says how many use it', () => {
    machineLabels(3);
    expect(expectAppError(() => store.removeClass(car.id), 'INVALID_INPUT').message).toMatch(/"car" is used by 3 annotations/);
    expect(store.listClasses().map((c) => c.name)).toContain('car');
  });
});

describe('carrying a correction forward (writing the plan)', () => {
  it('replaces the same track on each frame with a carried label, one undoable step, and machine runs keep off', () => {
    const run = machineLabels();
    const before = snapshot();
    const [m] = store.listAnnotations(video.id, 2);
    const fixed = edits.updateAnnotation(store, m!.id, { rle: rect(4, 3, 6, 5) });
    const plan = {
      frames: [3, 4, 5].map((i) => ({ frameIdx: i, bbox: { x: 5 + i - 3, y: 3, w: 6, h: 5 }, rle: { size: [24, 32] as [number, number], counts: rect(5 + i - 3, 3, 6, 5) } })),
      stoppedAt: 6,
      reason: 'limit' as const,
    };
    expect(edits.writeCarried(store, fixed.id, plan)).toEqual({ frames: [3, 4, 5], stoppedAt: 6, reason: 'limit' });
    for (const i of [3, 4, 5]) {
      const rows = store.listAnnotations(video.id, i);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ source: 'carried', trackId: 7, classId: car.id, box: { x: 5 + i - 3, y: 3, w: 6, h: 5 } });
      expect(store.getFrame(video.id, i).state).toBe('carried');
    }
    expect(store.editHistory().undo).toBe('Carry forward to frames 3–5');
    store.updateRun(run.id, { status: 'running' });
    const again = store.writeMachineResults(run.id, video.id, [4, 6].map((frameIdx) => ({ frameIdx, state: 'propagated' as const, score: 0.1, annotations: [] })));
    expect(again.skipped).toEqual([{ frameIdx: 4, reason: 'human-edited' }]);
    expect(store.listAnnotations(video.id, 6)).toEqual([]);

    edits.undo(store); // the carry, as one step
    for (const i of [3, 4, 5]) {
      expect(store.listAnnotations(video.id, i)).toEqual(before.annotations.filter((a) => a.frameIdx === i));
      expect(store.getFrame(video.id, i).state).toBe('propagated');
    }
    // editing a carried frame makes it the person's
    edits.redo(store);
    const carried = store.listAnnotations(video.id, 4)[0]!;
    expect(edits.updateAnnotation(store, carried.id, { trackId: 8 }).source).toBe('corrected');
    expect(store.getFrame(video.id, 4).state).toBe('corrected');
  });

  it('stops at a frame a person edited after the plan was made, writing the frames before it', () => {
    machineLabels();
    const [m] = store.listAnnotations(video.id, 2);
    edits.updateAnnotation(store, m!.id, { bbox: { x: 4, y: 3, w: 6, h: 5 } });
    edits.createAnnotation(store, { videoId: video.id, frameIdx: 4, classId: stuff.id, bbox: { x: 1, y: 1, w: 3, h: 3 } });
    const plan = { frames: [3, 4, 5].map((i) => ({ frameIdx: i, bbox: { x: 4 + i, y: 3, w: 6, h: 5 } })), stoppedAt: 6, reason: 'limit' as const };
    expect(edits.writeCarried(store, m!.id, plan)).toEqual({ frames: [3], stoppedAt: 4, reason: 'human-edited' });
    expect(store.listAnnotations(video.id, 4).map((a) => a.source)).toEqual(['propagated', 'manual']);
    expect(store.getFrame(video.id, 5).state).toBe('propagated');
  });
});
