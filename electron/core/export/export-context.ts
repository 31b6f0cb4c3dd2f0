/** What every format writer gets: the project, the chosen frames, the output folder, images, progress and cancel. */
import path from 'node:path';
import { AppError } from '../errors';
import type { ProjectStore, Video } from '../store';
import type { FrameImages } from './frame-images';
import type { OutputFolder } from './output-folder';
import type { SelectedFrame, Split } from './selection';

export interface ExportProgress {
  /** 'images': frame images written; 'labels': frames whose labels are written; 'committing': renaming into place. */
  phase: 'images' | 'labels' | 'committing';
  done: number;
  total: number;
}

export interface ExportResult {
  /** The finished export folder. */
  dest: string;
  format: 'coco' | 'cityscapes';
  frames: number;
  framesBySplit: Record<Split, number>;
  annotations: number;
  /** Files written, relative to dest. */
  files: string[];
  /** Things the user should know that did not stop the export (e.g. box-only objects absent from Cityscapes PNGs). */
  warnings: string[];
}

export interface ExportContext {
  store: ProjectStore;
  frames: readonly SelectedFrame[];
  out: OutputFolder;
  /** Null when the export writes no frame images. */
  images: FrameImages | null;
  progress(p: ExportProgress): void;
  /** Throws CANCELLED once the user has asked to stop. */
  checkCancelled(): void;
}

export function cancelledError(dest: string): AppError {
  return new AppError('CANCELLED', `The export to ${dest} was cancelled; nothing of it was kept`, { path: dest });
}

/** Calls `progress` at most every `everyMs` (and always for the last step), so a UI is not flooded. */
export function throttled(progress: (p: ExportProgress) => void, everyMs = 100): (p: ExportProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (p.done === p.total || now - last >= everyMs) {
      last = now;
      progress(p);
    }
  };
}

export const pad6 = (n: number) => String(n).padStart(6, '0');

/** Folder names per video: the file's base name, made unique. */
export function videoFolders(videos: Video[]): Map<number, string> {
  const used = new Set<string>();
  const names = new Map<number, string>();
  for (const v of videos) {
    const stem = path.basename(v.relPath || v.path, path.extname(v.path)).replace(/[^\w.-]+/g, '_') || `video${v.id}`;
    let name = stem;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}`;
    used.add(name);
    names.set(v.id, name);
  }
  return names;
}
