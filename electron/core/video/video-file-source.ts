import path from 'node:path';
import { AppError } from '../errors';
import { decodeArgs, type DecodeRange, keyframeAtOrBefore } from './decode-command';
import { resolveFfmpegTools, type ToolInfo } from './ffmpeg-tools';
import { type Frame, frameByteLength } from './frame';
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
import type { VideoInfo } from './media-info';
import { probeVideo } from './probe';
import { RawFrameReader } from './raw-frame-reader';
import { cachedThumbnails, defaultThumbnailDir } from './thumbnails';

/**
 * Reading on through this many frames beats restarting ffmpeg at a later keyframe: a restart costs
 * a process start and a seek (~50–100 ms), one frame read on costs a decode and a copy (~3–5 ms at 720p).
 */
const READ_ON_LIMIT = 24;

/** The running sequential decoder behind getFrame, and the index of the frame it yields next. */
interface Cursor {
  reader: RawFrameReader;
  next: number;
}

/**
 * A video file as frames by index. getFrame is served from an LRU cache, else from one running
 * sequential ffmpeg (kept while requests move forward, restarted with a keyframe seek otherwise),
 * which reads a few frames ahead while idle. frames() and thumbnails() start their own ffmpeg.
 */
export class VideoFileSource implements FrameSource {
  private readonly cache: FrameCache;
  private readonly readAhead: number;
  private readonly thumbnailDir: string;
  private readonly readers = new Set<RawFrameReader>();
  private cursor: Cursor | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private lastAsked = -1;
  private readingAhead = false;
  private closed = false;
  /** How many ffmpeg decoders this source has started (diagnostics: stepping forward must not add any). */
  decoderStarts = 0;

  static async open(file: string, options: FrameSourceOptions = {}): Promise<VideoFileSource> {
    const tools = await resolveFfmpegTools(options.tools);
    const info = await probeVideo(file, { tools: options.tools });
    return new VideoFileSource(info, tools.ffmpeg, options);
  }

  constructor(
    readonly info: VideoInfo,
    private readonly ffmpeg: ToolInfo,
    options: FrameSourceOptions = {},
  ) {
    this.cache = new FrameCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    // Frames read ahead live in the cache; without one they would be decoded for nothing.
    this.readAhead = this.cache.maxBytes > 0 ? (options.readAhead ?? 4) : 0;
    this.thumbnailDir = options.thumbnailDir ?? defaultThumbnailDir();
  }

  /** The frame cache, for inspection (sizes, hit tests). */
  get frameCache(): FrameCache {
    return this.cache;
  }

  async getFrame(index: number): Promise<Frame> {
    this.assertOpen();
    assertFrameIndex(index, this.info);
    const hit = this.cache.get(index);
    if (hit) {
      this.lastAsked = index;
      this.scheduleReadAhead();
      return hit;
    }
    this.waiting++;
    let started = false;
    try {
      return await this.exclusive(() => {
        started = true;
        this.waiting--;
        return this.cache.get(index) ?? this.decodeAt(index);
      });
    } finally {
      if (!started) this.waiting--;
      this.lastAsked = index;
      this.scheduleReadAhead();
    }
  }

  frames(from = 0, to = this.info.frameCount, options: FrameStreamOptions = {}): AsyncGenerator<Frame, void, undefined> {
    this.assertOpen();
    assertFrameRange(from, to, this.info);
    const size = streamSize(this.info, options);
    return this.stream(from, to, size.width, size.height, options.format === 'rgb24', options.reuse ?? false);
  }

