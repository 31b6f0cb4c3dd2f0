import { describe, expect, it } from 'vitest';
import { decodeMask, maskToBox } from '../../electron/core/masks/rle';
import { countsOf, emptyBitmap, fillPolygon, isEmpty, paintDisc, paintSegment, translated } from '../../renderer/src/editor/mask-bitmap';

const sum = (d: Uint8Array) => d.reduce((s, v) => s + v, 0);

describe('the editor\'s mask bitmap', () => {
  it('a brush disc past the border is clipped, and the RLE the core gets is exactly the bitmap', () => {
    const b = emptyBitmap(40, 30);
    paintDisc(b, 38, 15, 6, 1); // half of it past the right border
    const area = sum(b.data);
    expect(area).toBeGreaterThan(40);
    expect(area).toBeLessThan(Math.PI * 36 * 0.75);
    const rle = { size: [30, 40] as [number, number], counts: countsOf(b) };
    expect(decodeMask(rle)).toEqual(b.data);
    const [x, , w] = maskToBox(rle);
    expect(x + w).toBe(40);
  });

  it('the eraser removes what the brush painted; a stroke paints a continuous band', () => {
    const b = emptyBitmap(50, 20);
    paintSegment(b, 5, 10, 45, 10, 3, 1);
    for (let x = 5; x < 45; x++) expect(b.data[10 * 50 + x], `pixel ${x}`).toBe(1);
    paintSegment(b, 0, 10, 50, 10, 5, 0);
    expect(isEmpty(b)).toBe(true);
  });

  it('a polygon fills its inside (pixel centres), clipped to the frame', () => {
    const b = emptyBitmap(20, 20);
    fillPolygon(b, [
      { x: 2, y: 2 },
      { x: 12, y: 2 },
      { x: 12, y: 7 },
      { x: 2, y: 7 },
    ]);
    expect(sum(b.data)).toBe(10 * 5);
    const c = emptyBitmap(20, 20);
    fillPolygon(c, [
      { x: -10, y: -10 },
      { x: 30, y: -10 },
      { x: 30, y: 5 },
    ]); // a triangle mostly outside
    expect(sum(c.data)).toBeGreaterThan(0);
    expect(c.data.slice(6 * 20).every((v) => v === 0)).toBe(true);
  });

  it('moving a mask shifts its pixels and cuts what leaves the frame', () => {
    const b = emptyBitmap(10, 10);
    fillPolygon(b, [
      { x: 6, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 2 },
      { x: 6, y: 2 },
    ]);
    const m = translated(b, 2, 3);
    expect(sum(m.data)).toBe(2 * 2); // columns 8, 9 stay, 10 and 11 are gone
    expect(m.data[3 * 10 + 8]).toBe(1);
    expect(m.data[0]).toBe(0);
  });
});
