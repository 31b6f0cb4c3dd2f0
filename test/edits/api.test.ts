/**
 * The editor's calls over the real browser-mode server on the demo project after a real DFF run: edit a
 * propagated frame, undo/redo, carry the correction forward with the pack's flow network, verify, and
 * find it all again after the project is closed and reopened.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, Result, VideoInfo } from '../../electron/common/api';
import type { CarryResult, FrameLabels, UndoResult } from '../../electron/common/edit-schemas';
import { decodeMask, encodeMask } from '../../electron/core/masks/rle';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { connectWs, type TestWsClient } from '../api/ws-client';

function ok<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('editor calls over the server', () => {
  let dir: string;
  let server: RunningServer;
  let ws: TestWsClient;
  let video: VideoInfo;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-edits-api-'));
    server = await startServer({ port: 0, project: null, home: dir, rendererDir: dir });
    ws = await connectWs(server.url);
    ok(await ws.call('demo.open'));
    [video] = ok<VideoInfo[]>(await ws.call('video.list'));
    const { taskId } = ok<{ taskId: string }>(await ws.call('dff.start', { videoId: video.id, mode: 'fixed', k: 20, from: 0, to: 20 })); // key 9: frames 0–8 propagated
    type Finished = EventPayload<'task.finished'>;
    const end = await new Promise<Finished>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        const e = ws.events.find((x) => x.event === 'task.finished' && (x.payload as Finished).taskId === taskId);
        if (e) resolve(e.payload as Finished);
        else if (Date.now() - started > 110_000) reject(new Error('DFF did not finish in 110 s'));
        else return;
        clearInterval(timer);
      }, 100);
    });
    if (!end.ok) throw new Error(`DFF failed: ${end.error.message}`);
  }, 120_000);

  afterAll(async () => {
    await ws?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('edits, undoes, carries forward, verifies, and keeps it all across a reopen', async () => {
    const f2 = ok<FrameLabels>(await ws.call('annotation.list', { videoId: video.id, index: 2 }));
    expect(f2.state).toBe('propagated');
    const target = f2.annotations.find((a) => a.rle !== null);
    expect(target, 'a propagated mask on frame 2').toBeTruthy();

    // move: a box edit on a mask annotation drops nothing, the row becomes corrected
    const moved = ok<FrameLabels>(await ws.call('annotation.update', { annotationId: target!.id, bbox: { ...target!.bbox, x: target!.bbox.x + 5 } }));
    expect(moved.state).toBe('corrected');
    expect(moved.annotations.find((a) => a.id === target!.id)).toMatchObject({ source: 'corrected', bbox: { x: target!.bbox.x + 5 } });

    // paint: a new mask, past the border is the renderer's to clip; here a rectangle inside
    const m = new Uint8Array(video.width * video.height);
    for (let y = 40; y < 80; y++) m.fill(1, y * video.width + 100, y * video.width + 160);
    const painted = ok<FrameLabels>(await ws.call('annotation.update', { annotationId: target!.id, rle: encodeMask(m, video.height, video.width).counts }));
    expect(painted.annotations.find((a) => a.id === target!.id)!.bbox).toEqual({ x: 100, y: 40, w: 60, h: 40 });
    expect(painted.history).toEqual({ undo: 'Paint mask', redo: null });

    const undone = ok<UndoResult>(await ws.call('edit.undo'));
    expect(undone.step).toEqual({ label: 'Paint mask', videoId: video.id, frames: [2] });
    expect(ok<FrameLabels>(await ws.call('annotation.list', { videoId: video.id, index: 2 })).annotations.find((a) => a.id === target!.id)!.rle).toBe(target!.rle);
    ok(await ws.call('edit.redo'));

    const carried = ok<CarryResult>(await ws.call('annotation.carryForward', { annotationId: target!.id, limit: 3 }));
    expect(carried.frames).toEqual([3, 4, 5]);
    expect(carried).toMatchObject({ stoppedAt: 6, reason: 'limit', history: { undo: 'Carry forward to frames 3–5' } });
    for (const i of [3, 4, 5]) {
      const labels = ok<FrameLabels>(await ws.call('annotation.list', { videoId: video.id, index: i }));
      expect(labels.state).toBe('carried');
      const row = labels.annotations.find((a) => a.source === 'carried')!;
      expect(row.classId).toBe(target!.classId);
      const area = decodeMask({ size: [video.height, video.width], counts: row.rle! }).reduce((s, v) => s + v, 0);
      expect(area, `carried mask area on frame ${i}`).toBeGreaterThan(60 * 40 * 0.5);
    }

    ok(await ws.call('frame.verify', { videoId: video.id, index: 2, verified: true }));
    const bad = await ws.call('annotation.update', { annotationId: target!.id, bbox: { x: 10, y: 10, w: 0, h: 5 } });
    expect(bad.ok === false && bad.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('has zero size') });

    // close and reopen: the labels, the states and the history are all still there
    ok(await ws.call('project.close'));
    ok(await ws.call('demo.open'));
    const again = ok<FrameLabels>(await ws.call('annotation.list', { videoId: video.id, index: 2 }));
    expect(again.state).toBe('verified');
    expect(again.history).toEqual({ undo: 'Verify frame 2', redo: null });
    expect(ok<FrameLabels>(await ws.call('annotation.list', { videoId: video.id, index: 4 })).state).toBe('carried');
    ok(await ws.call('edit.undo')); // verify
    const uncarried = ok<UndoResult>(await ws.call('edit.undo'));
    expect(uncarried.step).toMatchObject({ label: 'Carry forward to frames 3–5', frames: [3, 4, 5] });
    expect(ok<FrameLabels>(await ws.call('annotation.list', { videoId: video.id, index: 4 })).state).toBe('propagated');
  });

  it('the palette: presets, adding a class, refusing to remove one in use', async () => {
    const presets = ok<Array<{ name: string; classes: { name: string }[] }>>(await ws.call('class.presets'));
    expect(presets.map((p) => p.classes.length)).toEqual([6, 80, 19]);
    expect(presets[2]!.classes.map((c) => c.name).slice(0, 3)).toEqual(['road', 'sidewalk', 'building']);
    const added = ok<{ id: number; name: string }>(await ws.call('class.add', { name: 'zebra', color: '#112233' }));
    expect(added.name).toBe('zebra');
    const dup = await ws.call('class.add', { name: 'ZEBRA', color: '#112233' });
    expect(dup.ok === false && dup.error.message).toMatch(/already exists/);
    ok(await ws.call('class.remove', { classId: added.id }));
    const f7 = ok<FrameLabels>(await ws.call('annotation.list', { videoId: video.id, index: 7 }));
    const inUse = await ws.call('class.remove', { classId: f7.annotations[0]!.classId });
    expect(inUse.ok === false && inUse.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/is used by \d+ annotations?/) });
  });
});
