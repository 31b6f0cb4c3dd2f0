import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';
import type { PixelFormat, YuvColour } from './frame';
import { type FfmpegTools, resolveFfmpegTools, type ToolPaths, toolOnPath } from './ffmpeg-tools';
import { type FrameIndex, INDEXED_CONTAINER, indexByDecoding, indexFromPackets, packetDoubts, readPackets } from './frame-index';
import { crashed, crashError, probeFailure } from './probe-errors';
import type { Rational, VideoInfo } from './media-info';
import { runTool, type ToolRun } from './run-tool';

/**
 * probeVideo: container and stream facts plus the exact frame index (pts of every frame in
 * presentation order, and which are keyframes).
 *
 * How the index is built:
 * - Fast path, from the demuxer's packets (`ffprobe -show_entries packet=…`, ~0.1 s): packets come in
 *   decode order, so B-frames are handled by sorting by pts. Packets flagged D (discard) are the
 *   pre-roll an edit list hides; the decoder drops them, so they are not frames. Timestamps are kept
 *   as stored (a non-zero start stays); `startTime` is the first frame's time, and decoding keeps
 *   timestamps as stored too (`-copyts`, see decode-command.ts), so no start offset enters the arithmetic.
 * - Decoding path, a full decode by the same ffmpeg that serves frames (`-debug_ts`, one pass),
 *   whenever the packets cannot be trusted to be one frame each: a codec that may pack several
 *   frames per packet or hide frames (MPEG-4 part 2 in AVI, VP8 alt-ref, …), packets without pts,
 *   a container count that disagrees with the packets (edit lists that cut, damaged indexes),
 *   corrupt or partial packets, or any demuxer error.
 *
 * Truncated files: if the data ends before the container's index (an mp4 with its index at the
 * front cut short, an mkv cut mid-cluster) the video opens with the frames that really decode,
 * found by the decoding path, and `truncated` is set; a user keeps a usable recording. A cut file
 * whose index was at the end (mp4 "moov atom not found") has nothing to index: TRUNCATED_VIDEO.
 */
export interface ProbeOptions {
  tools?: ToolPaths;
}

