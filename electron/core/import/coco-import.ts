/**
 * COCO dataset or results files as pre-labels on one video's frames.
 *
 * Imported rows are machine rows: an inference run named 'import:<file>' writes them through the
 * store's writeMachineResults, as 'predicted' frames. So they never overwrite a person's work
 * (verified or human-edited frames are skipped and reported), a later import or DFF run may replace
 * them, and a person's correction turns them into 'corrected' rows like any prediction.
 * Everything is checked before anything is written; the write is one transaction.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors';
import { encodeMask, toCocoRle, type CocoRle } from '../masks/rle';
import { ringsToMask } from '../export/polygons';
import type { AnnotationContent, LabelClass, MachineFrameResult, ProjectStore, SkippedFrame, Video } from '../store';
import {
  frameFromFileName,
  parseDataset,
  parseResults,
  problems,
  readJsonFile,
  throwProblems,
  type CocoAnnotationRecord,
  type CocoDataset,
  type CocoImageRecord,
  type Problems,
} from './coco-file';
import { ImportCocoInput } from '../../common/export-schemas';

/** The import call's input; declared once in the contract's schemas. */
export const ImportSchema = ImportCocoInput;
export type ImportInput = z.input<typeof ImportSchema>;

export interface ImportResult {
  runId: number;
  kind: 'dataset' | 'results';
  /** Frames whose machine rows were replaced by the imported ones. */
  framesWritten: number;
  /** Frames a person verified or edited: left as they were. */
  skipped: SkippedFrame[];
  annotations: number;
  createdClasses: string[];
}

const BOX_TOLERANCE = 1e-3;
/** Annotation content whose class may still be a category name to create. */
type PendingContent = Omit<AnnotationContent, 'classId'> & { classId: number | string };
const CLASS_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#469990', '#9a6324'];

