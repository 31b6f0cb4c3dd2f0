/**
 * A frame's task outputs as labels at the video's size. Decisions (documented in README.md):
 * - detection head: one box annotation per detection (its score), mapped from model input to video pixels;
 * - segmentation head (class map: decodeSegmentation): one mask annotation per class present (semantic: no instance split, no track id),
 *   its box the mask's box, its score the class's mean probability where it wins;
 * - the frame's score: mean top-class probability of the segmentation, else the mean box score.
 */
import { countsToString, type CocoRle } from '../masks/rle';
import { classPerCell, decodeCenterNet, decodeSegmentation, transposeMaps } from '../models/decode';
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
    // the transposed logits: the class map comes out column-major, COCO RLE's order (the confidence, a mean
    // over cells, does not care); one argmax per cell serves both
    const logits = transposeMaps(outputs.segmentation);
    const cells = classPerCell(logits);
    const conf = segmentationConfidence(logits, cells);
    const columns = decodeSegmentation(logits, video.height, video.width, cells);
    masks = [...classMapToRles(columns, video.height, video.width)]
      .filter(([classId]) => classId !== heads.segmentation!.backgroundId)
      .map(([classId, mask]) => ({ classId, mask, score: conf.perClass[classId] ?? conf.mean }));
    score = conf.mean;
  }
  return { score, boxes, masks };
}

/**
 * One COCO RLE per class present in an h x w class-id map given column-major (COCO's order), in one pass:
 * where the id changes, the old class's run of ones ends and the new class's run of zeros ends.
 */
export function classMapToRles(columns: Uint8Array, h: number, w: number): Map<number, CocoRle> {
  const runs: (number[] | undefined)[] = [];
  const runStart = new Int32Array(256); // where each class's current run began (0 before its first pixel)
  const n = h * w;
  // four pixels at a time where they repeat the current class (most of a mask is long runs)
  const words = columns.byteOffset % 4 === 0 ? new Uint32Array(columns.buffer, columns.byteOffset, n >> 2) : null;
  let prev = -1;
  let prevWord = -1;
  for (let pos = 0; pos < n; pos++) {
    if (words && (pos & 3) === 0 && words[pos >> 2] === prevWord) {
      pos += 3;
      continue;
    }
    const v = columns[pos]!;
    if (v === prev) continue;
    if (prev >= 0) {
      runs[prev]!.push(pos - runStart[prev]!);
      runStart[prev] = pos;
    }
    (runs[v] ??= []).push(pos - runStart[v]!);
    runStart[v] = pos;
    prev = v;
    prevWord = (v * 0x01010101) >>> 0;
  }
  const out = new Map<number, CocoRle>();
  runs.forEach((r, c) => {
    if (!r) return;
    const tail = n - runStart[c]!;
    if (tail > 0) r.push(tail);
    out.set(c, { size: [h, w], counts: countsToString(r) });
  });
  return out;
}

function clamp(v: number, max: number): number {
  return Math.min(Math.max(v, 0), max);
}
