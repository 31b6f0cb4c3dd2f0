/**
 * Writes generated clips to disk in the dff-world/1 layout (see README.md): video.mp4 through ffmpeg,
 * semantic/instance PNGs through sharp, .flo flow to each frame's reference frame, meta.json and
 * annotations.json; and whole datasets of such clips with dataset.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../errors';
import { resolveFfmpegTools } from '../video/ffmpeg-tools';
import { encodeFlo } from './flo';
import { downscaleFlow } from './flow';
import { DIFFICULTIES, resolveParams, type Difficulty } from './params';
import { clipSeed } from './prng';
import { classTable, createWorld, WORLD_FORMAT, type World } from './world';
import type { FrameAnnotation } from './annotations';

export const FLOW_SCALES = [1, 2, 4] as const;
export type FlowScale = (typeof FLOW_SCALES)[number];

export interface ClipWriteOptions {
  flowScale: FlowScale;
  /** Also write frames/NNNNNN.png, the exact RGB frames before compression. */
  pngFrames: boolean;
  /** Called after each frame is written. */
  onFrame?: (index: number) => void;
}

export interface ClipMeta {
  format: typeof WORLD_FORMAT;
  seed: number;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  difficulty: Difficulty;
  classes: World['classes'];
  flowScale: FlowScale;
  /** Object slots (extension). */
  objects: number;
}

export const frameName = (i: number, ext: string) => `${String(i).padStart(6, '0')}.${ext}`;
export const clipName = (c: number) => `clip_${String(c).padStart(4, '0')}`;

/** Checks what the files need beyond what the generator needs: even sizes for yuv420p, sizes the flow scale divides. */
export function checkWritable(width: number, height: number, flowScale: number): void {
  if (!FLOW_SCALES.includes(flowScale as FlowScale)) {
    throw new AppError('INVALID_INPUT', `flow scale must be 1, 2 or 4, got ${flowScale}`);
  }
  const multiple = Math.max(2, flowScale);
  if (width % multiple !== 0 || height % multiple !== 0) {
    throw new AppError(
      'INVALID_INPUT',
      `width and height must be multiples of ${multiple} (yuv420p video${flowScale > 1 ? ` and flow scale ${flowScale}` : ''}), got ${width}x${height}`,
    );
  }
}

/**
 * An ffmpeg process that encodes raw rgb24 frames written to it into an H.264 yuv420p crf 16 mp4.
 * The stream is tagged BT.601 limited range, which is what ffmpeg's RGB → YUV conversion uses.
 */
export class VideoEncoder {
  private readonly proc;
  private readonly exited: Promise<void>;
  private stderr = '';

  static async start(file: string, width: number, height: number, fps: number): Promise<VideoEncoder> {
    const { ffmpeg } = await resolveFfmpegTools();
    return new VideoEncoder(ffmpeg.path, file, width, height, fps);
  }