export async function probeVideo(file: string, options: ProbeOptions = {}): Promise<VideoInfo> {
  const abs = path.resolve(file);
  const stat = await statReadableFile(abs, 'Video file');
  if (stat.isDirectory()) {
    throw new AppError('NOT_A_VIDEO', `${abs} is a folder, not a video file (open it as an image folder)`, { path: abs });
  }
  if (stat.size === 0) throw new AppError('NOT_A_VIDEO', `${abs} is empty (0 bytes), not a video`, { path: abs });
  const { header, tools } = await readHeader(await resolveFfmpegTools(options.tools), abs);
  const stream = pickVideoStream(header, abs);
  const container = header.format?.format_name ?? 'unknown';
  if (/(_pipe|^image2)$/.test(container)) {
    throw new AppError('NOT_A_VIDEO', `${abs} is a still image, not a video (open a folder of numbered images instead)`, {
      path: abs,
    });
  }

  const codec = stream.codec_name ?? 'unknown';
  const timeBase = parseRational(stream.time_base) ?? { num: 1, den: 1000 };
  const declaredFrameCount = declaredCount(stream);
  const scan = await readPackets(tools, abs, stream.index, stat.size);
  const doubts = packetDoubts(scan, codec, container, declaredFrameCount);

  let index: FrameIndex;
  let indexedBy: VideoInfo['indexedBy'] = 'packets';
  if (doubts.length === 0) {
    index = indexFromPackets(scan.packets);
  } else {
    index = await indexByDecoding(tools, abs, stream.index);
    indexedBy = 'decoding';
  }
  const truncated =
    scan.corrupt > 0 || scan.beyondEnd > 0 || /partial file|prematurely|truncat|end of file/i.test(scan.stderr);
  if (index.pts.length === 0) {
    if (truncated) throw new AppError('TRUNCATED_VIDEO', `${abs} is truncated: not one frame decodes`, { path: abs });
    throw new AppError('NOT_A_VIDEO', `${abs} has a video stream but not one frame decodes`, { path: abs });
  }

  const ptsOrdered = index.pts.every((p, i) => Number.isFinite(p) && (i === 0 || p > index.pts[i - 1]!));
  const pts = ptsOrdered ? index.pts : index.pts.map((p, i) => (Number.isFinite(p) ? p : i));
  const rotation = rotationOf(stream);
  const codedWidth = stream.width ?? 0;
  const codedHeight = stream.height ?? 0;
  const turned = rotation === 90 || rotation === 270;
  const { decodeFormat, colour } = decodeLayout(stream);
  const timing = timingOf(pts, timeBase, parseRational(stream.avg_frame_rate));

  return {
    kind: 'video',
    path: abs,
    width: turned ? codedHeight : codedWidth,
    height: turned ? codedWidth : codedHeight,
    frameCount: pts.length,
    frameRate: timing.frameRate,
    duration: timing.duration,
    timeBase,
    pts,
    keyframes: index.keyframes,
    container,
    codec,
    pixFmt: stream.pix_fmt ?? 'unknown',
    streamIndex: stream.index,
    codedWidth,
    codedHeight,
    rotation,
    reorderDelay: stream.has_b_frames ?? 0,
    startTime: (pts[0]! * timeBase.num) / timeBase.den,
    variableFrameRate: timing.variable,
    declaredFrameCount,
    truncated,
    indexedBy,
    ptsOrdered,
    seekable: ptsOrdered && INDEXED_CONTAINER.test(container),
    decodeFormat,
    colour,
    fileSize: stat.size,
    mtimeMs: stat.mtimeMs,
  };
}

/** stat + open for reading, turning errno into NOT_FOUND / UNREADABLE with the path in the message. */
export async function statReadableFile(abs: string, what: string) {
  try {
    const stat = await fs.stat(abs);
    if (!stat.isDirectory()) await (await fs.open(abs, 'r')).close();
    return stat;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AppError('NOT_FOUND', `${what} not found: ${abs}`, { path: abs });
    if (code === 'EACCES' || code === 'EPERM') {
      throw new AppError('UNREADABLE', `${what} cannot be read (permission denied): ${abs}`, { path: abs });
    }
    throw new AppError('UNREADABLE', `${what} cannot be read: ${abs} (${(err as Error).message})`, { path: abs });
  }
}

// ---------------------------------------------------------------------------------------------
// ffprobe: header

/**
 * The bundled static ffprobe (5.x, 2023) segfaults on every MPEG-TS file. When the bundled one
 * crashes on this file, the ffprobe on the PATH takes over; a configured one is the user's choice,
 * so its crash is reported, as is a crash with nothing to fall back on.
 */
async function fallbackProbe(tools: FfmpegTools, abs: string, run: ToolRun): Promise<FfmpegTools> {
  const fallback = tools.ffprobe.source === 'bundled' ? await toolOnPath('ffprobe') : null;
  if (fallback && fallback.path !== tools.ffprobe.path) return { ...tools, ffprobe: fallback };
  throw crashError(tools.ffprobe, abs, run);
}

interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  has_b_frames?: number;
  color_space?: string;
  color_range?: string;
  time_base?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

interface ProbeHeader {
  streams?: ProbeStream[];
  format?: { format_name?: string };
}

