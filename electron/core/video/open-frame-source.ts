import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';
import type { FrameSource, FrameSourceOptions } from './frame-source';
import { ImageFolderSource } from './image-folder-source';
import { VideoFileSource } from './video-file-source';

/** Opens a video file, or a folder of numbered images, as a FrameSource. */
export async function openFrameSource(target: string, options: FrameSourceOptions = {}): Promise<FrameSource> {
  const abs = path.resolve(target);
  const stat = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new AppError('NOT_FOUND', `Not found: ${abs}`, { path: abs });
    throw new AppError('UNREADABLE', `Cannot be read: ${abs} (${err.message})`, { path: abs });
  });
  if (stat.isDirectory()) {
    return ImageFolderSource.open(abs, options);
  }
  return VideoFileSource.open(abs, options);
}
