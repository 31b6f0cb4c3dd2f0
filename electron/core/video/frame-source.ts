import path from 'node:path';
import { AppError } from '../errors';
import type { ToolPaths } from './ffmpeg-tools';
import type { Frame } from './frame';
import type { MediaInfo } from './media-info';

export interface FrameStreamOptions {
  /** Output size; give one side to keep the aspect ratio. Default: the source size. */
  width?: number;
  height?: number;
  /**
   * 'rgb24' has the decoder process convert every frame (SIMD, in parallel with the consumer):
   * for inference, which needs RGB for all frames. Default: the source's own layout (see frame.ts).
   */
  format?: 'rgb24';
  /**
   * Decode into a small ring of reused buffers instead of a new buffer per frame (how inference
   * reads: ~0.9× of ffmpeg's own decode speed at 720p instead of ~0.7×). Each frame's `data` is then
   * only valid until the iterator's next step, when it may be overwritten: copy what must outlive it.
   * Such frames never enter the frame cache. Image folders ignore it (every frame has its own buffer).
   */
  reuse?: boolean;
}

export interface ThumbnailOptions {
  /** How many, evenly spaced over the source (at most one per frame). */
  count: number;
  /** Pixel width of each thumbnail (default 160); the height keeps the aspect ratio. */
  width?: number;
  /** JPEG quality 1–100 (default 75). */
  quality?: number;
}

export interface Thumbnail {
  index: number;
  width: number;
  height: number;
  jpeg: Buffer;
}

/** The frames of one video file or image folder, addressed by index. */
export interface FrameSource {
  readonly info: MediaInfo;
  /** Frame `index` exactly, whatever was fetched before; OUT_OF_RANGE outside [0, frameCount). */
  getFrame(index: number): Promise<Frame>;
  /**
   * Frames [from, to) in order from one decoder (for inference); stopping early ends the decoder.
   * With `reuse`, a frame's data is valid only until the next step (see FrameStreamOptions.reuse).
   */
  frames(from?: number, to?: number, options?: FrameStreamOptions): AsyncGenerator<Frame, void, undefined>;
  /** Small JPEGs evenly spaced over the source for the timeline, cached on disk. */
  thumbnails(options: ThumbnailOptions): Promise<Thumbnail[]>;
  /** Stops every decoder this source started. */
  close(): Promise<void>;
}

export interface FrameSourceOptions {
  tools?: ToolPaths;
  /** Byte budget of the decoded-frame cache (default 256 MiB; 0 disables it). */
  cacheBytes?: number;
  /** Frames decoded past the last one asked for while idle, so stepping forward hits the cache (default 4). */
  readAhead?: number;
  /** Where thumbnails are kept between runs (default `<appHome>/cache/thumbnails`). */
  thumbnailDir?: string;
  /** Nominal frame rate of an image folder (default 25). */
  imageFps?: number;
}

export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/** Checks a frame index and names the index and the count when it is outside [0, count). */
export function assertFrameIndex(index: number, info: MediaInfo): void {
  if (!Number.isInteger(index) || index < 0 || index >= info.frameCount) {
    throw new AppError(
      'OUT_OF_RANGE',
      `Frame ${index} is outside ${path.basename(info.path)}, which has ${info.frameCount} frames (0–${info.frameCount - 1})`,
      { index, frameCount: info.frameCount, path: info.path },
    );
  }
}

/** Checks a [from, to) range. */
export function assertFrameRange(from: number, to: number, info: MediaInfo): void {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > info.frameCount || from > to) {
    throw new AppError(
      'OUT_OF_RANGE',
      `Frames [${from}, ${to}) are outside ${path.basename(info.path)}, which has ${info.frameCount} frames`,
      { from, to, frameCount: info.frameCount, path: info.path },
    );
  }
}

/** Output size for a stream: explicit, one side with the aspect kept, or the source size. */
export function streamSize(info: MediaInfo, options: FrameStreamOptions = {}): { width: number; height: number } {
  const { width, height } = options;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 16384)) {
      throw new AppError('INVALID_INPUT', `Frame stream ${name} must be an integer from 1 to 16384, got ${v}`);
    }
  }
  if (width && height) return { width, height };
  if (width) return { width, height: Math.max(1, Math.round((info.height * width) / info.width)) };
  if (height) return { width: Math.max(1, Math.round((info.width * height) / info.height)), height };
  return { width: info.width, height: info.height };
}

/** Evenly spaced frame indices: the middle frame of each of `count` equal stretches. */
export function evenlySpaced(frameCount: number, count: number): number[] {
  const n = Math.max(1, Math.min(Math.floor(count), frameCount));
  return Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * frameCount) / n));
}

/** Seconds since the first frame. */
export function frameTime(info: MediaInfo, index: number): number {
  return ((info.pts[index]! - info.pts[0]!) * info.timeBase.num) / info.timeBase.den;
}
