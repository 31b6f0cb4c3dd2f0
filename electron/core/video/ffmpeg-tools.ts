import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../errors';

/** Where a tool was found, in the order they are tried. */
export type ToolSource = 'settings' | 'env' | 'bundled' | 'path';

export interface ToolInfo {
  name: 'ffmpeg' | 'ffprobe';
  path: string;
  /** The version word of `-version`'s first line, e.g. "5.1.9-0+deb12u1" or "N-47683-g0e8eb07980-static". */
  version: string;
  /** [major, minor] when the version word has them; git snapshot builds ("N-…") have none. */
  release: [number, number] | null;
  source: ToolSource;
}

export interface FfmpegTools {
  ffmpeg: ToolInfo;
  ffprobe: ToolInfo;
}

export interface ToolPaths {
  /** Paths configured in the settings; they win over everything else. */
  ffmpegPath?: string;
  ffprobePath?: string;
}

const ENV_VAR = { ffmpeg: 'DFF_FFMPEG', ffprobe: 'DFF_FFPROBE' } as const;
const BUNDLED_PACKAGE = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' } as const;

const resolved = new Map<string, Promise<FfmpegTools>>();

/**
 * Finds ffmpeg and ffprobe: the configured path → env DFF_FFMPEG / DFF_FFPROBE → the bundled npm
 * packages → PATH. A configured path (settings or env) that is missing or does not run is an error
 * naming it, not a silent fallback, so the user learns their setting is wrong.
 */
export function resolveFfmpegTools(paths: ToolPaths = {}): Promise<FfmpegTools> {
  const key = JSON.stringify([paths.ffmpegPath, paths.ffprobePath, process.env.DFF_FFMPEG, process.env.DFF_FFPROBE]);
  let tools = resolved.get(key);
  if (!tools) {
    tools = Promise.all([locate('ffmpeg', paths.ffmpegPath), locate('ffprobe', paths.ffprobePath)]).then(
      ([ffmpeg, ffprobe]) => ({ ffmpeg, ffprobe }),
    );
    tools.catch(() => resolved.delete(key));
    resolved.set(key, tools);
  }
  return tools;
}

async function locate(name: 'ffmpeg' | 'ffprobe', configured: string | undefined): Promise<ToolInfo> {
  if (configured) return runnable(name, configured, 'settings');
  const fromEnv = process.env[ENV_VAR[name]];
  if (fromEnv) return runnable(name, fromEnv, 'env');

  const bundled = bundledPath(name);
  if (bundled) {
    try {
      return await runnable(name, bundled, 'bundled');
    } catch {
      // A broken bundled binary (wrong platform, stripped install) falls through to PATH.
    }
  }
  try {
    return await runnable(name, name, 'path');
  } catch {
    throw new AppError(
      'TOOL_MISSING',
      `${name} not found: set its path in the settings or ${ENV_VAR[name]}, or install ${name} on the PATH` +
        (bundled ? ` (the bundled ${bundled} did not run)` : ` (the npm package ${BUNDLED_PACKAGE[name]} is not installed)`),
      { tool: name },
    );
  }
}

function bundledPath(name: 'ffmpeg' | 'ffprobe'): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require(BUNDLED_PACKAGE[name]) as { path?: string };
    // Inside a packaged Electron app the binary is unpacked beside the asar archive.
    return pkg.path ? pkg.path.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`) : null;
  } catch {
    return null;
  }
}

async function runnable(name: 'ffmpeg' | 'ffprobe', file: string, source: ToolSource): Promise<ToolInfo> {
  const origin = source === 'settings' ? 'the settings' : source === 'env' ? ENV_VAR[name] : source;
  const resolvedFile = source === 'path' ? onPath(file) : file;
  if (!resolvedFile || !fs.existsSync(resolvedFile)) {
    throw new AppError('TOOL_MISSING', `${name} from ${origin} does not exist: ${file}`, { tool: name, path: file });
  }
  const firstLine = await new Promise<string>((resolve, reject) => {
    execFile(resolvedFile, ['-hide_banner', '-version'], { timeout: 15_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout.split('\n')[0] ?? '');
    });
  }).catch((err: Error) => {
    throw new AppError('TOOL_MISSING', `${name} from ${origin} does not run: ${file} (${err.message.split('\n')[0]})`, {
      tool: name,
      path: file,
    });
  });
  const match = /^(ffmpeg|ffprobe) version (\S+)/.exec(firstLine);
  if (!match || match[1] !== name) {
    throw new AppError('TOOL_MISSING', `${file} from ${origin} is not ${name}: its -version says "${firstLine}"`, {
      tool: name,
      path: file,
    });
  }
  const version = match[2]!;
  const release = /^n?(\d+)\.(\d+)/.exec(version);
  return { name, path: resolvedFile, version, release: release ? [Number(release[1]), Number(release[2])] : null, source };
}

/** The tool of that name on the PATH, if one runs: the fallback when a bundled binary crashes on a file. */
export async function toolOnPath(name: 'ffmpeg' | 'ffprobe'): Promise<ToolInfo | null> {
  return runnable(name, name, 'path').catch(() => null);
}

/** ffmpeg's option for "pass every decoded frame through, never duplicate or drop" (-fps_mode is 5.1+). */
export function passthroughArgs(ffmpeg: ToolInfo): string[] {
  const r = ffmpeg.release;
  return r && (r[0] > 5 || (r[0] === 5 && r[1] >= 1)) ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, process.platform === 'win32' ? `${name}.exe` : name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}
