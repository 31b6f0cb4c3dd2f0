/**
 * Test videos, generated with ffmpeg's lavfi sources on first use and kept in a cache folder
 * (os.tmpdir()/dff-test-videos/<hash of the recipes>) that concurrent test files share safely:
 * each file is written under a temporary name and renamed into place.
 *
 * testsrc2 (and testsrc, for odd sizes, which testsrc2 rounds to even) draw a frame counter, so
 * every frame differs from its neighbours.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveFfmpegTools } from '../../electron/core/video/ffmpeg-tools';
import { runTool } from '../../electron/core/video/run-tool';

type Recipe =
  | { kind: 'encode'; ext: string; args: string[] }
  | { kind: 'derive'; ext: string; from: string; args: string[]; inputArgs?: string[] }
  | { kind: 'cut'; ext: string; from: string; keep: number };

const testsrc = (size: string, rate: number, frames: number, source = 'testsrc2') => [
  '-f', 'lavfi', '-i', `${source}=size=${size}:rate=${rate}`, '-frames:v', String(frames),
];
const x264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];
// VFR: irregular gaps (40 ms + 0/20/40 ms + a slow drift), millisecond time base end to end.
const vfrFilter = "settb=1/1000,setpts='round(N*40+20*mod(N\\,3)+N*N/2)/1000/TB'";

export const RECIPES = {
  /** CFR H.264 with B-frames, keyframe every 30. */
  'cfr.mp4': { kind: 'encode', ext: 'mp4', args: [...testsrc('320x240', 25, 90), ...x264, '-g', '30'] },
  /** Faststart copy: the index sits before the data, so a cut file still has it. */
  'faststart.mp4': { kind: 'derive', ext: 'mp4', from: 'cfr.mp4', args: ['-c', 'copy', '-movflags', '+faststart'] },
  /** A 250-frame GOP: keyframes at 0 and 250 only. */
  'long-gop.mp4': {
    kind: 'encode',
    ext: 'mp4',
    args: [...testsrc('320x240', 25, 300), ...x264, '-g', '250', '-keyint_min', '250', '-sc_threshold', '0'],
  },
  /** B-frames at 4 fps: the B-frame delay (0.5 s) exceeds ffmpeg's 3/23 s dts guess when seeking. */
  'low-fps.mp4': { kind: 'encode', ext: 'mp4', args: [...testsrc('320x240', 4, 40), ...x264, '-g', '12', '-bf', '3'] },
  'vfr.mp4': {
    kind: 'encode',
    ext: 'mp4',
    args: [...testsrc('320x240', 25, 60), '-vf', vfrFilter, '-vsync', 'vfr', '-enc_time_base', '1:1000', ...x264, '-g', '20'],
  },
  'vfr.mkv': {
    kind: 'encode',
    ext: 'mkv',
    args: [...testsrc('320x240', 25, 60), '-vf', vfrFilter, '-vsync', 'vfr', '-enc_time_base', '1:1000', ...x264, '-g', '20'],
  },
  /** Odd size, lossless FFV1 4:2:0 (chroma planes of 161×121). */
  'odd-420.mkv': {
    kind: 'encode',
    ext: 'mkv',
    args: [...testsrc('321x241', 25, 40, 'testsrc'), '-c:v', 'ffv1', '-pix_fmt', 'yuv420p', '-g', '10'],
  },
  /** Odd size H.264 4:4:4: decoded to rgb24, not carried as I420. */
  'odd-444.mp4': {
    kind: 'encode',
    ext: 'mp4',
    args: [...testsrc('321x241', 25, 40, 'testsrc'), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv444p', '-g', '15'],
  },
  'vp9.webm': {
    kind: 'encode',
    ext: 'webm',
    args: [...testsrc('320x240', 25, 50), '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-g', '20', '-b:v', '300k'],
  },
  /** MPEG-4 part 2 with B-frames in AVI (packed B-frames): packets are not frames. */
  'mpeg4.avi': { kind: 'encode', ext: 'avi', args: [...testsrc('320x240', 25, 50), '-c:v', 'mpeg4', '-bf', '2', '-g', '20', '-q:v', '4'] },
  /** Motion JPEG in QuickTime, full-range yuvj420p. */
  'mjpeg.mov': { kind: 'encode', ext: 'mov', args: [...testsrc('320x240', 25, 30), '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', '-q:v', '3'] },
  /** MPEG-TS: starts at 1.4 s, B-frames, indexed by decoding. */
  'h264.ts': { kind: 'encode', ext: 'ts', args: [...testsrc('320x240', 25, 50), ...x264, '-g', '20', '-f', 'mpegts'] },
  /** First frame at 7.5 s. */
  'offset.mkv': { kind: 'encode', ext: 'mkv', args: [...testsrc('320x240', 25, 50), ...x264, '-g', '20', '-output_ts_offset', '7.5'] },
  /** Stream copy from 1.3 s: an edit list hides the pre-roll from the keyframe at 1.2 s. */
  'edit-list.mp4': { kind: 'derive', ext: 'mp4', from: 'cfr.mp4', inputArgs: ['-ss', '1.3'], args: ['-c', 'copy'] },
  /** Display matrix says 90°: frames decode as 240×320. */
  'rotated.mp4': { kind: 'derive', ext: 'mp4', from: 'cfr.mp4', args: ['-c', 'copy', '-metadata:s:v:0', 'rotate=90'] },
  /** A 720p H.264 clip with the GOP of a phone (250), for benchmarks. */
  'bench-720p.mp4': {
    kind: 'encode',
    ext: 'mp4',
    args: [...testsrc('1280x720', 30, 600), ...x264, '-g', '250', '-keyint_min', '250', '-sc_threshold', '0'],
  },
  'audio-only.m4a': { kind: 'encode', ext: 'm4a', args: ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac'] },
  /** Cut to 60 % with the index in front: packets past the end. */
  'truncated-front-index.mp4': { kind: 'cut', ext: 'mp4', from: 'faststart.mp4', keep: 0.6 },
  /** Cut to 60 % with the index at the end: no index at all. */
  'truncated-end-index.mp4': { kind: 'cut', ext: 'mp4', from: 'cfr.mp4', keep: 0.6 },
  'truncated.mkv': { kind: 'cut', ext: 'mkv', from: 'vfr.mkv', keep: 0.6 },
} satisfies Record<string, Recipe>;

export type FixtureName = keyof typeof RECIPES;

export const fixtureDir = path.join(
  os.tmpdir(),
  'dff-test-videos',
  createHash('sha1').update(JSON.stringify(RECIPES)).digest('hex').slice(0, 12),
);

const pending = new Map<string, Promise<string>>();

/** The path of a generated test file, made on first use. */
export function fixture(name: FixtureName): Promise<string> {
  let made = pending.get(name);
  if (!made) {
    made = make(name);
    pending.set(name, made);
  }
  return made;
}

async function make(name: FixtureName): Promise<string> {
  const target = path.join(fixtureDir, name);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(fixtureDir, { recursive: true });
  const recipe: Recipe = RECIPES[name];
  const tmp = path.join(fixtureDir, `.${process.pid}.${Math.random().toString(36).slice(2)}.${recipe.ext}`);
  if (recipe.kind === 'cut') {
    const source = fs.readFileSync(await fixture(recipe.from as FixtureName));
    fs.writeFileSync(tmp, source.subarray(0, Math.floor(source.length * recipe.keep)));
  } else {
    const input = recipe.kind === 'derive' ? [...(recipe.inputArgs ?? []), '-i', await fixture(recipe.from as FixtureName)] : [];
    await ffmpeg([...input, ...recipe.args, tmp]);
  }
  fs.renameSync(tmp, target);
  return target;
}

/** Runs the test ffmpeg; throws with its stderr on failure. */
export async function ffmpeg(args: string[]): Promise<Buffer> {
  const { ffmpeg: tool } = await resolveFfmpegTools();
  const run = await runTool(tool.path, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (run.code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/**
 * The reference: every frame of one plain sequential ffmpeg decode, no seeking, no app code, in
 * the given pixel format and size.
 */
export async function decodeAllFrames(file: string, pixFmt: string, width: number, height: number): Promise<Buffer[]> {
  const raw = await ffmpeg(['-i', file, '-map', '0:v:0', '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1']);
  const bytes = pixFmt === 'rgb24' ? width * height * 3 : width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
  if (raw.length % bytes !== 0) throw new Error(`${file}: ${raw.length} bytes is not a whole number of ${bytes}-byte frames`);
  return Array.from({ length: raw.length / bytes }, (_, i) => raw.subarray(i * bytes, (i + 1) * bytes));
}

/** How many frames one plain sequential ffmpeg decode yields. */
export async function countDecodedFrames(file: string): Promise<number> {
  const crc = (await ffmpeg(['-i', file, '-map', '0:v:0', '-vsync', 'passthrough', '-f', 'framecrc', 'pipe:1'])).toString();
  return crc.split('\n').filter((line) => line && !line.startsWith('#')).length;
}

/**
 * A folder of numbered PNGs named frame_1 … frame_N (not zero-padded, so text order is wrong),
 * made from testsrc2 frames, plus optional extra files.
 */
export async function imageFolder(
  name: string,
  count: number,
  options: { ext?: 'png' | 'bmp' | 'jpg'; size?: string } = {},
): Promise<string> {
  const { ext = 'png', size = '160x120' } = options;
  const dir = path.join(fixtureDir, `images-${name}`);
  if (fs.existsSync(dir)) return dir;
  const tmp = path.join(fixtureDir, `.${process.pid}.${name}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await ffmpeg([...testsrc(size, 25, count), '-start_number', '1', path.join(tmp, `frame_%d.${ext}`)]);
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    if (!fs.existsSync(dir)) throw err; // another test file made it first
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

export { sharedData } from './shared-data';
