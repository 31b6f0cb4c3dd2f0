import fs from 'node:fs/promises';
import { AppError } from '../errors';
import type { ToolInfo } from './ffmpeg-tools';
import { lastLine, type ToolRun } from './run-tool';

/** What an ffprobe failure means for the user: a crash, a cut mp4, no permission, or not a video. */

export const crashed = (run: ToolRun) => run.signal !== null || (run.code !== null && run.code >= 128);

export function crashError(tool: ToolInfo, abs: string, run: ToolRun): AppError {
  return new AppError(
    'TOOL_MISSING',
    `ffprobe ${tool.path} (${tool.version}) crashed (${run.signal ?? `exit code ${run.code}`}) reading ${abs}: ` +
      'install ffprobe on the PATH or set another one in the settings',
    { tool: 'ffprobe', path: tool.path, file: abs },
  );
}

/** ISO-BMFF box types that can open an mp4/mov: such a file without a moov box was cut short. */
const MP4_FIRST_BOXES = new Set(['ftyp', 'mdat', 'moov', 'free', 'skip', 'wide', 'pnot', 'uuid']);

export async function probeFailure(abs: string, stderr: string): Promise<AppError> {
  const why = lastLine(stderr).replace(`${abs}: `, '');
  if (/moov atom not found/i.test(stderr) && MP4_FIRST_BOXES.has(await firstBoxType(abs))) {
    return new AppError(
      'TRUNCATED_VIDEO',
      `${abs} is truncated or still being written: its index (moov atom) is missing, so no frame can be located`,
      { path: abs },
    );
  }
  if (/permission denied/i.test(stderr)) {
    return new AppError('UNREADABLE', `Video file cannot be read (permission denied): ${abs}`, { path: abs });
  }
  return new AppError('NOT_A_VIDEO', `${abs} is not a video ffprobe can read${why ? `: ${why}` : ''}`, { path: abs });
}

async function firstBoxType(abs: string): Promise<string> {
  const head = Buffer.alloc(8);
  const handle = await fs.open(abs, 'r');
  try {
    await handle.read(head, 0, 8, 0);
  } finally {
    await handle.close();
  }
  return head.toString('latin1', 4, 8);
}
