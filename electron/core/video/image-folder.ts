import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../errors';
import { resolveFfmpegTools, type ToolPaths } from './ffmpeg-tools';
import type { ImageFolderInfo } from './media-info';
import { lastLine, runTool } from './run-tool';

/**
 * A folder of numbered images as frames: png/jpg/jpeg/webp (decoded by sharp) and bmp (decoded by
 * ffmpeg, which sharp cannot read). Frame order is the number in the file name, the last run of
 * digits ("frame_2" before "frame_10"); files without a number and other extensions are ignored.
 * All frames must share one size. EXIF orientation is not applied: pixels are used as stored.
 */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp']);

export async function scanImageFolder(dir: string, fps = 25): Promise<ImageFolderInfo> {
  const abs = path.resolve(dir);
  let names: string[];
  try {
    names = await fs.readdir(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `Image folder not found: ${abs}`, { path: abs });
    if (code === 'ENOTDIR') throw new AppError('INVALID_INPUT', `${abs} is a file, not an image folder`, { path: abs });
    throw new AppError('UNREADABLE', `Image folder cannot be read: ${abs} (${(err as Error).message})`, { path: abs });
  }

  const numbered: { name: string; n: number }[] = [];
  for (const name of names) {
    const ext = path.extname(name).toLowerCase();
    if (!IMAGE_EXTENSIONS.has(ext) || name.startsWith('.')) continue;
    const digits = /(\d+)(?!.*\d)/.exec(path.basename(name, path.extname(name)));
    if (digits) numbered.push({ name, n: Number(digits[1]) });
  }
  if (numbered.length === 0) {
    throw new AppError(
      'EMPTY_FOLDER',
      `${abs} holds no numbered images (${[...IMAGE_EXTENSIONS].join(', ')} with a number in the name)`,
      { path: abs },
    );
  }
  numbered.sort((a, b) => a.n - b.n || a.name.localeCompare(b.name));
  for (let i = 1; i < numbered.length; i++) {
    if (numbered[i]!.n === numbered[i - 1]!.n) {
      throw new AppError(
        'INVALID_INPUT',
        `${abs}: ${numbered[i - 1]!.name} and ${numbered[i]!.name} both carry frame number ${numbered[i]!.n}`,
        { path: abs },
      );
    }
  }

  const files = numbered.map((f) => path.join(abs, f.name));
  const sizes = await mapLimited(files, 16, imageSize);
  const [width, height] = sizes[0]!;
  sizes.forEach(([w, h], i) => {
    if (w !== width || h !== height) {
      throw new AppError(
        'INVALID_INPUT',
        `${files[i]} is ${w}×${h} but the folder's frames are ${width}×${height} (from ${path.basename(files[0]!)})`,
        { path: files[i], width: w, height: h, expectedWidth: width, expectedHeight: height },
      );
    }
  });

  const frameCount = files.length;
  return {
    kind: 'image-folder',
    path: abs,
    files,
    width,
    height,
    frameCount,
    frameRate: fps,
    duration: frameCount / fps,
    timeBase: { num: 1, den: fps },
    pts: files.map((_, i) => i),
    keyframes: files.map((_, i) => i),
  };
}

/** An image decoded to interleaved 8-bit RGB, optionally resized. */
export async function readImageRgb(
  file: string,
  size?: { width: number; height: number },
  tools?: ToolPaths,
): Promise<{ width: number; height: number; data: Buffer }> {
  const input = isBmp(file) ? await decodeBmp(file, tools) : file;
  try {
    let image = typeof input === 'string' ? sharp(input) : sharp(input.data, { raw: { ...input.size, channels: 3 } });
    if (size) image = image.resize(size.width, size.height, { fit: 'fill' });
    const { data, info } = await image.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data };
  } catch (err) {
    throw imageError(file, err);
  }
}

async function imageSize(file: string): Promise<[number, number]> {
  if (isBmp(file)) return bmpSize(file);
  try {
    await (await fs.open(file, 'r')).close(); // permission errors name the file before sharp blurs them
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) throw new Error('no size in the header');
    return [meta.width, meta.height];
  } catch (err) {
    throw imageError(file, err);
  }
}

function imageError(file: string, err: unknown): AppError {
  const code = (err as NodeJS.ErrnoException).code;
  const message = (err as Error).message ?? String(err);
  if (code === 'EACCES' || code === 'EPERM' || /permission denied/i.test(message)) {
    return new AppError('UNREADABLE', `Image cannot be read (permission denied): ${file}`, { path: file });
  }
  if (err instanceof AppError) return err;
  return new AppError('DECODE_FAILED', `Image cannot be decoded: ${file} (${message})`, { path: file });
}

function isBmp(file: string): boolean {
  return path.extname(file).toLowerCase() === '.bmp';
}

/** Width and height from a BMP header (BITMAPCOREHEADER or BITMAPINFOHEADER and later). */
async function bmpSize(file: string): Promise<[number, number]> {
  let header: Buffer;
  try {
    const handle = await fs.open(file, 'r');
    try {
      header = Buffer.alloc(26);
      await handle.read(header, 0, 26, 0);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw imageError(file, err);
  }
  if (header.toString('latin1', 0, 2) !== 'BM') throw imageError(file, new Error('not a BMP file'));
  const core = header.readUInt32LE(14) === 12;
  const w = core ? header.readUInt16LE(18) : header.readInt32LE(18);
  const h = core ? header.readUInt16LE(20) : Math.abs(header.readInt32LE(22));
  if (w <= 0 || h <= 0) throw imageError(file, new Error(`bad size ${w}×${h} in the header`));
  return [w, h];
}

async function decodeBmp(file: string, tools?: ToolPaths): Promise<{ size: { width: number; height: number }; data: Buffer }> {
  const [width, height] = await bmpSize(file);
  const { ffmpeg } = await resolveFfmpegTools(tools);
  const run = await runTool(ffmpeg.path, ['-v', 'error', '-nostdin', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  if (run.code !== 0 || run.stdout.length !== width * height * 3) {
    throw imageError(file, new Error(lastLine(run.stderr) || `ffmpeg gave ${run.stdout.length} bytes for ${width}×${height}`));
  }
  return { size: { width, height }, data: run.stdout };
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
