/** A person's action segment edits as steps of the project's undo/redo journal, and how suggestion runs meet them. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as edits from '../../electron/core/edits';
import { openProject, type ActionSegment, type ProjectStore, type Video } from '../../electron/core/store';
import { expectAppError, sampleVideo, tempDir } from '../store/helpers';

const root = tempDir('action-edits');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
let file: string;
let store: ProjectStore;
let video: Video; // 60 frames
let moveLeft: number;
let wave: number;

beforeEach(() => {
  file = path.join(root, `p${++n}`, 'project.dffproj');
  store = openProject(file, { create: true });
  video = store.addVideo(sampleVideo({}, 60));
  moveLeft = store.addActionClass('move_left').id;
  wave = store.addActionClass('wave').id;
});
afterEach(() => store.close());

const lane = () => store.listActionSegments(video.id, true);
/** Puts suggestions on the lane as a run would, returning them in start order. */
function suggest(model: string, ...ranges: Array<[number, number, number]>): ActionSegment[] {
  store.replaceActionSuggestions(video.id, model, ranges.map(([start, end, classId]) => ({ start, end, classId, score: 2 / 3 })));
  return store.listActionSegments(video.id).filter((s) => s.status === 'suggested');
}

/** Undo restores exactly `before`, redo exactly `after`; each step reports its label, video and frame ends. */
function expectUndoRedo(label: string, frames: number[], before: ActionSegment[], after: ActionSegment[]) {
  expect(lane()).toEqual(after);
  expect(store.editHistory()).toEqual({ undo: label, redo: null });
  expect(edits.undo(store)).toMatchObject({ label, videoId: video.id, frames });
  expect(lane()).toEqual(before);
  expect(store.editHistory().redo).toBe(label);
  expect(edits.redo(store)).toMatchObject({ label, videoId: video.id, frames });
  expect(lane()).toEqual(after);
}

describe('action edits with undo and redo', () => {
  it('create: one step; undo removes the segment, redo brings the same row back', () => {
    const before = lane();
    const s = store.createActionSegment({ videoId: video.id, start: 10, end: 40, classId: moveLeft });
    expect(store.editHistory()).toEqual({ undo: 'Add action move_left 10–40', redo: null });
    expect(edits.undo(store)).toEqual({ id: expect.any(Number), label: 'Add action move_left 10–40', videoId: video.id, frames: [10, 40] });
    expect(lane()).toEqual(before);
    expect(store.editHistory()).toEqual({ undo: null, redo: 'Add action move_left 10–40' });
    edits.redo(store);
    expect(lane()).toEqual([s]);
  });

  it('edit of a person segment: the frames of both the old and the new ends', () => {
    const s = store.createActionSegment({ videoId: video.id, start: 10, end: 40, classId: moveLeft });
    const before = lane();
    store.updateActionSegment(s.id, { start: 12, end: 45, classId: wave });
    expectUndoRedo('Edit action wave 12–45', [10, 12, 40, 45], before, [{ ...s, start: 12, end: 45, classId: wave }]);
  });

  it('edit of a suggestion: undo gives back the suggestion exactly (machine, suggested, its score)', () => {
    const [sug] = suggest('pack 1', [5, 20, wave]);
    const before = lane();
    store.updateActionSegment(sug!.id, { start: 3 });
    expectUndoRedo('Edit action wave 3–20', [3, 5, 20], before, [{ ...sug!, start: 3, source: 'human', status: 'accepted', score: null }]);
    expect(before[0]).toMatchObject({ source: 'machine', status: 'suggested', score: 2 / 3, model: 'pack 1' });
  });

  it('delete: a person segment is removed and restored with its id; a suggestion becomes rejected and back', () => {
    const human = store.createActionSegment({ videoId: video.id, start: 30, end: 50, classId: moveLeft });
    const [sug] = suggest('pack 1', [0, 9, wave]);
    let before = lane();
    store.deleteActionSegment(human.id);
    expectUndoRedo('Delete action move_left 30–50', [30, 50], before, [sug!]);

    before = lane();
    store.deleteActionSegment(sug!.id);
    expectUndoRedo('Delete action wave 0–9', [0, 9], before, [{ ...sug!, status: 'rejected' }]);
    // the whole history unwinds in order
    edits.undo(store);
    edits.undo(store);
    expect(lane()).toEqual([sug, human].sort((a, b) => a!.start - b!.start));
  });

  it('accept and reject: one step each, undone and redone', () => {
    const [a, b] = suggest('pack 1', [0, 9, wave], [20, 29, moveLeft]);
    let before = lane();
    store.acceptActionSegment(a!.id);
    expectUndoRedo('Accept suggestion wave 0–9', [0, 9], before, [{ ...a!, status: 'accepted' }, b!]);
    before = lane();
    store.rejectActionSegment(b!.id);
    expectUndoRedo('Reject suggestion move_left 20–29', [20, 29], before, [{ ...a!, status: 'accepted' }, { ...b!, status: 'rejected' }]);
    // accepting what is accepted records nothing
    const history = store.editHistory();
    store.acceptActionSegment(a!.id);
    expect(store.editHistory()).toEqual(history);
  });

  it('action steps and annotation steps share one journal, undone newest first, also after reopening', () => {
    const car = store.addClass({ name: 'car', color: '#0000ff' });
    const seg = store.createActionSegment({ videoId: video.id, start: 1, end: 4, classId: wave });
    const box = edits.createAnnotation(store, { videoId: video.id, frameIdx: 2, classId: car.id, bbox: { x: 1, y: 1, w: 4, h: 4 } });
    store.updateActionSegment(seg.id, { end: 6 });
    store.close();
    store = openProject(file);
    expect(edits.undo(store)!.label).toBe('Edit action wave 1–6');
    expect(store.getActionSegment(seg.id).end).toBe(4);
    expect(edits.undo(store)!.label).toBe('Add box (car)');
    expect(store.listAnnotations(video.id, 2)).toEqual([]);
    expect(edits.undo(store)!.label).toBe('Add action wave 1–4');
    expect(lane()).toEqual([]);
    edits.redo(store);
    edits.redo(store);
    expect(store.listAnnotations(video.id, 2)).toEqual([box]);
    // a new edit after reopening is recorded too
    store.deleteActionSegment(seg.id);
    expect(store.editHistory()).toEqual({ undo: 'Delete action wave 1–4', redo: null });
  });
});

