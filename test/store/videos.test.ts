import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openProject, type ProjectStore } from '../../electron/core/store';
import { expectAppError, rawDb, sampleVideo, tempDir } from './helpers';

const root = tempDir('videos');
let n = 0;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function newStore(): ProjectStore {
  return openProject(path.join(root, `p${++n}`, 'project.dffproj'), { create: true });
}

describe('videos', () => {
  it('adds a video with one frame row per pts, codec keyframes marked, paths absolute and relative', () => {
    const store = newStore();
    const input = sampleVideo({ path: path.join(store.folder, 'media', 'clip.mp4') }, 30);
    const video = store.addVideo(input);
    expect(video).toMatchObject({
      path: path.join(store.folder, 'media', 'clip.mp4'),
      relPath: path.join('media', 'clip.mp4'),
      kind: 'file',
      frameCount: 30,
      width: 32,
      height: 24,
      fpsNum: 30000,
      fpsDen: 1001,
      isVfr: false,
    });
    expect(store.getVideo(video.id)).toEqual(video);
    expect(store.listVideos()).toEqual([video]);
    const frames = store.listFrames(video.id);
    expect(frames.map((f) => f.pts)).toEqual(input.pts);
    expect(frames.filter((f) => f.codecKeyframe).map((f) => f.idx)).toEqual([0, 12, 24]);
    expect(frames.every((f) => f.state === 'unlabelled' && !f.dffKey && f.score === null && f.runId === null)).toBe(true);
    expect(store.listFrames(video.id, 10, 13).map((f) => f.idx)).toEqual([10, 11, 12]);
    expect(store.getFrame(video.id, 29).pts).toBe(29 * 1001);
    store.close();
  });

  it('refuses bad video facts, naming the value, and saves nothing', () => {
    const store = newStore();
    const cases: Array<[Partial<ReturnType<typeof sampleVideo>>, string, RegExp]> = [
      [{ pts: [0, 10, 10], keyframes: [0] }, 'INVALID_INPUT', /frame 2 has 10 after 10/],
      [{ pts: [0, 1.5], keyframes: [0] }, 'INVALID_INPUT', /frame 1 .* not a whole number: 1.5/],
      [{ pts: [], keyframes: [] }, 'INVALID_INPUT', /at least one frame/],
      [{ pts: [0, 1, 2], keyframes: [0, 3] }, 'OUT_OF_RANGE', /keyframe index 3 .* outside its 3 frames/],
      [{ width: 0 }, 'INVALID_INPUT', /video width must be a positive whole number, got 0/],
      [{ kind: 'gif' as never }, 'INVALID_INPUT', /video kind must be one of file, images, got "gif"/],
      [{ durationS: Number.NaN }, 'INVALID_INPUT', /video duration must be a finite number/],
      [{ contentHash: '' }, 'INVALID_INPUT', /content hash/],
    ];
    for (const [override, code, message] of cases) {
      const err = expectAppError(() => store.addVideo(sampleVideo(override)), code);
      expect(err.message).toMatch(message);
    }
    expect(store.listVideos()).toEqual([]);
    store.close();
  });

  it('refuses the same file twice', () => {
    const store = newStore();
    const first = store.addVideo(sampleVideo());
    const err = expectAppError(() => store.addVideo(sampleVideo()), 'INVALID_INPUT');
    expect(err.message).toContain(`already in this project (video ${first.id})`);
    store.close();
  });

  it('inserts 100 000 frames in one transaction: a failure on the last row leaves no trace', () => {
    const store = newStore();
    const count = 100_000;
    const pts = Array.from({ length: count }, (_, i) => i * 512 + (i % 7)); // uneven, like VFR
    const keyframes = Array.from({ length: count / 250 }, (_, k) => k * 250);
    const video = store.addVideo(sampleVideo({ path: '/videos/long.mp4', pts, keyframes }));
    expect(video.frameCount).toBe(count);
    const frames = store.listFrames(video.id);
    expect(frames).toHaveLength(count);
    expect(frames[count - 1]).toMatchObject({ idx: count - 1, pts: pts[count - 1], codecKeyframe: false });
    expect(frames.filter((f) => f.codecKeyframe).length).toBe(count / 250);
    expect(frames.every((f, i) => f.pts === pts[i])).toBe(true);

    // A trigger (written through a second connection) makes the very last frame row fail.
    const db = rawDb(store.file, false);
    db.exec(`CREATE TRIGGER fail_last BEFORE INSERT ON frames WHEN NEW.idx = ${count - 1}
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    db.close();
    expect(() => store.addVideo(sampleVideo({ path: '/videos/long2.mp4', pts, keyframes }))).toThrow(/injected failure/);
    expect(store.listVideos().map((v) => v.path)).toEqual(['/videos/long.mp4']);
    const check = rawDb(store.file);
    expect(check.prepare('SELECT count(*) AS n FROM frames').get()).toEqual({ n: count });
    check.close();
    store.close();
  });

  it('finds a video beside the project after the project folder moved with it', () => {
    const dir = path.join(root, `moving-${++n}`);
    const file = path.join(dir, 'project.dffproj');
    const store = openProject(file, { create: true });
    fs.mkdirSync(path.join(dir, 'media'));
    fs.writeFileSync(path.join(dir, 'media', 'clip.mp4'), 'video bytes');
    const video = store.addVideo(sampleVideo({ path: path.join(dir, 'media', 'clip.mp4') }));
    expect(store.locateVideo(video.id)).toBe(path.join(dir, 'media', 'clip.mp4'));
    store.close();

    const moved = path.join(root, `moved-${n}`);
    fs.renameSync(dir, moved);
    const reopened = openProject(path.join(moved, 'project.dffproj'));
    expect(reopened.locateVideo(video.id)).toBe(path.join(moved, 'media', 'clip.mp4'));
    fs.rmSync(path.join(moved, 'media'), { recursive: true });
    const err = expectAppError(() => reopened.locateVideo(video.id), 'NOT_FOUND');
    expect(err.message).toContain(path.join(moved, 'media', 'clip.mp4'));
    expect(err.message).toContain(path.join(dir, 'media', 'clip.mp4'));
    reopened.close();
  });

  it('removing a video removes its frames and annotations, and nothing of other videos', () => {
    const store = newStore();
    const person = store.addClass({ name: 'person', color: '#ff0000' });
    const a = store.addVideo(sampleVideo({ path: '/videos/a.mp4' }));
    const b = store.addVideo(sampleVideo({ path: '/videos/b.mp4' }));
    const run = store.createRun({ packName: 'p', packPath: '/p', packHash: 'h', params: {}, executionProvider: 'cpu' });
    for (const v of [a, b]) {
      store.addHumanAnnotation({ videoId: v.id, frameIdx: 3, classId: person.id, box: { x: 1, y: 1, w: 5, h: 5 } });
      store.writeMachineResults(run.id, v.id, [
        { frameIdx: 4, state: 'predicted', score: 0.9, annotations: [{ classId: person.id, box: { x: 0, y: 0, w: 2, h: 2 } }] },
      ]);
    }
    store.removeVideo(a.id);
    expectAppError(() => store.getVideo(a.id), 'NOT_FOUND');
    expectAppError(() => store.listFrames(a.id), 'NOT_FOUND');
    const db = rawDb(store.file);
    expect(db.prepare('SELECT video_id, count(*) AS n FROM frames GROUP BY video_id').all()).toEqual([{ video_id: b.id, n: 30 }]);
    expect(db.prepare('SELECT video_id, count(*) AS n FROM annotations GROUP BY video_id').all()).toEqual([{ video_id: b.id, n: 2 }]);
    db.close();
    expect(store.listAnnotations(b.id, 3)).toHaveLength(1);
    expectAppError(() => store.removeVideo(a.id), 'NOT_FOUND');
    store.close();
  });
});

describe('frames', () => {
  it('refuse indexes outside the video, naming index and count', () => {
    const store = newStore();
    const v = store.addVideo(sampleVideo({}, 30));
    const err = expectAppError(() => store.getFrame(v.id, 30), 'OUT_OF_RANGE');
    expect(err.message).toBe(`Frame 30 is outside video ${v.id}, which has 30 frames (0–29)`);
    expectAppError(() => store.getFrame(v.id, -1), 'INVALID_INPUT');
    expectAppError(() => store.getFrame(v.id, 1.5), 'INVALID_INPUT');
    expectAppError(() => store.getFrame(999, 0), 'NOT_FOUND');
    expectAppError(() => store.listFrames(v.id, 20, 31), 'OUT_OF_RANGE');
    expectAppError(() => store.listFrames(v.id, 5, 4), 'OUT_OF_RANGE');
    expect(store.listFrames(v.id, 30, 30)).toEqual([]);
    store.close();
  });

  it('verification can be withdrawn, returning the frame to the state it had', () => {
    const store = newStore();
    const v = store.addVideo(sampleVideo());
    const cls = store.addClass({ name: 'car', color: '#00ff00' });
    const run = store.createRun({ packName: 'p', packPath: '/p', packHash: 'h', params: {}, executionProvider: 'cpu' });
    store.writeMachineResults(run.id, v.id, [
      { frameIdx: 2, state: 'propagated', score: 0.5, annotations: [{ classId: cls.id, box: { x: 0, y: 0, w: 3, h: 3 } }] },
    ]);
    expect(store.setFrameVerified(v.id, 2, true).state).toBe('verified');
    expect(store.listAnnotations(v.id, 2).every((a) => a.verified)).toBe(true);
    expect(store.setFrameVerified(v.id, 2, true).state).toBe('verified'); // twice changes nothing
    expect(store.setFrameVerified(v.id, 2, false).state).toBe('propagated');
    expect(store.listAnnotations(v.id, 2).some((a) => a.verified)).toBe(false);
    expect(store.setFrameVerified(v.id, 3, false).state).toBe('unlabelled'); // never verified: unchanged
    store.close();
  });

  it('a frame with human rows cannot be set back to a machine state', () => {
    const store = newStore();
    const v = store.addVideo(sampleVideo());
    const cls = store.addClass({ name: 'car', color: '#00ff00' });
    store.addHumanAnnotation({ videoId: v.id, frameIdx: 1, classId: cls.id, box: { x: 0, y: 0, w: 3, h: 3 } });
    const err = expectAppError(() => store.setFrameState(v.id, 1, 'unlabelled'), 'INVALID_INPUT');
    expect(err.message).toContain('1 annotation(s) made or corrected by a person');
    expect(store.getFrame(v.id, 1).state).toBe('corrected');
    expect(store.setFrameState(v.id, 5, 'corrected').state).toBe('corrected');
    expect(store.setFrameState(v.id, 5, 'unlabelled').state).toBe('unlabelled');
    expect(store.setFrameState(v.id, 6, 'verified').state).toBe('verified');
    expectAppError(() => store.setFrameState(v.id, 6, 'done' as never), 'INVALID_INPUT');
    store.close();
  });
});
