import { type ToolInfo, passthroughArgs } from './ffmpeg-tools';
import type { VideoInfo } from './media-info';

/**
 * The ffmpeg command lines that turn frame indices into raw frames on a pipe.
 *
 * Frame-exact seeking to frame N, by timestamp, never by counting from a guessed landing point:
 * - Timestamps stay as stored (`-copyts`), the same numbers as the index in VideoInfo.pts.
 * - The demuxer seeks (`-ss`, absolute with `-seek_timestamp 1`, `-noaccurate_seek`) to the keyframe
 *   K at or before N; `trim=start_pts=pts[N]` then drops every decoded frame before N inside ffmpeg.
 *   Landing on an earlier keyframe than K costs time, never correctness.
 * - ffmpeg moves a seek 3/23 s earlier when the stream has B-frames (its "dts heuristic"): aiming at
 *   pts[K] itself would land a whole GOP early for every frame just after a keyframe (measured: 0.4 s
 *   instead of 0.04 s at 720p with a 250-frame GOP), so the aim adds those 3/23 s back when K's GOP is
 *   long enough for the addition to stay clear of the next keyframe.
 * - Containers without a keyframe index (MPEG-TS) decode from the start, picking N by pts; files
 *   without usable timestamps decode from the start and count frames (`trim=start_frame`).
 * - `-vsync passthrough` (or `-fps_mode`) keeps every decoded frame: none duplicated or dropped on VFR.
 */
export interface DecodeRange {
  /** First frame index to output. */
  start: number;
  /** Frames to output; undefined means to the end. */
  count?: number;
  /** Output size; the source size when equal (an explicit scale also pins the frame size on the pipe). */
  width: number;
  height: number;
  /** Only these indices (sorted, ≥ start) are output, from one decoding pass (thumbnails). */
  pick?: number[];
  /** Have ffmpeg convert to rgb24 instead of passing the source's 4:2:0 planes through. */
  rgb?: boolean;
}

export interface SeekPlan {
  /** Absolute seconds for `-ss`, or null to decode from the start of the file. */
  seekSeconds: number | null;
  /** Drop decoded frames before this pts (time-base units)… */
  startPts: number | null;
  /** …or, for files without usable timestamps, drop this many frames from the start. */
  skipFrames: number;
}

/** ffmpeg's seek back-off for streams with B-frames: 3*AV_TIME_BASE/23 microseconds. */
const DTS_HEURISTIC_S = Math.floor(3_000_000 / 23) / 1e6;

export function seekPlan(info: VideoInfo, index: number): SeekPlan {
  if (!info.ptsOrdered) return { seekSeconds: null, startPts: null, skipFrames: index };
  const startPts = index > 0 ? info.pts[index]! : null;
  const k = info.seekable ? keyframeAtOrBefore(info.keyframes, index) : 0;
  if (k <= 0) return { seekSeconds: null, startPts, skipFrames: 0 };
  const seconds = (pts: number) => (pts * info.timeBase.num) / info.timeBase.den;
  // Rounded up to whole microseconds (ffmpeg's unit) so the aim is never before pts[K].
  const aim = Math.ceil(seconds(info.pts[k]!) * 1e6 - 1e-3) / 1e6;
  // The next keyframe's demuxer timestamp may trail its pts by the reorder delay; the aim must stay
  // before it even if this ffmpeg does not back off, or the seek would land after frame N.
  const nextKey = info.keyframes[info.keyframes.indexOf(k) + 1];
  const gopSeconds = nextKey === undefined ? Infinity : seconds(info.pts[nextKey]!) - aim;
  const reorderLag = (info.reorderDelay + 1) / info.frameRate;
  const backOff = info.reorderDelay > 0 && gopSeconds > DTS_HEURISTIC_S + reorderLag + 0.05 ? DTS_HEURISTIC_S : 0;
  return { seekSeconds: aim + backOff, startPts, skipFrames: 0 };
}

/** The last keyframe index ≤ index, or 0 (frame 0 is always reachable by decoding from the start). */
export function keyframeAtOrBefore(keyframes: number[], index: number): number {
  let lo = 0;
  let hi = keyframes.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keyframes[mid]! <= index) {
      found = keyframes[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The pixel format ffmpeg writes: the source's own 4:2:0 bytes (full or limited range), else rgb24. */
export function pipePixelFormat(info: VideoInfo): string {
  if (info.decodeFormat === 'rgb24') return 'rgb24';
  return info.pixFmt === 'yuvj420p' ? 'yuvj420p' : 'yuv420p';
}

export function decodeArgs(ffmpeg: ToolInfo, info: VideoInfo, range: DecodeRange): string[] {
  const plan = seekPlan(info, range.start);
  const filters: string[] = [];
  if (plan.startPts !== null) filters.push(`trim=start_pts=${plan.startPts}`);
  else if (plan.skipFrames > 0) filters.push(`trim=start_frame=${plan.skipFrames}`);
  if (range.pick) {
    const terms = range.pick.map((i) => `eq(n,${i - range.start})`).join('+');
    filters.push(`select='${terms}'`);
  }
  const toRgb = range.rgb && info.decodeFormat === 'yuv420p';
  // Converting to RGB, ffmpeg uses the same matrix and range as toRgb() in frame.ts.
  const colour = toRgb && info.colour ? `:in_color_matrix=${info.colour.matrix}:in_range=${info.colour.fullRange ? 'pc' : 'tv'}` : '';
  filters.push(`scale=${range.width}:${range.height}:flags=area${colour}`);
  const frames = range.pick ? range.pick.length : range.count;
  const seek = plan.seekSeconds === null ? [] : ['-noaccurate_seek', '-seek_timestamp', '1', '-ss', plan.seekSeconds.toFixed(6)];
  return [
    '-hide_banner', '-nostdin', '-v', 'error',
    ...seek,
    '-copyts',
    '-i', info.path,
    '-map', `0:${info.streamIndex}`, '-an', '-sn', '-dn',
    '-vf', filters.join(','),
    ...passthroughArgs(ffmpeg),
    ...(frames === undefined ? [] : ['-frames:v', String(frames)]),
    '-f', 'rawvideo', '-pix_fmt', toRgb ? 'rgb24' : pipePixelFormat(info),
    // Unbuffered output: one write per frame instead of one per 32 KiB.
    '-avioflags', 'direct',
    'pipe:1',
  ];
}