describe('suggestion runs and the journal', () => {
  it('a run between steps leaves them undoable: undoing an accept or reject brings the suggestion back beside the new ones', () => {
    const [a, b] = suggest('pack 1', [0, 9, wave], [20, 29, moveLeft]);
    store.acceptActionSegment(a!.id);
    store.rejectActionSegment(b!.id);
    const history = store.editHistory();
    const fresh = suggest('pack 2', [0, 8, wave], [21, 29, moveLeft], [40, 50, wave]);
    expect(fresh.map((s) => [s.start, s.end])).toEqual([[40, 50]]); // the others overlap what the person decided
    expect(store.editHistory()).toEqual(history);

    expect(edits.undo(store)!.label).toBe('Reject suggestion move_left 20–29');
    expect(edits.undo(store)!.label).toBe('Accept suggestion wave 0–9');
    expect(lane()).toEqual([a, b, fresh[0]]);
    edits.redo(store);
    expect(store.getActionSegment(a!.id).status).toBe('accepted');
  });

  it('redo refuses, naming the row, when a later run replaced the suggestion the step changed; nothing is touched', () => {
    const [a] = suggest('pack 1', [10, 40, moveLeft]);
    store.acceptActionSegment(a!.id);
    edits.undo(store); // a is a pending suggestion again …
    const fresh = suggest('pack 2', [12, 40, moveLeft]); // … so this run replaces it
    expect(fresh[0]!.id).not.toBe(a!.id);
    const after = lane();
    const err = expectAppError(() => edits.redo(store), 'INVALID_INPUT');
    expect(err.message).toBe(
      `Cannot redo "Accept suggestion move_left 10–40": action segment ${a!.id} (frames 10–40 of video ${video.id}) was replaced by a later suggestion run; nothing was changed`,
    );
    expect(lane()).toEqual(after);
    expect(store.editHistory()).toEqual({ undo: null, redo: 'Accept suggestion move_left 10–40' });
    // the person goes on: a new edit clears the stale redo
    store.acceptActionSegment(fresh[0]!.id);
    expect(store.editHistory()).toEqual({ undo: 'Accept suggestion move_left 12–40', redo: null });
  });

  it('a segment restored by undo or redo never collides with rows a run added meanwhile (ids are not reused)', () => {
    const human = store.createActionSegment({ videoId: video.id, start: 50, end: 59, classId: wave });
    edits.undo(store);
    const fresh = suggest('pack 1', [0, 5, wave], [6, 12, moveLeft]);
    expect(fresh.map((s) => s.id)).not.toContain(human.id);
    edits.redo(store);
    expect(lane()).toEqual([...fresh, human]);
  });
});
