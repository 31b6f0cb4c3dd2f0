import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProject, type ProjectStore, type Video } from '../../electron/core/store';
import { temporalIou } from '../../electron/core/store/actions';
import { MIGRATIONS } from '../../electron/core/store/migrations';
import { openProjectWith } from '../../electron/core/store/open';
import { expectAppError, rawDb, sampleVideo, tempDir } from './helpers';

const root = tempDir('actions');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
let file: string;
let store: ProjectStore;
let video: Video; // 30 frames

beforeEach(() => {
  file = path.join(root, `p${++n}`, 'project.dffproj');
  store = openProject(file, { create: true });
  video = store.addVideo(sampleVideo());
});
afterEach(() => store.close());

describe('schema 3', () => {
  it('upgrades a version-2 file: its rows kept, the action tables and index added, constraints and cascades in force', () => {
    store.close();
    const v2File = path.join(root, 'v2', 'p.dffproj');
    const v2 = openProjectWith(v2File, { create: true }, MIGRATIONS.slice(0, 2));
    const v = v2.addVideo(sampleVideo());
    const cls = v2.addClass({ name: 'person', color: '#ff0000' });
    v2.addHumanAnnotation({ videoId: v.id, frameIdx: 2, classId: cls.id, box: { x: 1, y: 1, w: 3, h: 3 } });
    expect(v2.schemaVersion).toBe(2);
    v2.close();

    store = openProject(v2File);
    expect(store.schemaVersion).toBe(3);
    expect(store.listAnnotations(v.id, 2)).toHaveLength(1);
    expect(fs.existsSync(`${v2File}.schema-2.bak`)).toBe(true);
    const walk = store.addActionClass('walk', '#00FF00');
    const seg = store.createActionSegment({ videoId: v.id, start: 3, end: 9, classId: walk.id });
    expect(store.listActionSegments(v.id)).toEqual([seg]);

    const db = rawDb(v2File, false);
    try {
      db.pragma('foreign_keys = ON');
      const index = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'action_segments_by_video'").get() as { sql: string };
      expect(index.sql).toMatch(/action_segments\(video_id, start_frame\)/);
      const insert = (start: number, end: number, source = 'human', status = 'accepted', classId = walk.id) =>
        db
          .prepare('INSERT INTO action_segments (video_id, start_frame, end_frame, class_id, source, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0)')
          .run(v.id, start, end, classId, source, status);
      expect(() => insert(5, 4)).toThrow(/CHECK/);
      expect(() => insert(1, 2, 'robot')).toThrow(/CHECK/);
      expect(() => insert(1, 2, 'human', 'maybe')).toThrow(/CHECK/);
      expect(() => insert(1, 2, 'human', 'accepted', 999)).toThrow(/FOREIGN KEY/);
      expect(() => db.prepare("INSERT INTO action_classes (name, color, position) VALUES ('WALK', '#000000', 5)").run()).toThrow(/UNIQUE/);
      expect(() => db.prepare('DELETE FROM action_classes WHERE id = ?').run(walk.id)).toThrow(/FOREIGN KEY/);
      db.prepare('DELETE FROM videos WHERE id = ?').run(v.id);
      expect(db.prepare('SELECT count(*) AS n FROM action_segments').get()).toEqual({ n: 0 });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});

describe('action classes', () => {
  it('adds classes in order with a colour, refuses a name already there in any case, and ensures pack classes by name', () => {
    const walk = store.addActionClass('  walk ', '#AABBCC');
    expect(walk).toEqual({ id: walk.id, name: 'walk', color: '#aabbcc' });
    const run = store.addActionClass('run');
    expect(run.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(run.color).not.toBe(store.addActionClass('jump').color); // the palette moves on
    const dup = expectAppError(() => store.addActionClass('WALK'), 'INVALID_INPUT');
    expect(dup.message).toBe(`An action class named "walk" already exists (action class ${walk.id})`);
    expect(expectAppError(() => store.addActionClass(' '), 'INVALID_INPUT').message).toMatch(/action class name/);
    expect(expectAppError(() => store.addActionClass('x', 'red'), 'INVALID_INPUT').message).toMatch(/colour of action class "x"/);

    const ids = store.ensureActionClasses([
      { name: 'Walk', color: '#111111' },
      { name: 'move_left', color: '#222222' },
    ]);
    expect(ids.get('Walk')).toBe(walk.id);
    const moveLeft = ids.get('move_left')!;
    expect(store.listActionClasses()).toEqual([
      walk,
      { id: run.id, name: 'run', color: run.color },
      expect.objectContaining({ name: 'jump' }),
      { id: moveLeft, name: 'move_left', color: '#222222' },
    ]);
    // asking again adds nothing
    expect(store.ensureActionClasses([{ name: 'MOVE_LEFT', color: '#333333' }]).get('MOVE_LEFT')).toBe(moveLeft);
    expect(store.listActionClasses()).toHaveLength(4);
  });
});

describe('action segments', () => {
  it('refuses bad input naming it, and writes nothing then', () => {
    const walk = store.addActionClass('walk');
    const ok = store.createActionSegment({ videoId: video.id, start: 0, end: 29, classId: walk.id });
    expect(ok).toEqual({ id: ok.id, videoId: video.id, start: 0, end: 29, classId: walk.id, source: 'human', status: 'accepted', score: null, model: null });
    const past = expectAppError(() => store.createActionSegment({ videoId: video.id, start: 10, end: 30, classId: walk.id }), 'OUT_OF_RANGE');
    expect(past.message).toBe(`New action segment: frame 30 is past the last frame (29) of video ${video.id}`);
    expect(expectAppError(() => store.createActionSegment({ videoId: video.id, start: 12, end: 11, classId: walk.id }), 'INVALID_INPUT').message).toBe(
      'New action segment: start frame 12 is after end frame 11',
    );
    expect(expectAppError(() => store.createActionSegment({ videoId: video.id, start: -1, end: 3, classId: walk.id }), 'INVALID_INPUT').message).toMatch(
      /start frame must be a whole number ≥ 0, got -1/,
    );
    expect(expectAppError(() => store.createActionSegment({ videoId: video.id, start: 1, end: 3, classId: 77 }), 'NOT_FOUND').message).toBe(
      'Action class 77 does not exist in this project',
    );
    expect(expectAppError(() => store.createActionSegment({ videoId: 99, start: 1, end: 3, classId: walk.id }), 'NOT_FOUND').message).toMatch(/Video 99/);
    expect(expectAppError(() => store.updateActionSegment(555, { start: 1 }), 'NOT_FOUND').message).toBe('Action segment 555 does not exist in this project');
    expect(expectAppError(() => store.updateActionSegment(ok.id, { start: 29, end: 5 }), 'INVALID_INPUT').message).toBe(
      `Action segment ${ok.id}: start frame 29 is after end frame 5`,
    );
    expect(expectAppError(() => store.updateActionSegment(ok.id, { end: 40 }), 'OUT_OF_RANGE').message).toMatch(/frame 40 is past the last frame \(29\)/);
    expect(expectAppError(() => store.updateActionSegment(ok.id, { classId: 3 }), 'NOT_FOUND').message).toMatch(/Action class 3/);
    for (const op of ['deleteActionSegment', 'acceptActionSegment', 'rejectActionSegment'] as const) {
      expect(expectAppError(() => store[op](4242), 'NOT_FOUND').message).toBe('Action segment 4242 does not exist in this project');
    }
    expect(store.listActionSegments(video.id, true)).toEqual([ok]);
    expect(store.editHistory().undo).toBe(`Add action walk 0–29`);
  });

  it('lists in start order; editing, deleting and rejecting follow the human/machine rules', () => {
    const walk = store.addActionClass('walk').id;
    const run = store.addActionClass('run').id;
    const late = store.createActionSegment({ videoId: video.id, start: 20, end: 25, classId: walk });
    const early = store.createActionSegment({ videoId: video.id, start: 2, end: 8, classId: run });
    expect(store.listActionSegments(video.id).map((s) => s.id)).toEqual([early.id, late.id]);
    store.replaceActionSuggestions(video.id, 'default 1.0', [
      { start: 10, end: 14, classId: walk, score: 0.7 },
      { start: 15, end: 19, classId: run, score: 0.6 },
      { start: 26, end: 29, classId: run, score: 0.9 },
    ]);
    const [s1, s2, s3] = store.listActionSegments(video.id).filter((s) => s.source === 'machine');
    expect(s1).toMatchObject({ start: 10, end: 14, status: 'suggested', score: 0.7, model: 'default 1.0' });

    // editing a suggestion makes it the person's; its score goes, the model stays as where it came from
    expect(store.updateActionSegment(s1!.id, { end: 16 })).toMatchObject({ start: 10, end: 16, source: 'human', status: 'accepted', score: null, model: 'default 1.0' });
    // a no-op edit changes nothing and records nothing
    const history = store.editHistory();
    expect(store.updateActionSegment(s2!.id, { start: 15, classId: run })).toEqual(s2);
    expect(store.editHistory()).toEqual(history);
    // accepting keeps source and score
    expect(store.acceptActionSegment(s2!.id)).toMatchObject({ source: 'machine', status: 'accepted', score: 0.6 });
    // deleting a machine segment leaves a rejected tombstone; a person's is gone
    store.deleteActionSegment(s3!.id);
    store.deleteActionSegment(late.id);
    expect(store.getActionSegment(s3!.id).status).toBe('rejected');
    expect(expectAppError(() => store.getActionSegment(late.id), 'NOT_FOUND').message).toMatch(`${late.id}`);
    expect(store.listActionSegments(video.id).map((s) => s.id)).toEqual([early.id, s1!.id, s2!.id]);
    expect(store.listActionSegments(video.id, true).map((s) => s.id)).toEqual([early.id, s1!.id, s2!.id, s3!.id]);
    // a person's segment cannot be rejected (it is deleted); an accepted machine one can
    expect(expectAppError(() => store.rejectActionSegment(early.id), 'INVALID_INPUT').message).toMatch(/person's segment, not a suggestion; delete it/);
    expect(store.rejectActionSegment(s2!.id).status).toBe('rejected');
    // removing the video takes its segments along
    store.removeVideo(video.id);
    const db = rawDb(file);
    expect(db.prepare('SELECT count(*) AS n FROM action_segments').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('replaceActionSuggestions', () => {
  it('replaces pending suggestions only, and skips proposals overlapping (IoU ≥ 0.5) an accepted or rejected segment of their class', () => {
    const walk = store.addActionClass('walk').id;
    const run = store.addActionClass('run').id;
    const human = store.createActionSegment({ videoId: video.id, start: 0, end: 9, classId: walk });
    expect(store.replaceActionSuggestions(video.id, 'm 1', [
      { start: 12, end: 19, classId: walk, score: 0.5 },
      { start: 20, end: 29, classId: run, score: 0.8 },
      { start: 5, end: 7, classId: run, score: 0.4 },
    ])).toEqual({ suggested: 3, skipped: 0 });
    const first = store.listActionSegments(video.id).filter((s) => s.status === 'suggested');
    store.rejectActionSegment(first.find((s) => s.start === 12)!.id);
    store.acceptActionSegment(first.find((s) => s.start === 20)!.id);
    const before = store.editHistory();

    const result = store.replaceActionSuggestions(video.id, 'm 2', [
      { start: 0, end: 7, classId: walk, score: 0.9 }, // IoU with the person's 0–9: 8/10 → skipped
      { start: 0, end: 4, classId: walk, score: 0.9 }, // IoU 5/10 = 0.5 → skipped
      { start: 0, end: 3, classId: walk, score: 0.9 }, // IoU 0.4 → kept
      { start: 13, end: 19, classId: walk, score: 0.9 }, // the rejected 12–19: IoU 7/8 → skipped
      { start: 13, end: 19, classId: run, score: 0.3 }, // another class → kept
      { start: 22, end: 29, classId: run, score: 0.6 }, // the accepted 20–29: 0.8 → skipped
      { start: 3, end: 8, classId: run, score: 0.2 },
    ]);
    expect(result).toEqual({ suggested: 3, skipped: 4 });
    const lane = store.listActionSegments(video.id, true);
    // the old pending 5–7 is gone; the person's, the accepted and the rejected rows are as they were
    expect(lane.find((s) => s.start === 5)).toBeUndefined();
    expect(lane.find((s) => s.id === human.id)).toEqual(human);
    expect(lane.filter((s) => s.status === 'suggested').map((s) => [s.start, s.end, s.classId, s.model])).toEqual([
      [0, 3, walk, 'm 2'],
      [3, 8, run, 'm 2'],
      [13, 19, run, 'm 2'],
    ]);
    expect(lane.filter((s) => s.status !== 'suggested')).toHaveLength(3);
    // a run is not an undoable step
    expect(store.editHistory()).toEqual(before);
  });

  it('checks every proposal before writing: a bad one names itself and leaves the lane as it was', () => {
    const walk = store.addActionClass('walk').id;
    store.replaceActionSuggestions(video.id, 'm 1', [{ start: 1, end: 5, classId: walk, score: 0.5 }]);
    const lane = store.listActionSegments(video.id);
    const bad = [
      [{ start: 1, end: 30, classId: walk, score: 0.5 }, 'OUT_OF_RANGE', /Proposal 1 for video \d+: frame 30 is past the last frame \(29\)/],
      [{ start: 6, end: 5, classId: walk, score: 0.5 }, 'INVALID_INPUT', /Proposal 1 .*start frame 6 is after end frame 5/],
      [{ start: 1, end: 5, classId: 12, score: 0.5 }, 'NOT_FOUND', /Action class 12/],
      [{ start: 1, end: 5, classId: walk, score: 1.5 }, 'INVALID_INPUT', /Proposal 1 .*score must be within 0..1, got 1.5/],
      [{ start: 1, end: 5, classId: walk, score: Number.NaN }, 'INVALID_INPUT', /score must be a finite number/],
    ] as const;
    for (const [proposal, code, message] of bad) {
      const err = expectAppError(() => store.replaceActionSuggestions(video.id, 'm 2', [{ start: 8, end: 12, classId: walk, score: 0.4 }, proposal]), code);
      expect(err.message).toMatch(message);
      expect(store.listActionSegments(video.id)).toEqual(lane);
    }
    expect(expectAppError(() => store.replaceActionSuggestions(video.id, '', []), 'INVALID_INPUT').message).toMatch(/model name/);
    expect(expectAppError(() => store.replaceActionSuggestions(404, 'm', []), 'NOT_FOUND').message).toMatch(/Video 404/);
    // an empty run clears the pending suggestions
    expect(store.replaceActionSuggestions(video.id, 'm 3', [])).toEqual({ suggested: 0, skipped: 0 });
    expect(store.listActionSegments(video.id)).toEqual([]);
  });

  it('temporal IoU counts both end frames', () => {
    expect(temporalIou(0, 9, 0, 9)).toBe(1);
    expect(temporalIou(0, 9, 10, 19)).toBe(0);
    expect(temporalIou(0, 9, 5, 14)).toBeCloseTo(5 / 15);
    expect(temporalIou(3, 3, 3, 3)).toBe(1);
  });
});
