import { AppError } from '../errors';
import { type FfmpegTools, passthroughArgs } from './ffmpeg-tools';
import { crashed, crashError, probeFailure } from './probe-errors';
import { lastLine, runTool } from './run-tool';

/**
 * The frame index of one video stream: every frame's pts in presentation order and its keyframes,
 * from the demuxer's packets when they can be trusted to be one frame each, else from a full decode
 * (see probe.ts for when and why).
 */
export interface FrameIndex {
  pts: number[];
  keyframes: number[];
}

/** Containers that seek by a keyframe index; MPEG-TS seeks by bisecting bytes and lands past keyframes. */
export const INDEXED_CONTAINER = /mov|matroska|avi/;

/** One demuxed packet as ffprobe lists it, in decode order. */
interface Packet {
  pts: number | null;
  key: boolean;
  discard: boolean;
  corrupt: boolean;
}

export interface PacketScan {
  packets: Packet[];
  corrupt: number;
  beyondEnd: number;
  stderr: string;
}

export async function readPackets(tools: FfmpegTools, abs: string, streamIndex: number, fileSize: number): Promise<PacketScan> {
  const run = await runTool(tools.ffprobe.path, [
    '-v', 'error',
    '-select_streams', String(streamIndex),
    '-show_entries', 'packet=pts,flags,pos,size',
    '-of', 'compact=p=0:nk=0',
    abs,
  ]);
  if (crashed(run)) throw crashError(tools.ffprobe, abs, run);
  if (run.code !== 0) throw await probeFailure(abs, run.stderr);
  const packets: Packet[] = [];
  let corrupt = 0;
  let beyondEnd = 0;
  for (const line of run.stdout.toString('utf8').split('\n')) {
    if (!line.includes('flags=')) continue;
    const f = Object.fromEntries(line.split('|').map((kv) => kv.split('=') as [string, string]));
    const num = (v: string | undefined) => (v && /^-?\d+$/.test(v) ? Number(v) : null);
    const flags = f.flags ?? '';
    const packet: Packet = {
      pts: num(f.pts),
      key: flags[0] === 'K',
      discard: flags.includes('D'),
      corrupt: flags.includes('C'),
    };
    const pos = num(f.pos);
    const size = num(f.size);
    if (packet.corrupt) corrupt++;
    if (pos !== null && size !== null && pos + size > fileSize) beyondEnd++;
    packets.push(packet);
  }
  return { packets, corrupt, beyondEnd, stderr: run.stderr };
}

/** Codecs whose packets each hold exactly one shown frame in mp4/mov, Matroska/WebM and AVI. */
const ONE_FRAME_PER_PACKET = new Set([
  'h264', 'hevc', 'vp9', 'av1', 'mjpeg', 'prores', 'ffv1', 'dnxhd', 'rawvideo', 'png', 'qtrle', 'utvideo',
  'huffyuv', 'ffvhuff',
]);

/** Reasons the packet list may not be the frame list; empty means the fast path is exact. */
export function packetDoubts(scan: PacketScan, codec: string, container: string, declared: number | null): string[] {
  const doubts: string[] = [];
  if (!ONE_FRAME_PER_PACKET.has(codec)) doubts.push(`codec ${codec}`);
  if (!INDEXED_CONTAINER.test(container)) doubts.push(`container ${container}`);
  if (scan.packets.some((p) => p.pts === null)) doubts.push('packets without pts');
  if (scan.corrupt || scan.beyondEnd) doubts.push('corrupt or partial packets');
  if (scan.stderr.trim()) doubts.push(`demuxer errors: ${lastLine(scan.stderr)}`);
  if (declared !== null && declared !== scan.packets.length) doubts.push(`container says ${declared} frames`);
  const shown = scan.packets.filter((p) => !p.discard).map((p) => p.pts);
  if (new Set(shown).size !== shown.length) doubts.push('repeated pts');
  return doubts;
}

export function indexFromPackets(packets: Packet[]): FrameIndex {
  const shown = packets.filter((p) => !p.discard).sort((a, b) => a.pts! - b.pts!);
  const keyframes: number[] = [];
  shown.forEach((p, i) => p.key && keyframes.push(i));
  return { pts: shown.map((p) => p.pts!), keyframes };
}

const DEBUG_TS_FRAME =
  /^decoder -> ist_index:\d+ type:video frame_pts:\S+ frame_pts_time:\S+ best_effort_ts:(-?\d+) .*keyframe:(\d)/;

/** The frames the decoder really outputs, with their timestamps as given to filters (best effort). */
export async function indexByDecoding(tools: FfmpegTools, abs: string, streamIndex: number): Promise<FrameIndex> {
  const pts: number[] = [];
  const keyframes: number[] = [];
  const run = await runTool(
    tools.ffmpeg.path,
    [
      '-hide_banner', '-nostdin', '-debug_ts', '-copyts',
      '-i', abs,
      '-map', `0:${streamIndex}`, '-an', '-sn', '-dn',
      ...passthroughArgs(tools.ffmpeg),
      '-f', 'null', '-',
    ],
    (line) => {
      const m = DEBUG_TS_FRAME.exec(line);
      if (!m) return;
      const ts = Number(m[1]);
      if (m[2] === '1') keyframes.push(pts.length);
      pts.push(Math.abs(ts) < 2 ** 62 ? ts : Number.NaN);
    },
  );
  if (run.code !== 0 && pts.length === 0) {
    throw new AppError('NOT_A_VIDEO', `${abs} does not decode: ${lastLine(run.stderr)}`, { path: abs });
  }
  return { pts, keyframes };
}
