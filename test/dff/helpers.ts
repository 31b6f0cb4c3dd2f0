/**
 * Shared set-up for the DFF engine tests: the pack to test with (models/default, or DFF_TEST_PACK),
 * a short generated clip with exact semantic ground truth, and a project holding it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { newVideoOf } from '../../electron/core/api/media';
import { appRoot } from '../../electron/core/app-paths';
import { decodeMask } from '../../electron/core/masks/rle';
import { openProject, type Annotation, type ProjectStore, type Video } from '../../electron/core/store';
import { probeVideo } from '../../electron/core/video';
import { createWorld } from '../../electron/core/world/world';
import { frameName, writeClip } from '../../electron/core/world/writer';

export const packDir = path.resolve(process.env.DFF_TEST_PACK ?? path.join(appRoot(), 'models', 'default'));
export const havePack = fs.existsSync(path.join(packDir, 'manifest.json'));
export const noPackReason = `no model pack at ${packDir} (models/default is committed with the trained pack; DFF_TEST_PACK=DIR tests another)`;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dff-${prefix}-`));
}

const clipCache = path.join(os.tmpdir(), 'dff-test-world');

/** A generated 320×192 clip (seed 4242), written once per machine and shared by the test files. */
export async function worldClip(frames = 40): Promise<{ dir: string; video: string }> {
  const dir = path.join(clipCache, `seed4242-${frames}`);
  const video = path.join(dir, 'video.mp4');
  if (!fs.existsSync(path.join(dir, 'meta.json'))) {
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    await writeClip(createWorld({ seed: 4242, width: 320, height: 192, frameCount: frames }), tmp, { flowScale: 4, pngFrames: false });
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      if (!fs.existsSync(path.join(dir, 'meta.json'))) throw err;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { dir, video };
}

/** The clip's true class-id map of frame i. */
export async function semanticTruth(clipDir: string, i: number): Promise<Uint8Array> {
  const { data } = await sharp(path.join(clipDir, 'semantic', frameName(i, 'png'))).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** A new project at dir/name.dffproj holding `videoFile` (a copy of it, so tests may damage it). */
export async function projectWith(dir: string, videoFile: string, name = 'p'): Promise<{ store: ProjectStore; video: Video; file: string }> {
  const copy = path.join(dir, `${name}${path.extname(videoFile) || '-frames'}`);
  fs.cpSync(videoFile, copy, { recursive: true });
  const file = path.join(dir, `${name}.dffproj`);
  const store = openProject(file, { create: true });
  const video = store.addVideo(await newVideoOf(await probeVideoOrFolder(copy)));
  return { store, video, file };
}

async function probeVideoOrFolder(target: string) {
  if (fs.statSync(target).isDirectory()) {
    const { scanImageFolder } = await import('../../electron/core/video');
    return scanImageFolder(target);
  }
  return probeVideo(target);
}

/** A frame's semantic masks painted into one class-id map (project class ids), in annotation order. */
export function paintMasks(annotations: Annotation[], h: number, w: number): Uint8Array {
  const map = new Uint8Array(h * w);
  for (const a of annotations) {
    if (!a.mask) continue;
    const m = decodeMask(a.mask);
    for (let p = 0; p < m.length; p++) if (m[p]) map[p] = a.classId;
  }
  return map;
}

export function agreement(a: Uint8Array, b: Uint8Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
