import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskToRings, ringArea, ringsToMask, rleToRings } from '../../electron/core/export/polygons';
import { encodeMask } from '../../electron/core/masks/rle';
import { haveJudoMasks, judoMasksDir, maskOf, prng, readInstanceMasks } from './helpers';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const iou = (a: Uint8Array, b: Uint8Array) => {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] & b[i];
    union += a[i] | b[i];
  }
  return inter / union;
};

describe('mask → polygon → mask', () => {
  it('traces an axis-aligned rectangle as its four corners, clockwise, and fills it back exactly', () => {
    const m = maskOf(10, 12, (x, y) => x >= 3 && x < 9 && y >= 2 && y < 7);
    const { outer, holes } = maskToRings(m, 10, 12);
    expect(outer).toEqual([[3, 2, 9, 2, 9, 7, 3, 7]]);
    expect(holes).toEqual([]);
    expect(ringArea(outer[0])).toBe(30);
    expect(same(ringsToMask(outer, 10, 12), m)).toBe(true);
  });

  it('keeps a hole as a counter-clockwise ring; outer minus hole is the mask', () => {
    const m = maskOf(9, 9, (x, y) => x >= 1 && x < 8 && y >= 1 && y < 8 && !(x >= 3 && x < 5 && y >= 3 && y < 6));
    const { outer, holes } = maskToRings(m, 9, 9);
    expect(outer).toHaveLength(1);
    expect(holes).toHaveLength(1);
    expect(ringArea(outer[0])).toBe(49);
    expect(ringArea(holes[0])).toBe(-6);
    expect(same(ringsToMask([...outer, ...holes], 9, 9), m)).toBe(true);
    // the outer ring alone fills the hole
    expect(ringsToMask(outer, 9, 9).reduce((s, v) => s + v, 0)).toBe(49);
  });

  it('separates pixels that touch only at a corner, and handles masks touching every border', () => {
    const diag = maskOf(4, 4, (x, y) => (x === 1 && y === 1) || (x === 2 && y === 2));
    expect(maskToRings(diag, 4, 4).outer).toEqual([
      [1, 1, 2, 1, 2, 2, 1, 2],
      [2, 2, 3, 2, 3, 3, 2, 3],
    ]);
    const full = maskOf(5, 7, () => true);
    expect(maskToRings(full, 5, 7).outer).toEqual([[0, 0, 7, 0, 7, 5, 0, 5]]);
    expect(maskToRings(new Uint8Array(35), 5, 7)).toEqual({ outer: [], holes: [] });
  });

  it('round-trips random masks of odd sizes bit-exactly (even-odd fill of outer rings and holes)', () => {
    const rand = prng(7);
    for (let t = 0; t < 60; t++) {
      const h = 1 + Math.floor(rand() * 23);
      const w = 1 + Math.floor(rand() * 29);
      const density = rand();
      const m = maskOf(h, w, () => rand() < density);
      const { outer, holes } = maskToRings(m, h, w);
      expect(same(ringsToMask([...outer, ...holes], h, w), m), `case ${t} (${h}×${w})`).toBe(true);
      const area = [...outer, ...holes].reduce((s, r) => s + ringArea(r), 0);
      expect(area).toBe(m.reduce((s, v) => s + v, 0));
    }
  });

  it('rasterises a smooth polygon close to the shape it describes (IoU with the analytic disk)', () => {
    const ring: number[] = [];
    for (let k = 0; k < 64; k++) ring.push(20 + 12.3 * Math.cos((2 * Math.PI * k) / 64), 18 + 12.3 * Math.sin((2 * Math.PI * k) / 64));
    const disk = maskOf(40, 40, (x, y) => (x + 0.5 - 20) ** 2 + (y + 0.5 - 18) ** 2 <= 12.3 ** 2);
    expect(iou(ringsToMask([ring], 40, 40), disk)).toBeGreaterThan(0.97);
    // and the traced disk agrees with it too
    expect(same(ringsToMask(maskToRings(disk, 40, 40).outer, 40, 40), disk)).toBe(true);
  });

  it.skipIf(!haveJudoMasks)(`traces the real judo masks and fills them back bit-exact${haveJudoMasks ? '' : ` (skipped: ${judoMasksDir} not found)`}`, async () => {
    const files = fs.readdirSync(judoMasksDir).filter((f) => f.endsWith('.png'));
    let n = 0;
    for (const file of files) {
      const { h, w, masks } = await readInstanceMasks(path.join(judoMasksDir, file));
      for (const m of masks) {
        const { outer, holes } = maskToRings(m, h, w);
        expect(same(ringsToMask([...outer, ...holes], h, w), m), file).toBe(true);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(files.length);
  });
});

describe('RLE → rings inside the bounding box', () => {
  it('gives the same rings as tracing the whole frame', () => {
    const rand = prng(11);
    for (let t = 0; t < 30; t++) {
      const h = 5 + Math.floor(rand() * 30);
      const w = 5 + Math.floor(rand() * 30);
      const x0 = Math.floor(rand() * w);
      const y0 = Math.floor(rand() * h);
      const m = maskOf(h, w, (x, y) => x >= x0 && y >= y0 && rand() < 0.6);
      expect(rleToRings(encodeMask(m, h, w)), `case ${t}`).toEqual(maskToRings(m, h, w));
    }
    expect(rleToRings(encodeMask(new Uint8Array(12), 3, 4))).toEqual({ outer: [], holes: [] });
  });
});
