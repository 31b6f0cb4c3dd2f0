import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeMask } from '../../electron/core/masks/rle';
import { openProject } from '../../electron/core/store';
import { MIGRATIONS } from '../../electron/core/store/migrations';
import { openProjectWith } from '../../electron/core/store/open';
import { rawDb, sampleVideo, tempDir } from './helpers';

const root = tempDir('migration-v2');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A version-1 project holding a bit of everything: machine rows, a correction, a verification, a mask. */
function v1ProjectWithData(file: string) {
  const v1 = openProjectWith(file, { create: true }, [MIGRATIONS[0]!]);
  const video = v1.addVideo(sampleVideo());
  const other = v1.addVideo(sampleVideo({ path: '/videos/other.mp4' }, 10));
  const person = v1.addClass({ name: 'person', color: '#ff0000' });
  const run = v1.createRun({ packName: 'p', packPath: '/p', packHash: 'h', params: {}, executionProvider: 'cpu' });
  v1.writeMachineResults(run.id, video.id, [
    { frameIdx: 0, state: 'predicted', score: 0.9, dffKey: true, annotations: [{ classId: person.id, trackId: 1, box: { x: 1, y: 2, w: 3, h: 4 }, score: 0.8 }] },
    { frameIdx: 1, state: 'propagated', score: 0.7, annotations: [{ classId: person.id, trackId: 1, box: { x: 2, y: 2, w: 3, h: 4 }, score: 0.6 }] },
  ]);
  const [machine] = v1.listAnnotations(video.id, 1);
  v1.updateAnnotation(machine!.id, { box: { x: 5, y: 5, w: 2, h: 2 } });
  const mask = new Uint8Array(24 * 32);
  mask.fill(1, 5 * 32 + 4, 5 * 32 + 12);
  v1.addHumanAnnotation({ videoId: other.id, frameIdx: 3, classId: person.id, mask: encodeMask(mask, 24, 32) });
  v1.setFrameVerified(video.id, 0, true);
  expect(v1.schemaVersion).toBe(1);
  v1.close();
  return { video, other, person, run };
}

const dump = (file: string) => {
  const db = rawDb(file);
  const out = {
    frames: db.prepare('SELECT * FROM frames ORDER BY video_id, idx').all(),
    annotations: db.prepare('SELECT * FROM annotations ORDER BY id').all(),
    videos: db.prepare('SELECT * FROM videos ORDER BY id').all(),
  };
  db.close();
  return out;
};

describe('schema 2', () => {
  it('upgrades a version-1 file with data: every row kept, indexes and foreign keys rebuilt, carried allowed', () => {
    const file = path.join(root, 'v1', 'p.dffproj');
    const ids = v1ProjectWithData(file);
    const before = dump(file);
    expect(before.annotations.length).toBe(3);

    const store = openProjectWith(file, {}, MIGRATIONS.slice(0, 2));
    expect(store.schemaVersion).toBe(2);
    store.close();
    expect(dump(file)).toEqual(before);

    const db = rawDb(file, false);
    try {
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      expect(indexes).toEqual([
        'annotations_by_class',
        'annotations_by_frame',
        'annotations_by_run',
        'annotations_by_track',
        'edit_journal_by_video',
        'frames_by_run',
      ]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.pragma('foreign_keys = ON');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const fks = db.pragma('foreign_key_list(annotations)') as { table: string; from: string; to: string; on_delete: string }[];
      expect(fks.map((f) => `${f.from}->${f.table}.${f.to} ${f.on_delete}`).sort()).toEqual([
        'class_id->label_classes.id RESTRICT',
        'frame_idx->frames.idx CASCADE',
        'run_id->inference_runs.id SET NULL',
        'video_id->frames.video_id CASCADE',
      ]);
      // the new states are accepted, old constraints still hold
      db.prepare("UPDATE frames SET state = 'carried' WHERE video_id = ? AND idx = 5").run(ids.video.id);
      db.prepare("UPDATE annotations SET source = 'carried' WHERE frame_idx = 1").run();
      expect(() => db.prepare("UPDATE frames SET state = 'bogus' WHERE idx = 6").run()).toThrow(/CHECK/);
      expect(() => db.prepare('UPDATE annotations SET w = -1').run()).toThrow(/CHECK/);
      // the cascades still work: removing a video removes its frames and their annotations
      db.prepare('DELETE FROM videos WHERE id = ?').run(ids.other.id);
      expect(db.prepare('SELECT count(*) AS n FROM annotations WHERE video_id = ?').get(ids.other.id)).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM frames WHERE video_id = ?').get(ids.other.id)).toEqual({ n: 0 });
      // frame_stats takes the engine's rows and follows its video
      db.prepare('INSERT INTO frame_stats (video_id, frame_idx, run_id, key_idx, flow_mean_px, confidence) VALUES (?, 3, ?, 0, 1.5, 0.9)').run(ids.video.id, ids.run.id);
      db.prepare('DELETE FROM inference_runs').run();
      expect(db.prepare('SELECT run_id, key_idx, flow_mean_px FROM frame_stats').get()).toEqual({ run_id: null, key_idx: 0, flow_mean_px: 1.5 });
    } finally {
      db.close();
    }
    expect(fs.existsSync(`${file}.schema-1.bak`)).toBe(true);
  });

  it('keeps foreign keys on for the open store after migrating', () => {
    const file = path.join(root, 'fk', 'p.dffproj');
    const { video } = v1ProjectWithData(file);
    const store = openProject(file);
    store.removeVideo(video.id);
    expect(store.listVideos().map((v) => v.id)).not.toContain(video.id);
    store.close();
    const db = rawDb(file);
    expect(db.prepare('SELECT count(*) AS n FROM annotations WHERE video_id = ?').get(video.id)).toEqual({ n: 0 });
    db.close();
  });

  it('machine runs skip carried frames as they skip corrected ones', () => {
    const store = openProject(path.join(root, 'skip', 'p.dffproj'), { create: true });
    try {
      const video = store.addVideo(sampleVideo());
      const cls = store.addClass({ name: 'car', color: '#00ff00' });
      store.setFrameState(video.id, 4, 'carried');
      const run = store.createRun({ packName: 'p', packPath: '/p', packHash: 'h', params: {}, executionProvider: 'cpu' });
      const result = store.writeMachineResults(run.id, video.id, [4, 5].map((frameIdx) => ({
        frameIdx,
        state: 'propagated' as const,
        score: 0.5,
        annotations: [{ classId: cls.id, box: { x: 1, y: 1, w: 2, h: 2 } }],
      })));
      expect(result).toEqual({ written: 1, skipped: [{ frameIdx: 4, reason: 'human-edited' }] });
      expect(store.listAnnotations(video.id, 4)).toEqual([]);
      expect(store.getFrame(video.id, 4).state).toBe('carried');
    } finally {
      store.close();
    }
  });
});
