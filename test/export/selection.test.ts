import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { selectFrames, summarizeSelection } from '../../electron/core/export/selection';
import type { ProjectStore } from '../../electron/core/store';
import { expectAppError, labelledProject, newProject, sampleVideo, tempDir } from './helpers';

let store: ProjectStore | undefined;
afterEach(() => store?.close());

const idxs = (s: ProjectStore, sel: Parameters<typeof selectFrames>[1]) => selectFrames(s, sel).frames.map((f) => f.frameIdx);

describe('frame selection', () => {
  it('chooses by state: verified only, verified and corrected, machine frames above a score', () => {
    const p = labelledProject(tempDir('sel'));
    store = p.store;
    expect(idxs(store, {})).toEqual([0, 1, 2, 3, 4]);
    expect(idxs(store, { corrected: true })).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(idxs(store, { verified: false, corrected: true })).toEqual([5, 6]);
    // machine frames 7..14 have scores 0.50, 0.55, ... 0.85
    expect(idxs(store, { verified: false, machineMinScore: 0.7 })).toEqual([11, 12, 13, 14]);
    expect(idxs(store, { verified: false, machineMinScore: 0 })).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('takes frames carried from a correction only when asked to', () => {
    const p = labelledProject(tempDir('sel'));
    store = p.store;
    store.addCarriedAnnotation({ videoId: p.video.id, frameIdx: 15, classId: p.classes.person!, box: { x: 2, y: 2, w: 6, h: 8 }, replaces: [] });
    expect(store.getFrame(p.video.id, 15).state).toBe('carried');
    expect(idxs(store, { corrected: true })).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(idxs(store, { verified: false, carried: true })).toEqual([15]);
    expect(summarizeSelection(store, { verified: false, carried: true, machineMinScore: 0 }).framesByState).toMatchObject({ carried: 1, predicted: 4 });
  });

  it('takes every n-th frame and a frame range [from, to)', () => {
    const p = labelledProject(tempDir('sel'));
    store = p.store;
    expect(idxs(store, { corrected: true, machineMinScore: 0, everyNth: 3 })).toEqual([0, 3, 6, 9, 12]);
    expect(idxs(store, { corrected: true, machineMinScore: 0, range: { from: 4, to: 9 } })).toEqual([4, 5, 6, 7, 8]);
    expectAppError(() => selectFrames(store!, { range: { from: 5, to: 2 } }), 'INVALID_INPUT');
    expectAppError(() => selectFrames(store!, { videoIds: [99] }), 'NOT_FOUND');
  });

  it('holds out whole videos for validation', () => {
    const dir = tempDir('sel');
    store = newProject(dir);
    const a = store.addVideo(sampleVideo({ path: path.join(dir, 'a.mp4') }, 10));
    const b = store.addVideo(sampleVideo({ path: path.join(dir, 'b.mp4') }, 10));
    for (const v of [a, b]) for (let f = 0; f < 10; f++) store.setFrameVerified(v.id, f, true);
    const { frames } = selectFrames(store, { validation: { by: 'video', videoIds: [b.id] } });
    expect(frames.filter((f) => f.split === 'val').every((f) => f.videoId === b.id)).toBe(true);
    expect(frames.filter((f) => f.split === 'train').every((f) => f.videoId === a.id)).toBe(true);
    expect(frames).toHaveLength(20);
  });

  it('holds out time blocks and never keeps a training frame within the gap of a validation frame', () => {
    const dir = tempDir('sel');
    store = newProject(dir);
    const v = store.addVideo(sampleVideo({ path: path.join(dir, 'long.mp4') }, 1000));
    for (let f = 0; f < 1000; f++) store.setFrameVerified(v.id, f, true);
    const { frames, droppedAsNeighbours } = selectFrames(store, { validation: { by: 'time-block', blockFrames: 50, fraction: 0.25, gapFrames: 5 } });
    const val = frames.filter((f) => f.split === 'val').map((f) => f.frameIdx);
    const train = frames.filter((f) => f.split === 'train').map((f) => f.frameIdx);
    // every 4th block of 50 is validation: 150–199, 350–399, ...
    expect(val.slice(0, 3)).toEqual([150, 151, 152]);
    expect(val).toHaveLength(250);
    expect(new Set(val.map((i) => Math.floor(i / 50)))).toEqual(new Set([3, 7, 11, 15, 19]));
    let nearest = Infinity;
    for (const t of train) for (const s of val) nearest = Math.min(nearest, Math.abs(t - s));
    expect(nearest).toBe(6);
    // 5 frames dropped on each side of each validation block (the last block ends the video)
    expect(droppedAsNeighbours).toBe(5 * 2 * 4 + 5);
    expect(train.length + val.length + droppedAsNeighbours).toBe(1000);
  });

  it('summarises frames per state and split and objects per class', () => {
    const p = labelledProject(tempDir('sel'));
    store = p.store;
    const s = summarizeSelection(store, { corrected: true, machineMinScore: 0.6 });
    expect(s.frames).toBe(7 + 6);
    expect(s.framesByState).toEqual({ unlabelled: 0, predicted: 3, propagated: 3, carried: 0, corrected: 2, verified: 5 });
    expect(s.framesBySplit).toEqual({ train: 13, val: 0 });
    expect(s.objectsByClass).toEqual({ [p.classes.person]: 7 + 6, [p.classes.car]: 7 + 1, [p.classes.road]: 7 });
    expect(s.boxOnlyObjects).toBe(1);
  });
});
