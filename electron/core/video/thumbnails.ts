import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { appHome } from '../app-paths';
import { AppError } from '../errors';
import { encodeFrameJpeg } from './encode';
import type { Frame } from './frame';
import { evenlySpaced, type Thumbnail, type ThumbnailOptions } from './frame-source';
import type { MediaInfo } from './media-info';

/** Decodes the given frames at the given size, in one pass where the source allows. */
export type ThumbnailRenderer = (indices: number[], width: number, height: number) => Promise<Frame[]>;

/**
 * Evenly spaced thumbnails of a source: from the disk cache when this exact set was made before,
 * else rendered by the source (one decoding pass for a video) and stored.
 */
export async function cachedThumbnails(
  info: MediaInfo,
  options: ThumbnailOptions,
  dir: string,
  sourceState: unknown,
  render: ThumbnailRenderer,
): Promise<Thumbnail[]> {
  const { count, width = 160, quality = 75 } = options;
  if (!Number.isInteger(count) || count < 1) throw new AppError('INVALID_INPUT', `Thumbnail count must be a positive integer, got ${count}`);
  if (!Number.isInteger(width) || width < 8 || width > 1024) {
    throw new AppError('INVALID_INPUT', `Thumbnail width must be an integer from 8 to 1024, got ${width}`);
  }
  const height = Math.max(1, Math.round((info.height * width) / info.width));
  const key = thumbnailKey({ v: 1, path: info.path, sourceState, count, width, quality });
  const cached = await loadThumbnails(dir, key);
  if (cached) return cached;

  const indices = evenlySpaced(info.frameCount, count);
  const frames = await render(indices, width, height);
  const thumbs = await Promise.all(
    frames.map(async (f) => ({ index: f.index, width: f.width, height: f.height, jpeg: await encodeFrameJpeg(f, quality) })),
  );
  // A cache that cannot be written (read-only home, full disk) must not cost the user the thumbnails.
  await saveThumbnails(dir, key, thumbs).catch(() => undefined);
  return thumbs;
}

/**
 * Thumbnails kept on disk between runs: one folder per (source state, count, width, quality) with a
 * JPEG per thumbnail and an index.json written last, so a half-written set is never read back.
 */
export function defaultThumbnailDir(): string {
  return path.join(appHome(), 'cache', 'thumbnails');
}

/** A stable key; `parts` must change whenever the source's frames may have changed (size, mtime…). */
export function thumbnailKey(parts: unknown): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

interface IndexEntry {
  index: number;
  width: number;
  height: number;
  file: string;
}

export async function loadThumbnails(dir: string, key: string): Promise<Thumbnail[] | null> {
  const folder = path.join(dir, key);
  try {
    const entries = JSON.parse(await fs.readFile(path.join(folder, 'index.json'), 'utf8')) as IndexEntry[];
    return await Promise.all(
      entries.map(async (e) => ({ index: e.index, width: e.width, height: e.height, jpeg: await fs.readFile(path.join(folder, e.file)) })),
    );
  } catch {
    return null; // absent or damaged: made again
  }
}

export async function saveThumbnails(dir: string, key: string, thumbs: Thumbnail[]): Promise<void> {
  const folder = path.join(dir, key);
  await fs.mkdir(folder, { recursive: true });
  const entries: IndexEntry[] = [];
  for (const [i, t] of thumbs.entries()) {
    const file = `${String(i).padStart(5, '0')}.jpg`;
    await fs.writeFile(path.join(folder, file), t.jpeg);
    entries.push({ index: t.index, width: t.width, height: t.height, file });
  }
  const tmp = path.join(folder, `index.json.${process.pid}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(entries));
  await fs.rename(tmp, path.join(folder, 'index.json'));
}
