/**
 * Writes a generated-world dataset (layout: README.md beside this file).
 *   npx tsx electron/core/world/cli.ts --out DIR --seed S --clips N --frames T --width W --height H
 *     [--objects n] [--difficulty easy|normal|hard] [--flow-scale 1|2|4] [--png-frames] [--fps F] [--force]
 */
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import type { Difficulty } from './params';
import { writeDataset, type DatasetOptions, type FlowScale } from './writer';

const USAGE = `usage: npx tsx electron/core/world/cli.ts --out DIR [--seed S=0] [--clips N=1] [--frames T=40]
       [--width W=320] [--height H=192] [--objects n] [--difficulty easy|normal|hard]
       [--flow-scale 1|2|4] [--png-frames] [--fps F=30] [--force]`;

/** An integer command-line option: `fallback` when absent; anything else (or below `min`) is refused, naming the flag. */
export function integerOption(name: string, raw: string | undefined, fallback?: number, min = Number.MIN_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    throw new AppError('INVALID_INPUT', `--${name} must be an integer, got '${raw}'`);
  }
  if (value < min) throw new AppError('INVALID_INPUT', `--${name} must be an integer ≥ ${min}, got '${raw}'`);
  return value;
}

/**
 * A world CLI's entry: a bad option prints its message and the usage (exit 2), --help the usage (exit 0), a
 * failing run its message (exit 1).
 */
export async function runCli<T>(usage: string, parse: (argv: string[]) => T | 'help', run: (options: T) => unknown): Promise<number> {
  let options: T | 'help';
  try {
    options = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    console.log(usage);
    return 0;
  }
  try {
    await run(options);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 1;
  }
  return 0;
}

export function parseCli(argv: string[]): DatasetOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      clips: { type: 'string' },
      frames: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      objects: { type: 'string' },
      difficulty: { type: 'string' },
      'flow-scale': { type: 'string' },
      'png-frames': { type: 'boolean' },
      fps: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (!values.out) throw new AppError('INVALID_INPUT', '--out DIR is required');
  const fps = values.fps === undefined ? undefined : Number(values.fps);
  if (fps !== undefined && !Number.isFinite(fps)) throw new AppError('INVALID_INPUT', `--fps must be a number, got '${values.fps}'`);
  return {
    out: values.out,
    seed: integerOption('seed', values.seed, 0)!,
    clips: integerOption('clips', values.clips, 1)!,
    frames: integerOption('frames', values.frames, 40)!,
    width: integerOption('width', values.width, 320)!,
    height: integerOption('height', values.height, 192)!,
    objects: integerOption('objects', values.objects),
    difficulty: values.difficulty as Difficulty | undefined,
    fps,
    flowScale: integerOption('flow-scale', values['flow-scale'], 1) as FlowScale,
    pngFrames: values['png-frames'] ?? false,
    force: values.force ?? false,
  };
}

async function writeWithProgress(o: DatasetOptions): Promise<void> {
  const started = performance.now();
  let clipStarted = started;
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.log(
    `writing ${o.clips} clip(s) x ${o.frames} frames at ${o.width}x${o.height} (seed ${o.seed}, ${o.difficulty ?? 'normal'}, flow scale ${o.flowScale}) to ${o.out}`,
  );
  await writeDataset(o, ({ clip, clips, frame, frames }) => {
    if (frames > 100 && (frame + 1) % 100 === 0 && frame + 1 < frames) {
      console.log(`  clip ${clip + 1}/${clips}: frame ${frame + 1}/${frames}`);
    }
    if (frame + 1 < frames) return;
    const now = performance.now();
    const elapsed = now - started;
    const eta = (elapsed / (clip + 1)) * (clips - clip - 1);
    console.log(
      `clip ${clip + 1}/${clips} done in ${seconds(now - clipStarted)} s (${((frames * 1000) / (now - clipStarted)).toFixed(0)} frames/s); elapsed ${seconds(elapsed)} s, left ~${seconds(eta)} s`,
    );
    clipStarted = now;
  });
  console.log(`done: ${o.clips * o.frames} frames in ${seconds(performance.now() - started)} s -> ${o.out}/dataset.json`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/world/cli.ts')) {
  process.exitCode = await runCli(USAGE, parseCli, writeWithProgress);
}
