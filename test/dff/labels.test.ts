import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { classMapToRles, labelFrame, segmentationConfidence } from '../../electron/core/dff/labels';
import { readManifest } from '../../electron/core/models/load-pack';
import { decodeSegmentation } from '../../electron/core/models/decode';
import { decodeMask, encodeMask } from '../../electron/core/masks/rle';

describe('classMapToRles', () => {
  it('gives, for each class present in a column-major map, the same RLE as encoding its mask alone', () => {
    const h = 37;
    const w = 53;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 5; round++) {
      // blobs of classes 0..4, plus class 5 only in the last pixel and class 6 only in the first
      const map = new Uint8Array(h * w).map((_, p) => Math.floor(((p % w) / w) * 3 + rand() * 2) % 5);
      if (round > 2) map[h * w - 1] = 5;
      if (round > 3) map[0] = 6;
      const columns = new Uint8Array(h * w).map((_, i) => map[(i % h) * w + Math.floor(i / h)]!); // COCO's order
      const rles = classMapToRles(columns, h, w);
      const present = [...new Set(map)].sort((a, b) => a - b);
      expect([...rles.keys()]).toEqual(present);
      for (const c of present) {
        expect(rles.get(c)).toEqual(encodeMask(map.map((v) => (v === c ? 1 : 0)), h, w));
        expect(decodeMask(rles.get(c)!).reduce((s, v) => s + v, 0)).toBe(map.filter((v) => v === c).length);
      }
    }
  });
});

describe('segmentationConfidence', () => {
  it('is the mean top softmax probability, and per class where that class wins', () => {
    // 3 classes over 2 cells: cell 0 logits (0, ln 3, 0) -> p = 0.6 for class 1; cell 1 (ln 4, 0, 0) -> 4/6 for class 0
    const data = new Float32Array([0, Math.log(4), Math.log(3), 0, 0, 0]);
    const c = segmentationConfidence(new ort.Tensor('float32', data, [1, 3, 1, 2]));
    expect(c.mean).toBeCloseTo((0.6 + 4 / 6) / 2, 6);
    expect(c.perClass[0]).toBeCloseTo(4 / 6, 6);
    expect(c.perClass[1]).toBeCloseTo(0.6, 6);
    expect(c.perClass[2]).toBeUndefined();
  });

  it('matches softmax with Math.exp on varied logits (its exp is a table and a cubic)', () => {
    const [C, cells] = [7, 2000];
    const data = new Float32Array(C * cells);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < data.length; i++) data[i] = (random() - 0.5) * (i % 3 === 0 ? 60 : 8); // gaps from ~0 to beyond 24
    const c = segmentationConfidence(new ort.Tensor('float32', data, [1, C, 1, cells]));
    let total = 0;
    const sum = new Float64Array(C);
    const count = new Float64Array(C);
    for (let p = 0; p < cells; p++) {
      const logits = Array.from({ length: C }, (_, k) => data[k * cells + p]!);
      const best = logits.indexOf(Math.max(...logits));
      const prob = 1 / logits.reduce((z, l) => z + Math.exp(l - logits[best]!), 0);
      total += prob;
      sum[best] += prob;
      count[best]++;
    }
    expect(c.mean).toBeCloseTo(total / cells, 6);
    for (let k = 0; k < C; k++) expect(c.perClass[k]).toBeCloseTo(sum[k]! / count[k]!, 6);
  });
});

/** The definition: every pixel's logits resized bilinearly (half-pixel centres), then argmax. */
function referenceClassMap(data: Float32Array, [C, h, w]: [number, number, number], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const at = (v: number, n: number, size: number) => {
    const f = Math.max((v + 0.5) * (n / size) - 0.5, 0);
    const i0 = Math.min(Math.floor(f), n - 1);
    return [i0, Math.min(i0 + 1, n - 1), Math.min(f - i0, 1)] as const;
  };
  for (let y = 0; y < height; y++) {
    const [y0, y1, wy] = at(y, h, height);
    for (let x = 0; x < width; x++) {
      const [x0, x1, wx] = at(x, w, width);
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        const l = (yy: number, xx: number) => data[c * h * w + yy * w + xx]!;
        const v = l(y0, x0) * (1 - wx) * (1 - wy) + l(y0, x1) * wx * (1 - wy) + l(y1, x0) * (1 - wx) * wy + l(y1, x1) * wx * wy;
        if (v > bestV) [bestV, best] = [v, c];
      }
      out[y * width + x] = best;
    }
  }
  return out;
}

describe('decodeSegmentation', () => {
  it('gives exactly the bilinear-then-argmax class map, up-sampling and down-sampling', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const [C, h, w] = [7, 12, 20];
    // smooth class blobs (like a real head's logits) plus noise, so both uniform areas and borders occur
    const data = new Float32Array(C * h * w).map((_, i) => {
      const c = Math.floor(i / (h * w));
      const p = i % (h * w);
      const [y, x] = [Math.floor(p / w), p % w];
      return Math.sin((x + 3 * c) / 3) * Math.cos((y - 2 * c) / 2) * 4 + rand();
    });
    const logits = new ort.Tensor('float32', data, [1, C, h, w]);
    // the same with class 2 over the top 4 rows of cells: whole rows of one class (repeated, not mixed)
    const banded = data.map((v, i) => (i >= 2 * h * w && i < 2 * h * w + 4 * w ? v + 40 : v));
    for (const d of [data, banded]) {
      for (const [W, H] of [[640, 360], [320, 192], [97, 61], [15, 9]] as const) {
        const fast = decodeSegmentation({ data: d, dims: logits.dims }, W, H);
        expect(new Set(fast).size).toBeGreaterThan(2);
        expect(Buffer.from(fast).equals(Buffer.from(referenceClassMap(d, [C, h, w], W, H))), `${W}x${H}`).toBe(true);
        if (d === banded) expect(fast.subarray(0, W * Math.floor(H / 4)).every((c) => c === 2), `${W}x${H} top band`).toBe(true);
      }
    }
  });
});

describe('labelFrame', () => {
  it('gives one mask per class present, each the bilinear-then-argmax class map at the video size', async () => {
    const manifest = await readManifest(fileURLToPath(new URL('../../models/default', import.meta.url)));
    const [C, h, w] = [manifest.classes.length + 1, 48, 80];
    const data = new Float32Array(C * h * w).map((_, i) => {
      const c = Math.floor(i / (h * w));
      const [y, x] = [Math.floor((i % (h * w)) / w), i % w];
      return Math.sin((x + 5 * c) / 4) * Math.cos((y - 3 * c) / 3) * 4 + (c === 0 ? 1.5 : 0);
    });
    for (const [W, H] of [[1280, 720], [333, 187], [60, 40]] as const) {
      const { masks } = labelFrame({ segmentation: { data, dims: [1, C, h, w] } }, manifest, { width: W, height: H });
      const map = referenceClassMap(data, [C, h, w], W, H);
      const present = [...new Set(map)].filter((c) => c !== manifest.heads.segmentation!.backgroundId).sort((a, b) => a - b);
      expect(present.length, `${W}x${H}`).toBeGreaterThan(2);
      expect(masks.map((m) => m.classId)).toEqual(present);
      for (const m of masks) expect(m.mask, `class ${m.classId} at ${W}x${H}`).toEqual(encodeMask(map.map((v) => (v === m.classId ? 1 : 0)), H, W));
    }
  });
});
