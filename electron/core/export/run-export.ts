/** Runs an export: validates the spec, selects frames, writes into a temp folder, renames it into place. */
import path from 'node:path';
import { AppError } from '../errors';
import type { ProjectStore } from '../store';
import { writeActionsJson } from './actions-export';
import { cityscapesLabelsFor, writeCityscapes } from './cityscapes-export';
import { writeCoco } from './coco-export';
import { cancelledError, throttled, type ExportContext, type ExportProgress, type ExportResult } from './export-context';
import { checkExportSpec, saveLastExport, type ExportSpecInput } from './export-spec';
import { projectFrameImages, type FrameImages } from './frame-images';
import type { ToolPaths } from '../video';
import { openOutputFolder, writeWhole } from './output-folder';
import { selectFrames } from './selection';

export interface RunExportOptions {
  onProgress?: (p: ExportProgress) => void;
  signal?: AbortSignal;
  /** Where frame images come from; the project's videos through the video layer by default. */
  frameImages?: FrameImages;
  /** The ffmpeg/ffprobe paths from the user's settings, for the default frame images. */
  tools?: ToolPaths;
}

export async function runExport(store: ProjectStore, input: ExportSpecInput, options: RunExportOptions = {}): Promise<ExportResult> {
  const spec = checkExportSpec(input);
  const dest = path.resolve(spec.outDir, spec.name);
  const { signal } = options;
  const checkCancelled = () => {
    if (signal?.aborted) throw cancelledError(dest);
  };
  checkCancelled();
  const { frames } = selectFrames(store, spec.selection);
  if (frames.length === 0) {
    throw new AppError('INVALID_INPUT', `No frame matches the export's selection; nothing to export to ${dest}`, { path: dest });
  }
  // Checks that can refuse the export run before anything is written.
  const labels = spec.format === 'cityscapes' ? cityscapesLabelsFor(store, frames) : null;
  const wantsImages = spec.format === 'coco' ? spec.images !== 'none' : spec.images;

  const out = await openOutputFolder(dest, { overwrite: spec.overwrite });
  const images = wantsImages ? (options.frameImages ?? projectFrameImages(store, options.tools)) : null;
  const ctx: ExportContext = { store, frames, out, images, progress: throttled(options.onProgress ?? (() => undefined)), checkCancelled };
  try {
    const result = spec.format === 'coco' ? await writeCoco(ctx, spec) : await writeCityscapes(ctx, spec, labels!);
    result.files.push(await writeActionsJson(ctx, spec.format));
    await writeWhole(
      await out.file('dff-export.json'),
      `${JSON.stringify({ project: store.file, exportedAt: new Date().toISOString(), spec, frames: result.frames, framesBySplit: result.framesBySplit, annotations: result.annotations }, null, 2)}\n`,
    );
    result.files.push('dff-export.json');
    checkCancelled();
    options.onProgress?.({ phase: 'committing', done: frames.length, total: frames.length });
    await out.commit();
    saveLastExport(store, spec);
    return result;
  } catch (err) {
    await out.abort();
    throw err;
  } finally {
    if (images && !options.frameImages) await images.close();
  }
}