  private constructor(ffmpeg: string, file: string, width: number, height: number, fps: number) {
    const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`];
    args.push('-r', String(fps), '-i', '-', '-an', '-c:v', 'libx264', '-preset', 'medium', '-crf', '16', '-pix_fmt', 'yuv420p');
    args.push('-colorspace', 'smpte170m', '-color_primaries', 'smpte170m', '-color_trc', 'smpte170m', '-color_range', 'tv');
    args.push('-movflags', '+faststart', file);
    this.proc = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.proc.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    this.exited = new Promise((resolve, reject) => {
      this.proc.on('error', (err) => reject(new AppError('TOOL_MISSING', `cannot run ffmpeg at ${ffmpeg}: ${err.message}`)));
      this.proc.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new AppError('INTERNAL', `ffmpeg failed writing ${file} (exit ${code}): ${this.stderr.trim()}`));
      });
    });
    this.exited.catch(() => {}); // surfaced by write()/finish()
  }

  async write(rgb: Uint8Array): Promise<void> {
    const flushed = this.proc.stdin.write(rgb);
    if (!flushed) {
      await Promise.race([new Promise((resolve) => this.proc.stdin.once('drain', resolve)), this.exited]);
    }
  }

  async finish(): Promise<void> {
    this.proc.stdin.end();
    await this.exited;
  }

  abort(): void {
    this.proc.kill('SIGKILL');
  }
}

const PNG_OPTIONS = { compressionLevel: 6, adaptiveFiltering: false } as const;

function writeGreyPng(file: string, data: Uint8Array | Uint16Array, width: number, height: number): Promise<unknown> {
  const image = sharp(data, { raw: { width, height, channels: 1 } });
  return (data instanceof Uint16Array ? image.toColourspace('grey16') : image.toColourspace('b-w')).png(PNG_OPTIONS).toFile(file);
}

/** Writes one clip of `world` into `dir` (created; files there with the same names are replaced). */
export async function writeClip(world: World, dir: string, options: ClipWriteOptions): Promise<ClipMeta> {
  const { width: W, height: H, frameCount, fps } = world.params;
  checkWritable(W, H, options.flowScale);
  const folders = ['semantic', 'instances', 'flow', ...(options.pngFrames ? ['frames'] : [])];
  for (const folder of folders) fs.mkdirSync(path.join(dir, folder), { recursive: true });

  const encoder = await VideoEncoder.start(path.join(dir, 'video.mp4'), W, H, fps);
  const frames: FrameAnnotation[] = [];
  let pending: Promise<unknown>[] = [];
  try {
    for (let i = 0; i < frameCount; i++) {
      const frame = world.render(i);
      const written = encoder.write(frame.rgb);
      pending.push(writeGreyPng(path.join(dir, 'semantic', frameName(i, 'png')), frame.semantic, W, H));
      pending.push(writeGreyPng(path.join(dir, 'instances', frameName(i, 'png')), frame.instances, W, H));
      if (options.pngFrames) {
        pending.push(sharp(frame.rgb, { raw: { width: W, height: H, channels: 3 } }).png(PNG_OPTIONS).toFile(path.join(dir, 'frames', frameName(i, 'png'))));
      }
      const s = options.flowScale;
      const flow = downscaleFlow(world.flowToFrame(i, world.ref(i), frame.instances), W, H, s);
      pending.push(fs.promises.writeFile(path.join(dir, 'flow', frameName(i, 'flo')), encodeFlo(flow, W / s, H / s)));
      frames.push(world.annotate(frame));
      await written;
      // Bound the work in flight (sharp runs on libuv's threads, beside this loop).
      if (pending.length >= 24) {
        await Promise.all(pending);
        pending = [];
      }
      options.onFrame?.(i);
    }
    await Promise.all(pending);
    await encoder.finish();
  } catch (err) {
    encoder.abort();
    await Promise.allSettled(pending);
    throw err;
  }

  const meta: ClipMeta = {
    format: WORLD_FORMAT,
    seed: world.params.seed,
    width: W,
    height: H,
    fps,
    frameCount,
    difficulty: world.params.difficulty,
    classes: world.classes,
    flowScale: options.flowScale,
    objects: world.params.objects,
  };
  fs.writeFileSync(path.join(dir, 'annotations.json'), JSON.stringify(world.finish(frames)));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
  return meta;
}

export interface DatasetOptions {
  out: string;
  seed: number;
  clips: number;
  frames: number;
  width: number;
  height: number;
  objects?: number;
  difficulty?: Difficulty;
  fps?: number;
  flowScale: FlowScale;
  pngFrames: boolean;
  /** Write into a folder that already has files (its clip_NNNN folders of this run are replaced, other files kept). */
  force?: boolean;
}

export interface DatasetProgress {
  clip: number;
  clips: number;
  frame: number;
  frames: number;
}

/** Rejects bad options before anything is written, naming the bad value. */
export function checkDatasetOptions(o: DatasetOptions): void {
  if (!Number.isInteger(o.clips) || o.clips < 1 || o.clips > 100_000) {
    throw new AppError('INVALID_INPUT', `clips must be an integer in [1, 100000], got ${o.clips}`);
  }
  if (o.difficulty !== undefined && !DIFFICULTIES.includes(o.difficulty)) {
    throw new AppError('INVALID_INPUT', `difficulty must be one of ${DIFFICULTIES.join(', ')}, got ${String(o.difficulty)}`);
  }
  resolveParams({ seed: o.seed, width: o.width, height: o.height, frameCount: o.frames, objects: o.objects, difficulty: o.difficulty, fps: o.fps });
  checkWritable(o.width, o.height, o.flowScale);
  if (fs.existsSync(o.out)) {
    if (!fs.statSync(o.out).isDirectory()) throw new AppError('INVALID_INPUT', `output ${o.out} exists and is not a folder`);
    if (!o.force && fs.readdirSync(o.out).length > 0) {
      throw new AppError('INVALID_INPUT', `output folder ${o.out} is not empty (pass --force to write into it)`);
    }
  }
}

/**
 * Writes a dataset of `clips` clips; clip c uses seed clipSeed(seed, c). dataset.json is written last, so a
 * folder without it is an unfinished dataset.
 */
export async function writeDataset(o: DatasetOptions, onProgress?: (p: DatasetProgress) => void): Promise<void> {
  checkDatasetOptions(o);
  fs.mkdirSync(o.out, { recursive: true });
  fs.rmSync(path.join(o.out, 'dataset.json'), { force: true });
  const params = resolveParams({ seed: o.seed, width: o.width, height: o.height, frameCount: o.frames, objects: o.objects, difficulty: o.difficulty, fps: o.fps });
  const names: string[] = [];
  for (let c = 0; c < o.clips; c++) {
    const name = clipName(c);
    // A clip folder is always written whole: nothing stale from an earlier, longer clip stays in it.
    fs.rmSync(path.join(o.out, name), { recursive: true, force: true });
    await writeClip(createWorld({ ...params, seed: clipSeed(o.seed, c) }), path.join(o.out, name), {
      flowScale: o.flowScale,
      pngFrames: o.pngFrames,
      onFrame: (frame) => onProgress?.({ clip: c, clips: o.clips, frame, frames: o.frames }),
    });
    names.push(name);
  }
  const { seed, width, height, objects, difficulty, fps } = params;
  const dataset = {
    format: WORLD_FORMAT,
    clips: names,
    generator: { seed, clips: o.clips, frames: o.frames, width, height, objects, difficulty, fps, flowScale: o.flowScale, pngFrames: o.pngFrames },
    classes: classTable(),
  };
  fs.writeFileSync(path.join(o.out, 'dataset.json'), JSON.stringify(dataset, null, 2));
}
