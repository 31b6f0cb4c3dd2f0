/**
 * Writes an action-clip dataset for Python training (layout: models/actions/README.md):
 *   npx tsx electron/core/world/action-clips-cli.ts --out DIR --seed S --videos N [--frames F=200]
 *     [--width W=160] [--height H=96] [--clip-length T=8] [--window-stride S=2] [--difficulty normal]
 *     [--no-balance] [--force]
 * Per video: frames as raw uint8 RGB (F, H, W, 3) and the flows between consecutive frames as raw float16
 * (F − 1, H, W, 2), little-endian; index.json (written last) lists the videos and the kept windows.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import { ACTION_CLASS_NAMES, actionVideoSeed, balanceByClass, labelWindows, renderActionVideo, toFloat16 } from './action-clips';
import { integerOption, runCli } from './cli';
import { DIFFICULTIES, type Difficulty } from './params';

export const ACTION_DATASET_FORMAT = 'dff-actions/1';

const USAGE = `usage: npx tsx electron/core/world/action-clips-cli.ts --out DIR --seed S --videos N [--frames F=200]
       [--width W=160] [--height H=96] [--clip-length T=8] [--window-stride S=2] [--difficulty easy|normal|hard]
       [--no-balance] [--force]`;

export interface ActionDatasetOptions {
  out: string;
  seed: number;
  videos: number;
  frames: number;
  width: number;
  height: number;
  clipLength: number;
  windowStride: number;
  difficulty: Difficulty;
  balance: boolean;
  force: boolean;
}

export function parseActionCli(argv: string[]): ActionDatasetOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      videos: { type: 'string' },
      frames: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      'clip-length': { type: 'string' },
      'window-stride': { type: 'string' },
      difficulty: { type: 'string' },
      'no-balance': { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (!values.out) throw new AppError('INVALID_INPUT', '--out DIR is required');
  const difficulty = (values.difficulty ?? 'normal') as Difficulty;
  if (!DIFFICULTIES.includes(difficulty)) throw new AppError('INVALID_INPUT', `--difficulty must be one of ${DIFFICULTIES.join(', ')}, got '${difficulty}'`);
  const options: ActionDatasetOptions = {
    out: values.out,
    seed: integerOption('seed', values.seed, 0, 0)!,
    videos: integerOption('videos', values.videos, 1, 1)!,
    frames: integerOption('frames', values.frames, 200, 2)!,
    width: integerOption('width', values.width, 160, 16)!,
    height: integerOption('height', values.height, 96, 16)!,
    clipLength: integerOption('clip-length', values['clip-length'], 8, 2)!,
    windowStride: integerOption('window-stride', values['window-stride'], 2, 1)!,
    difficulty,
    balance: !values['no-balance'],
    force: values.force ?? false,
  };
  if (options.clipLength > options.frames) {
    throw new AppError('INVALID_INPUT', `--clip-length ${options.clipLength} is longer than a video (--frames ${options.frames})`);
  }
  return options;
}

/** Writes the dataset; returns the kept windows' class counts. */
export function writeActionDataset(o: ActionDatasetOptions, log: (line: string) => void = () => {}): Record<string, number> {
  if (existsSync(o.out) && readdirSync(o.out).length > 0 && !o.force) {
    throw new AppError('INVALID_INPUT', `${o.out} is not empty (pass --force to overwrite its videos and index)`);
  }
  mkdirSync(o.out, { recursive: true });
  const videos: { name: string; seed: number; frames: number; rgb: string; flow: string; actions: unknown[] }[] = [];
  const windows: { video: number; start: number; label: number }[] = [];
  const started = performance.now();
  for (let v = 0; v < o.videos; v++) {
    const seed = actionVideoSeed(o.seed, v);
    const video = renderActionVideo({ seed, width: o.width, height: o.height, frameCount: o.frames, difficulty: o.difficulty });
    const name = `video_${String(v).padStart(4, '0')}`;
    const rgb = new Uint8Array(o.frames * o.width * o.height * 3);
    video.frames.forEach((f, t) => rgb.set(f, t * f.length));
    const flow = new Uint16Array((o.frames - 1) * o.width * o.height * 2);
    video.flows.forEach((f, t) => flow.set(toFloat16(f), t * f.length));
    writeFileSync(path.join(o.out, `${name}.rgb`), rgb);
    writeFileSync(path.join(o.out, `${name}.flow16`), new Uint8Array(flow.buffer)); // x86 and arm are little-endian
    videos.push({ name, seed, frames: o.frames, rgb: `${name}.rgb`, flow: `${name}.flow16`, actions: video.actions });
    for (const w of labelWindows(video.actions, o.frames, o.clipLength, o.windowStride)) {
      if (w.label !== null) windows.push({ video: v, start: w.start, label: w.label });
    }
    if ((v + 1) % 10 === 0 || v + 1 === o.videos) log(`video ${v + 1}/${o.videos}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const count = (ws: { label: number }[]) => Object.fromEntries(ACTION_CLASS_NAMES.map((n, c) => [n, ws.filter((w) => w.label === c).length]));
  const kept = o.balance ? balanceByClass(windows, o.seed) : windows;
  const index = {
    format: ACTION_DATASET_FORMAT,
    generator: {
      seed: o.seed, videos: o.videos, frames: o.frames, width: o.width, height: o.height, clipLength: o.clipLength,
      windowStride: o.windowStride, difficulty: o.difficulty, objects: 1, balanced: o.balance,
    },
    classes: ACTION_CLASS_NAMES,
    flow: { direction: 'nextToPrevious', units: 'pixels', dtype: 'float16' },
    videos,
    countsBeforeBalance: count(windows),
    counts: count(kept),
    windows: kept.map((w) => [w.video, w.start, w.label]),
  };
  writeFileSync(path.join(o.out, 'index.json'), JSON.stringify(index));
  return index.counts;
}

function writeWithLog(options: ActionDatasetOptions): void {
  const started = performance.now();
  const counts = writeActionDataset(options, (line) => console.log(line));
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s -> ${options.out}/index.json; windows per class ${JSON.stringify(counts)}`);
}

if (process.argv[1]?.endsWith('/world/action-clips-cli.ts')) process.exitCode = await runCli(USAGE, parseActionCli, writeWithLog);
