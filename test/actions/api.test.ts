/**
 * `action.suggest` / `action.cancel` through dispatch: a background task of kind 'actions' (progress, one
 * task.finished with the result), a pack without an action model refused by the call itself, cancel.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ActionLane } from '../../electron/common/action-schemas';
import type { EventPayload, Result } from '../../electron/common/api';
import { AppContext } from '../../electron/core/api/context';
import { dispatch } from '../../electron/core/api/handlers';
import { Session } from '../../electron/core/api/session';
import { projectWith, tempDir } from '../dff/helpers';
import { flashVideo, writeProbePack } from './probe-pack';

type Finished = EventPayload<'task.finished'>;

let dir: string;
let pack: string;
let videoFile: string;
let session: Session | null = null;
let events: { event: string; payload: unknown }[] = [];

beforeAll(async () => {
  dir = tempDir('actions-api');
  pack = writeProbePack(path.join(dir, 'probe'));
  videoFile = await flashVideo(dir);
});
afterEach(async () => {
  await session?.dispose();
  session = null;
  events = [];
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function ok<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** A session with a new project holding the flash video open. */
async function open(name: string): Promise<{ s: Session; videoId: number }> {
  const { store, video, file } = await projectWith(dir, videoFile, name);
  store.close();
  session = new Session(new AppContext(path.join(dir, `home-${name}`)), { kind: 'browser' }, (event, payload) => events.push({ event, payload }));
  ok(await dispatch(session, 'project.open', { path: file }));
  return { s: session, videoId: video.id };
}

async function finished(taskId: string): Promise<Finished> {
  let found: Finished | undefined;
  await expect
    .poll(() => (found = events.find((e) => e.event === 'task.finished' && (e.payload as Finished).taskId === taskId)?.payload as Finished), {
      timeout: 60_000,
    })
    .toBeTruthy();
  return found!;
}

it('runs as a background task: progress in windows, then the result; the lane shows the suggestions', async () => {
  const { s, videoId } = await open('run');
  const { taskId } = ok<{ taskId: string }>(await dispatch(s, 'action.suggest', { videoId, packDir: pack }));
  expect(taskId).toMatch(/^actions-/);
  expect(await finished(taskId)).toEqual({ taskId, kind: 'actions', ok: true, result: { videoId, suggested: 2, skipped: 0, windows: 15, model: 'probe 0.1' } });
  const progress = events.filter((e) => e.event === 'task.progress').map((e) => e.payload as EventPayload<'task.progress'>);
  expect(progress.length).toBeGreaterThan(0);
  expect(progress[0]).toMatchObject({ taskId, kind: 'actions', phase: 'windows', total: 15 });
  const lane = ok<ActionLane>(await dispatch(s, 'action.list', { videoId }));
  expect(lane.segments.map((x) => [x.source, x.status, x.model])).toEqual([
    ['machine', 'suggested', 'probe 0.1'],
    ['machine', 'suggested', 'probe 0.1'],
  ]);
});

it('refuses a pack without an action model in the call itself (no task), and an unknown task on cancel', async () => {
  const { s, videoId } = await open('refused');
  const bare = writeProbePack(path.join(dir, 'bare'), null, null);
  const r = await dispatch(s, 'action.suggest', { videoId, packDir: bare });
  expect(r.ok).toBe(false);
  if (!r.ok) expect([r.error.code, r.error.message]).toEqual(['INVALID_INPUT', expect.stringMatching(/^pack probe 0\.1 \(.*bare\) has no action model/)]);
  const c = await dispatch(s, 'action.cancel', { taskId: 'actions-nope' });
  expect(!c.ok && c.error.code).toBe('NOT_FOUND');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(events.filter((e) => e.event.startsWith('task.'))).toEqual([]);
});

it('cancel ends the task CANCELLED with nothing written, and the video can be run again', async () => {
  const { s, videoId } = await open('cancel');
  const { taskId } = ok<{ taskId: string }>(await dispatch(s, 'action.suggest', { videoId, packDir: pack }));
  ok(await dispatch(s, 'action.cancel', { taskId }));
  const end = await finished(taskId);
  expect(end).toMatchObject({ taskId, kind: 'actions', ok: false, error: { code: 'CANCELLED' } });
  expect(ok<ActionLane>(await dispatch(s, 'action.list', { videoId, includeRejected: true })).segments).toEqual([]);
  const again = ok<{ taskId: string }>(await dispatch(s, 'action.suggest', { videoId, packDir: pack }));
  expect(await finished(again.taskId)).toMatchObject({ ok: true, result: { suggested: 2 } });
});
