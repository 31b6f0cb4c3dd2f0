/** Projects, masks and videos for the export and import tests. */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { encodeMask, type CocoRle } from '../../electron/core/masks/rle';
import { openProject, type Annotation, type ProjectStore, type Video } from '../../electron/core/store';
import { newVideoOf } from '../../electron/core/api/media';
import { probeVideo } from '../../electron/core/video';
import { fixture } from '../support/videos';
import { sampleVideo } from '../store/helpers';
import { sharedData } from '../support/shared-data';

export { expectAppError, sampleVideo, tempDir } from '../store/helpers';

export function newProject(dir: string, name = 'proj'): ProjectStore {
  return openProject(path.join(dir, `${name}.dffproj`), { create: true });
}

/** A row-major mask with the pixels where `inside(x, y)` holds. */
export function maskOf(h: number, w: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside(x, y)) m[y * w + x] = 1;
  return m;
}

export function rle(h: number, w: number, inside: (x: number, y: number) => boolean): CocoRle {
  return encodeMask(maskOf(h, w, inside), h, w);
}

/** A deterministic pseudo-random generator (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A project with one 40×30 video of 20 frames, classes person/car/road, and labels of every kind:
 * frames 0–4 verified (masks, tracks), 5–6 corrected, 7–14 machine-predicted with scores 0.5–0.85.
 */
export function labelledProject(dir: string): { store: ProjectStore; video: Video; classes: Record<string, number> } {
  const store = newProject(dir);
  const video = store.addVideo(sampleVideo({ path: path.join(dir, 'clip.mp4'), width: 40, height: 30 }, 20));
  const person = store.addClass({ name: 'person', color: '#dc143c', hasInstances: true }).id;
  const car = store.addClass({ name: 'car', color: '#00008e', hasInstances: true }).id;
  const road = store.addClass({ name: 'road', color: '#804080', hasInstances: false }).id;
  const H = 30;
  const W = 40;
  for (let f = 0; f < 7; f++) {
    store.addHumanAnnotation({ videoId: video.id, frameIdx: f, classId: road, mask: rle(H, W, (_x, y) => y >= 22) });
    store.addHumanAnnotation({ videoId: video.id, frameIdx: f, classId: person, trackId: 1, mask: rle(H, W, (x, y) => (x - 10 - f) ** 2 / 25 + (y - 12) ** 2 / 64 <= 1) });
    // a ring-shaped car: a mask with a hole
    store.addHumanAnnotation({
      videoId: video.id,
      frameIdx: f,
      classId: car,
      trackId: 2,
      mask: rle(H, W, (x, y) => x >= 25 && x < 35 && y >= 5 && y < 15 && !(x >= 28 && x < 32 && y >= 8 && y < 12)),
    });
    if (f < 5) store.setFrameVerified(video.id, f, true);
  }
  // a box-only annotation on a verified frame
  store.addHumanAnnotation({ videoId: video.id, frameIdx: 0, classId: car, box: { x: 1, y: 1, w: 5.5, h: 4 } });
  const run = store.createRun({ packName: 'test', packPath: '/p', packHash: 'h', params: {}, executionProvider: 'cpu' });
  store.writeMachineResults(
    run.id,
    video.id,
    Array.from({ length: 8 }, (_, k) => ({
      frameIdx: 7 + k,
      state: k % 2 ? ('propagated' as const) : ('predicted' as const),
      score: 0.5 + k * 0.05,
      annotations: [{ classId: person, trackId: 1, score: 0.9 - k * 0.01, mask: rle(H, W, (x, y) => x >= k && x < k + 8 && y >= 3 && y < 20) }],
    })),
  );
  store.updateRun(run.id, { status: 'done' });
  return { store, video, classes: { person, car, road } };
}

/** The content of annotations, without ids, times and provenance, for comparing round trips. */
export function contentOf(anns: Annotation[], classNames: Map<number, string>) {
  return anns.map((a) => ({
    frameIdx: a.frameIdx,
    cls: classNames.get(a.classId),
    trackId: a.trackId,
    box: a.box,
    mask: a.mask,
    score: a.score,
  }));
}

/** The shared 320×240, 90-frame test video (test/support/videos.ts), added to the project with its probed facts. */
export async function addRealVideo(store: ProjectStore): Promise<Video> {
  return store.addVideo(await newVideoOf(await probeVideo(await fixture('cfr.mp4'))));
}

export const judoMasksDir = sharedData('real/judo/masks') ?? '../shared/data/real/judo/masks';
export const haveJudoMasks = fs.existsSync(judoMasksDir); // false only where sharedData() said it is absent

/** A palette mask PNG as one 0/1 mask per instance colour (black is background). */
export async function readInstanceMasks(file: string): Promise<{ h: number; w: number; masks: Uint8Array[] }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: h, channels } = info;
  const byColour = new Map<number, Uint8Array>();
  for (let i = 0; i < w * h; i++) {
    const key = (data[i * channels] << 16) | (data[i * channels + 1] << 8) | data[i * channels + 2];
    if (key === 0) continue;
    let m = byColour.get(key);
    if (!m) byColour.set(key, (m = new Uint8Array(w * h)));
    m[i] = 1;
  }
  return { h, w, masks: [...byColour.values()] };
}
