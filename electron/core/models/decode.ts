/** Turns a pack's head outputs into labels: a class-id map (argmax) and boxes (CenterNet decode + NMS). */
import type { PackManifest } from './manifest';

/** A float tensor as onnxruntime returns it: data in NCHW order, batch 1. */
export interface MapTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface Detection {
  /** [x, y, w, h] in input pixels. */
  box: [number, number, number, number];
  score: number;
  classId: number;
}

export type DetectionParams = NonNullable<PackManifest['heads']['detection']>;

/** The winning class of every logit cell (argmax over the class axis), row-major at logit resolution. */
export function classPerCell(logits: MapTensor): Uint8Array {
  const [, C, h, w] = logits.dims as [number, number, number, number];
  const d = logits.data;
  const plane = h * w;
  const cells = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0, o = p; c < C; c++, o += plane) {
      if (d[o]! > bestV) {
        bestV = d[o]!;
        best = c;
      }
    }
    cells[p] = best;
  }
  return cells;
}

/**
 * Class id per pixel at width x height: logits (1, C, h, w) resized bilinearly (half-pixel centres, as
 * PyTorch's align_corners=False), then argmax; id 0 is background. Fast at video sizes: a bilinear mix of logit vectors whose argmax is the same class has that argmax
 * too (for each k, l[c] - l[k] >= 0 at every corner stays >= 0 under convex weights), so pixels whose four
 * source cells agree take the class without touching the C logits; only pixels along class borders
 * mix the C logits.
 */
export function decodeSegmentation(logits: MapTensor, width: number, height: number, cellClass = classPerCell(logits)): Uint8Array {
  const [, C, h, w] = logits.dims as [number, number, number, number];
  const d = logits.data;
  const plane = h * w;
  const sx = w / width;
  const sy = h / height;
  const xs = Array.from({ length: width }, (_, x) => {
    const f = Math.max((x + 0.5) * sx - 0.5, 0);
    const x0 = Math.min(Math.floor(f), w - 1);
    return { x0, x1: Math.min(x0 + 1, w - 1), wx: Math.min(f - x0, 1) };
  });
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const f = Math.max((y + 0.5) * sy - 0.5, 0);
    const y0 = Math.min(Math.floor(f), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = Math.min(f - y0, 1);
    const r0 = y0 * w;
    const r1 = y1 * w;
    for (let x = 0; x < width; x++) {
      const { x0, x1, wx } = xs[x]!;
      const i00 = r0 + x0;
      const i01 = r0 + x1;
      const i10 = r1 + x0;
      const i11 = r1 + x1;
      const c0 = cellClass[i00]!;
      if (cellClass[i01] === c0 && cellClass[i10] === c0 && cellClass[i11] === c0) {
        out[y * width + x] = c0;
        continue;
      }
      // a class border: interpolate the logits
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0, o = 0; c < C; c++, o += plane) {
        const v = d[o + i00]! * w00 + d[o + i01]! * w01 + d[o + i10]! * w10 + d[o + i11]! * w11;
        if (v > bestV) {
          bestV = v;
          best = c;
        }
      }
      out[y * width + x] = best;
    }
  }
  return out;
}

export function boxIoU(a: readonly number[], b: readonly number[]): number {
  const x1 = Math.max(a[0]!, b[0]!);
  const y1 = Math.max(a[1]!, b[1]!);
  const x2 = Math.min(a[0]! + a[2]!, b[0]! + b[2]!);
  const y2 = Math.min(a[1]! + a[3]!, b[1]! + b[3]!);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  return inter / (a[2]! * a[3]! + b[2]! * b[3]! - inter + 1e-9);
}

/** Greedy per-class non-maximum suppression; returns detections by descending score. */
export function nms(dets: Detection[], iou: number): Detection[] {
  const sorted = [...dets].sort((p, q) => q.score - p.score);
  const keep: Detection[] = [];
  for (const d of sorted) {
    if (keep.every((k) => k.classId !== d.classId || boxIoU(k.box, d.box) < iou)) keep.push(d);
  }
  return keep;
}

/**
 * CenterNet: sigmoid heatmap (1, C, h, w), peaks = local maxima in a k x k window, the top-K above
 * `minScore`; box centre = (cell + offset) * stride, size = exp(size) * stride. Class ids are channel + 1.
 */
export function decodeCenterNet(
  heatmap: MapTensor,
  size: MapTensor,
  offset: MapTensor,
  params: DetectionParams,
  minScore = params.scoreThreshold,
): Detection[] {
  const [, C, h, w] = heatmap.dims as [number, number, number, number];
  const plane = h * w;
  const prob = new Float32Array(heatmap.data.length);
  for (let i = 0; i < prob.length; i++) prob[i] = 1 / (1 + Math.exp(-heatmap.data[i]!));
  const r = (params.peakKernel - 1) / 2;
  const peaks: { score: number; c: number; y: number; x: number }[] = [];
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = prob[c * plane + y * w + x]!;
        if (v < minScore) continue;
        let isPeak = true;
        for (let dy = -r; dy <= r && isPeak; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            if (prob[c * plane + yy * w + xx]! > v) {
              isPeak = false;
              break;
            }
          }
        }
        if (isPeak) peaks.push({ score: v, c, y, x });
      }
    }
  }
  peaks.sort((a, b) => b.score - a.score);
  const s = params.stride;
  const dets = peaks.slice(0, params.topK).map(({ score, c, y, x }): Detection => {
    const i = y * w + x;
    const cx = (x + offset.data[i]!) * s;
    const cy = (y + offset.data[plane + i]!) * s;
    const bw = Math.exp(size.data[i]!) * s;
    const bh = Math.exp(size.data[plane + i]!) * s;
    return { box: [cx - bw / 2, cy - bh / 2, bw, bh], score, classId: c + 1 };
  });
  return nms(dets, params.nmsIou);
}
