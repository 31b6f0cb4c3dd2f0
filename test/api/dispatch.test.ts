/**
 * The call boundary: input validation naming the field, error codes crossing unchanged, sessions as
 * windows (the lock between them), settings that refuse a tool that does not run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../electron/common/api';
import { AppContext } from '../../electron/core/api/context';
import { dispatch, handlers } from '../../electron/core/api/handlers';
import { Session } from '../../electron/core/api/session';
import { fixture } from '../support/videos';

let home: string;
let sessions: Session[];
let events: Array<{ event: string; payload: unknown }>;

function newSession(context = new AppContext(home)): Session {
  const s = new Session(context, { kind: 'browser' }, (event, payload) => events.push({ event, payload }));
  sessions.push(s);
  return s;
}

function expectError(result: Result<unknown>, code: string): { message: string; details?: Record<string, unknown> } {
  if (result.ok) throw new Error(`expected ${code}, got ok: ${JSON.stringify(result.value)}`);
  expect(result.error.code, result.error.message).toBe(code);
  return result.error;
}

function expectOk<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-api-'));
  sessions = [];
  events = [];
});

afterEach(async () => {
  for (const s of sessions) await s.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('input validation', () => {
  it('rejects a bad input with INVALID_INPUT naming every bad field', async () => {
    const s = newSession();
    const err = expectError(await dispatch(s, 'frame.info', { videoId: 'one', index: -3 }), 'INVALID_INPUT');
    expect(err.message).toContain('frame.info');
    expect(err.message).toMatch(/videoId: .*number/);
    expect(err.message).toMatch(/index: .*>=0/);
    expect(err.details?.fields).toEqual(['videoId', 'index']);
  });

  it('names a missing field, an unknown field and an unknown call', async () => {
    const s = newSession();
    expect(expectError(await dispatch(s, 'project.open', {}), 'INVALID_INPUT').message).toMatch(/path: /);
    expect(expectError(await dispatch(s, 'project.open', { path: '   ' }), 'INVALID_INPUT').message).toMatch(/path: a path is required/);
    expect(expectError(await dispatch(s, 'project.open', { path: '/x', mode: 'rw' }), 'INVALID_INPUT').message).toMatch(/mode/);
    expect(expectError(await dispatch(s, 'project.delete', {}), 'INVALID_INPUT').message).toContain("unknown call 'project.delete'");
    expect(expectError(await dispatch(s, 'video.thumbnails', { videoId: 1, count: 0 }), 'INVALID_INPUT').message).toMatch(/count/);
  });

  it('turns a malformed handler result into INTERNAL instead of passing it on', async () => {
    const s = newSession();
    const original = handlers['project.current'];
    (handlers as Record<string, unknown>)['project.current'] = async () => ({ path: 42 });
    try {
      const err = expectError(await dispatch(s, 'project.current', {}), 'INTERNAL');
      expect(err.message).toContain('project.current returned a malformed result');
    } finally {
      (handlers as Record<string, unknown>)['project.current'] = original;
    }
  });
});

describe('events', () => {
  it('checks every event payload against the contract before it leaves the session', () => {
    const s = newSession();
    const progress = { taskId: 'export-1', kind: 'export' as const, label: 'Exporting', phase: 'labels', done: 1, total: 3 };
    s.emit('task.progress', progress);
    expect(events).toEqual([{ event: 'task.progress', payload: progress }]);
    expect(() => s.emit('task.progress', { ...progress, done: -1 })).toThrow(/done/);
    expect(events).toHaveLength(1);
  });
});

describe('projects and sessions', () => {
  it('creates, reports, lists as recent and closes a project, with events', async () => {
    const s = newSession();
    const file = path.join(home, 'projects', 'first.dffproj');
    expect(expectOk(await dispatch(s, 'project.current', {}))).toBeNull();
    const info = expectOk<{ path: string; name: string; videoCount: number }>(await dispatch(s, 'project.create', { path: file }));
    expect(info).toMatchObject({ path: file, name: 'first', videoCount: 0, isDemo: false });
    expect(events.at(-1)).toEqual({ event: 'project.changed', payload: { project: info } });
    expect(expectOk(await dispatch(s, 'project.current', {}))).toEqual(info);
    const recent = expectOk<Array<{ path: string; exists: boolean }>>(await dispatch(s, 'project.recent', {}));
    expect(recent[0]).toMatchObject({ path: file, exists: true });

    expectOk(await dispatch(s, 'project.close', {}));
    expect(events.at(-1)).toEqual({ event: 'project.changed', payload: { project: null } });
    expectError(await dispatch(s, 'video.list', {}), 'NO_PROJECT');
  });

  it('passes the store errors through with their codes and the file in the message', async () => {
    const s = newSession();
    const missing = path.join(home, 'nope.dffproj');
    expect(expectError(await dispatch(s, 'project.open', { path: missing }), 'NOT_FOUND').message).toContain(missing);
    const text = path.join(home, 'notes.dffproj');
    fs.writeFileSync(text, 'not a database at all\n');
    expect(expectError(await dispatch(s, 'project.open', { path: text }), 'NOT_A_PROJECT').message).toContain(text);
    expect(fs.readFileSync(text, 'utf8')).toBe('not a database at all\n');
    const existing = path.join(home, 'taken.dffproj');
    fs.writeFileSync(existing, 'x');
    expectError(await dispatch(s, 'project.create', { path: existing }), 'INVALID_INPUT');
  });

  it('gives a second window PROJECT_LOCKED and keeps the first one working', async () => {
    const context = new AppContext(home);
    const a = newSession(context);
    const b = newSession(context);
    const file = path.join(home, 'shared.dffproj');
    expectOk(await dispatch(a, 'project.create', { path: file }));
    const err = expectError(await dispatch(b, 'project.open', { path: file }), 'PROJECT_LOCKED');
    expect(err.message).toContain(file);
    expect(expectOk(await dispatch(b, 'project.current', {}))).toBeNull();
    expect(expectOk<unknown[]>(await dispatch(a, 'video.list', {}))).toEqual([]);
    // opening the project a window already has is not a lock conflict with itself
    expectOk(await dispatch(a, 'project.open', { path: file }));
    expectOk(await dispatch(a, 'project.close', {}));
    expectOk(await dispatch(b, 'project.open', { path: file }));
  });

  it('keeps the open project when opening another one fails', async () => {
    const s = newSession();
    const file = path.join(home, 'kept.dffproj');
    expectOk(await dispatch(s, 'project.create', { path: file }));
    expectError(await dispatch(s, 'project.open', { path: path.join(home, 'missing.dffproj') }), 'NOT_FOUND');
    expect(expectOk<{ path: string }>(await dispatch(s, 'project.current', {})).path).toBe(file);
  });
});

describe('videos and frames through dispatch', () => {
  it('adds a video, reports frame times from pts, and names the bad index', async () => {
    const s = newSession();
    expectOk(await dispatch(s, 'project.create', { path: path.join(home, 'v.dffproj') }));
    const clip = await fixture('cfr.mp4'); // 90 frames at 25 fps
    const video = expectOk<{ id: number; frameCount: number; width: number; fpsNum: number; fpsDen: number }>(
      await dispatch(s, 'video.add', { path: clip }),
    );
    expect(video).toMatchObject({ frameCount: 90, width: 320, height: 240, fpsNum: 25, fpsDen: 1, kind: 'file' });
    expect(events.map((e) => e.event)).toContain('video.added');

    const f = expectOk<{ index: number; timeS: number; state: string; codecKeyframe: boolean }>(
      await dispatch(s, 'frame.info', { videoId: video.id, index: 30 }),
    );
    expect(f).toMatchObject({ index: 30, state: 'unlabelled', codecKeyframe: true });
    expect(f.timeS).toBeCloseTo(30 / 25, 6);

    const err = expectError(await dispatch(s, 'frame.info', { videoId: video.id, index: 90 }), 'OUT_OF_RANGE');
    expect(err.message).toMatch(/90.*90 frames/);
    expectError(await dispatch(s, 'frame.info', { videoId: 99, index: 0 }), 'NOT_FOUND');

    const thumbs = expectOk<Array<{ index: number; url: string }>>(await dispatch(s, 'video.thumbnails', { videoId: video.id, count: 3, width: 64 }));
    expect(thumbs.map((t) => t.index)).toEqual([15, 45, 75]);
    for (const t of thumbs) expect(t.url).toMatch(/^data:image\/jpeg;base64,\/9j\//);

    expectOk(await dispatch(s, 'video.remove', { videoId: video.id }));
    expect(expectOk<unknown[]>(await dispatch(s, 'video.list', {}))).toEqual([]);
    expectError(await dispatch(s, 'video.remove', { videoId: video.id }), 'NOT_FOUND');
  });

  it('refuses a missing file, an audio-only file and an empty folder with their codes', async () => {
    const s = newSession();
    expectOk(await dispatch(s, 'project.create', { path: path.join(home, 'bad.dffproj') }));
    const missing = path.join(home, 'missing.mp4');
    expect(expectError(await dispatch(s, 'video.add', { path: missing }), 'NOT_FOUND').message).toContain(missing);
    const audio = await fixture('audio-only.m4a');
    expect(expectError(await dispatch(s, 'video.add', { path: audio }), 'NOT_A_VIDEO').message).toContain(audio);
    const empty = path.join(home, 'empty-folder');
    fs.mkdirSync(empty);
    expectError(await dispatch(s, 'video.add', { path: empty }), 'EMPTY_FOLDER');
    expect(expectOk<unknown[]>(await dispatch(s, 'video.list', {}))).toEqual([]);
  });
});

describe('settings', () => {
  it('refuses a tool path that does not run (TOOL_MISSING naming it) and saves nothing', async () => {
    const s = newSession();
    const before = expectOk(await dispatch(s, 'settings.get', {}));
    expect(before).toEqual({ ffmpegPath: null, ffprobePath: null, dffThreads: null });
    const bogus = path.join(home, 'no-such-ffmpeg');
    expect(expectError(await dispatch(s, 'settings.set', { ffmpegPath: bogus }), 'TOOL_MISSING').message).toContain(bogus);
    const notTool = path.join(home, 'fake-ffprobe');
    fs.writeFileSync(notTool, '#!/bin/sh\necho hello\n', { mode: 0o755 });
    expect(expectError(await dispatch(s, 'settings.set', { ffprobePath: notTool }), 'TOOL_MISSING').message).toContain(notTool);
    expect(expectOk(await dispatch(s, 'settings.get', {}))).toEqual(before);
  });

  it('accepts a real ffmpeg, shows it in app.info, and resets to automatic with null', async () => {
    const s = newSession();
    const info = expectOk<{ ffmpeg: { path: string; source: string } | null; toolError: unknown }>(await dispatch(s, 'app.info', {}));
    expect(info.toolError).toBeNull();
    const found = info.ffmpeg!.path;
    expectOk(await dispatch(s, 'settings.set', { ffmpegPath: found }));
    const after = expectOk<{ ffmpeg: { path: string; source: string; version: string } }>(await dispatch(s, 'app.info', {}));
    expect(after.ffmpeg).toMatchObject({ path: found, source: 'settings' });
    expect(JSON.parse(fs.readFileSync(path.join(home, 'settings.json'), 'utf8')).ffmpegPath).toBe(found);
    expectOk(await dispatch(s, 'settings.set', { ffmpegPath: null }));
    expect(expectOk(await dispatch(s, 'settings.get', {}))).toEqual({ ffmpegPath: null, ffprobePath: null, dffThreads: null });
  });

  it('reports dialog.open as unavailable without a native host', async () => {
    const s = newSession();
    expect(expectError(await dispatch(s, 'dialog.open', { kind: 'video-file' }), 'INVALID_INPUT').message).toContain('no native dialogs');
  });
});
