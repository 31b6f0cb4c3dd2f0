/**
 * video.frameStates built by one SQL query: the same codes as reading every frame row (state index, key bit),
 * scores quantised to a byte (none → FRAME_NO_SCORE), a second video's frames kept apart, a missing video named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_KEY_BIT, FRAME_NO_SCORE, FRAME_STATES } from '../../electron/common/api';
import { frameStates } from '../../electron/core/api/dff';
import { openProject, type NewVideo, type ProjectStore } from '../../electron/core/store';
import { writeStatePattern } from '../support/frame-states';

function fakeVideo(file: string, frames: number): NewVideo {
  return {
    path: file,
    kind: 'file',
    contentHash: `hash-${frames}`,
    sizeBytes: 1,
    width: 64,
    height: 36,
    fpsNum: 25,
    fpsDen: 1,
    timeBaseNum: 1,
    timeBaseDen: 25,
    codec: 'h264',
    pixFmt: 'yuv420p',
    durationS: frames / 25,
    isVfr: false,
    pts: Array.from({ length: frames }, (_, i) => i),
    keyframes: [0],
  };
}

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('video.frameStates', () => {
  let dir: string;
  let store: ProjectStore;
  let a: number;
  let b: number;
  const scoreOf = (i: number) => (i % 7 === 3 ? null : ((i * 37) % 101) / 100);

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-frame-states-'));
    store = openProject(path.join(dir, 'p.dffproj'), { create: true });
    a = store.addVideo(fakeVideo(path.join(dir, 'a.mp4'), 1000)).id;
    b = store.addVideo(fakeVideo(path.join(dir, 'b.mp4'), 50)).id;
    writeStatePattern(store, a, { count: 900, k: 10, scoreOf, verified: [5, 6, 7], corrected: [20, 30] });
    store.setFrameState(a, 21, 'carried');
  });

  afterAll(() => {
    store?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives every frame the code and score its row holds', () => {
    const out = frameStates(store, a);
    const codes = bytes(out.codes);
    const scores = bytes(out.scores);
    expect(out.count).toBe(1000);
    expect(codes.length).toBe(1000);
    expect(scores.length).toBe(1000);
    for (const f of store.listFrames(a)) {
      expect(codes[f.idx], `frame ${f.idx}`).toBe(FRAME_STATES.indexOf(f.state) | (f.dffKey ? FRAME_KEY_BIT : 0));
      expect(scores[f.idx], `frame ${f.idx}`).toBe(f.score === null ? FRAME_NO_SCORE : Math.round(f.score * 254));
    }
    // the pattern shows through: key frames, hand-set states, frames past the run
    expect(codes[10]).toBe(FRAME_STATES.indexOf('predicted') | FRAME_KEY_BIT);
    expect(codes[11]).toBe(FRAME_STATES.indexOf('propagated'));
    expect(codes[6]).toBe(FRAME_STATES.indexOf('verified'));
    expect(codes[30]! & 0x7f).toBe(FRAME_STATES.indexOf('corrected'));
    expect(codes[21]).toBe(FRAME_STATES.indexOf('carried'));
    expect(codes[950]).toBe(FRAME_STATES.indexOf('unlabelled'));
    expect(scores[3]).toBe(FRAME_NO_SCORE);
    expect(scores[950]).toBe(FRAME_NO_SCORE);
    expect(scores[1]).toBe(Math.round(0.37 * 254));
  });

  it("keeps another video's frames apart", () => {
    const out = frameStates(store, b);
    expect(out.count).toBe(50);
    expect(bytes(out.codes).every((c) => c === FRAME_STATES.indexOf('unlabelled'))).toBe(true);
    expect(bytes(out.scores).every((s) => s === FRAME_NO_SCORE)).toBe(true);
  });

  it('names a video that is not in the project', () => {
    expect(() => frameStates(store, 99)).toThrow(/Video 99 is not in this project/);
  });
});
