/**
 * The renderer's edit queue against real servers: the backend goes away mid-edit, the edits are kept (also
 * in storage, across a page reload), retried, and land once a server is back, which reopens the project.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectInfo, VideoInfo } from '../../electron/common/api';
import type { FrameLabels } from '../../electron/common/edit-schemas';
import type { ErrorInfo } from '../../electron/common/errors';
import { dispatch } from '../../electron/core/api/handlers';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { EditQueue, type QueueStatus, type QueueTransport } from '../../renderer/src/editor/edit-queue';
import { connectWs, type TestWsClient } from '../api/ws-client';

/** Speaks to whichever server is up now, like the page's WebSocket client; a dead one reads as a lost connection. */
class Wire implements QueueTransport {
  url: string | null = null;
  private ws: TestWsClient | null = null;
  async call(name: string, input: unknown): Promise<never> {
    if (!this.ws) {
      if (!this.url) throw { code: 'INTERNAL', message: 'lost the connection to the DFF Studio server' };
      try {
        this.ws = await connectWs(this.url);
      } catch (err) {
        throw { code: 'INTERNAL', message: `lost the connection to the DFF Studio server (${(err as Error).message})` };
      }
    }
    const r = await this.ws.call(name, input);
    if (!r.ok) throw r.error;
    return r.value as never;
  }
  async drop(): Promise<void> {
    await this.ws?.close();
    this.ws = null;
    this.url = null;
  }
}

/** An in-memory Storage, standing in for the page's localStorage. */
function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), map: m };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('edits while the backend is gone', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-edit-queue-'));
  let server: RunningServer | null = null;
  afterAll(async () => {
    await server?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('keeps them, says so, and applies them in order once a server is back; a refused one is reported and skipped', async () => {
    server = await startServer({ port: 0, project: null, home });
    const wire = new Wire();
    wire.url = server.url;
    const project = ((await wire.call('demo.open', {})) as ProjectInfo).path;
    const [video] = (await wire.call('video.list', {})) as VideoInfo[];
    const classId = ((await wire.call('class.list', {})) as { id: number }[])[0]!.id;
    const storage = memoryStorage();
    const statuses: QueueStatus[] = [];
    const refused: ErrorInfo[] = [];
    const hooks = { onStatus: (s: QueueStatus) => statuses.push(s), onRefused: (e: ErrorInfo) => refused.push(e), onDone: () => {} };
    const first = new EditQueue(wire, hooks, storage);

    const a = await first.push(project, 'annotation.create', { videoId: video!.id, index: 2, classId, bbox: { x: 10, y: 10, w: 20, h: 20 } });
    expect(a.labels.state).toBe('corrected');

    // the server goes away
    await wire.drop();
    await server.close();
    server = null;
    const temp = first.tempId();
    void first.push(project, 'annotation.create', { videoId: video!.id, index: 2, classId, bbox: { x: 50, y: 50, w: 30, h: 20 } }, temp);
    void first.push(project, 'annotation.update', { annotationId: temp, bbox: { x: 60, y: 55, w: 30, h: 20 } });
    void first.push(project, 'annotation.update', { annotationId: a.annotationId, bbox: { x: 10, y: 10, w: 0, h: 5 } }); // will be refused
    void first.push(project, 'frame.verify', { videoId: video!.id, index: 2, verified: true });
    await until('the queue to say it is offline', () => first.current.offline);
    expect(first.current).toMatchObject({ pending: 4, offline: true, reason: expect.stringContaining('lost the connection') });
    expect(JSON.parse(storage.getItem(`dff-pending-edits:${project}`)!)).toHaveLength(4);

    // the page is reloaded while the backend is still gone; then a new server starts, without the project open
    first.dispose();
    server = await startServer({ port: 0, project: null, home });
    wire.url = server.url;
    const second = new EditQueue(wire, hooks, storage);
    expect(second.restore(project)).toBe(4);
    await until('the queue to drain', () => second.current.pending === 0);

    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('has zero size') });
    const r = await dispatch(server.session, 'annotation.list', { videoId: video!.id, index: 2 });
    expect(r.ok).toBe(true);
    const labels = (r as { value: FrameLabels }).value;
    expect(labels.state).toBe('verified');
    expect(labels.annotations.map((x) => x.bbox)).toEqual([
      { x: 10, y: 10, w: 20, h: 20 },
      { x: 60, y: 55, w: 30, h: 20 },
    ]);
    expect(storage.map.size).toBe(0);
    expect(statuses.some((s) => s.offline)).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ pending: 0, offline: false });
    await wire.drop();
  });
});
