/**
 * A frame's task outputs as labels at the video's size. Decisions (documented in README.md):
 * - detection head: one box annotation per detection (its score), mapped from model input to video pixels;
 * - segmentation head (class map: decodeSegmentation): one mask annotation per class present (semantic: no instance split, no track id),
 *   its box the mask's box, its score the class's mean probability where it wins;
 * - the frame's score: mean top-class probability of the segmentation, else the mean box score.
 */
import { countsToString, type CocoRle } from '../masks/rle';
import { classPerCell, decodeCenterNet, decodeSegmentation } from '../models/decode';
import type { PackManifest } from '../models/manifest';
import { segmentationConfidence } from './frame-signals';
import type { HeadOutputs, PackBox, PackMask } from './types';

export { segmentationConfidence };

export interface Size {
  width: number;
  height: number;
}

export function labelFrame(outputs: HeadOutputs, manifest: PackManifest, video: Size): { score: number | null; boxes: PackBox[]; masks: PackMask[] } {
  const { heads, input } = manifest;
  let boxes: PackBox[] = [];
  let masks: PackMask[] = [];
  let score: number | null = null;
  if (heads.detection && outputs.heatmap && outputs.size && outputs.offset) {
    const dets = decodeCenterNet(outputs.heatmap, outputs.size, outputs.offset, heads.detection);
    const sx = video.width / input.width;
    const sy = video.height / input.height;
    boxes = dets.flatMap((d) => {
      const x0 = clamp(d.box[0] * sx, video.width);
      const y0 = clamp(d.box[1] * sy, video.height);
      const x1 = clamp((d.box[0] + d.box[2]) * sx, video.width);
      const y1 = clamp((d.box[1] + d.box[3]) * sy, video.height);
      return x1 > x0 && y1 > y0 ? [{ classId: d.classId, box: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, score: d.score }] : [];
    });
    if (boxes.length) score = boxes.reduce((s, b) => s + b.score, 0) / boxes.length;
  }
  if (heads.segmentation && outputs.segmentation) {
    const cells = classPerCell(outputs.segmentation); // one argmax for the confidence and the class map
    const conf = segmentationConfidence(outputs.segmentation, cells);
    const classMap = decodeSegmentation(outputs.segmentation, video.width, video.height, cells);
    masks = [...classMapToRles(classMap, video.height, video.width)]
      .filter(([classId]) => classId !== heads.segmentation!.backgroundId)
      .map(([classId, mask]) => ({ classId, mask, score: conf.perClass[classId] ?? conf.mean }));
    score = conf.mean;
  }
  return { score, boxes, masks };
}

/**
 * One COCO RLE per class present in a row-major class-id map, in one column-major pass: where the id
 * changes, the old class's run of ones ends and the new class's run of zeros ends.
 */
export function classMapToRles(map: Uint8Array, h: number, w: number): Map<number, CocoRle> {
  const runs = new Map<number, number[]>();
  const runStart = new Map<number, number>();
  let prev = -1;
  for (let x = 0, pos = 0; x < w; x++) {
    for (let y = 0; y < h; y++, pos++) {
      const v = map[y * w + x]!;
      if (v === prev) continue;
      if (prev >= 0) {
        runs.get(prev)!.push(pos - runStart.get(prev)!);
        runStart.set(prev, pos);
      }
      let r = runs.get(v);
      if (!r) runs.set(v, (r = []));
      r.push(pos - (runStart.get(v) ?? 0));
      runStart.set(v, pos);
      prev = v;
    }
  }
  const n = h * w;
  const out = new Map<number, CocoRle>();
  for (const [c, r] of [...runs].sort((a, b) => a[0] - b[0])) {
    const tail = n - runStart.get(c)!;
    if (tail > 0) r.push(tail);
    out.set(c, { size: [h, w], counts: countsToString(r) });
  }
  return out;
}

function clamp(v: number, max: number): number {
  return Math.min(Math.max(v, 0), max);
}
