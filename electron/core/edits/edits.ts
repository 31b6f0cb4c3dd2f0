/**
 * A person's edits of a project's labels. Each call is one undoable step in the project's journal
 * (store/journal.ts); input is checked before anything is written, so a refused edit leaves no trace.
 */
import { AppError } from '../errors';
import { maskArea, type CocoRle } from '../masks/rle';
import type { Annotation, Box, EditHistory, EditStep, ProjectStore } from '../store';

/** Runs fn as one undoable step: everything it changes is undone and redone together. fn must be synchronous. */
export function recordedEdit<T>(store: ProjectStore, label: string, fn: () => T, videoId: number | null = null): T {
  return store.recordEdit(label, videoId, fn);
}

/** Boxes thinner than this (video pixels) after clipping count as nothing. */
const MIN_BOX_SIDE = 1;

const showBox = (b: Box) => `{x ${round(b.x)}, y ${round(b.y)}, w ${round(b.w)}, h ${round(b.h)}}`;
const round = (v: number) => Math.round(v * 100) / 100;

/** The box clipped to the video's frame; refuses a box of zero size or one wholly outside, naming it. */
export function clipBox(box: Box, width: number, height: number, where: string): Box {
  for (const k of ['x', 'y', 'w', 'h'] as const) {
    if (typeof box?.[k] !== 'number' || !Number.isFinite(box[k])) throw new AppError('INVALID_INPUT', `${where}: box ${k} must be a finite number`);
  }
  if (box.w <= 0 || box.h <= 0) throw new AppError('INVALID_INPUT', `${where}: the box ${showBox(box)} has zero size`, { box });
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(width, box.x + box.w);
  const y1 = Math.min(height, box.y + box.h);
  if (x1 - x0 < MIN_BOX_SIDE || y1 - y0 < MIN_BOX_SIDE) {
    throw new AppError('INVALID_INPUT', `${where}: the box ${showBox(box)} lies outside the ${width}×${height} frame`, { box, width, height });
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** A mask's counts string at the video's size, checked: well formed and not empty. */
export function maskAt(counts: string, width: number, height: number, where: string): CocoRle {
  const rle: CocoRle = { size: [height, width], counts };
  let area: number;
  try {
    area = maskArea(rle);
  } catch (err) {
    throw new AppError('INVALID_INPUT', `${where}: the mask is not valid RLE for the ${width}×${height} video: ${(err as Error).message}`);
  }
  if (area === 0) throw new AppError('INVALID_INPUT', `${where}: the mask is empty (nothing painted inside the frame)`);
  return rle;
}

export interface NewAnnotation {
  videoId: number;
  frameIdx: number;
  classId: number;
  /** Left out: the next free track id when the class has instances; null: none. */
  trackId?: number | null;
  bbox?: Box;
  /** COCO compressed RLE counts at the video's size; the box then is the mask's. */
  rle?: string;
}

export function createAnnotation(store: ProjectStore, input: NewAnnotation): Annotation {
  const video = store.getVideo(input.videoId);
  store.getFrame(input.videoId, input.frameIdx); // names a frame that does not exist
  const where = `new annotation on frame ${input.frameIdx}`;
  const cls = store.getClass(input.classId);
  const mask = input.rle !== undefined ? maskAt(input.rle, video.width, video.height, where) : null;
  if (!mask && !input.bbox) throw new AppError('INVALID_INPUT', `${where}: give a box or a mask`);
  const box = mask ? undefined : clipBox(input.bbox!, video.width, video.height, where);
  const trackId = input.trackId !== undefined ? input.trackId : cls.hasInstances ? store.nextTrackId(video.id) : null;
  const label = `Add ${mask ? 'mask' : 'box'} (${cls.name})`;
  return recordedEdit(
    store,
    label,
    () => store.addHumanAnnotation({ videoId: video.id, frameIdx: input.frameIdx, classId: cls.id, trackId, box, mask }),
    video.id,
  );
}

export interface AnnotationEdit {
  classId?: number;
  trackId?: number | null;
  bbox?: Box;
  /** A new mask (counts at the video's size; the box follows it), or null to drop the mask (its box stays). */
  rle?: string | null;
}

export function updateAnnotation(store: ProjectStore, annotationId: number, edit: AnnotationEdit): Annotation {
  const current = store.getAnnotation(annotationId);
  const video = store.getVideo(current.videoId);
  const where = `annotation ${annotationId} on frame ${current.frameIdx}`;
  if (edit.classId !== undefined) store.getClass(edit.classId);
  const mask = typeof edit.rle === 'string' ? maskAt(edit.rle, video.width, video.height, where) : edit.rle;
  const box = edit.bbox && mask === undefined ? clipBox(edit.bbox, video.width, video.height, where) : undefined;
  const label =
    mask !== undefined ? (mask ? 'Paint mask' : 'Remove mask') : box ? 'Move box' : edit.classId !== undefined ? 'Change class' : 'Change track id';
  return recordedEdit(
    store,
    label,
    () =>
      store.updateAnnotation(annotationId, {
        ...(edit.classId !== undefined ? { classId: edit.classId } : {}),
        ...(edit.trackId !== undefined ? { trackId: edit.trackId } : {}),
        ...(box ? { box } : {}),
        ...(mask !== undefined ? { mask } : {}),
      }),
    video.id,
  );
}

export function deleteAnnotation(store: ProjectStore, annotationId: number): Annotation {
  const current = store.getAnnotation(annotationId);
  const cls = store.getClass(current.classId);
  recordedEdit(store, `Delete ${cls.name}`, () => store.deleteAnnotation(annotationId), current.videoId);
  return current;
}

export function setFrameVerified(store: ProjectStore, videoId: number, frameIdx: number, verified: boolean): void {
  store.getFrame(videoId, frameIdx);
  recordedEdit(store, `${verified ? 'Verify' : 'Unverify'} frame ${frameIdx}`, () => store.setFrameVerified(videoId, frameIdx, verified), videoId);
}

/** "Accept all": the frame's machine labels become the person's, and the frame is verified. */
export function acceptAll(store: ProjectStore, videoId: number, frameIdx: number): number {
  store.getFrame(videoId, frameIdx);
  return recordedEdit(store, `Accept all on frame ${frameIdx}`, () => store.acceptFrame(videoId, frameIdx), videoId);
}

export function undo(store: ProjectStore): EditStep | null {
  return store.undoEdit();
}

export function redo(store: ProjectStore): EditStep | null {
  return store.redoEdit();
}

export function history(store: ProjectStore): EditHistory {
  return store.editHistory();
}
