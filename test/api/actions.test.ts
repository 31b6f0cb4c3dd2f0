/** The action lane's calls through `dispatch`: contract checks, the lane with its history, undo/redo by edit.undo/redo. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionClass, ActionLane } from '../../electron/common/action-schemas';
import type { Result } from '../../electron/common/api';
import type { UndoResult } from '../../electron/common/edit-schemas';
import { AppContext } from '../../electron/core/api/context';
import { dispatch } from '../../electron/core/api/handlers';
import { Session } from '../../electron/core/api/session';
import { openProject } from '../../electron/core/store';
import { sampleVideo } from '../store/helpers';

let home: string;
let session: Session;
let videoId: number;

function ok<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}
function fails(r: Result<unknown>, code: string): string {
  if (r.ok) throw new Error(`expected ${code}, got ok: ${JSON.stringify(r.value)}`);
  expect(r.error.code, r.error.message).toBe(code);
  return r.error.message;
}
const call = (name: string, input: unknown = {}) => dispatch(session, name, input);

beforeEach(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-actions-api-'));
  const file = path.join(home, 'p.dffproj');
  const store = openProject(file, { create: true });
  videoId = store.addVideo(sampleVideo({ path: path.join(home, 'clip.mp4') }, 50)).id; // no video file needed for the lane
  store.close();
  session = new Session(new AppContext(home), { kind: 'browser' }, () => undefined);
  ok(await call('project.open', { path: file }));
});
afterEach(async () => {
  await session.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('action calls', () => {
  it('classes: add (refusing a duplicate name, naming it) and list', async () => {
    expect(ok<ActionClass[]>(await call('action.classes'))).toEqual([]);
    const walk = ok<ActionClass>(await call('action.classAdd', { name: 'walk', color: '#12AB34' }));
    expect(walk).toEqual({ id: walk.id, name: 'walk', color: '#12ab34' });
    expect(fails(await call('action.classAdd', { name: 'Walk' }), 'INVALID_INPUT')).toMatch(/action class named "walk" already exists/);
    expect(fails(await call('action.classAdd', { name: '  ' }), 'INVALID_INPUT')).toMatch(/^action.classAdd: invalid input — name: /);
    const run = ok<ActionClass>(await call('action.classAdd', { name: 'run' }));
    expect(ok<ActionClass[]>(await call('action.classes'))).toEqual([walk, run]);
  });

  it('create, update, delete, accept, reject return the lane with its history; edit.undo/redo revert them', async () => {
    const walk = ok<ActionClass>(await call('action.classAdd', { name: 'walk' })).id;
    const wave = ok<ActionClass>(await call('action.classAdd', { name: 'wave' })).id;
    const created = ok<{ segmentId: number; lane: ActionLane }>(await call('action.create', { videoId, start: 10, end: 40, classId: walk }));
    expect(created.lane).toEqual({
      videoId,
      segments: [{ id: created.segmentId, videoId, start: 10, end: 40, classId: walk, source: 'human', status: 'accepted', score: null, model: null }],
      history: { undo: 'Add action walk 10–40', redo: null },
    });
    const moved = ok<ActionLane>(await call('action.update', { segmentId: created.segmentId, end: 45, classId: wave }));
    expect(moved.segments[0]).toMatchObject({ end: 45, classId: wave });
    expect(moved.history.undo).toBe('Edit action wave 10–45');

    const undone = ok<UndoResult>(await call('edit.undo'));
    expect(undone.step).toMatchObject({ label: 'Edit action wave 10–45', videoId, frames: [10, 40, 45] });
    expect(ok<ActionLane>(await call('action.list', { videoId })).segments[0]).toMatchObject({ end: 40, classId: walk });
    ok(await call('edit.redo'));

    // suggestions (as a run leaves them) accepted, rejected, deleted
    session.store.replaceActionSuggestions(videoId, 'pack 1', [
      { start: 0, end: 5, classId: walk, score: 0.9 },
      { start: 20, end: 30, classId: wave, score: 0.4 },
    ]);
    const lane = ok<ActionLane>(await call('action.list', { videoId }));
    const [a, , b] = lane.segments; // start order: 0–5, 10–45, 20–30
    expect(ok<ActionLane>(await call('action.accept', { segmentId: a!.id })).segments[0]).toMatchObject({ status: 'accepted', source: 'machine', score: 0.9 });
    const rejected = ok<ActionLane>(await call('action.reject', { segmentId: b!.id }));
    expect(rejected.segments.map((s) => s.id)).toEqual([a!.id, created.segmentId]); // hidden from the lane …
    expect(rejected.history.undo).toBe('Reject suggestion wave 20–30');
    const all = ok<ActionLane>(await call('action.list', { videoId, includeRejected: true }));
    expect(all.segments.find((s) => s.id === b!.id)?.status).toBe('rejected'); // … but kept
    const deleted = ok<ActionLane>(await call('action.delete', { segmentId: created.segmentId }));
    expect(deleted.segments.map((s) => s.id)).toEqual([a!.id]);
    expect(ok<UndoResult>(await call('edit.undo')).step).toMatchObject({ label: 'Delete action wave 10–45', frames: [10, 45] });
    expect(ok<ActionLane>(await call('action.list', { videoId })).segments.map((s) => s.id)).toEqual([a!.id, created.segmentId]);
  });

  it('refuses bad input naming it: fields, frames past the end, unknown rows', async () => {
    const walk = ok<ActionClass>(await call('action.classAdd', { name: 'walk' })).id;
    expect(fails(await call('action.create', { videoId, start: -1, end: 3, classId: walk }), 'INVALID_INPUT')).toMatch(/start: /);
    expect(fails(await call('action.create', { videoId, start: 1, end: 3 }), 'INVALID_INPUT')).toMatch(/classId: /);
    expect(fails(await call('action.create', { videoId, start: 10, end: 50, classId: walk }), 'OUT_OF_RANGE')).toBe(
      `New action segment: frame 50 is past the last frame (49) of video ${videoId}`,
    );
    expect(fails(await call('action.create', { videoId, start: 9, end: 3, classId: walk }), 'INVALID_INPUT')).toMatch(/start frame 9 is after end frame 3/);
    expect(fails(await call('action.update', { segmentId: 77, end: 3 }), 'NOT_FOUND')).toBe('Action segment 77 does not exist in this project');
    expect(fails(await call('action.accept', { segmentId: 77 }), 'NOT_FOUND')).toMatch(/Action segment 77/);
    expect(fails(await call('action.list', { videoId: 99 }), 'NOT_FOUND')).toMatch(/Video 99/);
    expect(fails(await call('action.list', { videoId, extra: 1 }), 'INVALID_INPUT')).toMatch(/action.list: invalid input/);
    session.closeProject();
    expect(fails(await call('action.classes'), 'NO_PROJECT')).toBeTruthy();
  });
});