/** The header, and the tools that read it (another ffprobe if the bundled one crashed). */
async function readHeader(tools: FfmpegTools, abs: string): Promise<{ header: ProbeHeader; tools: FfmpegTools }> {
  const args = ['-v', 'error', '-of', 'json', '-show_format', '-show_streams', abs];
  let run = await runTool(tools.ffprobe.path, args);
  if (crashed(run)) {
    tools = await fallbackProbe(tools, abs, run);
    run = await runTool(tools.ffprobe.path, args);
  }
  if (crashed(run)) throw crashError(tools.ffprobe, abs, run);
  if (run.code !== 0) throw await probeFailure(abs, run.stderr);
  try {
    return { header: JSON.parse(run.stdout.toString('utf8')) as ProbeHeader, tools };
  } catch {
    throw new AppError('NOT_A_VIDEO', `${abs}: ffprobe gave no readable description of the file`, { path: abs });
  }
}

function pickVideoStream(header: ProbeHeader, abs: string): ProbeStream {
  const streams = header.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (video) return video;
  const kinds = [...new Set(streams.map((s) => (s.disposition?.attached_pic ? 'cover image' : s.codec_type ?? 'unknown')))];
  throw new AppError(
    'NOT_A_VIDEO',
    `${abs} has no video stream (${kinds.length ? `it holds: ${kinds.join(', ')}` : 'it holds no streams'})`,
    { path: abs, streams: kinds },
  );
}

function declaredCount(stream: ProbeStream): number | null {
  const tag = Object.entries(stream.tags ?? {}).find(([k]) => /^NUMBER_OF_FRAMES(-|$)/i.test(k))?.[1];
  for (const value of [stream.nb_frames, tag]) {
    if (value && /^\d+$/.test(value) && Number(value) > 0) return Number(value);
  }
  return null;
}

function rotationOf(stream: ProbeStream): number {
  const fromMatrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const raw = fromMatrix ?? Number(stream.tags?.rotate ?? 0);
  const quarter = Math.round((Number.isFinite(raw) ? raw : 0) / 90);
  return (((quarter % 4) + 4) % 4) * 90;
}

/** 8-bit 4:2:0 stays planar yuv420p end to end (see frame.ts); anything else is decoded to rgb24. */
function decodeLayout(stream: ProbeStream): { decodeFormat: PixelFormat; colour?: YuvColour } {
  const pixFmt = stream.pix_fmt ?? '';
  if (pixFmt !== 'yuv420p' && pixFmt !== 'yuvj420p') return { decodeFormat: 'rgb24' };
  return {
    decodeFormat: 'yuv420p',
    colour: {
      matrix: stream.color_space === 'bt709' ? 'bt709' : 'bt601',
      fullRange: pixFmt === 'yuvj420p' || stream.color_range === 'pc',
    },
  };
}

function parseRational(text: string | undefined): Rational | null {
  const m = /^(-?\d+)\/(\d+)$/.exec(text ?? '');
  if (!m || Number(m[1]) === 0 || Number(m[2]) === 0) return null;
  return { num: Number(m[1]), den: Number(m[2]) };
}

function timingOf(pts: number[], tb: Rational, avg: Rational | null) {
  const n = pts.length;
  const seconds = (ticks: number) => (ticks * tb.num) / tb.den;
  const nominal = avg ? avg.num / avg.den : 25;
  if (n < 2) return { frameRate: nominal, duration: 1 / nominal, variable: false };
  const span = seconds(pts[n - 1]! - pts[0]!);
  const frameRate = (n - 1) / span;
  let minGap = Infinity;
  let maxGap = -Infinity;
  for (let i = 1; i < n; i++) {
    const gap = pts[i]! - pts[i - 1]!;
    minGap = Math.min(minGap, gap);
    maxGap = Math.max(maxGap, gap);
  }
  // Millisecond time bases round a constant 29.97 fps to gaps of 33 and 34: not variable.
  const variable = maxGap - minGap > 2 && (maxGap - minGap) / ((pts[n - 1]! - pts[0]!) / (n - 1)) > 0.01;
  // The container's exact rational (30/1, 30000/1001) reads better than the float average when constant.
  const rate = !variable && avg && Math.abs(nominal - frameRate) / frameRate < 0.01 ? nominal : frameRate;
  return { frameRate: rate, duration: span + span / (n - 1), variable };
}
