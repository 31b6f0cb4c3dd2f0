/**
 * The Export dialog's form as plain values, and its translation to and from the contract's export spec.
 * The core validates the spec (a bad value comes back as INVALID_INPUT naming the field).
 */
import type { ExportSpec, ExportSpecInput, FrameSelection, ProjectInfo } from '../../../electron/common/api';

export interface ExportForm {
  format: 'coco' | 'cityscapes';
  outDir: string;
  name: string;
  verified: boolean;
  corrected: boolean;
  carried: boolean;
  /** Machine frames (predicted/propagated) at or above `minScore`. */
  machine: boolean;
  minScore: number;
  everyNth: number;
  useRange: boolean;
  rangeFrom: number;
  /** Exclusive, like the core's range. */
  rangeTo: number;
  validation: 'none' | 'video' | 'time-block';
  valVideoIds: number[];
  blockFrames: number;
  valFraction: number;
  gapFrames: number;
  segmentation: 'rle' | 'polygon';
  cocoImages: 'none' | 'jpeg' | 'png';
  predictions: boolean;
  cityscapesImages: boolean;
  city: string;
}

/** The folder a project file sits in (the path as the core gave it, '/' or '\\' separated). */
export function folderOf(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut > 0 ? file.slice(0, cut) : file;
}

export function defaultForm(project: ProjectInfo): ExportForm {
  const sep = project.path.includes('\\') && !project.path.includes('/') ? '\\' : '/';
  return {
    format: 'coco',
    outDir: `${folderOf(project.path)}${sep}exports`,
    name: `${project.name}-coco`,
    verified: true,
    corrected: true,
    carried: false,
    machine: false,
    minScore: 0.8,
    everyNth: 1,
    useRange: false,
    rangeFrom: 0,
    rangeTo: 100,
    validation: 'none',
    valVideoIds: [],
    blockFrames: 100,
    valFraction: 0.2,
    gapFrames: 10,
    segmentation: 'rle',
    cocoImages: 'jpeg',
    predictions: false,
    cityscapesImages: true,
    city: '',
  };
}

export function selectionOf(f: ExportForm): FrameSelection {
  const validation =
    f.validation === 'video'
      ? { by: 'video' as const, videoIds: f.valVideoIds }
      : f.validation === 'time-block'
        ? { by: 'time-block' as const, blockFrames: f.blockFrames, fraction: f.valFraction, gapFrames: f.gapFrames }
        : { by: 'none' as const };
  return {
    verified: f.verified,
    corrected: f.corrected,
    carried: f.carried,
    machineMinScore: f.machine ? f.minScore : null,
    everyNth: f.everyNth,
    ...(f.useRange ? { range: { from: f.rangeFrom, to: f.rangeTo } } : {}),
    validation,
  };
}

export function specOf(f: ExportForm, overwrite = false): ExportSpecInput {
  const common = { outDir: f.outDir.trim(), name: f.name.trim(), overwrite, selection: selectionOf(f) };
  if (f.format === 'coco') {
    return { format: 'coco', ...common, segmentation: f.segmentation, images: f.cocoImages, predictions: f.predictions };
  }
  return { format: 'cityscapes', ...common, images: f.cityscapesImages, ...(f.city.trim() ? { city: f.city.trim() } : {}) };
}

/** A saved spec back into the form (fields the spec does not set keep the form's values). */
export function formOf(spec: ExportSpec, base: ExportForm): ExportForm {
  const s = spec.selection;
  const v = s.validation;
  return {
    ...base,
    format: spec.format,
    outDir: spec.outDir,
    name: spec.name,
    verified: s.verified,
    corrected: s.corrected,
    carried: s.carried,
    machine: s.machineMinScore !== null,
    minScore: s.machineMinScore ?? base.minScore,
    everyNth: s.everyNth,
    useRange: Boolean(s.range),
    rangeFrom: s.range?.from ?? base.rangeFrom,
    rangeTo: s.range?.to ?? base.rangeTo,
    validation: v.by,
    valVideoIds: v.by === 'video' ? v.videoIds : base.valVideoIds,
    blockFrames: v.by === 'time-block' ? v.blockFrames : base.blockFrames,
    valFraction: v.by === 'time-block' ? v.fraction : base.valFraction,
    gapFrames: v.by === 'time-block' ? v.gapFrames : base.gapFrames,
    ...(spec.format === 'coco'
      ? { segmentation: spec.segmentation, cocoImages: spec.images, predictions: spec.predictions }
      : { cityscapesImages: spec.images, city: spec.city ?? '' }),
  };
}
