/**
 * Cityscapes export in the official layout: gtFine/{split}/{city}/{city}_{seq}_{frame}_gtFine_*.png
 * and _polygons.json, leftImg8bit/{split}/{city}/{city}_{seq}_{frame}_leftImg8bit.png. {seq} is the
 * video id, {frame} the frame index (both 6 digits).
 *
 * Annotations are painted in id order, later over earlier (as cityscapesScripts' json2labelImg
 * draws polygons in list order). labelIds: 8-bit, 0 ('unlabeled') where nothing is painted.
 * instanceIds: 16-bit, label id × 1000 + n for labels with instances (n counts that label's objects
 * in the frame from 0), the label id otherwise. polygons.json lists each object's outer rings (on
 * pixel corners, see polygons.ts); holes are not in it, the PNGs are exact.
 */
import sharp from 'sharp';
import { decodeMask } from '../masks/rle';
import type { Annotation, ProjectStore } from '../store';
import type { CityscapesLabel } from './cityscapes-labels';
import { requireCityscapesLabels } from './cityscapes-map';
import type { CityscapesSpec } from './export-spec';
import { pad6, type ExportContext, type ExportResult } from './export-context';
import { writeWhole } from './output-folder';
import { rleToRings, ringToPoints } from './polygons';
import { annotationsOf, type SelectedFrame } from './selection';

export interface CityscapesFrame {
  labelIds: Uint8Array;
  instanceIds: Uint16Array;
  color: Uint8Array;
  polygons: { imgHeight: number; imgWidth: number; objects: Array<{ label: string; polygon: Array<[number, number]> }> };
  /** Annotations without a mask: they have no pixels. */
  boxOnly: number;
}

/** Paints one frame's annotations into the Cityscapes images (annotations in paint order). */
export function renderCityscapesFrame(
  annotations: readonly Annotation[],
  labels: ReadonlyMap<number, CityscapesLabel>,
  height: number,
  width: number,
): CityscapesFrame {
  const labelIds = new Uint8Array(height * width);
  const instanceIds = new Uint16Array(height * width);
  const objects: CityscapesFrame['polygons']['objects'] = [];
  const counts = new Map<number, number>();
  let boxOnly = 0;
  for (const a of annotations) {
    if (!a.mask) {
      boxOnly++;
      continue;
    }
    const label = labels.get(a.classId)!;
    let value = label.id;
    if (label.hasInstances) {
      const n = counts.get(label.id) ?? 0;
      counts.set(label.id, n + 1);
      value = label.id * 1000 + n;
    }
    const mask = decodeMask(a.mask);
    for (let i = 0; i < mask.length; i++) {
      if (mask[i]) {
        labelIds[i] = label.id;
        instanceIds[i] = value;
      }
    }
    for (const ring of rleToRings(a.mask).outer) objects.push({ label: label.name, polygon: ringToPoints(ring) });
  }
  const color = new Uint8Array(height * width * 3);
  const palette = new Map<number, [number, number, number]>();
  for (const l of labels.values()) palette.set(l.id, l.color);
  for (let i = 0; i < labelIds.length; i++) {
    const c = palette.get(labelIds[i]);
    if (c) {
      color[3 * i] = c[0];
      color[3 * i + 1] = c[1];
      color[3 * i + 2] = c[2];
    }
  }
  return { labelIds, instanceIds, color, polygons: { imgHeight: height, imgWidth: width, objects }, boxOnly };
}

/** The classes drawn on the selected frames must all have a Cityscapes label; checked before anything is written. */
export function cityscapesLabelsFor(store: ProjectStore, frames: readonly SelectedFrame[]): Map<number, CityscapesLabel> {
  const used = new Set<number>();
  for (const { annotations } of annotationsOf(store, frames)) for (const a of annotations) if (a.mask) used.add(a.classId);
  return requireCityscapesLabels(store, used);
}

export async function writeCityscapes(
  ctx: ExportContext,
  spec: CityscapesSpec,
  labels: ReadonlyMap<number, CityscapesLabel>,
): Promise<ExportResult> {
  const { store, frames, out } = ctx;
  const city = (spec.city ?? (store.name.replace(/[^a-z0-9-]+/gi, '-').replace(/^-+|-+$/g, '') || 'video')).toLowerCase();
  const videos = new Map(store.listVideos().map((v) => [v.id, v]));
  const files: string[] = [];
  let done = 0;
  let objects = 0;
  let boxOnly = 0;
  for (const { frame, annotations } of annotationsOf(store, frames)) {
    ctx.checkCancelled();
    const { width, height } = videos.get(frame.videoId)!;
    const base = `${city}_${pad6(frame.videoId)}_${pad6(frame.frameIdx)}`;
    const gt = `gtFine/${frame.split}/${city}/${base}_gtFine`;
    const r = renderCityscapesFrame(annotations, labels, height, width);
    const grey = { raw: { width, height, channels: 1 as const } };
    const outputs: Array<[string, Promise<Buffer> | string]> = [
      [`${gt}_labelIds.png`, sharp(r.labelIds, grey).toColourspace('b-w').png().toBuffer()],
      [`${gt}_instanceIds.png`, sharp(r.instanceIds, grey).toColourspace('grey16').png().toBuffer()],
      [`${gt}_color.png`, sharp(r.color, { raw: { width, height, channels: 3 } }).png().toBuffer()],
      [`${gt}_polygons.json`, JSON.stringify(r.polygons)],
    ];
    if (spec.images && ctx.images) {
      outputs.push([`leftImg8bit/${frame.split}/${city}/${base}_leftImg8bit.png`, ctx.images.encode(frame.videoId, frame.frameIdx, 'png')]);
    }
    for (const [rel, data] of outputs) {
      await writeWhole(await out.file(rel), await data);
      files.push(rel);
    }
    objects += annotations.length - r.boxOnly;
    boxOnly += r.boxOnly;
    ctx.progress({ phase: 'labels', done: ++done, total: frames.length });
  }
  return {
    dest: out.dest,
    format: 'cityscapes',
    frames: frames.length,
    framesBySplit: { train: frames.filter((f) => f.split === 'train').length, val: frames.filter((f) => f.split === 'val').length },
    annotations: objects,
    files,
    warnings: boxOnly ? [`${boxOnly} annotation(s) without a mask have no pixels in the Cityscapes images`] : [],
  };
}
