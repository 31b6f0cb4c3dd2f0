/**
 * Browser mode end to end without a browser: a real server on a free port, calls and events over a real
 * WebSocket, frames over HTTP compared pixel by pixel with the video layer's own decode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../electron/common/api';
import { startServer, type RunningServer } from '../../electron/core/server/server';
import { openProject } from '../../electron/core/store';
import { openFrameSource, toRgb, type FrameSource } from '../../electron/core/video';
import { fixture } from '../support/videos';
import { connectWs, type TestWsClient } from './ws-client';

function ok<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

function err(r: Result<unknown>, code: string): string {
  if (r.ok) throw new Error(`expected ${code}, got ok`);
  expect(r.error.code, r.error.message).toBe(code);
  return r.error.message;
}

/** Mean absolute difference per channel value of two same-size RGB buffers. */
function meanAbsDiff(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function jpegToRgb(jpeg: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('browser-mode server', () => {
  let home: string;
  let rendererDir: string;
  let server: RunningServer;
  let ws: TestWsClient;
  let clip: string;
  let reference: FrameSource;
  let videoId: number;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-server-'));
    rendererDir = path.join(home, 'renderer');
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>test page</title>');
    fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(home, 'secret.txt'), 'outside the renderer');
    clip = await fixture('cfr.mp4'); // 320×240, 90 frames, B-frames, keyframe every 30
    reference = await openFrameSource(clip);
    server = await startServer({ port: 0, project: null, home, rendererDir });
    ws = await connectWs(server.url);
  });

  afterAll(async () => {
    await ws?.close();
    await server?.close();
    await reference?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 on the port it was given (0 = a free one)', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('creates a project and adds a video over the WebSocket, sending events', async () => {
    const file = path.join(home, 'p', 'served.dffproj');
    expect(ok<{ name: string }>(await ws.call('project.create', { path: file })).name).toBe('served');
    const video = ok<{ id: number; frameCount: number }>(await ws.call('video.add', { path: clip }));
    videoId = video.id;
    expect(video.frameCount).toBe(90);
    expect(ok<Array<{ id: number }>>(await ws.call('video.list')).map((v) => v.id)).toEqual([videoId]);
    const names = ws.events.map((e) => e.event);
    expect(names).toContain('project.changed');
    expect(names).toContain('video.added');
    // a second tab of the same server sees the same session
    const other = await connectWs(server.url);
    try {
      expect(ok<{ path: string }>(await other.call('project.current')).path).toBe(file);
    } finally {
      await other.close();
    }
  });

  it('serves exactly frame N as a JPEG, for frames asked in any order', async () => {
    for (const n of [47, 12, 89, 0, 31]) {
      const res = await fetch(`${server.url}frames/${videoId}/${n}.jpg`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const shown = await jpegToRgb(Buffer.from(await res.arrayBuffer()));
      expect([shown.width, shown.height]).toEqual([320, 240]);
      const exact = toRgb(await reference.getFrame(n)).data;
      const dSame = meanAbsDiff(shown.data, exact);
      // JPEG q90 with 4:2:0 chroma costs ~3 levels on testsrc2's saturated bars; a neighbour frame ≥ 6
      expect(dSame, `frame ${n} vs its decode`).toBeLessThan(4.5);
      for (const m of [n - 1, n + 1].filter((i) => i >= 0 && i < 90)) {
        const dNeighbour = meanAbsDiff(shown.data, toRgb(await reference.getFrame(m)).data);
        expect(dNeighbour, `frame ${n} must differ from frame ${m}`).toBeGreaterThan(dSame + 2);
      }
    }
  });

  it('answers bad frame URLs with a JSON error and the right status', async () => {
    const cases: Array<[string, number, string]> = [
      [`frames/${videoId}/90.jpg`, 404, 'OUT_OF_RANGE'],
      [`frames/${videoId}/abc.jpg`, 400, 'INVALID_INPUT'],
      [`frames/0/1.jpg`, 400, 'INVALID_INPUT'],
      [`frames/77/0.jpg`, 404, 'NOT_FOUND'],
      [`frames/${videoId}/1.png`, 400, 'INVALID_INPUT'],
    ];
    for (const [url, status, code] of cases) {
      const res = await fetch(server.url + url);
      expect(res.status, url).toBe(status);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code, url).toBe(code);
      expect(body.message.length).toBeGreaterThan(5);
    }
    const outOfRange = (await (await fetch(`${server.url}frames/${videoId}/90.jpg`)).json()) as { message: string };
    expect(outOfRange.message).toMatch(/Frame 90 .*90 frames/);
  });

  it('gives the right codes for a missing file, a non-video, a non-SQLite project and a locked project', async () => {
    const missing = path.join(home, 'gone.mp4');
    expect(err(await ws.call('video.add', { path: missing }), 'NOT_FOUND')).toContain(missing);
    err(await ws.call('video.add', { path: await fixture('audio-only.m4a') }), 'NOT_A_VIDEO');
    err(await ws.call('frame.info', { videoId, index: 1000 }), 'OUT_OF_RANGE');
    err(await ws.call('frame.info', { videoId, index: 1.5 }), 'INVALID_INPUT');

    const junk = path.join(home, 'junk.dffproj');
    fs.writeFileSync(junk, Buffer.from('PK\x03\x04 a zip file, not SQLite'));
    expect(err(await ws.call('project.open', { path: junk }), 'NOT_A_PROJECT')).toContain(junk);

    // another holder (this test process, as another window would) keeps a project open
    const held = path.join(home, 'held.dffproj');
    const holder = openProject(held, { create: true });
    try {
      expect(err(await ws.call('project.open', { path: held }), 'PROJECT_LOCKED')).toContain(held);
    } finally {
      holder.close();
    }
    // none of that closed the session's project
    expect(ok<{ name: string }>(await ws.call('project.current')).name).toBe('served');
    expect(ok<unknown[]>(await ws.call('video.list')).length).toBe(1);
  });

  it('serves the renderer with a strict CSP and never a file outside it', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('test page');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}assets/app.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${server.url}some/route`)).status).toBe(200); // single page: falls back to index.html
    expect((await fetch(`${server.url}assets/missing.js`)).status).toBe(404);
    const escape = await fetch(`${server.url}..%2fsecret.txt`);
    expect(await escape.text()).not.toContain('outside the renderer');
  });

  it('refuses requests for other host names and WebSockets from other origins', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: 'evil.example:80' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(status).toBe(403);
    await expect(connectWs(server.url, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });
});

describe('browser-mode server start-up', () => {
  it('opens the demo project by default, creating it in the app home', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-demo-'));
    const server = await startServer({ port: 0, home, rendererDir: home });
    const ws = await connectWs(server.url);
    try {
      const project = ok<{ path: string; isDemo: boolean; videoCount: number }>(await ws.call('project.current'));
      expect(project).toMatchObject({ path: path.join(home, 'demo', 'demo.dffproj'), isDemo: true, videoCount: 1 });
      const [video] = ok<Array<{ id: number; frameCount: number }>>(await ws.call('video.list'));
      expect(video!.frameCount).toBeGreaterThanOrEqual(100);
      const res = await fetch(`${server.url}frames/${video!.id}/${video!.frameCount - 1}.jpg`);
      expect(res.status).toBe(200);
      // the demo call reopens the same project rather than fighting its own lock
      expect(ok<{ path: string }>(await ws.call('demo.open')).path).toBe(project.path);
    } finally {
      await ws.close();
      await server.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('fails to start with the store error when the given project cannot be opened', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-start-'));
    try {
      await expect(startServer({ port: 0, home, project: path.join(home, 'none.dffproj') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
