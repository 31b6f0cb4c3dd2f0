/**
 * Glue between the video layer and the project store: what a FrameSource knows, turned into the row the
 * store keeps (NewVideo), and the check that a stored video still is what was added.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';
import type { NewVideo, Video } from '../store';
import { openFrameSource, type FrameSource, type MediaInfo, type ToolPaths } from '../video';

/** Decoded frames kept per open video (the video layer's LRU). */
const FRAME_CACHE_BYTES = 128 * 1024 * 1024;
/** Bytes read from each end of a file for its content hash: enough to tell files apart, fast on any size. */
const HASH_SAMPLE = 1024 * 1024;

export function openSource(target: string, tools: ToolPaths, home: string): Promise<FrameSource> {
  return openFrameSource(target, {
    tools,
    cacheBytes: FRAME_CACHE_BYTES,
    thumbnailDir: path.join(home, 'cache', 'thumbnails'),
  });
}

/** The store row for a newly opened source: its facts, every frame's pts and its keyframes. */
export async function newVideoOf(info: MediaInfo): Promise<NewVideo> {
  const { num: fpsNum, den: fpsDen } = frameRateFraction(info.frameRate);
  const common = {
    path: info.path,
    contentHash: await contentHash(info),
    width: info.width,
    height: info.height,
    fpsNum,
    fpsDen,
    timeBaseNum: info.timeBase.num,
    timeBaseDen: info.timeBase.den,
    durationS: info.duration,
    pts: info.pts,
    keyframes: info.keyframes,
  };
  if (info.kind === 'video') {
    return { ...common, kind: 'file', sizeBytes: info.fileSize, codec: info.codec, pixFmt: info.pixFmt, isVfr: info.variableFrameRate };
  }
  const sizes = await Promise.all(info.files.map((f) => fs.stat(f).then((s) => s.size)));
  return { ...common, kind: 'images', sizeBytes: sizes.reduce((a, b) => a + b, 0), codec: 'images', pixFmt: 'rgb24', isVfr: false };
}

/**
 * A video whose file changed since it was added would shift every label to another frame: refuse it,
 * naming what differs.
 */
export function assertSameVideo(info: MediaInfo, video: Video): void {
  const differs: string[] = [];
  if (info.frameCount !== video.frameCount) differs.push(`${info.frameCount} frames instead of ${video.frameCount}`);
  if (info.width !== video.width || info.height !== video.height) {
    differs.push(`${info.width}×${info.height} instead of ${video.width}×${video.height}`);
  }
  if (differs.length) {
    throw new AppError('INVALID_INPUT', `Video ${video.id} (${info.path}) changed since it was added: it now has ${differs.join(' and ')}`, {
      videoId: video.id,
      path: info.path,
    });
  }
}

/** e.g. 29.97… → 30000/1001, 25 → 25/1: the fraction a person would recognise. */
export function frameRateFraction(fps: number): { num: number; den: number } {
  if (!Number.isFinite(fps) || fps <= 0) return { num: 0, den: 1 };
  const whole = Math.round(fps);
  if (Math.abs(fps - whole) < 1e-3) return { num: whole, den: 1 };
  const ntsc = Math.round((fps * 1001) / 1000);
  if (Math.abs(fps - (ntsc * 1000) / 1001) < 1e-3) return { num: ntsc * 1000, den: 1001 };
  return { num: Math.round(fps * 1000), den: 1000 };
}

/** sha256 over the size and both ends of a file (for a folder: every name and size, and the first image). */
async function contentHash(info: MediaInfo): Promise<string> {
  const hash = createHash('sha256');
  if (info.kind === 'video') {
    await hashFileEnds(hash, info.path);
  } else {
    for (const file of info.files) hash.update(`${path.basename(file)}:${(await fs.stat(file)).size}\n`);
    if (info.files[0]) await hashFileEnds(hash, info.files[0]);
  }
  return hash.digest('hex');
}

async function hashFileEnds(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    hash.update(`size:${size}\n`);
    const head = Buffer.alloc(Math.min(HASH_SAMPLE, size));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    if (size > HASH_SAMPLE) {
      const tail = Buffer.alloc(Math.min(HASH_SAMPLE, size - HASH_SAMPLE));
      await handle.read(tail, 0, tail.length, size - tail.length);
      hash.update(tail);
    }
  } finally {
    await handle.close();
  }
}

/** Encoded frames by (video, index), bounded by bytes; concurrent asks for one frame share one encode. */
export class JpegCache {
  private readonly entries = new Map<string, Buffer>();
  private readonly running = new Map<string, Promise<Buffer>>();
  private used = 0;

  constructor(private readonly maxBytes: number) {}

  get(videoId: number, index: number, make: () => Promise<Buffer>): Promise<Buffer> {
    const key = `${videoId}:${index}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return Promise.resolve(hit);
    }
    const running = this.running.get(key);
    if (running) return running;
    // An encode still running when its video is dropped finishes, but is not kept.
    const isCurrent = () => this.running.get(key) === run;
    const run: Promise<Buffer> = make().then(
      (jpeg) => {
        if (isCurrent()) {
          this.running.delete(key);
          this.put(key, jpeg);
        }
        return jpeg;
      },
      (err: unknown) => {
        if (isCurrent()) this.running.delete(key);
        throw err;
      },
    );
    this.running.set(key, run);
    return run;
  }

  dropVideo(videoId: number): void {
    const prefix = `${videoId}:`;
    for (const key of this.running.keys()) if (key.startsWith(prefix)) this.running.delete(key);
    for (const [key, jpeg] of this.entries) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        this.used -= jpeg.length;
      }
    }
  }

  private put(key: string, jpeg: Buffer): void {
    if (jpeg.length > this.maxBytes) return;
    this.entries.set(key, jpeg);
    this.used += jpeg.length;
    for (const [oldKey, old] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.used -= old.length;
    }
  }
}
