/** Action segments in exports: actions.json (ActivityNet style) and COCO's videos[].actions; only accepted segments. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runExport } from '../../electron/core/export/run-export';
import type { ProjectStore } from '../../electron/core/store';
import { labelledProject, newProject, sampleVideo, tempDir } from './helpers';

const open: ProjectStore[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/**
 * labelledProject's clip (20 frames at 30000/1001 fps, frames 0–4 verified) plus 'other' (10 frames at 25 fps,
 * frames 0–3 verified) and 'unused' (nothing selected). Each gets accepted, suggested and rejected segments.
 */
function projectWithActions(dir: string) {
  const { store, video: clip } = labelledProject(dir);
  open.push(store);
  const other = store.addVideo(sampleVideo({ path: path.join(dir, 'other.mp4'), width: 40, height: 30, fpsNum: 25, fpsDen: 1 }, 10));
  for (let f = 0; f < 4; f++) store.setFrameVerified(other.id, f, true);
  const unused = store.addVideo(sampleVideo({ path: path.join(dir, 'unused.mp4') }, 10));
  const walk = store.addActionClass('walk', '#00ff00');
  const wave = store.addActionClass('wave', '#0000ff');

  const human = store.createActionSegment({ videoId: clip.id, start: 2, end: 5, classId: walk.id });
  store.replaceActionSuggestions(clip.id, 'pack 1', [
    { start: 10, end: 14, classId: wave.id, score: 0.8 },
    { start: 6, end: 8, classId: walk.id, score: 0.3 }, // stays a suggestion
    { start: 15, end: 19, classId: walk.id, score: 0.6 }, // rejected below
  ]);
  const machine = store.listActionSegments(clip.id).find((s) => s.start === 10)!;
  store.acceptActionSegment(machine.id);
  store.rejectActionSegment(store.listActionSegments(clip.id).find((s) => s.start === 15)!.id);
  const otherSeg = store.createActionSegment({ videoId: other.id, start: 3, end: 7, classId: wave.id });
  store.replaceActionSuggestions(other.id, 'pack 1', [{ start: 0, end: 2, classId: walk.id, score: 0.9 }]);
  store.createActionSegment({ videoId: unused.id, start: 0, end: 9, classId: walk.id });
  return { store, clip, other, walk, wave, human, machine, otherSeg };
}

describe('action segments in exports', () => {
  it('COCO: annotations/actions.json and videos[].actions hold only accepted segments of exported videos, in frames and seconds', async () => {
    const dir = tempDir('actions-coco');
    const p = projectWithActions(dir);
    const result = await runExport(p.store, {
      format: 'coco',
      outDir: dir,
      name: 'ds',
      images: 'none',
      selection: { validation: { by: 'video', videoIds: [p.other.id] } },
    });
    expect(result.files).toContain('annotations/actions.json');
    const clipFps = 30000 / 1001;

    const doc = readJson(path.join(dir, 'ds/annotations/actions.json'));
    expect(doc.version).toBe('VERSION 1.3');
    expect(doc.taxonomy).toEqual([
      { nodeName: 'Root', nodeId: 0, parentName: null, parentId: null },
      { nodeName: 'walk', nodeId: p.walk.id, parentName: 'Root', parentId: 0 },
      { nodeName: 'wave', nodeId: p.wave.id, parentName: 'Root', parentId: 0 },
    ]);
    expect(Object.keys(doc.database).sort()).toEqual(['clip', 'other']); // 'unused' had no exported frame
    const clip = doc.database.clip;
    expect(clip).toMatchObject({ subset: 'training', fps: clipFps, frames: 20, resolution: '40x30' });
    expect(clip.duration).toBeCloseTo(20 * 1001 / 30000, 12);
    expect(clip.annotations).toHaveLength(2); // not the suggestion 6–8 nor the rejected 15–19
    expect(clip.annotations[0]).toEqual({ segment: [expect.any(Number), expect.any(Number)], segmentFrames: [2, 5], label: 'walk', score: null, source: 'human' });
    expect(clip.annotations[0].segment[0]).toBeCloseTo(2 * 1001 / 30000, 12);
    expect(clip.annotations[0].segment[1]).toBeCloseTo(6 * 1001 / 30000, 12); // the end of frame 5
    expect(clip.annotations[1]).toMatchObject({ segmentFrames: [10, 14], label: 'wave', score: 0.8, source: 'machine' });
    const other = doc.database.other;
    expect(other).toMatchObject({ subset: 'validation', fps: 25, frames: 10, duration: 0.4 });
    expect(other.annotations).toEqual([{ segment: [0.12, 0.32], segmentFrames: [3, 7], label: 'wave', score: null, source: 'human' }]);

    const train = readJson(path.join(dir, 'ds/annotations/instances_train.json'));
    const val = readJson(path.join(dir, 'ds/annotations/instances_val.json'));
    expect(train.videos).toHaveLength(1);
    expect(train.videos[0].actions).toEqual([
      { id: p.human.id, category: 'walk', start_frame: 2, end_frame: 5, segment: clip.annotations[0].segment, score: null, source: 'human' },
      { id: p.machine.id, category: 'wave', start_frame: 10, end_frame: 14, segment: clip.annotations[1].segment, score: 0.8, source: 'machine' },
    ]);
    expect(val.videos.map((v: { id: number; actions: unknown[] }) => [v.id, v.actions])).toEqual([
      [p.other.id, [{ id: p.otherSeg.id, category: 'wave', start_frame: 3, end_frame: 7, segment: [0.12, 0.32], score: null, source: 'human' }]],
    ]);
  });

  it('Cityscapes: actions.json beside gtFine; a video split by time blocks is "mixed"; a project without actions gets empty lists', async () => {
    const dir = tempDir('actions-cs');
    const store = newProject(dir);
    open.push(store);
    const video = store.addVideo(sampleVideo({ path: path.join(dir, 'walk.mp4'), fpsNum: 10, fpsDen: 1 }, 20));
    for (let f = 0; f < 20; f++) store.setFrameVerified(video.id, f, true);
    const r1 = await runExport(store, { format: 'cityscapes', outDir: dir, name: 'none', images: false });
    expect(r1.files).toContain('actions.json');
    expect(readJson(path.join(dir, 'none/actions.json'))).toEqual({
      version: 'VERSION 1.3',
      taxonomy: [{ nodeName: 'Root', nodeId: 0, parentName: null, parentId: null }],
      database: { walk: { subset: 'training', duration: 2, fps: 10, frames: 20, resolution: '32x24', annotations: [] } },
    });

    const jump = store.addActionClass('jump');
    const seg = store.createActionSegment({ videoId: video.id, start: 0, end: 19, classId: jump.id });
    store.updateActionSegment(seg.id, { start: 5 });
    await runExport(store, {
      format: 'cityscapes',
      outDir: dir,
      name: 'blocks',
      images: false,
      selection: { validation: { by: 'time-block', blockFrames: 5, fraction: 0.5, gapFrames: 1 } },
    });
    const doc = readJson(path.join(dir, 'blocks/actions.json'));
    expect(doc.database.walk.subset).toBe('mixed');
    expect(doc.database.walk.annotations).toEqual([{ segment: [0.5, 2], segmentFrames: [5, 19], label: 'jump', score: null, source: 'human' }]);
  });
});
