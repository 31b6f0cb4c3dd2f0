import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../support/shared-data';
import {
  countsFromString,
  countsToString,
  decodeMask,
  encodeMask,
  maskArea,
  maskToBox,
  toCocoRle,
  toCountsRle,
  type RleBox,
} from '../../electron/core/masks/rle';

/** Row-major mask from rows of 0/1. */
const rows = (...r: number[][]) => Uint8Array.from(r.flat());

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bruteBox(mask: Uint8Array, h: number, w: number): RleBox {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

function expectRoundTrip(mask: Uint8Array, h: number, w: number): void {
  const rle = encodeMask(mask, h, w);
  expect(rle.counts).toMatch(/^[0-o]*$/);
  const expected = mask.map((v) => (v ? 1 : 0));
  expect(Buffer.from(decodeMask(rle)).equals(Buffer.from(expected))).toBe(true);
  const plain = toCountsRle(rle);
  expect(Buffer.from(decodeMask(plain)).equals(Buffer.from(expected))).toBe(true);
  expect(toCocoRle(plain)).toEqual(rle);
  expect(maskArea(rle)).toBe(expected.reduce((s, v) => s + v, 0));
  expect(maskToBox(rle)).toEqual(bruteBox(expected, h, w));
}

describe('COCO RLE, hand-checked', () => {
  it('a 3×3 mask', () => {
    // 0 1 0
    // 0 1 1      columns top to bottom: col0 = 0 0 0, col1 = 1 1 0, col2 = 0 1 0
    // 0 0 0      → 0 0 0 1 1 0 0 1 0 → runs [3 zeros, 2 ones, 2 zeros, 1 one, 1 zero] = [3, 2, 2, 1, 1]
    // String: runs 0–2 as they are: '0'+3 = '3', '2', '2'. Run 3 is stored as 1 − runs[1] = −1:
    // −1 & 0x1f = 31, and −1 >> 5 = −1 with bit 4 set, so no more chars: '0'+31 = 'O'. Run 4: 1 − runs[2] = −1 → 'O'.
    const mask = rows([0, 1, 0], [0, 1, 1], [0, 0, 0]);
    const rle = encodeMask(mask, 3, 3);
    expect(rle).toEqual({ size: [3, 3], counts: '322OO' });
    expect(toCountsRle(rle).counts).toEqual([3, 2, 2, 1, 1]);
    expect(maskArea(rle)).toBe(3);
    expect(maskToBox(rle)).toEqual([1, 0, 2, 2]);
    expect(decodeMask(rle)).toEqual(mask);
  });

  it('empty and full masks', () => {
    // empty 3×3: one run of 9 zeros → '0'+9 = '9'; full: 0 zeros then 9 ones → '0', '9'
    expect(encodeMask(new Uint8Array(9), 3, 3)).toEqual({ size: [3, 3], counts: '9' });
    expect(encodeMask(new Uint8Array(9).fill(1), 3, 3)).toEqual({ size: [3, 3], counts: '09' });
    expect(maskToBox({ size: [3, 3], counts: '9' })).toEqual([0, 0, 0, 0]);
    expect(maskToBox({ size: [3, 3], counts: '09' })).toEqual([0, 0, 3, 3]);
    expect(maskArea({ size: [3, 3], counts: '09' })).toBe(9);
  });

  it('runs that need more than one character', () => {
    // 10×10 empty: run 100 = 3·32 + 4. First char: low 5 bits 4, rest 3 ≠ 0 → more: (4 | 0x20) + 48 = 'T'; then '0'+3 = '3'.
    expect(encodeMask(new Uint8Array(100), 10, 10).counts).toBe('T3');
    // 4×4 full: runs [0, 16]. 16 has bit 4 set, which would read as negative, so it takes a second char:
    // (16 | 0x20) + 48 = '`', then 0 → '0'.
    expect(encodeMask(new Uint8Array(16).fill(1), 4, 4).counts).toBe('0`0');
  });

  it('a negative delta over two characters', () => {
    // 8×6 mask: columns 0–4 full, column 5 on in rows 5–7 → runs [0, 40, 5, 3].
    // '0'; 40 = 1·32 + 8 → (8 | 0x20) + 48 = 'X', then '1'; '5';
    // run 3 stored as 3 − 40 = −37: −37 & 0x1f = 27, −37 >> 5 = −2 (≠ −1) → more: (27 | 0x20) + 48 = 'k';
    // −2 & 0x1f = 30, −2 >> 5 = −1 and bit 4 of 30 is set → last: 30 + 48 = 'N'.
    const mask = new Uint8Array(48);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 6; x++) mask[y * 6 + x] = x < 5 || y >= 5 ? 1 : 0;
    const rle = encodeMask(mask, 8, 6);
    expect(rle.counts).toBe('0X15kN');
    expect(countsFromString('0X15kN')).toEqual([0, 40, 5, 3]);
    expect(maskArea(rle)).toBe(43);
    expect(maskToBox(rle)).toEqual([0, 0, 6, 8]);
  });

  it('a run that wraps from one column into the next spans the full height in the box', () => {
    // 4×3, on pixels (x=0, y=3) and (x=1, y=0): one run in column-major order [3, 2, 7]
    const mask = rows([0, 1, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0]);
    const rle = encodeMask(mask, 4, 3);
    expect(toCountsRle(rle).counts).toEqual([3, 2, 7]);
    expect(maskToBox(rle)).toEqual([0, 0, 2, 4]);
  });

  it('any non-zero value is on', () => {
    expect(encodeMask(Uint8Array.from([0, 255, 7, 0]), 2, 2)).toEqual(encodeMask(Uint8Array.from([0, 1, 1, 0]), 2, 2));
  });
});

