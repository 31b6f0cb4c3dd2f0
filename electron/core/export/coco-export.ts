/**
 * COCO export: per split, annotations/instances_{split}.json (streamed: images, then annotations),
 * optionally annotations/results_{split}.json (the machine's rows with scores) and the frame images
 * under images/{split}/. Category ids are the project's class ids; image and annotation ids count
 * from 1 across the whole export; track_id is the project's track id, instance_id one id per
 * (video, track) unique in the export. Each `videos` entry carries the video's accepted action segments:
 * actions: [{id, category (the action class name), start_frame, end_frame (both included), segment: [start s,
 * end s] with end = (end_frame + 1) / fps, score (null for a person's), source ('human' | 'machine')}]; the same
 * segments are in actions.json (ActivityNet style, see actions-export.ts).
 */
import { maskArea, type CocoRle } from '../masks/rle';
import type { Annotation } from '../store';
import { cocoVideoActions } from './actions-export';
import type { CocoSpec } from './export-spec';
import { videoFolders, type ExportContext, type ExportResult } from './export-context';
import { JsonStreamWriter } from './json-writer';
import { writeWhole } from './output-folder';
import { rleToRings, type Ring } from './polygons';
import { annotationsOf, type SelectedFrame, type Split } from './selection';

const MACHINE = new Set(['predicted', 'propagated']);

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  video_id: number;
  /** The frame's index in its video, from 0. */
  frame_id: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0;
  segmentation?: CocoRle | Ring[];
  video_id: number;
  track_id?: number;
  instance_id?: number;
  score?: number;
}

/** COCO segmentation of a mask: RLE, or polygons when asked for and the mask has no holes. */
export function cocoSegmentation(mask: CocoRle, style: CocoSpec['segmentation']): CocoRle | Ring[] {
  if (style === 'rle') return mask;
  const { outer, holes } = rleToRings(mask);
  return holes.length > 0 || outer.length === 0 ? mask : outer;
}

export async function writeCoco(ctx: ExportContext, spec: CocoSpec): Promise<ExportResult> {
  const { store, frames, out } = ctx;
  const videos = new Map(store.listVideos().map((v) => [v.id, v]));
  const folders = videoFolders([...videos.values()]);
  const ext = spec.images === 'png' ? 'png' : 'jpg';
  const actionNames = new Map(store.listActionClasses().map((c) => [c.id, c.name]));
  const categories = store.listClasses().map((c) => ({ id: c.id, name: c.name, supercategory: c.hasInstances ? 'thing' : 'stuff' }));
  const splits: Split[] = (['train', 'val'] as const).filter((s) => frames.some((f) => f.split === s));
  const imageIds = new Map<SelectedFrame, number>();
  frames.forEach((f, i) => imageIds.set(f, i + 1));
  const fileName = (f: SelectedFrame) => `${folders.get(f.videoId)}/${String(f.frameIdx).padStart(6, '0')}.${ext}`;
  const instanceIds = new Map<string, number>();
  const files: string[] = [];
  const warnings: string[] = [];
  let annotationId = 0;
  let labelsDone = 0;
  let imagesDone = 0;
  let unscored = 0;

  for (const split of splits) {
    const inSplit = frames.filter((f) => f.split === split);
    const rel = `annotations/instances_${split}.json`;
    const json = new JsonStreamWriter(await out.file(rel));
    const results = spec.predictions ? new JsonStreamWriter(await out.file(`annotations/results_${split}.json`)) : null;
    try {
      const usedVideos = [...new Set(inSplit.map((f) => f.videoId))].map((id) => videos.get(id)!);
      await json.raw(
        `{"info":${JSON.stringify({ description: `${store.name}: ${split}`, version: '1.0', date_created: new Date().toISOString(), contributor: 'DFF Studio' })},"licenses":[],"categories":${JSON.stringify(categories)}`,
      );
      await json.openArray(',', 'videos');
      for (const v of usedVideos) {
        await json.item({
          id: v.id,
          name: v.relPath,
          width: v.width,
          height: v.height,
          frame_count: v.frameCount,
          fps: v.fpsNum / v.fpsDen,
          actions: cocoVideoActions(store, v, actionNames),
        });
      }
      await json.closeArray();
      await json.openArray(',', 'images');
      for (const f of inSplit) {
        ctx.checkCancelled();
        const v = videos.get(f.videoId)!;
        const image: CocoImage = { id: imageIds.get(f)!, file_name: fileName(f), width: v.width, height: v.height, video_id: v.id, frame_id: f.frameIdx };
        await json.item(image);
        if (ctx.images && spec.images !== 'none') {
          const data = await ctx.images.encode(f.videoId, f.frameIdx, spec.images, spec.jpegQuality);
          const imageRel = `images/${split}/${image.file_name}`;
          await writeWhole(await out.file(imageRel), data);
          files.push(imageRel);
          ctx.progress({ phase: 'images', done: ++imagesDone, total: frames.length });
        }
      }
      await json.closeArray();
      await json.openArray(',', 'annotations');
      if (results) await results.raw('[');
      let resultCount = 0;
      for (const { frame, annotations } of annotationsOf(store, inSplit)) {
        ctx.checkCancelled();
        const imageId = imageIds.get(frame)!;
        for (const a of annotations) {
          const ann = toCocoAnnotation(a, ++annotationId, imageId, spec.segmentation, instanceIds);
          await json.item(ann);
          if (results && MACHINE.has(a.source)) {
            if (a.score === null) unscored++;
            else {
              const r = { image_id: imageId, category_id: a.classId, bbox: ann.bbox, score: a.score, ...(a.mask ? { segmentation: a.mask } : {}) };
              await results.raw((resultCount++ === 0 ? '\n' : ',\n') + JSON.stringify(r));
            }
          }
        }
        ctx.progress({ phase: 'labels', done: ++labelsDone, total: frames.length });
      }
      await json.closeArray();
      await json.raw('}\n');
      await json.close();
      files.push(rel);
      if (results) {
        await results.raw(']\n');
        await results.close();
        files.push(`annotations/results_${split}.json`);
      }
    } catch (err) {
      await json.destroy();
      await results?.destroy();
      throw err;
    }
  }
  if (unscored) warnings.push(`${unscored} machine annotation(s) without a score were left out of the results files`);
  return {
    dest: out.dest,
    format: 'coco',
    frames: frames.length,
    framesBySplit: { train: frames.filter((f) => f.split === 'train').length, val: frames.filter((f) => f.split === 'val').length },
    annotations: annotationId,
    files,
    warnings,
  };
}

function toCocoAnnotation(
  a: Annotation,
  id: number,
  imageId: number,
  style: CocoSpec['segmentation'],
  instanceIds: Map<string, number>,
): CocoAnnotation {
  const ann: CocoAnnotation = {
    id,
    image_id: imageId,
    category_id: a.classId,
    bbox: [a.box.x, a.box.y, a.box.w, a.box.h],
    area: a.mask ? maskArea(a.mask) : a.box.w * a.box.h,
    iscrowd: 0,
    video_id: a.videoId,
  };
  if (a.mask) ann.segmentation = cocoSegmentation(a.mask, style);
  if (a.trackId !== null) {
    const key = `${a.videoId}/${a.trackId}`;
    let instance = instanceIds.get(key);
    if (instance === undefined) instanceIds.set(key, (instance = instanceIds.size + 1));
    ann.track_id = a.trackId;
    ann.instance_id = instance;
  }
  if (a.score !== null) ann.score = a.score;
  return ann;
}
