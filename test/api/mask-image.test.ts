/** The renderer's mask painter decodes the core's COCO RLE exactly, in column-major order, in the class colour. */
import { describe, expect, it } from 'vitest';
import type { FrameMask } from '../../electron/common/api';
import { countsFromString, encodeMask } from '../../electron/core/masks/rle';
import { paintMaskPixels, runsFromString, type MaskPaint } from '../../renderer/src/dff/mask-image';

function maskOf(on: Uint8Array, h: number, w: number, color: string, id: number): FrameMask {
  const rle = encodeMask(on, h, w);
  return { annotationId: id, size: rle.size, counts: rle.counts, classId: 1, className: 'c', color, score: null, source: 'predicted' };
}

describe('renderer mask painting', () => {
  it('reads run strings exactly as the core does, long runs and deltas included', () => {
    const h = 37, w = 53;
    const on = new Uint8Array(h * w).map((_, i) => (Math.sin(i / 7) + Math.cos(i / 131) > 0.4 ? 1 : 0));
    const { counts } = encodeMask(on, h, w);
    expect(runsFromString(counts)).toEqual(countsFromString(counts));
  });

  /** RGBA bytes of the masks painted into a fresh buffer, and the box paintMaskPixels says they cover. */
  const paint = (masks: MaskPaint[], w: number, h: number, alpha?: number) => {
    const rgba = new Uint8ClampedArray(w * h * 4);
    const box = paintMaskPixels(new Uint32Array(rgba.buffer), masks, w, h, alpha);
    return { rgba, box };
  };

  it('paints each mask pixel (row-major) in its class colour and leaves the rest transparent', () => {
    const h = 5, w = 7;
    const a = new Uint8Array(h * w);
    a[1 * w + 2] = 1; // (x 2, y 1)
    a[4 * w + 6] = 1; // bottom-right corner
    const b = new Uint8Array(h * w);
    b[0] = 1;
    const { rgba, box } = paint([maskOf(a, h, w, '#ff8000', 1), maskOf(b, h, w, '#00ff00', 2)], w, h, 100);
    expect(box).toEqual({ x: 0, y: 0, w: 7, h: 5 });
    const px = (x: number, y: number) => [...rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)];
    expect(px(2, 1)).toEqual([255, 128, 0, 100]);
    expect(px(6, 4)).toEqual([255, 128, 0, 100]);
    expect(px(0, 0)).toEqual([0, 255, 0, 100]);
    let painted = 0;
    for (let i = 3; i < rgba.length; i += 4) if (rgba[i]) painted++;
    expect(painted).toBe(3);
  });

  it('skips a mask whose size is not the frame size', () => {
    const on = new Uint8Array(4 * 4).fill(1);
    const { rgba, box } = paint([maskOf(on, 4, 4, '#ffffff', 1)], 5, 4);
    expect(rgba.some((v) => v !== 0)).toBe(false);
    expect(box).toBeNull();
  });

  it('says which box the painted pixels cover, for runs that wrap from one column into the next', () => {
    const h = 6, w = 9;
    const on = new Uint8Array(h * w);
    // a run from (x 2, y 4) down the column and on into column 3 up to y 1 (column-major: 4 pixels)
    on[4 * w + 2] = on[5 * w + 2] = on[0 * w + 3] = on[1 * w + 3] = 1;
    on[3 * w + 6] = 1; // and a lone pixel further right
    const { rgba, box } = paint([maskOf(on, h, w, '#0000ff', 1)], w, h, 200);
    expect(box).toEqual({ x: 2, y: 0, w: 5, h: 6 });
    for (let i = 0; i < h * w; i++) expect(rgba[i * 4 + 3], `pixel ${i}`).toBe(on[i] ? 200 : 0);
    // a run that ends exactly at the bottom of its column does not reach into the next one
    const tail = new Uint8Array(h * w);
    tail[4 * w + 1] = tail[5 * w + 1] = 1;
    expect(paint([maskOf(tail, h, w, '#0000ff', 1)], w, h).box).toEqual({ x: 1, y: 4, w: 1, h: 2 });
  });
});
