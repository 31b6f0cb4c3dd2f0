import fs from 'node:fs/promises';
import { AppError } from '../errors';
import type { Frame } from './frame';
import { FrameCache } from './frame-cache';
import {
  assertFrameIndex,
  assertFrameRange,
  DEFAULT_CACHE_BYTES,
  type FrameSource,
  type FrameSourceOptions,
  type FrameStreamOptions,
  frameTime,
  streamSize,
  type Thumbnail,
  type ThumbnailOptions,
} from './frame-source';
import { readImageRgb, scanImageFolder } from './image-folder';
import type { ImageFolderInfo } from './media-info';
import type { ToolPaths } from './ffmpeg-tools';
import { cachedThumbnails, defaultThumbnailDir } from './thumbnails';

/** A folder of numbered images as frames by index (rgb24), with the same cache as a video. */
export class ImageFolderSource implements FrameSource {
  private readonly cache: FrameCache;
  private readonly thumbnailDir: string;
  private readonly tools?: ToolPaths;
  private closed = false;

  static async open(dir: string, options: FrameSourceOptions = {}): Promise<ImageFolderSource> {
    return new ImageFolderSource(await scanImageFolder(dir, options.imageFps), options);
  }

  constructor(
    readonly info: ImageFolderInfo,
    options: FrameSourceOptions = {},
  ) {
    this.cache = new FrameCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.thumbnailDir = options.thumbnailDir ?? defaultThumbnailDir();
    this.tools = options.tools;
  }

  async getFrame(index: number): Promise<Frame> {
    this.assertOpen();
    assertFrameIndex(index, this.info);
    const hit = this.cache.get(index);
    if (hit) return hit;
    const frame = await this.decode(index);
    this.cache.set(frame);
    return frame;
  }

  frames(from = 0, to = this.info.frameCount, options: FrameStreamOptions = {}): AsyncGenerator<Frame, void, undefined> {
    this.assertOpen();
    assertFrameRange(from, to, this.info);
    const size = streamSize(this.info, options);
    const resize = size.width === this.info.width && size.height === this.info.height ? undefined : size;
    // options.reuse is ignored: every image decodes into a buffer of its own, which outlives any step.
    return this.stream(from, to, resize);
  }

  async thumbnails(options: ThumbnailOptions): Promise<Thumbnail[]> {
    this.assertOpen();
    const state = await Promise.all(
      this.info.files.map(async (f) => {
        const s = await fs.stat(f);
        return [s.size, s.mtimeMs];
      }),
    );
    return cachedThumbnails(this.info, options, this.thumbnailDir, state, (indices, width, height) =>
      Promise.all(indices.map((i) => this.decode(i, { width, height }))),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cache.clear();
  }

  private async *stream(from: number, to: number, size?: { width: number; height: number }) {
    // Decode one image ahead of the consumer so file reading overlaps its work.
    let pending = from < to ? this.decode(from, size) : null;
    for (let index = from; index < to && pending; index++) {
      const current = pending;
      pending = index + 1 < to ? this.decode(index + 1, size) : null;
      pending?.catch(() => undefined); // reported when awaited
      yield await current;
    }
  }

  private async decode(index: number, size?: { width: number; height: number }): Promise<Frame> {
    const { width, height, data } = await readImageRgb(this.info.files[index]!, size, this.tools);
    if (!size && (width !== this.info.width || height !== this.info.height)) {
      throw new AppError(
        'INVALID_INPUT',
        `${this.info.files[index]} is now ${width}×${height}; the folder's frames are ${this.info.width}×${this.info.height}`,
        { path: this.info.files[index] },
      );
    }
    return { index, width, height, pts: index, time: frameTime(this.info, index), format: 'rgb24', data };
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('INVALID_INPUT', `${this.info.path} was closed`, { path: this.info.path });
  }
}