describe('COCO RLE, odd and random shapes', () => {
  it('degenerate sizes', () => {
    expect(encodeMask(new Uint8Array(0), 0, 0)).toEqual({ size: [0, 0], counts: '0' });
    expect(decodeMask({ size: [0, 5], counts: '0' })).toEqual(new Uint8Array(0));
    for (const [h, w] of [[1, 1], [1, 17], [17, 1], [7, 5], [5, 7], [241, 321]]) {
      const rand = prng(h * 1000 + w);
      expectRoundTrip(Uint8Array.from({ length: h * w }, () => (rand() < 0.5 ? 1 : 0)), h, w);
    }
  });

  it('random noise and random blobs round-trip bit-exact', () => {
    const rand = prng(42);
    for (let t = 0; t < 40; t++) {
      const h = 1 + Math.floor(rand() * 120);
      const w = 1 + Math.floor(rand() * 120);
      const density = rand();
      expectRoundTrip(Uint8Array.from({ length: h * w }, () => (rand() < density ? 1 : 0)), h, w);
    }
    for (let t = 0; t < 10; t++) {
      const [h, w] = [480, 853];
      const mask = new Uint8Array(h * w);
      for (let b = 0; b < 5; b++) {
        const cx = rand() * w, cy = rand() * h, r = 5 + rand() * 80;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) mask[y * w + x] = 1;
      }
      expectRoundTrip(mask, h, w);
    }
  });

  it('count arrays survive the string form, large runs and large negative deltas included', () => {
    const rand = prng(7);
    for (let t = 0; t < 200; t++) {
      const counts = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => Math.floor(rand() ** 3 * 50_000_000));
      expect(countsFromString(countsToString(counts))).toEqual(counts);
    }
  });
});

describe('COCO RLE, bad input', () => {
  it('is refused with a message that says what is wrong', () => {
    expect(() => decodeMask({ size: [3, 3], counts: [3, 2] })).toThrow('mask RLE runs add up to 5 pixels but its size 3×3 has 9');
    expect(() => decodeMask({ size: [3, 3], counts: '3 2' })).toThrow(`has " " at 1, outside '0'..'o'`);
    expect(() => decodeMask({ size: [10, 10], counts: 'T' })).toThrow('ends in the middle of a run');
    expect(() => decodeMask({ size: [3, 3], counts: [4, -1, 6] })).toThrow('non-negative whole numbers');
    expect(() => decodeMask({ size: [3, 3], counts: '3OO' })).toThrow('negative run');
    expect(() => decodeMask({ size: [-1, 3] as never, counts: '' })).toThrow('size must be [height, width]');
    expect(() => encodeMask(new Uint8Array(8), 3, 3)).toThrow('mask has 8 values but 3×3 needs 9');
  });
});

const masksDir = sharedData('real/judo/masks') ?? '';
const haveMasks = masksDir !== '';

describe.skipIf(!haveMasks)(`real palette masks (${haveMasks ? masksDir : `skipped: ${masksDir} not found`})`, () => {
  it('every instance of every judo mask goes through RLE and back bit-exact', async () => {
    const files = fs.readdirSync(masksDir).filter((f) => f.endsWith('.png')).sort();
    expect(files.length).toBeGreaterThan(0);
    let instances = 0;
    for (const file of files) {
      // sharp expands the palette to RGB; each non-black colour is one instance id
      const { data, info } = await sharp(path.join(masksDir, file)).raw().toBuffer({ resolveWithObject: true });
      const { width: w, height: h, channels } = info;
      const ids = new Uint32Array(w * h);
      const colours = new Map<number, number>();
      for (let i = 0; i < w * h; i++) {
        const key = (data[i * channels] << 16) | (data[i * channels + 1] << 8) | data[i * channels + 2];
        if (key === 0) continue;
        if (!colours.has(key)) colours.set(key, colours.size + 1);
        ids[i] = colours.get(key)!;
      }
      expect(colours.size, `${file} has no instance`).toBeGreaterThan(0);
      for (const id of colours.values()) {
        const mask = ids.map((v) => (v === id ? 1 : 0));
        const bytes = Uint8Array.from(mask);
        const rle = encodeMask(bytes, h, w);
        expect(Buffer.from(decodeMask(rle)).equals(Buffer.from(bytes)), `${file} instance ${id}`).toBe(true);
        expect(maskArea(rle)).toBe(bytes.reduce((s, v) => s + v, 0));
        expect(maskToBox(rle)).toEqual(bruteBox(bytes, h, w));
        instances++;
      }
    }
    expect(instances).toBeGreaterThanOrEqual(files.length);
  });
});