export async function importCoco(store: ProjectStore, input: ImportInput): Promise<ImportResult> {
  const parsed = ImportSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('INVALID_INPUT', `Import settings: ${issue.path.join('.') || 'value'}: ${issue.message}`);
  }
  const opts = parsed.data;
  const file = path.resolve(opts.file);
  const video = store.getVideo(opts.videoId);
  const root = await readJsonFile(file);
  const p = problems();
  const kind = Array.isArray(root) ? 'results' : 'dataset';

  let dataset: CocoDataset | null = null;
  let annotations: CocoAnnotationRecord[];
  if (kind === 'dataset') {
    dataset = parseDataset(root, p, { annotations: true });
    annotations = dataset.annotations;
  } else {
    annotations = parseResults(root, p);
    if (opts.imagesFrom) {
      const imagesFile = path.resolve(opts.imagesFrom);
      const q = problems();
      dataset = parseDataset(await readJsonFile(imagesFile), q, { annotations: false });
      throwProblems(imagesFile, q);
    }
  }
  throwProblems(file, p);
  annotations = annotations.filter((a) => a.score === null || a.score >= opts.minScore);

  const classes = store.listClasses();
  const frameOfImage = dataset ? matchImages(dataset, video, opts, p) : null;
  const classOfCategory = dataset ? mapCategories(dataset, annotations, classes, opts.createClasses, p) : null;

  const byFrame = new Map<number, PendingContent[]>();
  // every matched image is a labelled frame, even with no annotation: "nothing here" is a label too
  if (frameOfImage && kind === 'dataset') for (const frame of frameOfImage.values()) byFrame.set(frame, []);
  const classIds = new Set(classes.map((c) => c.id));
  const imageIds = new Set(dataset?.images.map((im) => im.id));
  const categoryIds = new Set(dataset?.categories.map((c) => c.id));
  let count = 0;
  for (const a of annotations) {
    let frameIdx: number;
    let classKey: number | string;
    if (frameOfImage) {
      const f = frameOfImage.get(a.imageId);
      if (f === undefined) {
        if (!imageIds.has(a.imageId)) p.add(a.where, `image_id ${a.imageId} is not in images`);
        continue; // an image of another video in the same file, or one already reported
      }
      frameIdx = f;
      const c = classOfCategory!.get(a.categoryId);
      if (c === undefined) {
        // a category missing from the project is reported once, by mapCategories
        if (!categoryIds.has(a.categoryId)) p.add(a.where, `category_id ${a.categoryId} is not in categories`);
        continue;
      }
      classKey = c;
    } else {
      frameIdx = a.imageId;
      if (frameIdx < 0 || frameIdx >= video.frameCount) {
        p.add(a.where, `image_id ${a.imageId} taken as a frame index is outside the video's ${video.frameCount} frames`);
        continue;
      }
      if (!classIds.has(a.categoryId)) {
        p.add(a.where, `category_id ${a.categoryId} is not a class of this project (without imagesFrom, category ids are class ids)`);
        continue;
      }
      classKey = a.categoryId;
    }
    const content = toContent(a, classKey, video, p);
    if (!content) continue;
    let list = byFrame.get(frameIdx);
    if (!list) byFrame.set(frameIdx, (list = []));
    list.push(content);
    count++;
  }
  throwProblems(file, p);

  // Nothing wrong: write. Classes first (they are not labels), then every frame in one transaction.
  const created: LabelClass[] = [];
  let runId: number | null = null;
  try {
    for (const name of classesToCreate(dataset, byFrame)) {
      created.push(store.addClass({ name, color: CLASS_COLOURS[(classes.length + created.length) % CLASS_COLOURS.length], hasInstances: true }));
    }
    const classIdOf = new Map(created.map((c) => [c.name.toLowerCase(), c.id]));
    const results: MachineFrameResult[] = [...byFrame.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([frameIdx, list]) => {
        const anns: AnnotationContent[] = list.map((c) => ({
          ...c,
          classId: typeof c.classId === 'string' ? classIdOf.get(c.classId.toLowerCase())! : c.classId,
        }));
        const scores = anns.map((c) => c.score);
        const score = scores.length && scores.every((s): s is number => typeof s === 'number') ? Math.min(...scores) : null;
        return { frameIdx, state: 'predicted', score, annotations: anns };
      });
    runId = store.createRun({
      packName: `import:${path.basename(file)}`,
      packPath: file,
      packHash: `sha256:${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`,
      params: { kind, match: opts.match, minScore: opts.minScore, imagesFrom: opts.imagesFrom ?? null, cocoVideoId: opts.cocoVideoId ?? null },
      executionProvider: 'import',
    }).id;
    const written = store.writeMachineResults(runId, video.id, results);
    store.updateRun(runId, { status: 'done', framesDone: written.written });
    return { runId, kind, framesWritten: written.written, skipped: written.skipped, annotations: count, createdClasses: created.map((c) => c.name) };
  } catch (err) {
    if (runId !== null) store.updateRun(runId, { status: 'failed', error: (err as Error).message });
    for (const c of created) store.removeClass(c.id);
    throw err;
  }
}

/** Names of the categories to add as classes, in the file's category order, one per name whatever its case. */
function classesToCreate(dataset: CocoDataset | null, byFrame: Map<number, PendingContent[]>): string[] {
  const used = new Set<string>();
  for (const list of byFrame.values()) for (const c of list) if (typeof c.classId === 'string') used.add(c.classId.toLowerCase());
  return (dataset?.categories ?? []).map((c) => c.name).filter((n) => used.delete(n.toLowerCase()));
}

