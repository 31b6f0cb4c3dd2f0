/**
 * DFF over the real browser-mode server on the demo project: dff.start runs the default pack in the
 * session's background (progress with fps, then one task.finished), frame.annotations returns its boxes
 * and masks, video.frameStates marks a key frame every k; cancel keeps what was written and resume finishes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FRAME_KEY_BIT,
  FRAME_STATES,
  type EventPayload,
  type FrameAnnotations,
  type FrameStates,
  type PackInfo,
  type ProjectInfo,
  type Result,
  type VideoInfo,
} from '../../electron/common/api';
import { decodeMask } from '../../electron/core/masks/rle';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { connectWs, type TestWsClient } from './ws-client';

function ok<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

type Finished = EventPayload<'task.finished'>;
type Progress = EventPayload<'task.progress'>;

function decodeStates(s: FrameStates): Uint8Array {
  const codes = new Uint8Array(Buffer.from(s.codes, 'base64'));
  expect(codes.length).toBe(s.count);
  return codes;
}

describe('DFF calls over the server', () => {
  let dir: string;
  let server: RunningServer;
  let ws: TestWsClient;
  let video: VideoInfo;

  async function finished(taskId: string): Promise<Finished> {
    let found: Finished | undefined;
    await expect
      .poll(() => (found = ws.events.find((e) => e.event === 'task.finished' && (e.payload as Finished).taskId === taskId)?.payload as Finished), { timeout: 90_000 })
      .toBeTruthy();
    return found!;
  }
  const progressOf = (taskId: string) =>
    ws.events.filter((e) => e.event === 'task.progress' && (e.payload as Progress).taskId === taskId).map((e) => e.payload as Progress);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-api-dff-'));
    server = await startServer({ port: 0, project: null, home: dir, rendererDir: dir });
    ws = await connectWs(server.url);
    ok<ProjectInfo>(await ws.call('demo.open'));
    [video] = ok<VideoInfo[]>(await ws.call('video.list'));
  });

  afterAll(async () => {
    await ws?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('before any run every frame is unlabelled and no frame is a key frame', async () => {
    const codes = decodeStates(ok<FrameStates>(await ws.call('video.frameStates', { videoId: video.id })));
    expect(codes.length).toBe(video.frameCount);
    expect(codes.every((c) => c === FRAME_STATES.indexOf('unlabelled'))).toBe(true);
    expect(ok<FrameAnnotations>(await ws.call('frame.annotations', { videoId: video.id, index: 3 }))).toEqual({ boxes: [], masks: [] });
  });

  it('runs DFF k=5 over frames 0–29: progress with fps, one finished, key frames every 5, labels on the frames', async () => {
    const { taskId, runId } = ok<{ taskId: string; runId: number }>(
      await ws.call('dff.start', { videoId: video.id, mode: 'fixed', k: 5, from: 0, to: 30 }),
    );
    expect(taskId).toMatch(/^dff-/);
    const end = await finished(taskId);
    if (!end.ok) throw new Error(`DFF failed: ${end.error.code}: ${end.error.message}`);
    expect(end.kind).toBe('dff');
    if (end.kind !== 'dff') return;
    expect(end.result).toMatchObject({ runId, status: 'done', done: 30, total: 30, written: 30, skipped: 0, badFrames: 0 });
    expect(end.result.fps).toBeGreaterThan(0);
    const progress = progressOf(taskId);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.kind === 'dff' && p.total === 30 && p.done <= 30 && typeof p.fps === 'number')).toBe(true);
    expect(progress.at(-1)!.done).toBe(30);

    const codes = decodeStates(ok<FrameStates>(await ws.call('video.frameStates', { videoId: video.id })));
    for (let i = 0; i < 30; i++) {
      const key = (codes[i]! & FRAME_KEY_BIT) !== 0;
      expect(key, `frame ${i}`).toBe(i % 5 === 2); // the middle of each 5
      expect(FRAME_STATES[codes[i]! & 0x7f], `frame ${i}`).toBe(key ? 'predicted' : 'propagated');
    }
    expect(FRAME_STATES[codes[30]! & 0x7f]).toBe('unlabelled');

    // Frame 8 is propagated from key 7: the pack's heads give boxes and class masks at the video's size.
    const labels = ok<FrameAnnotations>(await ws.call('frame.annotations', { videoId: video.id, index: 8 }));
    const classes = ok<Array<{ id: number; name: string; color: string }>>(await ws.call('class.list'));
    expect(labels.boxes.length).toBeGreaterThan(0);
    for (const b of labels.boxes) {
      expect(b.source).toBe('propagated');
      expect(b.w).toBeGreaterThan(0);
      expect(b.x + b.w).toBeLessThanOrEqual(video.width + 1e-6);
      expect(b.score).toBeGreaterThan(0);
      const cls = classes.find((c) => c.id === b.classId)!;
      expect({ name: b.className, color: b.color }).toEqual({ name: cls.name, color: cls.color });
    }
    expect(labels.masks.length).toBeGreaterThan(0);
    for (const m of labels.masks) {
      expect(m.size).toEqual([video.height, video.width]);
      expect(decodeMask({ size: m.size, counts: m.counts }).some((v) => v === 1)).toBe(true);
    }
  });

  it('a cancelled run ends CANCELLED, keeps its frames, and dff.resume finishes it', async () => {
    const { taskId, runId } = ok<{ taskId: string; runId: number }>(
      await ws.call('dff.start', { videoId: video.id, mode: 'baseline', from: 40, to: 100 }),
    );
    ok(await ws.call('dff.cancel', { taskId }));
    const end = await finished(taskId);
    expect(end.ok).toBe(false);
    if (!end.ok) expect(end.error).toMatchObject({ code: 'CANCELLED', message: expect.stringContaining(`run ${runId}`) });
    const resumed = ok<{ taskId: string; runId: number }>(await ws.call('dff.resume', { runId }));
    expect(resumed.runId).toBe(runId);
    const again = await finished(resumed.taskId);
    if (!again.ok) throw new Error(`resume failed: ${again.error.code}: ${again.error.message}`);
    expect(again.kind === 'dff' && again.result).toMatchObject({ runId, status: 'done', done: 60, total: 60 });
    const codes = decodeStates(ok<FrameStates>(await ws.call('video.frameStates', { videoId: video.id })));
    for (let i = 40; i < 100; i++) expect(codes[i], `frame ${i}`).toBe(FRAME_STATES.indexOf('predicted') | FRAME_KEY_BIT);
  });

  it('app.info lists the execution providers that start here and the thread count the dffThreads setting gives runs', async () => {
    const before = ok<{ executionProviders: string[]; cpuThreads: number }>(await ws.call('app.info'));
    expect(before.executionProviders.at(-1)).toBe('cpu');
    expect(before.cpuThreads).toBe(os.availableParallelism());
    ok(await ws.call('settings.set', { dffThreads: 1 }));
    expect(ok<{ cpuThreads: number }>(await ws.call('app.info')).cpuThreads).toBe(1);
    const bad = await ws.call('settings.set', { dffThreads: 0 });
    expect(!bad.ok && bad.error.code).toBe('INVALID_INPUT');
  });

  it('runs adaptive key frames: as many as fixed k makes', async () => {
    const { taskId } = ok<{ taskId: string }>(await ws.call('dff.start', { videoId: video.id, mode: 'adaptive', k: 5, from: 150, to: 190 }));
    const end = await finished(taskId);
    if (!end.ok) throw new Error(`adaptive run failed: ${end.error.code}: ${end.error.message}`);
    const codes = decodeStates(ok<FrameStates>(await ws.call('video.frameStates', { videoId: video.id })));
    const keys = Array.from(codes.slice(150, 190)).filter((c) => c & FRAME_KEY_BIT).length;
    expect(keys).toBe(8); // as many as fixed k=5 makes, placed by the motion
  });

  it('names what is wrong: an unknown task, a frame out of range, k with the baseline, a missing pack', async () => {
    const cancel = await ws.call('dff.cancel', { taskId: 'dff-nope' });
    expect(!cancel.ok && cancel.error.code).toBe('NOT_FOUND');
    const frame = await ws.call('frame.annotations', { videoId: video.id, index: video.frameCount });
    expect(!frame.ok && frame.error.message).toContain(String(video.frameCount));
    const baseline = await ws.call('dff.start', { videoId: video.id, mode: 'baseline', k: 4 });
    expect(!baseline.ok && baseline.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('baseline') });
    const missing = path.join(dir, 'no-such-pack');
    const pack = await ws.call('dff.start', { videoId: video.id, mode: 'fixed', packDir: missing });
    expect(!pack.ok && pack.error.message).toContain(missing);
  });

  it('pack.inspect validates a pack folder: the default describes itself, a broken copy names its file and tensor', async () => {
    const def = ok<PackInfo>(await ws.call('pack.inspect', {}));
    expect(def).toMatchObject({ name: expect.any(String), isDefault: true, keyInterval: 10, inputWidth: 320, inputHeight: 192 });
    expect(def.classes).toEqual(['disc', 'square', 'triangle', 'star', 'ring', 'cross']);
    const copy = path.join(dir, 'my-pack');
    fs.cpSync(def.dir, copy, { recursive: true });
    const same = ok<PackInfo>(await ws.call('pack.inspect', { dir: copy }));
    expect(same).toMatchObject({ dir: copy, isDefault: false, classes: def.classes });
    expect(def.actions).toEqual(['move_left', 'move_right', 'rotate_cw', 'rotate_ccw', 'approach', 'recede']);
    const original = fs.readFileSync(path.join(copy, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(original);
    const { action, ...withoutAction } = manifest;
    fs.writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(withoutAction));
    expect(ok<PackInfo>(await ws.call('pack.inspect', { dir: copy })).actions).toBeNull();
    fs.writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify({ ...manifest, action: { ...action, outputs: { logits: 'no_such_output' } } }));
    const badAction = await ws.call('pack.inspect', { dir: copy });
    expect(!badAction.ok && badAction.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/action\.onnx.*no_such_output/) });
    manifest.networks.flow.outputs.scale = 'not_a_tensor';
    fs.writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
    const bad = await ws.call('pack.inspect', { dir: copy });
    expect(!bad.ok && bad.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/flow\.onnx.*not_a_tensor/) });
    fs.writeFileSync(path.join(copy, 'manifest.json'), original);
    fs.rmSync(path.join(copy, 'task.onnx'));
    const missing = await ws.call('pack.inspect', { dir: copy });
    expect(!missing.ok && missing.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('task.onnx') });
  });

  it('closing the project stops a running run: the task ends CANCELLED and the server goes on', async () => {
    const { taskId } = ok<{ taskId: string; runId: number }>(await ws.call('dff.start', { videoId: video.id, mode: 'fixed', from: 100, to: 300 }));
    await expect.poll(() => progressOf(taskId).length, { timeout: 30_000 }).toBeGreaterThan(0);
    ok(await ws.call('project.close'));
    const end = await finished(taskId);
    expect(!end.ok && end.error.code).toBe('CANCELLED');
    ok<ProjectInfo>(await ws.call('demo.open'));
    const codes = decodeStates(ok<FrameStates>(await ws.call('video.frameStates', { videoId: video.id })));
    expect(FRAME_STATES[codes[299]! & 0x7f]).toBe('unlabelled'); // it stopped well before the end
  });
});
