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
 * Class id per pixel at width x height, row-major: logits (1, C, h, w) resized bilinearly (half-pixel
 * centres, as PyTorch's align_corners=False), then argmax; id 0 is background. Fast at video sizes: a bilinear
 * mix of logit vectors whose argmax is the same class has that argmax too (for each k, l[c] - l[k] >= 0 at
 * every corner stays >= 0 under convex weights), so a run of pixels that share four source cells of one class
 * is filled at once; only pixels along class borders mix the C logits.
 */
export function decodeSegmentation(logits: MapTensor, width: number, height: number, cellClass = classPerCell(logits)): Uint8Array {
  const [, C, h, w] = logits.dims as [number, number, number, number];
  const d = logits.data;
  const plane = h * w;
  const xs = axisSamples(width, w);
  const ys = axisSamples(height, h);
  // runs of output columns [start, end) that read the same two source columns
  const runs: number[] = [0];
  for (let x = 1; x < width; x++) if (xs.i0[x] !== xs.i0[x - 1] || xs.i1[x] !== xs.i1[x - 1]) runs.push(x);
  runs.push(width);
  const out = new Uint8Array(width * height);
  const candidates = new Int32Array(C);
  // per run of the current pair of source rows: the class of its four cells when they agree, else -1 (a border)
  const runClass = new Int16Array(runs.length - 1);
  let pairRows = -1;
  let pairHasBorder = false;
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y]! * w;
    const r1 = ys.i1[y]! * w;
    const wy = ys.frac[y]!;
    const row = y * width;
    if (r0 * h + r1 !== pairRows) {
      pairRows = r0 * h + r1;
      pairHasBorder = false;
      for (let r = 0; r < runClass.length; r++) {
        const start = runs[r]!;
        const c0 = cellClass[r0 + xs.i0[start]!]!;
        const same = cellClass[r0 + xs.i1[start]!] === c0 && cellClass[r1 + xs.i0[start]!] === c0 && cellClass[r1 + xs.i1[start]!] === c0;
        runClass[r] = same ? c0 : -1;
        if (!same) pairHasBorder = true;
      }
    } else if (!pairHasBorder) {
      out.copyWithin(row, row - width, row); // the same source rows and no border: the row above again
      continue;
    }
    for (let r = 0; r < runClass.length; r++) {
      const start = runs[r]!;
      const end = runs[r + 1]!;
      if (runClass[r]! >= 0) {
        out.fill(runClass[r]!, row + start, row + end);
        continue;
      }
      const i00 = r0 + xs.i0[start]!;
      const i01 = r0 + xs.i1[start]!;
      const i10 = r1 + xs.i0[start]!;
      const i11 = r1 + xs.i1[start]!;
      // a class border: interpolate the logits, of the classes that can win somewhere between the four cells
      // (a class whose largest corner logit is below another's smallest never wins under convex weights)
      let floor = -Infinity;
      for (let o = 0; o < C * plane; o += plane) floor = Math.max(floor, Math.min(d[o + i00]!, d[o + i01]!, d[o + i10]!, d[o + i11]!));
      floor -= 1e-4 * (1 + Math.abs(floor)); // a margin for rounding in the mix below
      let n = 0;
      for (let c = 0, o = 0; c < C; c++, o += plane) {
        if (Math.max(d[o + i00]!, d[o + i01]!, d[o + i10]!, d[o + i11]!) >= floor) candidates[n++] = c;
      }
      for (let x = start; x < end; x++) {
        const wx = xs.frac[x]!;
        const w00 = (1 - wx) * (1 - wy);
        const w01 = wx * (1 - wy);
        const w10 = (1 - wx) * wy;
        const w11 = wx * wy;
        let best = 0;
        let bestV = -Infinity;
        for (let k = 0; k < n; k++) {
          const c = candidates[k]!;
          const o = c * plane;
          const v = d[o + i00]! * w00 + d[o + i01]! * w01 + d[o + i10]! * w10 + d[o + i11]! * w11;
          if (v > bestV) {
            bestV = v;
            best = c;
          }
        }
        out[row + x] = best;
      }
    }
  }
  return out;
}

/** The same maps with rows and columns swapped: (1, C, h, w) -> (1, C, w, h). */
export function transposeMaps(t: MapTensor): MapTensor {
  const [n, C, h, w] = t.dims as [number, number, number, number];
  const out = new Float32Array(t.data.length);
  for (let c = 0, o = 0; c < C; c++, o += h * w) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[o + x * h + y] = t.data[o + y * w + x]!;
  }
  return { data: out, dims: [n, C, w, h] };
}

/** For each of `size` output positions, the two source cells of `cells` it reads and the weight of the second. */
function axisSamples(size: number, cells: number): { i0: Int32Array; i1: Int32Array; frac: Float64Array } {
  const i0 = new Int32Array(size);
  const i1 = new Int32Array(size);
  const frac = new Float64Array(size);
  const s = cells / size;
  for (let v = 0; v < size; v++) {
    const f = Math.max((v + 0.5) * s - 0.5, 0);
    i0[v] = Math.min(Math.floor(f), cells - 1);
    i1[v] = Math.min(i0[v]! + 1, cells - 1);
    frac[v] = Math.min(f - i0[v]!, 1);
  }
  return { i0, i1, frac };
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