/** Image id → frame index of the project video, for the images of the chosen COCO video. */
function matchImages(dataset: CocoDataset, video: Video, opts: z.output<typeof ImportSchema>, p: Problems): Map<number, number> {
  let images = dataset.images;
  const cocoVideos = new Set(images.map((im) => im.videoId).filter((v) => v !== null));
  let chosen = opts.cocoVideoId ?? null;
  if (chosen === null && cocoVideos.size > 1) {
    const base = path.basename(video.relPath || video.path).toLowerCase();
    const named = dataset.videos.filter((v) => path.basename(v.name).toLowerCase() === base);
    if (named.length === 1) chosen = named[0].id;
    else {
      p.add('images', `belong to ${cocoVideos.size} videos (${[...cocoVideos].join(', ')}); say which one goes on ${path.basename(video.path)} (cocoVideoId)`);
      return new Map();
    }
  }
  if (chosen !== null) {
    images = images.filter((im) => im.videoId === chosen);
    if (!images.length) p.add('images', `none belongs to video ${chosen}`);
  }
  const frames = new Map<number, number>();
  const imageAt = new Map<number, CocoImageRecord>();
  for (const im of images) {
    const fromName = im.fileName === null ? null : frameFromFileName(im.fileName);
    const frame = opts.match === 'frame-index' ? im.frameIndex : opts.match === 'file-name' ? fromName : (im.frameIndex ?? fromName);
    if (frame === null) {
      p.add(im.where, opts.match === 'frame-index' ? 'has no frame_id' : `file_name ${JSON.stringify(im.fileName)} holds no frame number`);
      continue;
    }
    if (frame >= video.frameCount) {
      p.add(im.where, `frame ${frame} is outside ${path.basename(video.path)}, which has ${video.frameCount} frames`);
      continue;
    }
    if (im.width !== video.width || im.height !== video.height) {
      p.add(im.where, `is ${im.width}×${im.height} but ${path.basename(video.path)} is ${video.width}×${video.height}`);
      continue;
    }
    const other = imageAt.get(frame);
    if (other) {
      p.add(im.where, `lands on frame ${frame}, like ${other.where}`);
      continue;
    }
    imageAt.set(frame, im);
    frames.set(im.id, frame);
  }
  return frames;
}

/** Category id → project class id, or the category's name when the class is to be created. */
function mapCategories(
  dataset: CocoDataset,
  annotations: CocoAnnotationRecord[],
  classes: LabelClass[],
  create: boolean,
  p: Problems,
): Map<number, number | string> {
  const byName = new Map(classes.map((c) => [c.name.toLowerCase(), c.id]));
  const map = new Map<number, number | string>();
  const missing: string[] = [];
  for (const c of dataset.categories) {
    const id = byName.get(c.name.toLowerCase());
    if (id !== undefined) map.set(c.id, id);
    else if (create) map.set(c.id, c.name);
    else missing.push(c.name);
  }
  if (missing.length) {
    // only categories that the imported annotations use matter
    const used = new Set(annotations.map((a) => a.categoryId));
    const usedMissing = dataset.categories.filter((c) => missing.includes(c.name) && used.has(c.id)).map((c) => `"${c.name}"`);
    if (usedMissing.length) p.add('categories', `${usedMissing.join(', ')} are not classes of this project (add them, or import with createClasses)`);
  }
  return map;
}


function toContent(a: CocoAnnotationRecord, classKey: number | string, video: Video, p: Problems): PendingContent | null {
  const W = video.width;
  const H = video.height;
  let mask: CocoRle | null = null;
  if (a.segmentation?.kind === 'rle') {
    try {
      mask = toCocoRle({ size: a.segmentation.size, counts: a.segmentation.counts } as never);
    } catch (err) {
      p.add(a.where, `segmentation: ${(err as Error).message}`);
      return null;
    }
    if (mask.size[0] !== H || mask.size[1] !== W) {
      p.add(a.where, `segmentation RLE is ${mask.size[0]}×${mask.size[1]} (h×w) but the frame is ${H}×${W}`);
      return null;
    }
  } else if (a.segmentation?.kind === 'polygon') {
    for (const ring of a.segmentation.rings) {
      for (let k = 0; k < ring.length; k += 2) {
        if (ring[k] < -BOX_TOLERANCE || ring[k] > W + BOX_TOLERANCE || ring[k + 1] < -BOX_TOLERANCE || ring[k + 1] > H + BOX_TOLERANCE) {
          p.add(a.where, `segmentation point (${ring[k]}, ${ring[k + 1]}) is outside the ${W}×${H} frame`);
          return null;
        }
      }
    }
    mask = encodeMask(ringsToMask(a.segmentation.rings, H, W), H, W);
  }
  if (a.bbox) {
    const [x, y, w, h] = a.bbox;
    if (x < -BOX_TOLERANCE || y < -BOX_TOLERANCE || x + w > W + BOX_TOLERANCE || y + h > H + BOX_TOLERANCE) {
      p.add(a.where, `bbox [${a.bbox.join(', ')}] reaches outside the ${W}×${H} frame`);
      return null;
    }
  }
  return {
    classId: classKey,
    trackId: a.trackId,
    mask,
    score: a.score,
    ...(a.bbox ? { box: { x: a.bbox[0], y: a.bbox[1], w: a.bbox[2], h: a.bbox[3] } } : {}),
  };
}
