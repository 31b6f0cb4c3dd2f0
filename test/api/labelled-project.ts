/**
 * A project on the real 320×240, 90-frame test video with labels of every state, written through the
 * store and closed again (the project lock allows one holder: the server opens it afterwards).
 */
import path from 'node:path';
import { openProject } from '../../electron/core/store';
import { addRealVideo, rle } from '../export/helpers';

export interface LabelledProject {
  file: string;
  videoId: number;
  classes: { person: number; car: number };
}

/** Frames 0–9 verified (a person mask + a car box each), 10–14 corrected, 20–39 predicted with scores 0.40–0.78. */
export async function writeLabelledProject(dir: string, name = 'labelled'): Promise<LabelledProject> {
  const file = path.join(dir, `${name}.dffproj`);
  const store = openProject(file, { create: true });
  try {
    const video = await addRealVideo(store);
    const person = store.addClass({ name: 'person', color: '#dc143c', hasInstances: true }).id;
    const car = store.addClass({ name: 'car', color: '#1f4fd8', hasInstances: true }).id;
    const [H, W] = [240, 320];
    for (let f = 0; f < 15; f++) {
      store.addHumanAnnotation({ videoId: video.id, frameIdx: f, classId: person, trackId: 1, mask: rle(H, W, (x, y) => (x - 80 - 4 * f) ** 2 / 900 + (y - 120) ** 2 / 3600 <= 1) });
      store.addHumanAnnotation({ videoId: video.id, frameIdx: f, classId: car, trackId: 2, box: { x: 180, y: 140, w: 90, h: 50 } });
      if (f < 10) store.setFrameVerified(video.id, f, true);
    }
    const run = store.createRun({ packName: 'test', packPath: '/p', packHash: 'h', params: {}, executionProvider: 'cpu' });
    store.writeMachineResults(
      run.id,
      video.id,
      Array.from({ length: 20 }, (_, k) => ({
        frameIdx: 20 + k,
        state: 'predicted' as const,
        score: 0.4 + k * 0.02,
        annotations: [{ classId: person, trackId: 1, score: 0.8, box: { x: 40 + k, y: 60, w: 60, h: 120 } }],
      })),
    );
    store.updateRun(run.id, { status: 'done' });
    return { file, videoId: video.id, classes: { person, car } };
  } finally {
    store.close();
  }
}