  thumbnails(options: ThumbnailOptions): Promise<Thumbnail[]> {
    this.assertOpen();
    const state = { size: this.info.fileSize, mtimeMs: this.info.mtimeMs };
    return cachedThumbnails(this.info, options, this.thumbnailDir, state, async (indices, width, height) => {
      const reader = this.spawn({ start: indices[0]!, width, height, pick: indices }, `thumbnails of ${this.name}`);
      try {
        const frames: Frame[] = [];
        for (const index of indices) {
          const data = await reader.next();
          if (!data) throw this.endedEarly(index, 'making thumbnails');
          frames.push(this.frame(index, data, width, height));
        }
        return frames;
      } finally {
        await this.retire(reader);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cursor = null;
    this.cache.clear();
    await Promise.all([...this.readers].map((r) => this.retire(r)));
  }

  // -------------------------------------------------------------------------------------------

  private get name(): string {
    return path.basename(this.info.path);
  }

  private async *stream(from: number, to: number, width: number, height: number, rgb: boolean, reuse: boolean): AsyncGenerator<Frame, void, undefined> {
    if (from === to) return;
    const reader = this.spawn({ start: from, count: to - from, width, height, rgb }, `${this.name} frames ${from}–${to - 1}`, reuse);
    try {
      for (let index = from; index < to; index++) {
        const data = await reader.next();
        if (!data) {
          this.assertOpen();
          throw this.endedEarly(index, `streaming frames ${from}–${to - 1}`);
        }
        yield this.frame(index, data, width, height, rgb ? 'rgb24' : this.info.decodeFormat);
      }
    } finally {
      await this.retire(reader);
    }
  }

  /** Runs fn after every earlier getFrame/read-ahead step: one decoder, one user at a time. */
  private exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async decodeAt(index: number): Promise<Frame> {
    if (!this.cursor || !this.worthReadingOn(this.cursor.next, index)) {
      if (this.cursor) void this.retire(this.cursor.reader);
      const { width, height } = this.info;
      this.cursor = { reader: this.spawn({ start: index, width, height }, `${this.name} from frame ${index}`), next: index };
    }
    for (;;) {
      const frame = await this.readOn();
      if (frame.index === index) return frame;
    }
  }

  private worthReadingOn(next: number, index: number): boolean {
    if (index < next || next >= this.info.frameCount) return false;
    // Without keyframe seeking a restart decodes from frame 0: reading on is always cheaper.
    if (!this.info.seekable) return true;
    return keyframeAtOrBefore(this.info.keyframes, index) <= next || index - next <= READ_ON_LIMIT;
  }

  /** The cursor's next frame, into the cache. */
  private async readOn(): Promise<Frame> {
    const cursor = this.cursor!;
    let data: Buffer | null;
    try {
      data = await cursor.reader.next();
    } catch (err) {
      this.cursor = null;
      void this.retire(cursor.reader);
      throw err;
    }
    if (!data) {
      this.cursor = null;
      void this.retire(cursor.reader);
      this.assertOpen(); // close() ended it
      throw this.endedEarly(cursor.next, 'fetching frames');
    }
    const frame = this.frame(cursor.next, data, this.info.width, this.info.height);
    cursor.next++;
    if (cursor.next >= this.info.frameCount) {
      this.cursor = null;
      void this.retire(cursor.reader);
    }
    this.cache.set(frame);
    return frame;
  }

  /** While nobody waits, decode up to readAhead frames past the last one asked for. */
  private scheduleReadAhead(): void {
    const cursor = this.cursor;
    if (this.readingAhead || this.closed || this.readAhead <= 0 || !cursor) return;
    const wanted = () => cursor.next > this.lastAsked && cursor.next <= this.lastAsked + this.readAhead;
    if (!wanted()) return;
    this.readingAhead = true;
    void this.exclusive(async () => {
      while (!this.closed && this.waiting === 0 && this.cursor === cursor && wanted()) await this.readOn();
    })
      .catch(() => undefined) // the next getFrame restarts the decoder and reports any failure itself
      .finally(() => {
        this.readingAhead = false;
      });
  }

  /** With `reuse`, each frame's buffer is overwritten once the next is asked for (see RawFrameReaderOptions). */
  private spawn(range: DecodeRange, describe: string, reuse = false): RawFrameReader {
    const bytes = frameByteLength(range.rgb ? 'rgb24' : this.info.decodeFormat, range.width, range.height);
    const reader = new RawFrameReader(this.ffmpeg.path, decodeArgs(this.ffmpeg, this.info, range), bytes, describe, { reuse });
    this.readers.add(reader);
    this.decoderStarts++;
    return reader;
  }

  private async retire(reader: RawFrameReader): Promise<void> {
    this.readers.delete(reader);
    await reader.kill();
  }

  private frame(index: number, data: Buffer, width: number, height: number, format = this.info.decodeFormat): Frame {
    return {
      index,
      width,
      height,
      pts: this.info.pts[index]!,
      time: frameTime(this.info, index),
      format,
      ...(format === 'yuv420p' && this.info.colour ? { colour: this.info.colour } : {}),
      data,
    };
  }

  private endedEarly(index: number, doing: string): AppError {
    return new AppError(
      'DECODE_FAILED',
      `ffmpeg ended before frame ${index} of ${this.info.path} while ${doing}, although the index lists ${this.info.frameCount} frames`,
      { path: this.info.path, index },
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('INVALID_INPUT', `${this.info.path} was closed`, { path: this.info.path });
  }
}
