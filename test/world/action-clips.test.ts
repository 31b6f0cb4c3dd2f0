/** Action clips from the generated world: window labels, class balance, exact flow, determinism, the dataset CLI. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../electron/core/errors';
import {
  ACTION_CLASS_NAMES,
  balanceByClass,
  labelWindows,
  renderActionVideo,
  toFloat16,
  videoClips,
} from '../../electron/core/world/action-clips';
import { parseActionCli, writeActionDataset } from '../../electron/core/world/action-clips-cli';
import type { ActionAnnotation } from '../../electron/core/world/annotations';
import { createWorld } from '../../electron/core/world/world';

const act = (start: number, end: number, action: ActionAnnotation['action']): ActionAnnotation => ({ trackId: 1, start, end, action });

describe('labelWindows', () => {
  const actions = [act(10, 20, 'rotate_cw'), act(20, 29, 'move_left')];

  it("labels a window with the action covering all its frames, 'none' when none touches it, null otherwise", () => {
    const byStart = new Map(labelWindows(actions, 40, 8).map((w) => [w.start, w.label]));
    const cls = (name: string) => ACTION_CLASS_NAMES.indexOf(name as (typeof ACTION_CLASS_NAMES)[number]);
    expect(byStart.get(0)).toBe(0); // frames 0..7
    expect(byStart.get(2)).toBe(0); // 2..9: ends just before the action
    expect(byStart.get(3)).toBeNull(); // 3..10 touches frame 10
    expect(byStart.get(10)).toBe(cls('rotate_cw')); // 10..17
    expect(byStart.get(13)).toBe(cls('rotate_cw')); // 13..20: the shared boundary frame still belongs to it
    expect(byStart.get(14)).toBeNull(); // 14..21 spans both actions
    expect(byStart.get(20)).toBe(cls('move_left')); // 20..27
    expect(byStart.get(22)).toBe(cls('move_left')); // 22..29
    expect(byStart.get(23)).toBeNull(); // 23..30 runs past the action's end
    expect(byStart.get(30)).toBe(0);
    expect(byStart.has(33)).toBe(false); // 33..40 would run past the last frame (39)
    expect(labelWindows(actions, 40, 8, 4).map((w) => w.start)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32]);
  });
});

describe('balanceByClass', () => {
  it('caps every class at the median count, keeps rare classes whole, is deterministic and keeps the order', () => {
    const items = [...Array(50).fill(0), ...Array(20).fill(1), ...Array(5).fill(2)].map((label, i) => ({ label, i }));
    const kept = balanceByClass(items, 7);
    const count = (l: number) => kept.filter((k) => k.label === l).length;
    expect([count(0), count(1), count(2)]).toEqual([20, 20, 5]);
    expect(kept.map((k) => k.i)).toEqual([...kept.map((k) => k.i)].sort((a, b) => a - b));
    expect(balanceByClass(items, 7)).toEqual(kept);
    expect(balanceByClass(items, 8)).not.toEqual(kept);
  });
});

describe('toFloat16', () => {
  it('rounds to the nearest half, with subnormals, overflow and signs', () => {
    const h = toFloat16(new Float32Array([0, 1, -2.5, 0.1, 65504, 1e-5, 70000, 3.14159, -0]));
    expect([...h]).toEqual([0, 0x3c00, 0xc100, 0x2e66, 0x7bff, 0x00a8, 0x7c00, 0x4248, 0x8000]);
  });
});

describe('renderActionVideo', () => {
  const video = renderActionVideo({ seed: 11, frameCount: 120 });

  it('renders one object slot at 160x96 with its actions, deterministic from the seed', () => {
    expect(video.frames).toHaveLength(120);
    expect(video.flows).toHaveLength(119);
    expect(video.frames[0]!.length).toBe(160 * 96 * 3);
    expect(video.flows[0]!.length).toBe(160 * 96 * 2);
    expect(video.actions.length).toBeGreaterThan(0);
    expect(new Set(video.actions.map((a) => a.trackId)).size).toBeLessThanOrEqual(video.actions.length);
    const again = renderActionVideo({ seed: 11, frameCount: 120 });
    expect(again.frames[77]).toEqual(video.frames[77]);
    expect(again.actions).toEqual(video.actions);
    expect(renderActionVideo({ seed: 12, frameCount: 120 }).frames[77]).not.toEqual(video.frames[77]);
  });

  it("gives the world's exact flow from each frame back to the one before (the pack flow's direction)", () => {
    const world = createWorld({ seed: 11, width: 160, height: 96, frameCount: 120, objects: 1 });
    for (const t of [0, 40, 118]) expect(video.flows[t]).toEqual(world.flowToFrame(t + 1, t));
    expect(video.frames[40]).toEqual(world.render(40).rgb);
    expect(video.actions).toEqual(world.annotations().actions);
  });

  it('cuts labelled clips sharing the video buffers', () => {
    const clips = videoClips(video, 8, 2);
    expect(clips.length).toBeGreaterThan(10);
    for (const clip of clips) {
      expect(clip.frames).toHaveLength(8);
      expect(clip.flows).toHaveLength(7);
      expect(clip.frames[0]).toBe(video.frames[clip.start]);
      expect(clip.start % 2).toBe(0);
    }
  });
});

describe('action-clips-cli', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dff-actions-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes raw frames, float16 flow and an index of balanced windows', () => {
    const options = parseActionCli(['--out', dir, '--seed', '3', '--videos', '2', '--frames', '60', '--force']);
    if (options === 'help') throw new Error('unexpected help');
    writeActionDataset(options);
    const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'));
    expect(index.format).toBe('dff-actions/1');
    expect(index.classes).toEqual([...ACTION_CLASS_NAMES]);
    expect(index.generator).toMatchObject({ seed: 3, videos: 2, frames: 60, width: 160, height: 96, clipLength: 8, windowStride: 2, objects: 1 });
    expect(statSync(path.join(dir, 'video_0001.rgb')).size).toBe(60 * 96 * 160 * 3);
    expect(statSync(path.join(dir, 'video_0001.flow16')).size).toBe(59 * 96 * 160 * 2 * 2);
    const total = Object.values(index.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(index.windows).toHaveLength(total);
    const video = renderActionVideo({ seed: index.videos[1].seed, frameCount: 60 });
    const rgb = readFileSync(path.join(dir, 'video_0001.rgb'));
    expect(new Uint8Array(rgb.buffer, rgb.byteOffset + 10 * 160 * 96 * 3, 160 * 96 * 3)).toEqual(video.frames[10]);
    const flow = readFileSync(path.join(dir, 'video_0001.flow16'));
    const half = new Uint16Array(flow.buffer.slice(flow.byteOffset + 10 * 160 * 96 * 4, flow.byteOffset + 11 * 160 * 96 * 4));
    expect(half).toEqual(toFloat16(video.flows[10]!));
    for (const [v, start, label] of index.windows as [number, number, number][]) {
      expect(labelWindows(index.videos[v].actions, 60, 8, 2).find((w) => w.start === start)?.label).toBe(label);
    }
  });

  it('refuses a non-empty folder without --force and bad numbers, naming them', () => {
    const options = parseActionCli(['--out', dir, '--videos', '1', '--frames', '20']);
    if (options === 'help') throw new Error('unexpected help');
    expect(() => writeActionDataset(options)).toThrow(/not empty/);
    expect(() => parseActionCli(['--out', dir, '--videos', 'two'])).toThrow(AppError);
    expect(() => parseActionCli(['--out', dir, '--frames', '6'])).toThrow(/clip-length 8 is longer/);
    expect(() => parseActionCli(['--out', dir, '--difficulty', 'insane'])).toThrow(/--difficulty/);
  });
});
